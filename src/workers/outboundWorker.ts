// Thin processor: parse the job, deliver. A provider's Retry-After sets the next try;
// when the last try fails the message is marked failed and dead-lettered so later
// replies are not held behind it and a supervisor can retry it.
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { SendJob } from '../queues/jobs.ts';
import { deliverOutbound, type DeliverDeps } from '../conversations/deliverOutbound.ts';
import { ProviderError } from '../shared/errors.ts';
import { inSpan } from '../observability/tracing.ts';

export function startOutboundWorker(
  deps: DeliverDeps,
  connection: Redis,
  opts: { prefix: string; concurrency: number; backoffMs: number },
) {
  const worker = new Worker(
    QueueName.Outbound,
    async (job, token) => {
      const parsed = SendJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad send job: ${parsed.error.message}`);
      const { conversationId, messageId, trace } = parsed.data;
      const outcome = await inSpan('send', { 'baton.conversation_id': conversationId, 'baton.message_id': messageId }, () => deliverOutbound(deps, conversationId, messageId), trace);
      if ('wait' in outcome) {
        // Not a failure: an earlier reply is still going out, or the provider said when.
        await job.moveToDelayed(outcome.wait, token);
        throw new DelayedError();
      }
      return outcome.done;
    },
    {
      connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => {
          const exponential = opts.backoffMs * 2 ** Math.max(0, attemptsMade - 1);
          const retryAfter = err instanceof ProviderError ? err.retryAfterMs : undefined;
          return Math.max(exponential, retryAfter ?? 0);
        },
      },
    },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'outbound worker error'));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError;
    deps.log.warn({ err, jobId: job.id, attempts: job.attemptsMade, final }, 'send failed');
    if (!final) return;
    const data = SendJob.safeParse(job.data);
    void deps.db
      .$transaction([
        ...(data.success
          ? [deps.db.message.updateMany({ where: { id: data.data.messageId, status: { in: ['queued', 'sending'] } }, data: { status: 'failed' } })]
          : []),
        deps.db.deadLetter.upsert({
          where: { queue_jobId: { queue: QueueName.Outbound, jobId: String(job.id) } },
          create: {
            queue: QueueName.Outbound,
            jobName: job.name,
            jobId: String(job.id),
            messageId: data.success ? data.data.messageId : null,
            data: job.data as object,
            error: err.message,
            attempts: job.attemptsMade,
          },
          update: { error: err.message, attempts: job.attemptsMade, retriedAt: null },
        }),
      ])
      .catch((e: unknown) => deps.log.error({ err: e, jobId: job.id }, 'could not dead-letter a failed send'));
  });
  return worker;
}
