// `npm run bench`: drives a running Baton (API and worker processes spawned here, real
// PostgreSQL and Redis, a stand-in provider) with signed WhatsApp webhooks from many
// simulated customers, on loopback only, bounded in time. Prints and saves:
//   - webhook ack and inbound→reply latency p50/p99 at a fixed offered rate;
//   - sustained messages/s answered end to end at saturation, with zero-loss check,
//     for each worker-process count asked for;
//   - handoff transition latency p50/p99 from the ledger;
//   - a raw BullMQ baseline (add + process of empty jobs) on the same Redis;
//   - peak RSS of the API and worker processes.
// Flags: --duration S (default 10), --rate R (default 200), --customers N (default 500),
//        --workers 1,2,4 (default 1,2), --saturation-messages N (default 6000)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Agent, request } from 'undici';
import { signWhatsAppBody } from '../src/channels/whatsapp/index.ts';
import { whatsappWebhookBody } from '../src/dev/whatsappWebhookBody.ts';
import { loadConfig } from '../src/config/env.ts';
import { migrate } from '../src/db/migrate.ts';
import { createDb } from '../src/db/client.ts';
import { DEFAULT_PACK_DIR, loadPack } from '../src/packs/loadPack.ts';
import { provideInfrastructure } from '../src/main/infrastructure.ts';
import { createLogger } from '../src/shared/logger.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    customers: { type: 'string', default: '500' },
    workers: { type: 'string', default: '1,2' },
    'saturation-messages': { type: 'string', default: '6000' },
  },
});
const DURATION_S = Number(flags.duration);
const RATE = Number(flags.rate);
const CUSTOMERS = Number(flags.customers);
const WORKER_COUNTS = flags.workers!.split(',').map(Number).filter((n) => n > 0);
const SATURATION_MESSAGES = Number(flags['saturation-messages']);
const ROOT = path.resolve(import.meta.dirname, '..');
const APP_SECRET = 'bench-app-secret';
const PHONE_NUMBER_ID = '100000000000009';
// "Thanks" gets exactly one reply and never escalates; three wordings so no customer
// ever repeats the same message three times in a row (that would be frustration).
const TEXTS = ['thanks', 'thank you so much', 'many thanks'];

const percentile = (values: number[], p: number) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const progress = (line: string) => process.stdout.write(`\r${line.padEnd(100)}`);

/** A stand-in Graph API that only counts and timestamps what arrives. */
async function startCountingProvider() {
  const replies = new Map<string, number[]>(); // wa_id → arrival time of each distinct reply
  const keys = new Set<string>();
  let total = 0;
  let counter = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const key = req.headers['idempotency-key'];
      // A re-send of a reply (same idempotency key) is counted apart, not as an answer.
      const repeat = typeof key === 'string' && keys.has(key);
      if (typeof key === 'string') keys.add(key);
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to?: string };
        if (body.to && !repeat) {
          const list = replies.get(body.to) ?? [];
          list.push(at);
          replies.set(body.to, list);
        }
      } catch {
        /* counted anyway */
      }
      total++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"messaging_product":"whatsapp","messages":[{"id":"wamid.bench-${++counter}-${process.pid}"}]}`);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    replies,
    total: () => total,
    distinct: () => keys.size,
    reset: () => {
      replies.clear();
      keys.clear();
      total = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function peakRssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return round(kb / 1024, 0);
  } catch {
    return 0;
  }
}

type Cluster = { api: ChildProcess; workers: ChildProcess[]; baseUrl: string; stop: () => Promise<void> };

async function startCluster(env: Record<string, string>, workers: number, port: number): Promise<Cluster> {
  const spawnNode = (file: string, extra: Record<string, string>) =>
    spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
  const api = spawnNode('src/main/api.ts', { BATON_WORKERS: 'off', PORT: String(port) });
  const procs = Array.from({ length: workers }, () => spawnNode('src/main/worker.ts', {}));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${baseUrl}/readyz`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2500)); // workers warm their classifier
  return {
    api,
    workers: procs,
    baseUrl,
    stop: async () => {
      for (const p of [api, ...procs]) p.kill('SIGTERM');
      await Promise.all([api, ...procs].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    },
  };
}

function webhook(waId: string, id: string, text: string): string {
  return whatsappWebhookBody({
    phoneNumberId: PHONE_NUMBER_ID,
    contact: { waId, name: 'Bench' },
    messages: [{ from: waId, id, type: 'text', text: { body: text } }],
  });
}

type RunResult = {
  statuses: Record<string, number>;
  sent: number;
  acked: number;
  refused: number;
  answered: number;
  ackP50: number;
  ackP99: number;
  replyP50: number;
  replyP99: number;
  throughput: number;
  seconds: number;
};

