/**
 * "Jullie zeiden, wij deden": the tandem publishes, from a resolved conversation, what residents
 * raised and what the gemeente did, on the public wijk page. A staff action like those of
 * src/inbox/conversationActions.ts: scope (404 outside the caller's tandems), role (not a
 * wethouder), one transaction, audit. Staff write it in their own words; a text with personal
 * details in it (a name, an address, a phone number, a BSN…: the digest's redaction finds them) is
 * refused, so the public page never carries them.
 */
import { z } from "zod";
import type { StaffPrincipal } from "../api/auth.ts";
import { recordAudit } from "../db/audit.repo.ts";
import type { Db } from "../db/client.ts";
import { findConversationForAction } from "../db/staffConversation.repo.ts";
import { inTransaction } from "../db/transaction.ts";
import { createWijDedenItem, findWijDedenOfConversation } from "../db/wijDeden.repo.ts";
import { redactQuote } from "../digests/redactQuote.ts";
import { canSee } from "../domain/access.ts";
import { ActionError } from "../inbox/conversationActions.ts";

/** The longest text of each half. */
export const MAX_WIJ_DEDEN_TEXT = 500;

const TextSchema = z.string().trim().min(1).max(MAX_WIJ_DEDEN_TEXT);

/** The form: what residents said, what the gemeente did. */
export const WijDedenSchema = z.object({ said: TextSchema, did: TextSchema });

/** Does the text hold something the redaction would take out (so: personal details)? */
export function holdsPersonalDetails(text: string): boolean {
  return redactQuote(text) !== text;
}

/** Publishes the item; returns its id and the wijk page it is on. */
export async function publishWijDeden(db: Db, staff: StaffPrincipal, conversationId: string, input: { said: string; did: string }, options: { now?: Date } = {}) {
  if (staff.role === "wethouder") throw new ActionError(403, "forbidden", "A wethouder may not publish on the wijk page.");
  const parsed = WijDedenSchema.safeParse(input);
  if (!parsed.success) throw new ActionError(400, "invalid_body", `Give both texts, each 1 to ${MAX_WIJ_DEDEN_TEXT} characters.`);
  if (holdsPersonalDetails(parsed.data.said) || holdsPersonalDetails(parsed.data.did))
    throw new ActionError(400, "personal_details", "The text holds personal details (a name, address or number); write it so that nobody is recognisable.");
  const now = options.now ?? new Date();
  return inTransaction(db, async (tx) => {
    const conversation = await findConversationForAction(tx, staff.gemeenteId, conversationId);
    if (!conversation || !canSee(staff, conversation)) throw new ActionError(404, "not_found", "There is no such conversation.");
    if (conversation.status !== "resolved" || !conversation.wijkId) throw new ActionError(409, "not_resolved", "Only a resolved conversation with a wijk can be published.");
    if (await findWijDedenOfConversation(tx, conversationId)) throw new ActionError(409, "already_published", "This conversation is on the wijk page already.");
    const item = await createWijDedenItem(tx, {
      gemeenteId: staff.gemeenteId,
      wijkId: conversation.wijkId,
      conversationId,
      theme: conversation.theme,
      ...parsed.data,
      staffUserId: staff.staffUserId,
      now,
    });
    await recordAudit(tx, {
      gemeenteId: staff.gemeenteId,
      actorStaffId: staff.staffUserId,
      actorKind: "staff",
      action: "conversation.published",
      subjectType: "Conversation",
      subjectId: conversationId,
      data: { wijDedenItemId: item.id },
      at: now,
    });
    return { id: item.id };
  });
}
