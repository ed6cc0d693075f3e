// Periodic safety nets, one timer: outbox rows that missed the fast path (Redis down at
// commit time, a crash between commit and enqueue) go into Redis; replies whose send
// job was lost are re-queued; handoffs left pending by a crash are rolled back even if
// the customer never writes again; expired web chat sessions are deleted. The slower
// sweeps run every `slowEvery` ticks.
import type { Dispatcher } from '../queues/dispatcher.ts';
import type { Db } from '../db/client.ts';
import type { Locks } from '../db/locks.ts';
import { sweepStuckHandoffs } from '../handoff/protocol.ts';
import type { Producer } from '../queues/producer.ts';
import type { Logger } from '../shared/logger.ts';
import { requeueStaleSends } from './staleSends.ts';
import { expireWebchatSessions } from '../conversations/webchatSessions.ts';

export type SweeperDeps = { dispatcher: Dispatcher; db: Db; locks: Locks; producer: Producer; log: Logger };
export type SweeperOptions = { intervalMs: number; staleSendMs: number; stuckHandoffMs: number; webchatSessionTtlMs: number };

/** One pass of every sweep (the timer calls it; tests call it directly). */
export async function sweepOnce(deps: SweeperDeps, options: SweeperOptions, slow: boolean): Promise<void> {
  const moved = await deps.dispatcher.sweep(options.intervalMs);
  if (moved) deps.log.info({ moved }, 'outbox sweep enqueued delayed work');
  if (!slow) return;
  await requeueStaleSends(deps, options.staleSendMs);
  await sweepStuckHandoffs(deps, options.stuckHandoffMs);
  const expired = await expireWebchatSessions(deps.db, options.webchatSessionTtlMs);
  if (expired) deps.log.info({ expired }, 'expired web chat sessions deleted');
}

export function startOutboxSweeper(deps: SweeperDeps, options: SweeperOptions) {
  let running = false;
  let tick = 0;
  // The slow sweeps scan more: about every 10 s (and at least every ten ticks).
  const slowEvery = Math.max(1, Math.min(10, Math.round(10_000 / options.intervalMs)));
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce(deps, options, tick++ % slowEvery === 0)
      .catch((err) => deps.log.warn({ err }, 'outbox sweep failed'))
      .finally(() => (running = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
