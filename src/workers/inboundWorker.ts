// Thin processor: parse the job, run the bot turn for its conversation. While PostgreSQL
// (or Redis) cannot be reached the job waits, without spending a try, for as long as
// the outage lasts: the message is stored, and nothing else would ever answer it.
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { inSpan } from '../observability/tracing.ts';
import { TurnJob } from '../queues/jobs.ts';
import { runBotTurn, type TurnDeps } from '../turn/runBotTurn.ts';
import { isUnavailable } from '../db/dbErrors.ts';

/** Pauses between tries while a backing service is down: 1 s doubling up to 30 s. */
const outageDelayMs = (tries: number) => Math.min(30_000, 1000 * 2 ** Math.min(5, Math.max(0, tries - 1)));

export function startInboundWorker(deps: TurnDeps, connection: Redis, prefix: string, concurrency: number) {
  const worker = new Worker(
    QueueName.Inbound,
    async (job, token) => {
      const parsed = TurnJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad turn job: ${parsed.error.message}`);
      try {
        const { conversationId, messageId, trace } = parsed.data;
        return await inSpan('bot.turn', { 'baton.conversation_id': conversationId, 'baton.message_id': messageId }, () => runBotTurn(deps, conversationId), trace);
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        deps.log.warn({ err, jobId: job.id, tries: job.attemptsStarted }, 'turn waits for the database');
        await job.moveToDelayed(Date.now() + outageDelayMs(job.attemptsStarted), token);
        throw new DelayedError();
      }
    },
    { connection, prefix, concurrency, autorun: true },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'inbound worker error'));
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'turn failed'));
  return worker;
}
