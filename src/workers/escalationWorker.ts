// Thin processor for escalation jobs (queue placement and SLA timers).
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { EscalationJob } from '../queues/jobs.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { handleEscalationJob } from '../escalation/routeEscalation.ts';

export function startEscalationWorker(deps: EscalationDeps, connection: Redis, prefix: string, concurrency: number) {
  const worker = new Worker(
    QueueName.Escalation,
    async (job) => {
      const parsed = EscalationJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad escalation job: ${parsed.error.message}`);
      return handleEscalationJob(deps, parsed.data);
    },
    { connection, prefix, concurrency },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'escalation worker error'));
  worker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id }, 'escalation job failed'));
  return worker;
}
