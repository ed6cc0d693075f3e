// Moves committed outbox rows into Redis. Called right after a commit (the fast path)
// and by a periodic sweep (the safety net for when Redis was down at commit time).
// The outbox row is deleted only after the job is in Redis, so nothing is lost.
import type { Db } from '../db/client.ts';
import type { Producer } from './producer.ts';
import type { Logger } from '../shared/logger.ts';
import { currentTraceparent } from '../observability/tracing.ts';

/**
 * For `escalate`, messageId carries the id of the handoff that queued the conversation;
 * for `sla-reply` (the agent's reply timer), the id of the handoff that gave it to the
 * agent — the timer is built from the conversation as it is when it is enqueued; for
 * `media`, the MediaFile's id.
 */
export type Dispatch = {
  kind: 'turn' | 'send' | 'escalate' | 'sla-reply' | 'media';
  conversationId: string;
  messageId: string;
  spentTries?: number;
  /** The trace the job continues, when it is not the caller's (items grouped from several requests). */
  trace?: string;
};
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

export function createDispatcher(db: Db, producer: Producer, log: Logger, sla: { replyMs: number } = { replyMs: 120_000 }) {
  /** Enqueues a batch (one Redis round trip per kind), then drops their outbox rows. */
  async function enqueue(items: readonly Dispatch[]): Promise<boolean> {
    if (items.length === 0) return true;
    try {
      const trace = currentTraceparent();
      const job = (i: Dispatch) => {
        const parent = i.trace ?? trace;
        return { conversationId: i.conversationId, messageId: i.messageId, ...(parent ? { trace: parent } : {}) };
      };
      const turns = items.filter((i) => i.kind === 'turn').map(job);
      const sends = items.filter((i) => i.kind === 'send').map((i) => ({ ...job(i), ...(i.spentTries ? { spentTries: i.spentTries } : {}) }));
      if (turns.length) await bounded(producer.turns(turns));
      if (sends.length) await bounded(producer.sends(sends));
      const media = items.filter((i) => i.kind === 'media').map((i) => ({ conversationId: i.conversationId, fileId: i.messageId }));
      if (media.length) await bounded(producer.media(media));
      for (const i of items.filter((x) => x.kind === 'escalate')) {
        await bounded(producer.escalate({ kind: 'route', conversationId: i.conversationId, handoffId: i.messageId }));
      }
      for (const i of items.filter((x) => x.kind === 'sla-reply')) {
        const held = await db.conversation.findUnique({ where: { id: i.conversationId }, select: { status: true, ownerId: true, claimedAt: true } });
        // Released or resolved since: no timer to start (the job would find nothing to do).
        if (held?.status !== 'agent' || !held.ownerId || !held.claimedAt) continue;
        const delay = Math.max(0, held.claimedAt.getTime() + sla.replyMs - Date.now());
        await bounded(producer.escalate({ kind: 'sla-reply', conversationId: i.conversationId, agentId: held.ownerId, claimedAt: held.claimedAt.toISOString() }, delay));
      }
      const ids = items.map((i) => i.messageId);
      await db.sql`DELETE FROM "Outbox" WHERE "messageId" = ANY(${ids}::uuid[])`;
      return true;
    } catch (err) {
      log.warn({ err, items: items.length }, 'enqueue failed; the outbox sweep will retry');
      return false;
    }
  }

  return {
    /** Best effort: a failure leaves the rows for the sweep and never fails the caller. */
    async dispatch(items: readonly Dispatch[]): Promise<void> {
      await enqueue(items);
    },
    /** Enqueues rows due `olderThanMs` ago or earlier; returns how many went to Redis. */
    async sweep(olderThanMs: number, limit = 500): Promise<number> {
      const rows = await db.outbox.findMany({
        where: { dueAt: { lt: new Date(Date.now() - olderThanMs) } },
        orderBy: { id: 'asc' },
        take: limit,
      });
      const items = rows.map((row) => ({ kind: row.kind as Dispatch['kind'], conversationId: row.conversationId, messageId: row.messageId }));
      return (await enqueue(items)) ? items.length : 0;
    },
  };
}
