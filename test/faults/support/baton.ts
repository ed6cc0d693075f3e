// Baton as the operator runs it: an API process (BATON_WORKERS=off) and separate worker
// processes, spawned with `node --import tsx`, on the test PostgreSQL and Redis (or on
// ones a fault test owns), talking to stand-ins for the Graph API and the model that
// run inside the test. Each process logs to .data/test-faults/logs/ for post-mortems.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { inject } from 'vitest';
import { createDb, type Db } from '../../../src/db/client.ts';
import { SECRETS, providerEnv } from '../../support/harness.ts';
import { signWhatsApp, whatsappText } from '../../support/payloads.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratchDatabase.ts';
import { startFaultLlm, type Classification, type FaultLlm } from './llm.ts';
import { startFaultProvider, type FaultProvider } from './provider.ts';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const FAULT_DATA = path.join(ROOT, '.data/test-faults');
const LOGS = path.join(FAULT_DATA, 'logs');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` gives something other than undefined, null or false. */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export type BatonProcess = {
  role: 'api' | 'worker';
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Whether it is still running. */
  alive(): boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** The last lines it printed, for failure messages. */
  tail(): string;
  /** A worker printed its start-up banner. */
  banner(): boolean;
};

export type FaultEnvOptions = {
  name: string;
  /** Defaults to a scratch database of its own on the test PostgreSQL. */
  databaseUrl?: string;
  /** Defaults to the test Redis. */
  redisUrl?: string;
  env?: Record<string, string>;
  classify?: (text: string) => Classification;
};

export type FaultEnv = {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  db: Db;
  provider: FaultProvider;
  llm: FaultLlm;
  apiUrl: string;
  processes: BatonProcess[];
  startApi(extraEnv?: Record<string, string>): Promise<BatonProcess>;
  startWorker(extraEnv?: Record<string, string>): Promise<BatonProcess>;
  close(): Promise<void>;
};

export async function startFaultEnv(opts: FaultEnvOptions): Promise<FaultEnv> {
  mkdirSync(LOGS, { recursive: true });
  let scratch: ScratchDatabase | undefined;
  const databaseUrl = opts.databaseUrl ?? (scratch = await createScratchDatabase(`faults_${opts.name.replace(/\W/g, '_')}`)).url;
  const redisUrl = opts.redisUrl ?? inject('redisUrl');
  const queuePrefix = `{fault-${opts.name}-${randomBytes(3).toString('hex')}}`;
  const provider = await startFaultProvider(SECRETS.phoneNumberId);
  const llm = await startFaultLlm(opts.classify);
  const db = createDb(databaseUrl, 5);
  const port = await freePort();
  const processes: BatonProcess[] = [];
  let workerCount = 0;

  const baseEnv = (): Record<string, string> => {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => v !== undefined && ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_OPTIONS'].includes(k)),
    ) as Record<string, string>;
    return {
      ...inherited,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      PORT: String(port),
      ...providerEnv(provider.url),
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: '4',
      OUTBOUND_BACKOFF_MS: '200',
      OUTBOX_SWEEP_MS: '500',
      PROVIDER_TIMEOUT_MS: '5000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      RATE_LIMIT_SENDER_PER_MINUTE: '100000',
      BATON_DATA_DIR: path.join(FAULT_DATA, 'unused'),
      ...llm.env,
      ...opts.env,
    };
  };

  const spawnBaton = (role: 'api' | 'worker', extraEnv: Record<string, string>): BatonProcess => {
    const name = role === 'api' ? 'api' : `worker${++workerCount}`;
    const logFile = path.join(LOGS, `${opts.name}-${name}.log`);
    const log = createWriteStream(logFile, { flags: 'w' });
    const entry = role === 'api' ? 'src/main/api.ts' : 'src/main/worker.ts';
    const env = { ...baseEnv(), ...(role === 'api' ? { BATON_WORKERS: 'off' } : {}), ...extraEnv };
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let printed = '';
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      if (printed.length < 4096) printed += chunk.toString('utf8');
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (lines.length > 40) lines.splice(0, lines.length - 40);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let running = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        running = false;
        log.end();
        resolve({ code, signal });
      }),
    );
    const proc: BatonProcess = {
      role,
      name,
      pid: child.pid!,
      child,
      logFile,
      alive: () => running,
      exited,
      async kill(signal) {
        if (!running) return;
        child.kill(signal);
        await exited;
      },
      tail: () => lines.slice(-15).join('\n'),
      banner: () => printed.includes('Baton workers are running'),
    };
    processes.push(proc);
    return proc;
  };

  const apiUrl = `http://127.0.0.1:${port}`;
  const env: FaultEnv = {
    name: opts.name,
    databaseUrl,
    redisUrl,
    queuePrefix,
    db,
    provider,
    llm,
    apiUrl,
    processes,
    async startApi(extraEnv = {}) {
      const proc = spawnBaton('api', extraEnv);
      await until(
        `${opts.name} api to answer /healthz`,
        async () => {
          if (!proc.alive()) throw new Error(`the api process exited during start-up:\n${proc.tail()}`);
          return fetch(`${apiUrl}/healthz`).then((r) => r.ok, () => false);
        },
        60_000,
        100,
      );
      return proc;
    },
    async startWorker(extraEnv = {}) {
      const proc = spawnBaton('worker', extraEnv);
      await until(
        `${opts.name} ${proc.name} to start`,
        () => {
          if (!proc.alive()) throw new Error(`the worker process exited during start-up:\n${proc.tail()}`);
          return proc.banner();
        },
        60_000,
        100,
      );
      return proc;
    },
    async close() {
      // SIGTERM first (graceful), SIGKILL what does not stop within 3 s (a BullMQ worker waits for its blocking read first).
      await Promise.all(
        processes.map(async (p) => {
          if (!p.alive()) return;
          p.child.kill('SIGTERM');
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 3_000);
          await p.exited;
          clearTimeout(timer);
        }),
      );
      await db.$disconnect().catch(() => {});
      await provider.close();
      await llm.close();
      // FAULT_KEEP_DB=1 keeps the scratch database for a post-mortem.
      if (!process.env.FAULT_KEEP_DB) await scratch?.drop().catch(() => {});
      else if (scratch) console.log(`kept database ${scratch.name}`);
    },
  };
  return env;
}

