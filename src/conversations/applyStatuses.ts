// Use case: apply a provider's delivery receipts to our outbound messages. Receipts
// arrive late, twice and out of order; a message only moves forward (sent → delivered
// → read), except that failure is always recorded.
import type { StatusUpdate } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import type { MessageStatus } from '../generated/prisma/enums.ts';

const RANK: Record<MessageStatus, number> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  played: 6,
  deleted: 7,
  failed: 8,
  undelivered: 8,
};

export async function applyStatuses(db: Db, statuses: readonly StatusUpdate[]): Promise<number> {
  let applied = 0;
  for (const update of statuses) {
    if (update.status === 'received') continue;
    const message = await db.message.findUnique({
      where: { channel_providerMessageId: { channel: update.channel, providerMessageId: update.providerMessageId } },
      select: { id: true, status: true, direction: true },
    });
    if (message?.direction !== 'outbound') continue;
    if (RANK[update.status] <= RANK[message.status]) continue;
    await db.message.update({
      where: { id: message.id },
      data: { status: update.status, errorCode: update.errorCode ?? undefined },
    });
    applied++;
  }
  return applied;
}
