// Graceful shutdown, bounded: from the first moment /readyz answers 503 (the load
// balancer stops sending new traffic), live streams end (clients reconnect to another
// process), the server stops accepting connections and lets in-flight requests finish,
// workers stop taking jobs and let running ones finish — or, out of time, hand them back
// (BullMQ re-delivers a job whose lock lapses) — and every pool is closed. The caller
// owns the hard deadline (process exit); this spends its budget in fractions of it.
import type { Server } from 'node:http';
import type { Logger } from '../shared/logger.ts';
import type { Runtime } from './runtime.ts';

/** Resolves with true when `p` settles within `ms`, false otherwise. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  if (!Number.isFinite(ms)) return p.then(() => true, () => true);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function drainAndClose(opts: { runtime?: Runtime | undefined; server?: Server | undefined; log: Logger; budgetMs: number }): Promise<void> {
  const { runtime, server, log, budgetMs } = opts;
  const started = Date.now();
  const left = () => budgetMs - (Date.now() - started);

  if (runtime) runtime.lifecycle.draining = true;
  const streams = runtime?.streams.endAll() ?? 0;
  if (server) {
    // close() stops accepting and (Node ≥ 19) drops idle keep-alive connections; busy
    // ones finish their request first, within a share of the budget.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (!(await within(closed, left() * 0.4))) {
      log.warn('requests still running at the shutdown deadline; closing their connections');
      server.closeAllConnections();
      await within(closed, 500);
    }
  }
  // Workers: stop taking jobs, let running ones finish within most of what is left.
  if (runtime) await runtime.close({ graceMs: Math.max(0, left() * 0.7) });
  log.info({ streams, ms: Date.now() - started }, 'drained');
}
