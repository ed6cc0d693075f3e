// Wait and run time of every finished job, per queue, from BullMQ's own timestamps.
import type { Job, Worker } from 'bullmq';
import { metrics } from '../observability/metrics.ts';

export function observeJobs(worker: Worker, queue: string): void {
  const record = (job: Job | undefined) => {
    if (!job?.processedOn) return;
    metrics.jobLatency.observe({ queue }, Math.max(0, job.processedOn - job.timestamp) / 1000);
    if (job.finishedOn) metrics.jobDuration.observe({ queue }, Math.max(0, job.finishedOn - job.processedOn) / 1000);
  };
  worker.on('completed', (job) => record(job));
  worker.on('failed', (job) => record(job));
}
