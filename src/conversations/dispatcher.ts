// Moves committed outbox rows into Redis. Called right after a commit (the fast path)
// and by a periodic sweep (the safety net for when Redis was down at commit time).
// The outbox row is deleted only after the job is in Redis, so nothing is lost.
import type { Db } from '../db/client.ts';
import type { Producer } from '../queues/producer.ts';
import type { Logger } from '../shared/logger.ts';

/** For `escalate`, messageId carries the id of the handoff that queued the conversation. */
export type Dispatch = { kind: 'turn' | 'send' | 'escalate'; conversationId: string; messageId: string };
export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * BullMQ waits for a Redis connection that is not ready instead of failing, so an add
 * could hang a webhook for as long as Redis is down. Past this bound the outbox row
 * stays for the sweep (an add that completes later is harmless: job ids are stable).
 */
const ENQUEUE_TIMEOUT_MS = 2000;

function bounded<T>(work: Promise<T>): Promise<T> {
  work.catch(() => {}); // may settle after the timeout; the sweep owns the row by then
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not take the job within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createDispatcher(db: Db, producer: Producer, log: Logger) {
  async function enqueue(item: Dispatch): Promise<boolean> {
    try {
      const job = { conversationId: item.conversationId, messageId: item.messageId };
      if (item.kind === 'turn') await bounded(producer.turn(job));
      else if (item.kind === 'send') await bounded(producer.send(job));
      else await bounded(producer.escalate({ kind: 'route', conversationId: item.conversationId, handoffId: item.messageId }));
      await db.outbox.deleteMany({ where: { kind: item.kind, messageId: item.messageId } });
      return true;
    } catch (err) {
      log.warn({ err, kind: item.kind, messageId: item.messageId }, 'enqueue failed; the outbox sweep will retry');
      return false;
    }
  }

  return {
    /** Best effort: a failure leaves the row for the sweep and never fails the caller. */
    async dispatch(items: readonly Dispatch[]): Promise<void> {
      for (const item of items) {
        if (!(await enqueue(item))) return;
      }
    },
    /** Enqueues rows older than `olderThanMs`; returns how many went to Redis. */
    async sweep(olderThanMs: number, limit = 500): Promise<number> {
      const rows = await db.outbox.findMany({
        where: { createdAt: { lt: new Date(Date.now() - olderThanMs) } },
        orderBy: { id: 'asc' },
        take: limit,
      });
      let moved = 0;
      for (const row of rows) {
        if (!(await enqueue({ kind: row.kind as Dispatch['kind'], conversationId: row.conversationId, messageId: row.messageId }))) break;
        moved++;
      }
      return moved;
    },
  };
}
