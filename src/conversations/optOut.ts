// Use cases: a customer's SMS opt-out. STOP (and its synonyms) opts the address out:
// no bot answers it, nothing is sent to it — a bot's reply, a notice, an agent's
// message — until START. Kept per channel identity, so texts stopping leaves WhatsApp be.
import type { ChannelName, InboundMessage } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { Conflict } from '../shared/errors.ts';

/** Twilio: "Attempt to send to unsubscribed recipient". The carrier says STOP for us. */
export const TWILIO_OPTED_OUT = '21610';

/** Applies the keywords of freshly stored inbound messages, in order (STOP then START ends opted in). */
export async function applyOptOuts(db: Db, messages: readonly InboundMessage[]): Promise<void> {
  for (const message of messages) {
    if (message.optOut === 'stop') await setOptedOut(db, message.channel, message.from.externalId, true);
    if (message.optOut === 'start') await setOptedOut(db, message.channel, message.from.externalId, false);
  }
}

export async function setOptedOut(db: Db, channel: ChannelName, externalId: string, out: boolean): Promise<void> {
  // Only the first STOP dates the opt-out; a repeated one leaves it.
  await db.channelIdentity.updateMany({
    where: { channel, externalId, ...(out ? { optedOutAt: null } : {}) },
    data: { optedOutAt: out ? new Date() : null },
  });
}

export async function isOptedOut(db: Db, channel: ChannelName, externalId: string): Promise<boolean> {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: { channel, externalId } }, select: { optedOutAt: true } });
  return identity?.optedOutAt != null;
}

/** `isOptedOut` inside a statement: whether the customer at that address said STOP. */
export const optedOut = (channel: Prisma.Sql, externalId: Prisma.Sql) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "ChannelIdentity" i WHERE i.channel = ${channel} AND i."externalId" = ${externalId} AND i."optedOutAt" IS NOT NULL)`;

/** For people about to write to the customer: refused, with the reason, while opted out. */
export async function assertNotOptedOut(db: Db, channel: ChannelName, externalId: string): Promise<void> {
  if (await isOptedOut(db, channel, externalId)) {
    throw new Conflict('opted_out', 'the customer opted out of messages on this channel (they opt back in by sending START)');
  }
}
