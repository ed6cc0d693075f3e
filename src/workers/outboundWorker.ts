// Thin processor: parse the job, deliver. A provider's Retry-After sets the next try;
// when the last try fails the message is marked failed and dead-lettered so later
// replies are not held behind it and a supervisor can retry it. That write happens in
// the job, awaited: if it cannot be made the job is not finished. While PostgreSQL
// cannot be reached the job waits, without spending a try, for as long as the outage
// lasts (as turns do): a reply is never given up on because the database was away.
import { DelayedError, type Job, type MinimalJob, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { SendJob } from '../queues/jobs.ts';
import { deliverOutbound, type DeliverDeps } from '../conversations/deliverOutbound.ts';
import { ProviderError } from '../shared/errors.ts';
import { inSpan } from '../observability/tracing.ts';
import { isOutage } from '../db/dbErrors.ts';
import { outageDelayMs } from './outage.ts';

export function startOutboundWorker(
  deps: DeliverDeps,
  connection: Redis,
  opts: { prefix: string; concurrency: number; backoffMs: number; attempts?: number },
) {
  const waitFor = async (job: Job, token: string | undefined, at: number): Promise<never> => {
    await job.moveToDelayed(at, token);
    throw new DelayedError();
  };
  const worker = new Worker(
    QueueName.Outbound,
    async (job, token) => {
      const parsed = SendJob.safeParse(job.data);
      if (!parsed.success) {
        await deadLetter(deps, job, undefined, `bad send job: ${parsed.error.message}`);
        throw new UnrecoverableError(`bad send job: ${parsed.error.message}`);
      }
      const { conversationId, messageId, trace } = parsed.data;
      try {
        const outcome = await inSpan('send', { 'baton.conversation_id': conversationId, 'baton.message_id': messageId }, () => deliverOutbound(deps, conversationId, messageId), trace);
        // Not a failure: an earlier reply is still going out, or the provider said when.
        if ('wait' in outcome) return await waitFor(job, token, outcome.wait);
        return outcome.done;
      } catch (err) {
        if (err instanceof DelayedError) throw err;
        if (!(err instanceof ProviderError) && (await isOutage(deps.db, err))) {
          deps.log.warn({ err, jobId: job.id, tries: job.attemptsStarted }, 'send waits for the database');
          return await waitFor(job, token, Date.now() + outageDelayMs(job.attemptsStarted));
        }
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
          // The last try: record it before the job ends, or wait for the database to.
          try {
            await deadLetter(deps, job, messageId, err instanceof Error ? err.message : String(err), opts.attempts);
          } catch (e) {
            if (!(await isOutage(deps.db, e))) throw e;
            return await waitFor(job, token, Date.now() + outageDelayMs(job.attemptsStarted));
          }
        }
        throw err;
      }
    },
    {
      connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob) => {
          // Tries made by the turn's worker before this job took over continue the curve.
          const exponential = opts.backoffMs * 2 ** Math.max(0, attemptsMade - 1 + spentBefore(job?.opts.attempts, opts.attempts));
          const retryAfter = err instanceof ProviderError ? err.retryAfterMs : undefined;
          return Math.max(exponential, retryAfter ?? 0);
        },
      },
    },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'outbound worker error'));
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'send failed'));
  return worker;
}

/**
 * Marks the reply failed (so later ones go out) and records the dead letter, in one
 * transaction. `configured`: a send's tries in all; a job given fewer took over after a
 * try made from its turn's worker, and that try counts.
 */
async function deadLetter(deps: DeliverDeps, job: Job, messageId: string | undefined, error: string, configured?: number): Promise<void> {
  const attempts = job.attemptsMade + 1 + spentBefore(job.opts.attempts, configured);
  await deps.db.$transaction([
    ...(messageId ? [deps.db.message.updateMany({ where: { id: messageId, status: { in: ['queued', 'sending'] } }, data: { status: 'failed' } })] : []),
    deps.db.deadLetter.upsert({
      where: { queue_jobId: { queue: QueueName.Outbound, jobId: String(job.id) } },
      create: { queue: QueueName.Outbound, jobName: job.name, jobId: String(job.id), messageId: messageId ?? null, data: job.data as object, error, attempts },
      update: { error, attempts, retriedAt: null },
    }),
  ]);
}

/** Tries a send job's reply had before the job (it was given that many fewer). */
function spentBefore(jobAttempts: number | undefined, configured: number | undefined): number {
  return configured && jobAttempts ? Math.max(0, configured - jobAttempts) : 0;
}
