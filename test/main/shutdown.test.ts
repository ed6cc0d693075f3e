// Graceful shutdown of a real Baton process: on SIGTERM it reports not ready, ends its
// event streams, stops its workers and pools and exits — within SHUTDOWN_TIMEOUT_MS.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort, until } from '../faults/support/baton.ts';
import { providerEnv, startHarness, type Harness } from '../support/harness.ts';
import { listen, openSse, type Listening } from '../support/http.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHUTDOWN_TIMEOUT_MS = 8000;

describe('readiness while shutting down', () => {
  let h: Harness;
  let server: Listening;
  beforeAll(async () => {
    h = await startHarness({ workers: false });
    server = await listen(h.app);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  it('answers 503 draining from the moment shutdown begins, and ends open streams', async () => {
    expect((await h.http.get('/readyz')).status).toBe(200);
    const session = (await h.http.post('/webchat/sessions').send({})).body as { sessionId: string; token: string };
    const stream = await openSse(`${server.url}/webchat/sessions/${session.sessionId}/events?token=${session.token}`);
    expect(stream.status).toBe(200);
    await until('the stream to be registered', () => h.rt.streams.size === 1);

    h.rt.lifecycle.draining = true;
    try {
      const res = await h.http.get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'draining' });
      expect(h.rt.streams.endAll()).toBe(1);
      await expect(stream.next(() => false, 5000, 'the end')).rejects.toThrow(/stream ended/);
      expect(h.rt.streams.size).toBe(0);
    } finally {
      h.rt.lifecycle.draining = false;
    }
  });
});

describe('SIGTERM to a running Baton (API + workers)', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase('shutdown');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('ends the event stream and exits 0 within SHUTDOWN_TIMEOUT_MS', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const output: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/api.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        DATABASE_URL: scratch.url,
        REDIS_URL: inject('redisUrl'),
        PORT: String(port),
        QUEUE_PREFIX: `{shutdown-${port}}`,
        ...providerEnv('http://127.0.0.1:9'),
        BATON_WORKERS: 'inline',
        WORKER_CONCURRENCY: '2',
        LOG_LEVEL: 'info',
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr.on('data', (b: Buffer) => output.push(b.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await until('Baton to print its banner', () => output.join('').includes('Baton is running'), 90_000, 200);
      const session = (await (await fetch(`${base}/webchat/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as {
        sessionId: string;
        token: string;
      };
      const stream = await openSse(`${base}/webchat/sessions/${session.sessionId}/events?token=${session.token}`);
      expect(stream.status).toBe(200);
      await stream.next((e) => e.retry !== undefined, 5000, 'the retry hint');

      const sentAt = Date.now();
      child.kill('SIGTERM');
      await expect(stream.next(() => false, SHUTDOWN_TIMEOUT_MS, 'the end of the stream')).rejects.toThrow(/stream ended/);
      const exit = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), SHUTDOWN_TIMEOUT_MS + 2000))]);
      const took = Date.now() - sentAt;
      expect(exit, output.join('').slice(-3000)).toEqual({ code: 0, signal: null });
      expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      expect(output.join('')).toContain('drained');
      // Nothing listens any more.
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 150_000);
});
