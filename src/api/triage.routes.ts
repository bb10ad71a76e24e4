/** POST /api/v1/triage: what the bot makes of a text (intent, theme, emergency), for staff and integrators. */
import { Router } from "express";
import { z } from "zod";
import type { ResidentTriage } from "../conversation/residentTriage.ts";
import type { TriageExplanation } from "../conversation/triage.ts";
import type { Db } from "../db/client.ts";
import { HttpError } from "../http/errors.ts";
import { requireStaff } from "./auth.ts";
import { jsonBody } from "../http/bodyParsers.ts";

/** The request body. */
export const TriageBodySchema = z.object({ text: z.string().trim().min(1, "text must not be empty").max(4000, "text is at most 4000 characters") }).strict();

/** The triage route; `classify` and `explain` are the bot's own (with the live model and lexicon). */
export function triageRoutes(deps: { db: Db; classify: (text: string) => ResidentTriage; explain: (text: string) => TriageExplanation }): Router {
  const router = Router();
  router.post("/triage", requireStaff(deps.db), jsonBody("32kb"), (req, res) => {
    const parsed = TriageBodySchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, "invalid_body", `Send {"text": "…"}: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`);
    const result = deps.classify(parsed.data.text);
    // `language` is the conversation language (nl/en); `detectedLanguage` the text's own (nl en tr ar pl uk de other).
    const why = deps.explain(parsed.data.text);
    res.json({
      intent: result.intent,
      theme: result.theme,
      emergency: result.emergency,
      possibleEmergency: result.possibleEmergency,
      confidence: result.confidence,
      language: result.language,
      detectedLanguage: result.detectedLanguage,
      // Why: the model's top classes, the lexicon cues that matched, the safety layer's scores.
      explanation: { model: why.model, cues: why.matches, safety: why.safety },
    });
  });
  return router;
}
