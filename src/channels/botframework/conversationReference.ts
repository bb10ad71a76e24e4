/**
 * The conversation reference kept with a resident's channel identity: where and to whom a later
 * (proactive) reply goes. Stored as JSON text; read back here with zod.
 */
import type { ConversationReference } from "botbuilder-core";
import { z } from "zod";

const AccountSchema = z.object({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional(), role: z.string().optional() });

/** The stored reference: what TurnContext.getConversationReference() gave for the resident's last message. */
export const StoredReferenceSchema = z.object({
  serviceUrl: z.url({ protocol: /^https?$/ }),
  channelId: z.string().min(1),
  conversation: z.object({
    id: z.string().min(1),
    name: z.string().optional(),
    isGroup: z.boolean().optional(),
    conversationType: z.string().optional(),
    tenantId: z.string().optional(),
  }),
  bot: AccountSchema,
  user: AccountSchema.optional(),
  activityId: z.string().optional(),
  locale: z.string().optional(),
});

/** Reads a stored reference; null when it is absent or not one. */
export function parseConversationReference(text: string | null): Partial<ConversationReference> | null {
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = StoredReferenceSchema.safeParse(json);
  if (!parsed.success) return null;
  const { conversation, bot, user, activityId, locale, serviceUrl, channelId } = parsed.data;
  const account = (a: z.infer<typeof AccountSchema>) => ({ id: a.id, name: a.name ?? "", ...(a.aadObjectId ? { aadObjectId: a.aadObjectId } : {}), ...(a.role ? { role: a.role } : {}) });
  return {
    serviceUrl,
    channelId,
    conversation: {
      id: conversation.id,
      name: conversation.name ?? "",
      isGroup: conversation.isGroup ?? false,
      conversationType: conversation.conversationType ?? "",
      // Teams needs the tenant to deliver a proactive message.
      ...(conversation.tenantId ? { tenantId: conversation.tenantId } : {}),
    },
    bot: account(bot),
    ...(user ? { user: account(user) } : {}),
    ...(activityId ? { activityId } : {}),
    ...(locale ? { locale } : {}),
  };
}
