/**
 * The request schemas of the inbox pages: the list's GET filters and each POST form. zod is the
 * source of truth; a value that does not parse never reaches an action.
 */
import { z } from "zod";
import { ThemeSchema } from "../../conversation/triage.ts";
import { ChannelSchema, ConversationStatusSchema } from "../../domain/messages.ts";

/** Conversation, canned-reply and outbox ids are cuids; anything else cannot exist. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

/** A query parameter given once; anything else (absent, repeated, malformed) counts as absent. */
const optionalParameter = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** The list's status choice: the default (open and waiting), one status, or all. */
export const StatusChoiceSchema = z.union([ConversationStatusSchema, z.enum(["actief", "alle"])]);
export type StatusChoice = z.infer<typeof StatusChoiceSchema>;

/** GET /inbox: the filter form. Bad values are ignored rather than refused: it is a page, not an API. */
export const ListQuerySchema = z.object({
  status: StatusChoiceSchema.catch("actief").default("actief"),
  wijk: optionalParameter(z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/)),
  theme: optionalParameter(ThemeSchema),
  channel: optionalParameter(ChannelSchema),
  limit: z.coerce.number().int().min(1).max(1000).catch(50).default(50),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

/** POST /inbox/c/:id/reply: a text, or a canned reply (used when the text is empty). */
export const ReplyFormSchema = z.object({
  text: z.string().max(20_000).default(""),
  canned: z.string().max(100).default(""),
});

/** POST /inbox/c/:id/note. */
export const NoteFormSchema = z.object({ text: z.string().max(20_000).default("") });

/** POST /inbox/c/:id/assign: a staff user id, or empty for nobody. */
export const AssignFormSchema = z.object({ assignee: z.union([z.literal(""), IdSchema]) });

/** POST /inbox/c/:id/wijk. */
export const WijkFormSchema = z.object({ wijk: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/) });

/** POST /inbox/c/:id/theme. */
export const ThemeFormSchema = z.object({ theme: ThemeSchema });

/** POST /inbox/c/:id/clear-emergency: an optional one-line reason. */
export const ClearEmergencyFormSchema = z.object({ reason: z.string().max(2000).default("") });

/** A datetime-local value: 2026-11-27T09:00 (seconds allowed). */
const DateTimeLocalSchema = z
  .string()
  .regex(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?$/)
  .transform((text) => {
    const [year, month, day, hour, minute] = [text.slice(0, 4), text.slice(5, 7), text.slice(8, 10), text.slice(11, 13), text.slice(14, 16)].map(Number);
    return { year: year ?? 0, month: month ?? 0, day: day ?? 0, hour: hour ?? 0, minute: minute ?? 0 };
  })
  .refine((t) => t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31 && t.hour <= 23 && t.minute <= 59);

/** POST /inbox/c/:id/snooze: until the resident writes, or until a local date and time. */
export const SnoozeFormSchema = z.discriminatedUnion("mode", [z.object({ mode: z.literal("bericht") }), z.object({ mode: z.literal("tijd"), until: DateTimeLocalSchema })]);

/** POST /inbox/canned: a new canned reply for a tandem. */
export const CannedFormSchema = z.object({
  tandem: IdSchema,
  title: z.string().trim().min(1).max(100),
  body: z.string().trim().min(1).max(4000),
});

/** The admin's erasure form: a conversation reference as residents are told it, and the confirmation box. */
export const EraseFormSchema = z.object({
  reference: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^WL-\d{4}-\d{5,}$/),
  confirm: z.literal("ja"),
});
