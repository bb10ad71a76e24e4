/**
 * The wijk content forms: zod schemas (the source of truth for what a form accepts) with Dutch
 * messages per field, and the parsing of a posted form into either a typed value or the errors
 * to show next to the fields.
 */
import { z } from "zod";
import { NewsKindSchema, type NewsKind } from "../../db/content.repo.ts";
import { endOfLocalDay, parseLocalDate, parseLocalDateTime } from "./localTime.ts";

/** The posted fields as strings (what a form shows again after an error). */
export type FormValues = Record<string, string>;
/** One message per field name. */
export type FieldErrors = Record<string, string>;
/** A parsed form: the value, or the errors and the values to show again. */
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors; values: FormValues };

/** The string fields of a urlencoded body (anything else, such as repeated fields, is left out). */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {};
  if (!body || typeof body !== "object") return values;
  for (const [key, value] of Object.entries(body)) if (typeof value === "string" && key !== "_csrf") values[key] = value;
  return values;
}

function errorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = typeof issue.path[0] === "string" ? issue.path[0] : "form";
    errors[field] ??= issue.message;
  }
  return errors;
}

const text = (required: string, max: number, tooLong: string) => z.string().trim().min(1, required).max(max, tooLong);

/** What the buttons of the news form ask for. */
export const NewsActionSchema = z.enum(["publish", "draft", "unpublish"], { error: "Kies publiceren of opslaan als concept." });
export type NewsAction = z.infer<typeof NewsActionSchema>;

/** The news item form. `expires` is the last day on which the item is shown (local date). */
export function newsFormSchema(zone: string, now: Date) {
  return z
    .object({
      wijkId: z.string().min(1, "Kies een wijk."),
      kind: z.enum(NewsKindSchema.options, { error: "Kies wat voor bericht het is." }),
      title: text("Vul een titel in.", 120, "De titel is te lang: maximaal 120 tekens."),
      body: text("Vul de tekst in.", 1000, "De tekst is te lang: maximaal 1000 tekens. Verwijs met een link naar meer."),
      link: z
        .string()
        .trim()
        .max(500, "De link is te lang: maximaal 500 tekens.")
        .transform((value) => (value === "" ? null : value))
        .pipe(z.url({ protocol: /^https$/, hostname: z.regexes.domain, error: "Vul een volledige link in die met https:// begint, of laat het veld leeg." }).nullable()),
      expires: z
        .string()
        .trim()
        .transform((value, ctx) => {
          if (value === "") return null;
          const date = parseLocalDate(value);
          if (!date) {
            ctx.addIssue({ code: "custom", message: "Vul een geldige datum in, bijvoorbeeld 31-12-2026." });
            return z.NEVER;
          }
          return endOfLocalDay(zone, date);
        }),
      action: NewsActionSchema,
    })
    .superRefine((form, ctx) => {
      if (form.action === "publish" && form.expires && form.expires <= now) {
        ctx.addIssue({ code: "custom", path: ["expires"], message: "Deze datum is al voorbij: het bericht zou meteen verdwijnen. Kies een latere datum of laat het veld leeg." });
      }
    });
}
/** A parsed news item form: the fields and which button was pressed. */
export interface NewsForm {
  wijkId: string;
  kind: NewsKind;
  title: string;
  body: string;
  link: string | null;
  expiresAt: Date | null;
  action: NewsAction;
}

/** Parses a posted news item form. */
export function parseNewsForm(body: unknown, options: { timeZone: string; now: Date }): FormResult<NewsForm> {
  const values = formValues(body);
  const parsed = newsFormSchema(options.timeZone, options.now).safeParse({
    wijkId: values.wijkId ?? "",
    kind: values.kind ?? "",
    title: values.title ?? "",
    body: values.body ?? "",
    link: values.link ?? "",
    expires: values.expires ?? "",
    action: values.action,
  });
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error), values };
  const form = parsed.data;
  return { ok: true, value: { wijkId: form.wijkId, kind: form.kind, title: form.title, body: form.body, link: form.link, expiresAt: form.expires, action: form.action } };
}

function localDateTime(zone: string, messages: { missing: string | null; format: string }) {
  return z
    .string()
    .trim()
    .transform((value, ctx): Date | null => {
      if (value === "") {
        if (messages.missing === null) return null;
        ctx.addIssue({ code: "custom", message: messages.missing });
        return z.NEVER;
      }
      const parsed = parseLocalDateTime(value, zone);
      if (parsed.ok) return parsed.instant;
      ctx.addIssue({
        code: "custom",
        message: parsed.problem === "gap" ? "Dit tijdstip bestaat niet: in die nacht gaat de klok van 2:00 naar 3:00 (zomertijd). Kies een ander tijdstip." : messages.format,
      });
      return z.NEVER;
    });
}

/** The dialoogtafel form. Times are wall-clock times in `zone`. */
export function tafelFormSchema(zone: string) {
  return z
    .object({
      wijkId: z.string().min(1, "Kies een wijk."),
      title: text("Vul een titel in.", 120, "De titel is te lang: maximaal 120 tekens."),
      topic: text("Vul het onderwerp in.", 300, "Het onderwerp is te lang: maximaal 300 tekens."),
      location: text("Vul de locatie in.", 200, "De locatie is te lang: maximaal 200 tekens."),
      startsAt: localDateTime(zone, { missing: "Vul de datum en begintijd in.", format: "Vul een geldige datum en begintijd in." }),
      endsAt: localDateTime(zone, { missing: null, format: "Vul een geldige datum en eindtijd in, of laat het veld leeg." }),
      capacity: z
        .string()
        .trim()
        .regex(/^\d{1,6}$/, "Vul het aantal plaatsen in als heel getal, minimaal 1.")
        .transform(Number)
        .pipe(z.number().int().min(1, "Er moet minimaal 1 plaats zijn.").max(5000, "Maximaal 5000 plaatsen.")),
    })
    .superRefine((form, ctx) => {
      if (form.startsAt && form.endsAt && form.endsAt <= form.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "Het einde moet na het begin liggen." });
    });
}

/** A parsed dialoogtafel form. */
export interface TafelForm {
  wijkId: string;
  title: string;
  topic: string;
  location: string;
  startsAt: Date;
  endsAt: Date | null;
  capacity: number;
}

/** Parses a posted dialoogtafel form. */
export function parseTafelForm(body: unknown, options: { timeZone: string }): FormResult<TafelForm> {
  const values = formValues(body);
  const parsed = tafelFormSchema(options.timeZone).safeParse({
    wijkId: values.wijkId ?? "",
    title: values.title ?? "",
    topic: values.topic ?? "",
    location: values.location ?? "",
    startsAt: values.startsAt ?? "",
    endsAt: values.endsAt ?? "",
    capacity: values.capacity ?? "",
  });
  if (!parsed.success) return { ok: false, errors: errorsOf(parsed.error), values };
  const { startsAt, ...rest } = parsed.data;
  if (!startsAt) return { ok: false, errors: { startsAt: "Vul de datum en begintijd in." }, values };
  return { ok: true, value: { ...rest, startsAt } };
}
