// PostgreSQL and Redis servers that a fault test owns and may stop: never the shared
// test servers. Redis is a redis-server child on a free port with its own directory
// (append-only file on, as Baton's local default runs it); PostgreSQL is the embedded
// one Baton itself uses, on its own port and data dir under .data/test-faults.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../../src/infra/embeddedPostgres.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { redisPings } from '../../../src/infra/localRedis.ts';
import { FAULT_DATA, freePort, until } from './baton.ts';

export type OwnRedis = { url: string; port: number; start(): Promise<void>; stop(): Promise<void>; destroy(): Promise<void> };

export async function ownRedis(name: string): Promise<OwnRedis> {
  const port = await freePort();
  const dir = path.join(FAULT_DATA, `redis-${name}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | undefined;
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'],
        { stdio: 'ignore' },
      );
      const started = child;
      await until(`redis-server on ${port}`, async () => {
        if (started.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${started.exitCode}`);
        return redisPings(port);
      }, 10_000, 50);
    },
    /** SIGTERM: Redis flushes its append-only file and exits, as `redis-cli shutdown` would. */
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
    },
    async destroy() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

export type OwnPostgres = { url: string; port: number; stop(): Promise<void>; start(): Promise<void>; destroy(): Promise<void> };

/** Embedded PostgreSQL on a free port; `stop` is a fast shutdown of its postmaster (what `pg_ctl stop` does). */
export async function ownPostgres(name: string): Promise<OwnPostgres> {
  const port = await freePort();
  const dataDir = path.join(FAULT_DATA, `pg-${name}-${randomBytes(3).toString('hex')}`);
  const log = createLogger('silent');
  let handle: EmbeddedPostgresHandle | undefined;
  const pg: OwnPostgres = {
    url: '',
    port,
    async start() {
      handle = await startEmbeddedPostgres({ dataDir, port, database: 'baton', log });
      pg.url = handle.url;
    },
    async stop() {
      const running = handle;
      handle = undefined;
      await running?.stop();
    },
    async destroy() {
      await pg.stop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}
