/** Who a wijkbericht (a broadcast to a wijk's subscribers) goes to: each active subscription, on its own channel. */
import { ChannelSchema, type Channel } from "../domain/vocabulary.ts";
import type { DbOrTx } from "./client.ts";

/** One recipient of a wijkbericht: the resident and the channel identity they subscribed with. */
export interface WijkSubscriber {
  residentId: string;
  channelIdentityId: string;
  channel: Channel;
}

/** The active (not cancelled) subscriptions to a wijk's news; an identity on a channel Wijklijn no longer has is left out. */
export async function listActiveSubscribers(db: DbOrTx, wijkId: string): Promise<WijkSubscriber[]> {
  const rows = await db.subscription.findMany({
    where: { wijkId, cancelledAt: null },
    select: { residentId: true, channelIdentityId: true, channelIdentity: { select: { channel: true } } },
  });
  return rows.flatMap((row) => {
    const channel = ChannelSchema.safeParse(row.channelIdentity.channel);
    return channel.success ? [{ residentId: row.residentId, channelIdentityId: row.channelIdentityId, channel: channel.data }] : [];
  });
}
