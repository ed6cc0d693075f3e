// Thin processor: parse the job, download the file. BullMQ retries a provider's hiccup
// with backoff; the last try records the failure instead of throwing.
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { QueueName } from '../queues/names.ts';
import { MediaJob } from '../queues/jobs.ts';
import { fetchInboundMedia, type MediaDeps } from '../media/fetchInboundMedia.ts';

export function startMediaWorker(deps: MediaDeps, connection: Redis, prefix: string, concurrency: number) {
  const worker = new Worker(
    QueueName.Media,
    async (job) => {
      const parsed = MediaJob.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`bad media job: ${parsed.error.message}`);
      const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return fetchInboundMedia(deps, parsed.data.fileId, lastTry);
    },
    { connection, prefix, concurrency, autorun: true },
  );
  worker.on('error', (err) => deps.log.error({ err }, 'media worker error'));
  return worker;
}
