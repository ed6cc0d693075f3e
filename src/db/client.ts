// One Prisma client per process, over node-postgres through Prisma 7's driver adapter.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;
export type { Prisma } from '../generated/prisma/client.ts';

/** Executions of the same SQL text before it becomes a prepared statement (pgjdbc's `prepareThreshold` is 5). */
const PREPARE_THRESHOLD = 3;
/** Distinct prepared statements a process keeps; beyond them SQL is parsed and planned per call, as before. */
const MAX_PREPARED = 200;

/**
 * Names the statements this process runs again and again, so that each pooled
 * connection parses and plans them once: on the hot path PostgreSQL spent about as
 * long planning the turn's and the send's CTEs as running them. One-off SQL
 * (migrations, admin queries) stays unnamed, and the number of names is bounded so a
 * stream of distinct texts cannot fill the server's memory.
 */
export function preparedStatementNames(threshold = PREPARE_THRESHOLD, max = MAX_PREPARED): (sql: string) => string {
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  return (sql) => {
    const name = names.get(sql);
    if (name) return name;
    if (names.size >= max) return ''; // the unnamed statement: parsed and planned each time
    const count = (seen.get(sql) ?? 0) + 1;
    if (count < threshold) {
      if (seen.size < 10 * max) seen.set(sql, count);
      return '';
    }
    seen.delete(sql);
    const named = `baton_${names.size + 1}`;
    names.set(sql, named);
    return named;
  };
}

export function createDb(databaseUrl: string, poolSize = 20): Db {
  const nameOf = preparedStatementNames();
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000 },
    { statementNameGenerator: (query) => nameOf(query.sql) },
  );
  return new PrismaClient({ adapter });
}
