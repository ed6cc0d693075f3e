// Use case: deliver a conversation's outbound messages up to and including the one a
// job names, oldest first, so replies never overtake each other. Each accepted send
// is committed before the next starts; a retry resumes after the last one sent.
import type { ChannelName, ChannelSender } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import type { Locks } from '../db/locks.ts';
import { ProviderError } from '../shared/errors.ts';
import { metrics } from '../observability/metrics.ts';
import type { Logger } from '../shared/logger.ts';

export type DeliverDeps = { db: Db; locks: Locks; senders: Record<ChannelName, ChannelSender>; log: Logger };

export async function deliverOutbound(deps: DeliverDeps, conversationId: string, messageId: string): Promise<void> {
  await deps.locks.withLock('delivery', conversationId, async () => {
    const target = await deps.db.message.findUnique({ where: { id: messageId }, select: { seq: true } });
    if (!target) return; // erased with its contact
    const pending = await deps.db.message.findMany({
      where: { conversationId, direction: 'outbound', status: { in: ['queued', 'sending'] }, seq: { lte: target.seq } },
      orderBy: { seq: 'asc' },
      include: { conversation: { select: { externalId: true } } },
    });
    for (const message of pending) {
      await deps.db.message.update({ where: { id: message.id }, data: { status: 'sending', attempts: { increment: 1 } } });
      const payload = (message.payload ?? {}) as { options?: { id: string; title: string }[]; template?: { name: string; language: string; params: string[] } };
      try {
        const { providerMessageId } = await deps.senders[message.channel].send({
          to: message.conversation.externalId,
          text: message.text,
          idempotencyKey: message.id,
          ...(payload.options ? { options: payload.options } : {}),
          ...(payload.template ? { template: payload.template } : {}),
        });
        await deps.db.message.update({
          where: { id: message.id },
          data: { status: 'sent', providerMessageId, handledAt: new Date() },
        });
        metrics.outbound.inc({ channel: message.channel, status: 'sent' });
      } catch (err) {
        if (err instanceof ProviderError) metrics.providerErrors.inc({ channel: message.channel, status: String(err.status ?? 'network') });
        if (err instanceof ProviderError && !err.retryable) {
          metrics.outbound.inc({ channel: message.channel, status: 'failed' });
          // The provider will never take this one; record it and let the rest go out.
          await deps.db.message.update({ where: { id: message.id }, data: { status: 'failed', errorCode: err.providerCode ?? String(err.status ?? '') } });
          deps.log.warn({ messageId: message.id, status: err.status, code: err.providerCode }, 'send refused by provider');
          continue;
        }
        throw err;
      }
    }
  });
}
