// Adds jobs. Every add is safe to repeat: job ids come from the message id, and the
// database (handledAt, idempotency keys) is the real guard once a job is gone.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from './names.ts';
import { escalationJobId, jobId, type EscalationJob, type MediaJob, type SendJob, type TurnJob } from './jobs.ts';

export type Producer = ReturnType<typeof createProducer>;

export function createProducer(connection: Redis, prefix: string, outbound: { attempts: number; backoffMs: number }) {
  const inbound = new Queue<TurnJob>(QueueName.Inbound, { connection, prefix });
  const outboundQueue = new Queue<SendJob>(QueueName.Outbound, { connection, prefix });
  const escalation = new Queue<EscalationJob>(QueueName.Escalation, { connection, prefix });
  const mediaQueue = new Queue<MediaJob>(QueueName.Media, { connection, prefix });
  const removal = { removeOnComplete: { age: 3600, count: 10000 }, removeOnFail: { age: 7 * 24 * 3600 } };
  const turnOptions = (job: TurnJob) => ({ jobId: jobId.turn(job.messageId), attempts: 5, backoff: { type: 'exponential', delay: 500 }, ...removal });
  /** `spentTries`: tries already made outside the queue (a reply sent from its turn's worker); the job makes the rest, after the first backoff. */
  const sendOptions = (job: SendJob, spentTries = 0) => ({
    jobId: jobId.send(job.messageId),
    attempts: Math.max(1, outbound.attempts - spentTries),
    ...(spentTries ? { delay: outbound.backoffMs } : {}),
    // Not a built-in type: BullMQ then uses the outbound worker's backoffStrategy,
    // which is exponential too but honours a provider's Retry-After.
    backoff: { type: 'provider', delay: outbound.backoffMs },
    ...removal,
  });
  return {
    queues: { inbound, outbound: outboundQueue, escalation, media: mediaQueue },
    turn: (job: TurnJob) => inbound.add('turn', job, turnOptions(job)),
    send: (job: SendJob) => outboundQueue.add('send', job, sendOptions(job)),
    /** Many jobs in one Redis round trip (a turn's replies, an outbox sweep). */
    turns: (jobs: TurnJob[]) => inbound.addBulk(jobs.map((data) => ({ name: 'turn', data, opts: turnOptions(data) }))),
    sends: (jobs: Array<SendJob & { spentTries?: number }>) =>
      outboundQueue.addBulk(jobs.map(({ spentTries, ...data }) => ({ name: 'send', data, opts: sendOptions(data, spentTries) }))),
    outboundAttempts: outbound.attempts,
    /** Media downloads: a provider's hiccup is retried for about half a minute, then recorded as failed. */
    media: (jobs: MediaJob[]) =>
      mediaQueue.addBulk(jobs.map((data) => ({ name: 'media', data, opts: { jobId: jobId.media(data.fileId), attempts: 5, backoff: { type: 'exponential', delay: 1000 }, ...removal } }))),
    /** `delayMs` makes it a timer; timers live in Redis and survive restarts. */
    escalate: (job: EscalationJob, delayMs = 0) =>
      escalation.add(job.kind, job, { jobId: escalationJobId(job), delay: delayMs, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, ...removal }),
    close: async () => {
      await Promise.all([inbound.close(), outboundQueue.close(), escalation.close(), mediaQueue.close()]);
    },
  };
}
