// Per-conversation mutual exclusion across every worker process: a PostgreSQL
// session advisory lock on a dedicated connection. If the process dies, the
// connection closes and the lock is released with it — no lock outlives its holder.
// Nobody waits for a lock without a bound: a burst of jobs for one conversation must
// not occupy every worker slot (and every lock connection) waiting on each other. The
// lock is tried; while it is held elsewhere the caller polls until `waitMs` is over
// and then gets LockBusy — a worker re-queues its job, an HTTP request answers 409/503.
import { createHash } from 'node:crypto';
import { openPool } from './client.ts';

export type Locks = ReturnType<typeof createLocks>;

/** The lock stayed held by someone else for the whole wait. */
export class LockBusy extends Error {
  override name = 'LockBusy';
}

/** `waitMs`: how long to keep trying (0: one try). */
export type LockOptions = { waitMs?: number };

const POLL_MS = 50;

export function createLocks(databaseUrl: string, max = 20) {
  const pool = openPool(databaseUrl, max);

  return {
    async withLock<T>(scope: string, id: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
      const key = lockKey(`${scope}:${id}`);
      const deadline = Date.now() + (options.waitMs ?? 0);
      const client = await pool.connect();
      // A checked-out client emits 'error' itself when its connection drops (a database
      // restart): without a listener that would crash the process. The unlock below then
      // fails and the client is destroyed; the server ended the session and its lock.
      const dropped = () => {};
      client.on('error', dropped);
      let unlocked = false;
      let locked = false;
      try {
        for (;;) {
          const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
          locked = rows[0]?.ok === true;
          if (locked || Date.now() >= deadline) break;
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
        if (!locked) {
          unlocked = true; // nothing to unlock: the connection goes back to the pool as it is
          throw new LockBusy(`${scope} ${id} is locked by another worker`);
        }
        try {
          return await fn();
        } finally {
          unlocked = await client.query('SELECT pg_advisory_unlock($1)', [key]).then(() => true, () => false);
        }
      } finally {
        // A connection whose unlock failed may still hold the lock: destroy it.
        client.off('error', dropped);
        client.release(!unlocked);
      }
    },
    close: () => pool.end(),
  };
}

/** A stable signed 64-bit key, as pg_advisory_lock expects. */
function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
