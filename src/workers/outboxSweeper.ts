// Periodically moves outbox rows that missed the fast path (Redis down at commit
// time, a crash between commit and enqueue) into Redis.
import type { Dispatcher } from '../queues/dispatcher.ts';
import type { Logger } from '../shared/logger.ts';

export function startOutboxSweeper(dispatcher: Dispatcher, intervalMs: number, log: Logger) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    dispatcher
      .sweep(intervalMs)
      .then((moved) => moved && log.info({ moved }, 'outbox sweep enqueued delayed work'))
      .catch((err) => log.warn({ err }, 'outbox sweep failed'))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
