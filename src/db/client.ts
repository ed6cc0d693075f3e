// One Prisma client per process, over node-postgres through Prisma 7's driver adapter,
// and `sql` for the few statements every message runs, straight on a pool of its own.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/**
 * A raw statement on the pool without Prisma's per-query work (about 40 µs of CPU each,
 * measured; a turn runs several): the hot path's statements use it, everything else
 * Prisma. Same template syntax as `$queryRaw`, `Prisma.sql` fragments included. Rows come
 * as node-postgres returns them: json parsed, timestamps as Date, int8 and numeric as
 * strings (Prisma's BigInt and Decimal).
 */
export type Sql = <T = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<T[]>;

export type Db = PrismaClient & { sql: Sql };
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

/**
 * A node-postgres pool as every part of Baton opens one. Connections once opened stay
 * (`min`): opening one costs a server process, a SCRAM handshake and re-preparing every
 * hot statement, and closing them after 10 s idle (pg's default) made the first seconds
 * of every burst after a lull slow. `settings` are the session's from its first statement:
 * sent with the connection's start-up message, no round trip of their own.
 */
export function openPool(databaseUrl: string, max: number, options: { settings?: Record<string, string>; pipeline?: boolean } = {}): pg.Pool {
  const { settings, ...rest } = options;
  const startup = settings ? { options: Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`).join(' ') } : {};
  const pool = new pg.Pool({ connectionString: databaseUrl, max, min: max, connectionTimeoutMillis: 5000, ...startup, ...rest });
  pool.on('error', () => {}); // an idle connection dropped by a restart; the next checkout reconnects
  return pool;
}

/**
 * A pool for the hot statements: they find rows by key, so their generic plan is the one
 * a custom plan would pick; PostgreSQL still re-planned some of them on every execution
 * (measured: forcing the generic plan took its CPU per message from 2.27 to 1.97 ms).
 * Nor do they ever want a sequential scan, which the planner may still choose: the
 * outbox gains and loses rows for every message, so between two autovacuums it is
 * hundreds of pages of dead rows around a handful of live ones, and from those figures
 * a scan looked cheaper than the key index — a "sent" record's outbox delete scanned
 * ~200 pages each time (2.9 → 0.87 ms per call with the scan priced out, measured with
 * pg_stat_statements). A statement with no usable index still scans.
 */
export function openHotPool(databaseUrl: string, max: number, options: { pipeline?: boolean } = {}): pg.Pool {
  return openPool(databaseUrl, max, { ...options, settings: { plan_cache_mode: 'force_generic_plan', enable_seqscan: 'off' } });
}

/** One namer per process: every pool's connections prepare the same texts under the same names. */
const nameOf = preparedStatementNames();

/** `Sql` on a pool or on one checked-out connection. */
export function sqlOn(target: Pick<pg.Pool, 'query'> | Pick<pg.ClientBase, 'query'>): Sql {
  return async <T>(strings: TemplateStringsArray, ...values: unknown[]) => {
    const query = Prisma.sql(strings, ...values);
    const name = nameOf(query.text);
    const result = await (target as pg.Pool).query({ text: query.text, values: query.values, ...(name ? { name } : {}) });
    return result.rows as T[];
  };
}

export function createDb(databaseUrl: string, poolSize = 20): Db {
  // Prisma's queries (listings whose best plan depends on the filter's values) keep
  // PostgreSQL's choice of plan; most of the traffic is `sql`'s, on its own connections.
  const prismaPool = openPool(databaseUrl, Math.max(2, Math.ceil(poolSize / 2)));
  const hotPool = openHotPool(databaseUrl, poolSize);
  const sql = sqlOn(hotPool);
  const client = new PrismaClient({ adapter: new PrismaPg(prismaPool, { statementNameGenerator: (query) => nameOf(query.sql) }) });
  // Prisma does not end a pool it was given; the process's pools end with the client.
  const disconnect = client.$disconnect.bind(client);
  return Object.assign(client, {
    sql,
    $disconnect: async () => {
      await disconnect();
      await Promise.all([prismaPool.end(), hotPool.end()].map((p) => p.catch(() => {})));
    },
  });
}
