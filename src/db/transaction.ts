// Transactions that a concurrent writer can make fail on a unique key (two first
// messages from one new customer at once) are retried: the second try sees the row.
import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './client.ts';

export type Tx = Prisma.TransactionClient;

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

export async function transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, { timeout: 30_000, maxWait: 10_000 });
    } catch (err) {
      if (attempt >= tries || !isUniqueViolation(err)) throw err;
    }
  }
}
