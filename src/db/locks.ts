// Per-conversation mutual exclusion across every worker process: a PostgreSQL
// session advisory lock on a dedicated connection. If the process dies, the
// connection closes and the lock is released with it — no lock outlives its holder.
import { createHash } from 'node:crypto';
import pg from 'pg';

export type Locks = ReturnType<typeof createLocks>;

export function createLocks(databaseUrl: string, max = 20) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {}); // an idle client dropped by a restart; the next checkout reconnects

  return {
    async withLock<T>(scope: string, id: string, fn: () => Promise<T>): Promise<T> {
      const key = lockKey(`${scope}:${id}`);
      const client = await pool.connect();
      // A checked-out client emits 'error' itself when its connection drops (a database
      // restart): without a listener that would crash the process. The unlock below then
      // fails and the client is destroyed; the server ended the session and its lock.
      const dropped = () => {};
      client.on('error', dropped);
      let unlocked = false;
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key]);
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
