// Use case: a supervisor sends a dead-lettered reply again. The reply goes back to
// `queued` with an outbox row (so it survives Redis being down), the finished BullMQ job
// of the first attempt is removed (its id would otherwise make the new add a no-op), and
// the send is dispatched. The reply keeps its id, so the provider sees the same
// Idempotency-Key as on every earlier try.
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { jobId } from '../queues/jobs.ts';
import type { Producer } from '../queues/producer.ts';
import { Conflict, DomainError, NotFound, UnavailableError } from '../shared/errors.ts';
import type { Dispatcher } from '../queues/dispatcher.ts';

export type RetryDeadLetterDeps = { db: Db; producer: Producer; dispatcher: Dispatcher };

export const DeadLetterView = z.object({
  id: z.uuid(),
  queue: z.string(),
  jobId: z.string(),
  messageId: z.uuid().nullable(),
  conversationId: z.uuid().nullable(),
  messageStatus: z.string().nullable().describe("the reply's current status; a retry needs `failed`"),
  error: z.string(),
  attempts: z.number().int(),
  createdAt: z.iso.datetime(),
  retriedAt: z.iso.datetime().nullable(),
});
export type DeadLetterView = z.infer<typeof DeadLetterView>;
export const DeadLetterList = z.object({ deadLetters: z.array(DeadLetterView) });

type DeadLetterRow = {
  id: string;
  queue: string;
  jobId: string;
  messageId: string | null;
  data: unknown;
  error: string;
  attempts: number;
  createdAt: Date;
  retriedAt: Date | null;
};

export function deadLetterView(row: DeadLetterRow, messageStatus: string | null): DeadLetterView {
  const data = (row.data ?? {}) as { conversationId?: unknown };
  return {
    id: row.id,
    queue: row.queue,
    jobId: row.jobId,
    messageId: row.messageId,
    conversationId: typeof data.conversationId === 'string' ? data.conversationId : null,
    messageStatus,
    error: row.error,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    retriedAt: row.retriedAt?.toISOString() ?? null,
  };
}

export async function retryDeadLetter(deps: RetryDeadLetterDeps, deadLetterId: string): Promise<DeadLetterView> {
  const letter = await deps.db.deadLetter.findUnique({ where: { id: deadLetterId } });
  if (!letter) throw new NotFound('not_found', 'no such dead letter');
  if (!letter.messageId) throw new Conflict('not_retryable', 'this dead letter names no message to send');
  const message = await deps.db.message.findUnique({ where: { id: letter.messageId }, select: { id: true, conversationId: true, status: true, direction: true } });
  if (message?.direction !== 'outbound') throw new Conflict('not_retryable', 'the message of this dead letter no longer exists');
  if (message.status !== 'failed') {
    throw new Conflict('not_failed', `the message is ${message.status}; only a failed message can be retried`);
  }

  // The first attempt's job stays in the failed set for days under the same job id.
  const queue = deps.producer.queues.outbound;
  try {
    const previous = await queue.getJob(jobId.send(message.id));
    if (previous) {
      if ((await previous.getState()) === 'active') throw new Conflict('in_progress', 'the message is being sent right now');
      await previous.remove();
    }
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new UnavailableError('the queue cannot be reached; retry shortly');
  }

  const retriedAt = new Date();
  const updated = await deps.db.$transaction(async (tx) => {
    const requeued = await tx.message.updateMany({
      where: { id: message.id, status: 'failed' },
      data: { status: 'queued', retryAt: null, errorCode: null },
    });
    if (requeued.count === 0) return undefined;
    await tx.outbox.createMany({ data: [{ kind: 'send', conversationId: message.conversationId, messageId: message.id }], skipDuplicates: true });
    return tx.deadLetter.update({ where: { id: letter.id }, data: { retriedAt } });
  });
  if (!updated) throw new Conflict('not_failed', 'the message changed while it was being retried');
  await deps.dispatcher.dispatch([{ kind: 'send', conversationId: message.conversationId, messageId: message.id }]);
  return deadLetterView(updated, 'queued');
}

export async function listDeadLetters(db: Db, opts: { limit: number; pending: boolean }): Promise<DeadLetterView[]> {
  const rows = await db.deadLetter.findMany({
    where: opts.pending ? { retriedAt: null } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit,
  });
  const ids = rows.flatMap((r) => (r.messageId ? [r.messageId] : []));
  const messages = ids.length ? await db.message.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } }) : [];
  const status = new Map(messages.map((m) => [m.id, m.status as string]));
  return rows.map((r) => deadLetterView(r, r.messageId ? (status.get(r.messageId) ?? null) : null));
}