/** Offered load: `total` messages at `rate`/s (Infinity = as fast as the API takes them). */
async function drive(
  baseUrl: string,
  provider: Awaited<ReturnType<typeof startCountingProvider>>,
  opts: { total: number; rate: number; label: string; runId: string; text?: string },
): Promise<RunResult> {
  const dispatcher = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const sentAt = new Map<string, number[]>();
  const acks: number[] = [];
  let acked = 0;
  let refused = 0;
  const statuses: Record<string, number> = {};
  let sent = 0;
  const started = performance.now();
  const inflight = new Set<Promise<void>>();
  const turnOf = new Map<string, number>();
  const send = async (n: number) => {
    const waId = `9190${opts.runId}${String(n % CUSTOMERS).padStart(5, '0')}`;
    const turn = turnOf.get(waId) ?? 0;
    turnOf.set(waId, turn + 1);
    const body = webhook(waId, `wamid.bench-${opts.runId}-${n}`, opts.text ?? TEXTS[turn % TEXTS.length]!);
    const t0 = performance.now();
    const list = sentAt.get(waId) ?? [];
    list.push(t0);
    sentAt.set(waId, list);
    const res = await request(`${baseUrl}/webhooks/whatsapp`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(body, APP_SECRET) },
      body,
    }).catch(() => undefined);
    const status = res ? String(res.statusCode) : 'network';
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (res) {
      await res.body.dump();
      if (res.statusCode === 200) {
        acked++;
        acks.push(performance.now() - t0);
      } else refused++;
    } else refused++;
  };
  const ticker = setInterval(() => {
    const answered = [...provider.replies.values()].reduce((a, l) => a + l.length, 0);
    progress(`${opts.label}: sent ${sent}/${opts.total}, acked ${acked}, answered ${answered}, ${round((performance.now() - started) / 1000)} s`);
  }, 500);
  const perTick = Number.isFinite(opts.rate) ? opts.rate / 100 : Infinity;
  let budget = 0;
  while (sent < opts.total) {
    if (Number.isFinite(perTick)) {
      budget += perTick;
      while (budget >= 1 && sent < opts.total) {
        budget--;
        const p = send(sent++).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await new Promise((r) => setTimeout(r, 10));
    } else {
      while (inflight.size < 64 && sent < opts.total) {
        const p = send(sent++).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await Promise.race(inflight);
    }
  }
  await Promise.all(inflight);
  // Wait for every accepted message's reply (bounded).
  const deadline = performance.now() + 120_000;
  const answeredCount = () => [...provider.replies.values()].reduce((a, l) => a + l.length, 0);
  while (answeredCount() < acked && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const finished = performance.now();
  clearInterval(ticker);
  await dispatcher.close();
  // Replies of one customer arrive in order, one per message: pair them up.
  const latencies: number[] = [];
  for (const [waId, sends] of sentAt) {
    const replies = provider.replies.get(waId) ?? [];
    for (let i = 0; i < Math.min(sends.length, replies.length); i++) latencies.push(replies[i]! - sends[i]!);
  }
  const answered = answeredCount();
  const lastReply = Math.max(...[...provider.replies.values()].flat(), started);
  const seconds = (Math.min(finished, lastReply) - started) / 1000;
  progress('');
  return {
    statuses,
    sent,
    acked,
    refused,
    answered,
    ackP50: round(percentile(acks, 50)),
    ackP99: round(percentile(acks, 99)),
    replyP50: round(percentile(latencies, 50)),
    replyP99: round(percentile(latencies, 99)),
    throughput: round(answered / Math.max(0.001, seconds)),
    seconds: round(seconds),
  };
}

async function rawBullmqBaseline(redisUrl: string, jobs: number): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `{bench-raw-${process.pid}}`;
  const queue = new Queue('raw', { connection, prefix });
  let done = 0;
  const started = performance.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker('raw', async () => {}, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix, concurrency: 16 });
    worker.on('completed', () => {
      if (++done === jobs) void worker.close().then(() => resolve());
    });
  });
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  await finished;
  const perSecond = jobs / ((performance.now() - started) / 1000);
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  connection.disconnect();
  return round(perSecond, 0);
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const log = createLogger('silent');
  const infra = await provideInfrastructure({ ...config, dataDir: path.join(config.dataDir, 'bench') }, log, { postgres: 54359, redis: 63793 }, 'postgres');
  const admin = new pg.Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS baton_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE baton_bench');
  await admin.end();
  const url = new URL(infra.databaseUrl);
  url.pathname = '/baton_bench';
  const databaseUrl = url.toString();
  await migrate(databaseUrl);
  const db = createDb(databaseUrl, 4);
  await (await loadPack(DEFAULT_PACK_DIR, { databaseUrl })).seed();
  const redis = new Redis(infra.redisUrl);
  await redis.flushall();
  redis.disconnect();

  const provider = await startCountingProvider();
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: infra.redisUrl,
    ADMIN_TOKEN: 'bench-admin-token-of-thirty-two-chars',
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    WHATSAPP_VERIFY_TOKEN: 'bench',
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_ACCESS_TOKEN: 'bench',
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_API_BASE: provider.url,
    TWILIO_ACCOUNT_SID: 'ACbench',
    TWILIO_AUTH_TOKEN: 'bench',
    TWILIO_FROM_NUMBER: '+15550000000',
    TWILIO_API_BASE: provider.url,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '16',
  };

  process.stdout.write(`Baton bench — ${new Date().toISOString()} — ${process.platform} ${(await import('node:os')).cpus().length} cores\n`);
  const baseline = await rawBullmqBaseline(infra.redisUrl, 20_000);
  process.stdout.write(`raw BullMQ baseline (add + process empty jobs): ${baseline} jobs/s\n`);

  const runs: Array<Record<string, unknown>> = [];
  let handoff = { p50: 0, p99: 0, n: 0 };
  for (const [index, workers] of WORKER_COUNTS.entries()) {
    const cluster = await startCluster(env, workers, 3900 + index);
    provider.reset();
    const fixed = await drive(cluster.baseUrl, provider, { total: Math.round(RATE * DURATION_S), rate: RATE, label: `${workers}w @${RATE}/s`, runId: `${index}1` });
    provider.reset();
    const saturation = await drive(cluster.baseUrl, provider, { total: SATURATION_MESSAGES, rate: Infinity, label: `${workers}w saturation`, runId: `${index}2` });
    const duplicates = provider.total() - provider.distinct();
    if (index === 0) {
      // Handoffs: customers whose first message is a double charge (triage → billing).
      provider.reset();
      const started = new Date();
      await drive(cluster.baseUrl, provider, { total: 300, rate: 100, label: 'handoffs', runId: `${index}3`, text: 'I was charged twice for ORD-1001' }).catch(() => undefined);
      const rows = await db.handoffEvent.findMany({ where: { createdAt: { gte: started } }, select: { latencyMs: true } });
      const l = rows.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs]));
      handoff = { p50: percentile(l, 50), p99: percentile(l, 99), n: l.length };
    }
    const rss = { api: peakRssMb(cluster.api.pid), workers: cluster.workers.map((w) => peakRssMb(w.pid)) };
    // Loss, from the database: every stored inbound answered, every reply out (once the
    // workers have drained, at most 60 s).
    const count = async () => ({
      unanswered: await db.message.count({ where: { direction: 'inbound', handledAt: null } }),
      stuck: await db.message.count({ where: { direction: 'outbound', status: { in: ['queued', 'sending', 'failed'] } } }),
    });
    let drained = await count();
    for (let i = 0; i < 120 && drained.unanswered + drained.stuck > 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      drained = await count();
    }
    const { unanswered, stuck } = drained;
    const escalated = await db.conversation.count({ where: { status: 'waiting' } });
    await cluster.stop();
    const stored = await db.message.count({ where: { direction: 'inbound' } });
    runs.push({ workers, fixed, saturation, duplicates, rssMb: rss, storedInboundSoFar: stored, unanswered, stuck, escalated });
    process.stdout.write(
      `${workers} worker process(es): @${RATE}/s ack p50 ${fixed.ackP50} ms p99 ${fixed.ackP99} ms, reply p50 ${fixed.replyP50} ms p99 ${fixed.replyP99} ms | saturation ${saturation.throughput} msg/s answered (${saturation.answered} answered / ${saturation.acked} acked; webhook answers ${JSON.stringify(saturation.statuses)}), re-sent with the same idempotency key ${duplicates} | database: ${unanswered} inbound unanswered, ${stuck} replies not sent, ${escalated} conversations waiting for a person | peak RSS api ${rss.api} MB, workers ${rss.workers.join('/')} MB\n`,
    );
  }

  const best = Math.max(...runs.map((r) => (r.saturation as RunResult).throughput));
  const summary = {
    at: new Date().toISOString(),
    flags: { duration: DURATION_S, rate: RATE, customers: CUSTOMERS, workers: WORKER_COUNTS, saturationMessages: SATURATION_MESSAGES },
    rawBullmqJobsPerSecond: baseline,
    bestAnsweredPerSecond: best,
    ratioToRawBaseline: round(best / baseline, 3),
    handoffLatencyMs: handoff,
    runs,
  };
  process.stdout.write(`\nbest sustained: ${best} msg/s answered end to end = ${round((100 * best) / baseline)} % of raw BullMQ; handoff transition p50 ${handoff.p50} ms p99 ${handoff.p99} ms (${handoff.n} handoffs)\n`);
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `bench-${summary.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(summary, null, 2));
  process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
  await db.$disconnect();
  await provider.close();
  await infra.stop();
  process.exit(0);
}

await main();
