// Thin processor: parse the job, run the bot turn for its conversation.
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { TurnJob } from '../queues/jobs.ts';
import { runBotTurn, type TurnDeps } from '../conversations/runBotTurn.ts';

export function startInboundWorker(deps: TurnDeps, connection: Redis, prefix: string, concurrency: number) {
  const worker = new Worker(
    QueueName.Inbound,
    async (job) => {
      const parsed = TurnJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad turn job: ${parsed.error.message}`);
      return runBotTurn(deps, parsed.data.conversationId);
    },
    { connection, prefix, concurrency, autorun: true },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'inbound worker error'));
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'turn failed'));
  return worker;
}
