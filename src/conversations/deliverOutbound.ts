// Use case: deliver one outbound message, never before the conversation's earlier
// replies. Each job sends only its own message: while an earlier reply is still on
// its way, or the provider asked to wait (Retry-After), the job answers "wait until
// T" and is delayed without spending a retry — so one reply's outage never uses up
// another's attempts, and replies never overtake each other.
import type { ChannelName, ChannelSender } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import type { Locks } from '../db/locks.ts';
import { ProviderError } from '../shared/errors.ts';
import { metrics } from '../observability/metrics.ts';
import type { Logger } from '../shared/logger.ts';

export type DeliverDeps = { db: Db; locks: Locks; senders: Record<ChannelName, ChannelSender>; log: Logger };

/** `wait` asks the caller to try again at that time (ms since epoch). */
export type DeliveryOutcome = { done: 'sent' | 'failed' | 'nothing' } | { wait: number };

const EARLIER_REPLY_POLL_MS = 250;

export async function deliverOutbound(deps: DeliverDeps, conversationId: string, messageId: string): Promise<DeliveryOutcome> {
  return deps.locks.withLock('delivery', conversationId, async (): Promise<DeliveryOutcome> => {
    const message = await deps.db.message.findUnique({ where: { id: messageId }, include: { conversation: { select: { externalId: true } } } });
    // Erased with its contact, or delivered/refused already (a retried or duplicate job).
    if (!message || (message.status !== 'queued' && message.status !== 'sending')) return { done: 'nothing' };

    const earlier = await deps.db.message.findFirst({
      where: { conversationId, direction: 'outbound', status: { in: ['queued', 'sending'] }, seq: { lt: message.seq } },
      orderBy: { seq: 'asc' },
      select: { retryAt: true },
    });
    if (earlier) return { wait: Math.max(Date.now() + EARLIER_REPLY_POLL_MS, earlier.retryAt?.getTime() ?? 0) };
    if (message.retryAt && message.retryAt.getTime() > Date.now()) return { wait: message.retryAt.getTime() };

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
      await deps.db.message.update({ where: { id: message.id }, data: { status: 'sent', providerMessageId, handledAt: new Date(), retryAt: null } });
      metrics.outbound.inc({ channel: message.channel, status: 'sent' });
      return { done: 'sent' };
    } catch (err) {
      if (err instanceof ProviderError) metrics.providerErrors.inc({ channel: message.channel, status: String(err.status ?? 'network') });
      if (err instanceof ProviderError && !err.retryable) {
        // The provider will never take this one; record it and let the rest go out.
        metrics.outbound.inc({ channel: message.channel, status: 'failed' });
        await deps.db.message.update({ where: { id: message.id }, data: { status: 'failed', errorCode: err.providerCode ?? String(err.status ?? '') } });
        deps.log.warn({ messageId: message.id, status: err.status, code: err.providerCode }, 'send refused by provider');
        return { done: 'failed' };
      }
      if (err instanceof ProviderError && err.retryAfterMs) {
        // Holds this reply and, through `earlier`, every later one of the conversation.
        await deps.db.message.update({ where: { id: message.id }, data: { retryAt: new Date(Date.now() + err.retryAfterMs) } });
      }
      throw err;
    }
  });
}
