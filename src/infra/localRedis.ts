// Embedded default: a `redis-server` child process with its files under the data dir,
// for when no REDIS_URL is given. Installs Debian's package when missing and root.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';

export type LocalRedisHandle = { url: string; stop: () => Promise<void>; process?: ChildProcess };

export async function startLocalRedis(opts: { dataDir: string; port: number; log: Logger }): Promise<LocalRedisHandle> {
  const url = `redis://127.0.0.1:${opts.port}`;
  if (await redisPings(opts.port)) {
    opts.log.info({ port: opts.port }, 'using the local redis-server that is already running');
    return { url, stop: async () => {} };
  }
  const binary = findRedisServer() ?? installRedisServer(opts.log);
  const dir = path.resolve(opts.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const child = spawn(
    binary,
    ['--port', String(opts.port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  for (let i = 0; i < 100 && !exited; i++) {
    if (await redisPings(opts.port)) {
      return {
        url,
        process: child,
        stop: () =>
          new Promise<void>((resolve) => {
            if (exited) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${opts.port}; set REDIS_URL to use your own Redis`);
}

function findRedisServer(): string | undefined {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      /* try the next */
    }
  }
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function installRedisServer(log: Logger): string {
  if (process.getuid?.() !== 0) {
    throw new Error('redis-server is not installed. Install it (sudo apt-get install -y redis-server) or set REDIS_URL.');
  }
  log.info('redis-server is missing: installing it with apt-get (first run only)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
  const found = findRedisServer();
  if (!found) throw new Error('apt-get installed redis-server but it cannot be found on PATH');
  return found;
}

/** True when a Redis answers PING on that local port. */
export function redisPings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
