// Thin processor: parse the job, run the bot turn for its conversation. While PostgreSQL
// (or Redis) cannot be reached the job waits, without spending a try, for as long as
// the outage lasts: the message is stored, and nothing else would ever answer it. While
// another worker holds the conversation the job steps aside for a moment (no try spent,
// no worker slot held waiting).
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { inSpan } from '../observability/tracing.ts';
import { TurnJob } from '../queues/jobs.ts';
import { runBotTurn, type TurnDeps } from '../turn/runBotTurn.ts';
import { isUnavailable } from '../db/dbErrors.ts';
import { LockBusy } from '../db/locks.ts';
import { busyDelayMs, outageDelayMs } from './outage.ts';

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
        if (err instanceof LockBusy) {
          await job.moveToDelayed(Date.now() + busyDelayMs(), token);
          throw new DelayedError();
        }
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
