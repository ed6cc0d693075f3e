// The conversation lock's pipelined statements: a read sent with the try runs only once
// the lock is held, and the unlock sent with the last write runs only once that write
// has committed — so whoever takes the lock next reads what the holder wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/generated/prisma/client.ts';
import { createLocks, LockBusy, type Locks } from '../../src/db/locks.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';

let scratch: ScratchDatabase;
let first: Locks;
let second: Locks; // another process's locks: its own connections

beforeAll(async () => {
  scratch = await createScratchDatabase('locks', { migrated: false });
  first = createLocks(scratch.url, 2);
  second = createLocks(scratch.url, 2);
  await first.withLock('setup', 'table', (held) => held.sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`);
  await first.withLock('setup', 'row', (held) => held.sql`INSERT INTO counter VALUES (1, 0)`);
});
afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
  await scratch.drop();
});

const readCounter = Prisma.sql`SELECT n FROM counter WHERE id = 1`;

describe('the lock with its statements pipelined', () => {
  it('gives the next holder what the last holder wrote with its last statement, however slow the write', async () => {
    for (let round = 1; round <= 3; round++) {
      let wrote!: () => void;
      const writing = new Promise<void>((r) => (wrote = r));
      const holder = first.withLock('conversation', 'c1', async (held) => {
        // Slow on purpose: were the unlock to run before this commits, the waiter would read the old value.
        const done = held.last`UPDATE counter SET n = n + 1 FROM (SELECT pg_sleep(0.3)) s WHERE id = 1`;
        expect(held.held()).toBe(false);
        wrote();
        await done;
      });
      await writing;
      const seen = await second.withLock('conversation', 'c1', async (held) => (held.rows[0] as { n: number }).n, { read: readCounter, waitMs: 5000 });
      await holder;
      expect(seen).toBe(round);
    }
  });

  it('reads nothing for a caller who did not get the lock, and the holder keeps it', async () => {
    let release!: () => void;
    const holder = first.withLock('conversation', 'c2', () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 50));
    await expect(second.withLock('conversation', 'c2', async () => 'ran', { read: readCounter })).rejects.toBeInstanceOf(LockBusy);
    release();
    await holder;
    expect(await second.withLock('conversation', 'c2', async (held) => held.rows.length, { read: readCounter })).toBe(1);
  });

  it('allows nothing after the last statement', async () => {
    await expect(
      first.withLock('conversation', 'c3', async (held) => {
        await held.last`SELECT 1`;
        await held.last`SELECT 2`;
      }),
    ).rejects.toThrow(/already released/);
  });
});
