// The safety net under outbound delivery: a reply still `queued` or `sending` that
// nobody has touched for a while either has a live job (it waits behind an earlier
// reply, a Retry-After, an outage) — then it is touched, so it keeps holding the replies
// after it — or its job is gone (dead-lettering failed during an outage, Redis lost it,
// a finished job left it behind): then it gets an outbox row and a fresh job.
import type { Db } from '../db/client.ts';
import { jobId } from '../queues/jobs.ts';
import type { Producer } from '../queues/producer.ts';
import type { Dispatcher } from '../queues/dispatcher.ts';
import type { Logger } from '../shared/logger.ts';

const ALIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

export type StaleSendDeps = { db: Db; producer: Producer; dispatcher: Dispatcher; log: Logger };

/** Returns how many replies were re-queued. */
export async function requeueStaleSends(deps: StaleSendDeps, olderThanMs: number, limit = 200): Promise<number> {
  const stale = await deps.db.$queryRaw<Array<{ id: string; conversationId: string }>>`
    SELECT m.id, m."conversationId" FROM "Message" m
     WHERE m.direction = 'outbound' AND m.status IN ('queued', 'sending')
       AND m."updatedAt" < now() - make_interval(secs => ${olderThanMs / 1000}::float8)
       AND NOT EXISTS (SELECT 1 FROM "Outbox" o WHERE o.kind = 'send' AND o."messageId" = m.id)
     ORDER BY m.seq LIMIT ${limit}`;
  if (stale.length === 0) return 0;
  const alive: string[] = [];
  const lost: Array<{ id: string; conversationId: string }> = [];
  for (const row of stale) {
    const job = await deps.producer.queues.outbound.getJob(jobId.send(row.id));
    const state = job ? await job.getState() : undefined;
    if (state && ALIVE.has(state)) {
      alive.push(row.id);
      continue;
    }
    // A finished job keeps its id for days: the new add would be a no-op without this.
    await job?.remove().catch(() => {});
    lost.push(row);
  }
  await deps.db.$transaction([
    deps.db.message.updateMany({ where: { id: { in: stale.map((r) => r.id) } }, data: { updatedAt: new Date() } }),
    deps.db.outbox.createMany({ data: lost.map((r) => ({ kind: 'send', conversationId: r.conversationId, messageId: r.id })), skipDuplicates: true }),
  ]);
  if (lost.length) {
    deps.log.warn({ requeued: lost.length, waiting: alive.length }, 're-queued replies whose send job was lost');
    await deps.dispatcher.dispatch(lost.map((r) => ({ kind: 'send' as const, conversationId: r.conversationId, messageId: r.id })));
  }
  return lost.length;
}