// ---------------------------------------------------------------------------------
// Customers: signed WhatsApp webhooks, posted like Meta posts them.

export type Attempt = { id: string; status: number | 'network'; at: number; ms: number };

export type Customer = { waId: string; ids: string[]; texts: string[] };

let customerCounter = 0;
/** A customer who will send `count` distinct messages (never repeated words: no "repeated" trigger). */
export function customer(count: number, label = 'c'): Customer {
  const n = ++customerCounter;
  const waId = `91${7_000_000_000 + Math.floor(Math.random() * 2_000_000_000)}`;
  const ids = Array.from({ length: count }, (_, i) => `wamid.fault-${label}${n}-${i + 1}-${randomBytes(4).toString('hex')}`);
  const texts = Array.from({ length: count }, (_, i) => `thank you, note ${i + 1} from ${label} ${n}`);
  return { waId, ids, texts };
}

export function webhookBody(c: Customer, index: number): string {
  return whatsappText({ from: c.waId, id: c.ids[index]!, text: c.texts[index]!, name: `Fault ${c.waId.slice(-4)}` });
}

/** One POST of a signed webhook body; a connection failure is reported as 'network'. */
export async function postWebhook(apiUrl: string, body: string, timeoutMs = 20_000): Promise<number | 'network'> {
  try {
    const res = await fetch(`${apiUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsApp(body) },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'network';
  }
}

/**
 * Sends every message of every customer, each customer in order (the next message only
 * after the previous one was taken, as a chat happens), customers in parallel. Like
 * Meta, anything but a 200 is delivered again after a pause, until `deadline`.
 */
export async function converse(
  apiUrl: string,
  customers: readonly Customer[],
  opts: { gapMs?: number; retryMs?: number; deadlineMs?: number; attempts?: Attempt[] } = {},
): Promise<Attempt[]> {
  const attempts = opts.attempts ?? [];
  const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
  await Promise.all(
    customers.map(async (c) => {
      for (let i = 0; i < c.ids.length; i++) {
        const body = webhookBody(c, i);
        for (;;) {
          const started = Date.now();
          const status = await postWebhook(apiUrl, body);
          attempts.push({ id: c.ids[i]!, status, at: started, ms: Date.now() - started });
          if (status === 200) break;
          if (Date.now() > deadline) throw new Error(`message ${c.ids[i]} was still refused (${status}) at the deadline`);
          await sleep(opts.retryMs ?? 300);
        }
        if (opts.gapMs) await sleep(opts.gapMs);
      }
    }),
  );
  return attempts;
}
