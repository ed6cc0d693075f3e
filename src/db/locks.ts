// Per-conversation mutual exclusion across every worker process: a PostgreSQL
// session advisory lock on a dedicated connection. If the process dies, the
// connection closes and the lock is released with it — no lock outlives its holder.
// Nobody waits for a lock without a bound: a burst of jobs for one conversation must
// not occupy every worker slot (and every lock connection) waiting on each other. The
// lock is tried; while it is held elsewhere the caller polls until `waitMs` is over
// and then gets LockBusy — a worker re-queues its job, an HTTP request answers 409/503.
// The holder may run its statements on the lock's connection (`Held.sql`), pipelined:
// a read sent with the try (`read`) and the unlock sent with the last write (`Held.last`)
// travel with them, so a turn costs two round trips to PostgreSQL instead of four. Each
// pipelined statement is still its own transaction: the read runs once the lock is held,
// and the unlock once the last write has committed.
import { createHash } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client.ts';
import { openHotPool, sqlOn, type Sql } from './client.ts';

export type Locks = ReturnType<typeof createLocks>;

/** The lock stayed held by someone else for the whole wait. */
export class LockBusy extends Error {
  override name = 'LockBusy';
}

/** `waitMs`: how long to keep trying (0: one try). `read`: a statement run as soon as the lock is held. */
export type LockOptions = { waitMs?: number; read?: Prisma.Sql };

/**
 * The lock as its holder sees it. `rows`: what `read` returned. `sql`: statements on the
 * lock's connection. `last`: a statement with the unlock sent right behind it — nothing
 * may be written for the lock's sake after it. `held()`: false once `last` was sent.
 */
export type Held = { rows: unknown[]; sql: Sql; last: Sql; held: () => boolean };

const POLL_MS = 50;

export function createLocks(databaseUrl: string, max = 20) {
  const pool = openHotPool(databaseUrl, max, { pipeline: true });

  return {
    async withLock<T>(scope: string, id: string, fn: (held: Held) => Promise<T>, options: LockOptions = {}): Promise<T> {
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
      let rows: unknown[] = [];
      const sql = sqlOn(client);
      const read = options.read;
      try {
        for (;;) {
          const tried = sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${key}::bigint) AS ok`;
          // Sent with the try; without the lock its rows are dropped (it only read).
          const reading = read ? sql`${read}`.then((r) => ({ r }), (err: unknown) => ({ err })) : undefined;
          locked = (await tried)[0]?.ok === true;
          const readDone = (await reading) ?? { r: [] };
          // Held but unread: the connection is destroyed on the way out, and the lock with it.
          if (locked && 'err' in readDone) throw readDone.err;
          if (locked && 'r' in readDone) rows = readDone.r;
          if (locked || Date.now() >= deadline) break;
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
        if (!locked) {
          unlocked = true; // nothing to unlock: the connection goes back to the pool as it is
          throw new LockBusy(`${scope} ${id} is locked by another worker`);
        }
        let unlocking: Promise<boolean> | undefined;
        const unlock = () => sql`SELECT pg_advisory_unlock(${key}::bigint)`.then(() => true, () => false);
        const last: Sql = <R,>(strings: TemplateStringsArray, ...values: unknown[]) => {
          if (unlocking) throw new Error('the lock was already released by last()');
          const written = sql<R>(strings, ...values);
          unlocking = unlock();
          return written;
        };
        try {
          return await fn({ rows, sql, last, held: () => unlocking === undefined });
        } finally {
          unlocked = await (unlocking ?? unlock());
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
