// `npm run bench`: drives a running Baton (API and worker processes spawned here, real
// PostgreSQL and Redis, a stand-in provider) with signed WhatsApp webhooks from many
// simulated customers, on loopback only, bounded in time. Prints and saves:
//   - webhook ack and inbound→reply latency p50/p99 at a fixed offered rate;
//   - sustained messages/s answered end to end at saturation, with zero-loss check,
//     for each worker-process count asked for;
//   - handoff transition latency p50/p99 from the ledger;
//   - a raw BullMQ baseline (add + process of empty jobs) on the same Redis;
//   - peak RSS of the API and worker processes;
//   - CPU milliseconds per message answered of each process at saturation.
// Each cluster answers 60 warm-up messages, then 2 s at --rate, before anything is measured.
// Flags: --duration S (default 10), --rate R (default 200), --customers N (default 500),
//        --workers 0,1,2,4 (default 0,1; 0 is npm start's layout: the workers inside the
//        API process), --saturation-messages N (default 6000),
//        --live 10000,100000 (default none: memory per process with that many live
//        conversations, seeded in SQL, while --rate messages/s for --duration seconds go to
//        as many different ones),
//        --mix realistic|thanks (default realistic: order status, double charges with a
//        handoff, invoices, cancellations, arrival dates, thanks, and one customer in ten
//        asking for a person; thanks: the cheapest path, one triage reply per message)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Agent, request } from 'undici';
import { signWhatsAppBody } from '../src/channels/whatsapp/index.ts';
import { whatsappWebhookBody } from '../src/dev/whatsappWebhookBody.ts';
import { loadConfig } from '../src/config/env.ts';
import { migrate } from '../src/db/migrate.ts';
import { createDb, type Db } from '../src/db/client.ts';
import { DEFAULT_PACK_DIR, loadPack } from '../src/packs/loadPack.ts';
import { provideInfrastructure } from '../src/main/infrastructure.ts';
import { createLogger } from '../src/shared/logger.ts';
import { cpuSeconds, rawBullmqBaseline, round, serverPids, startCountingProvider } from './measure.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    customers: { type: 'string', default: '500' },
    workers: { type: 'string', default: '0,1' },
    'saturation-messages': { type: 'string', default: '6000' },
    mix: { type: 'string', default: 'realistic' },
    live: { type: 'string', default: '' },
  },
});
const DURATION_S = Number(flags.duration);
const RATE = Number(flags.rate);
const CUSTOMERS = Number(flags.customers);
const WORKER_COUNTS = flags.workers!.split(',').map(Number).filter((n) => n >= 0);
const SATURATION_MESSAGES = Number(flags['saturation-messages']);
const LIVE_COUNTS = flags.live!.split(',').map(Number).filter((n) => n > 0);
const ROOT = path.resolve(import.meta.dirname, '..');
const APP_SECRET = 'bench-app-secret';
const PHONE_NUMBER_ID = '100000000000009';
// "Thanks" gets exactly one reply and never escalates; three wordings so no customer
// ever repeats the same message three times in a row (that would be frustration).
const TEXTS = ['thanks', 'thank you so much', 'many thanks'];
if (flags.mix !== 'realistic' && flags.mix !== 'thanks') throw new Error('--mix is realistic or thanks');
const MIX = flags.mix;
/**
 * What a customer says on their n-th message in the realistic mix: what a shop's
 * WhatsApp number hears (orders, billing with a handoff, cancellations, small talk),
 * and one customer in ten asks for a person on their eighth message (after which the
 * bots stay silent: their messages are stored and handled, not answered).
 */
const SCRIPT = [
  'where is my order ORD-1001?',
  'thanks',
  'I was charged twice for ORD-1002',
  'can I get the invoice for ORD-1002',
  'please cancel my order ORD-1003',
  'when will ORD-1001 arrive?',
  'thank you so much',
];
const textFor = (customer: number, turn: number) =>
  MIX === 'thanks' ? TEXTS[turn % TEXTS.length]! : turn % 8 === 7 ? (customer % 10 === 0 ? 'I want to talk to a human' : 'many thanks') : SCRIPT[turn % 8]!;

const percentile = (values: number[], p: number) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
};
const progress = (line: string) => process.stdout.write(`\r${line.padEnd(100)}`);

function currentRssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024, 0);
  } catch {
    return 0;
  }
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

/** Where PostgreSQL and Redis listen (set once they are up), to find their processes. */
const SERVER_PORTS = { postgres: 0, redis: 0 };

/** Where the machine's CPU went during `run`, per message answered: milliseconds per process group. */
async function cpuPerMessage<T extends { answered: number }>(cluster: Cluster, run: () => Promise<T>): Promise<T & { cpuMsPerMessage: Record<string, number> }> {
  const groups = () => {
    const servers = serverPids(SERVER_PORTS.postgres, SERVER_PORTS.redis);
    return { api: [cluster.api.pid!], workers: cluster.workers.map((w) => w.pid!), postgres: servers.postgres, redis: servers.redis };
  };
  const before = Object.fromEntries(Object.entries(groups()).map(([k, pids]) => [k, cpuSeconds(pids)]));
  const bench0 = process.cpuUsage();
  const result = await run();
  const after = Object.fromEntries(Object.entries(groups()).map(([k, pids]) => [k, cpuSeconds(pids)]));
  const benchUsage = process.cpuUsage(bench0);
  const per = (seconds: number) => round((1000 * seconds) / Math.max(1, result.answered), 2);
  const cpuMsPerMessage: Record<string, number> = Object.fromEntries(Object.keys(after).map((k) => [k, per(after[k]! - before[k]!)]));
  cpuMsPerMessage.loadGenerator = per((benchUsage.user + benchUsage.system) / 1e6);
  cpuMsPerMessage.total = round(Object.values(cpuMsPerMessage).reduce((a, b) => a + b, 0), 2);
  return { ...result, cpuMsPerMessage };
}

/**
 * What PostgreSQL was asked to write during `run`, per message answered: write
 * transactions (each a commit that flushes the WAL) and WAL bytes (every row, index entry
 * and row version written). Both exact and immediate: the next transaction id and the
 * WAL position, read before and after — unlike the statistics views, which backends
 * report late. These move with the design (rows and commits per message) where the
 * throughput's run-to-run spread hides a few per cent.
 */
async function databasePerMessage<T extends { answered: number }>(db: Db, run: () => Promise<T>): Promise<T & { databasePerMessage: { writeTransactions: number; walKb: number } }> {
  const position = async () => {
    const [row] = await db.$queryRaw<Array<{ xid: string; lsn: string }>>`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xid, pg_current_wal_lsn()::text AS lsn`;
    return row!;
  };
  const before = await position();
  const result = await run();
  const [moved] = await db.$queryRaw<Array<{ xacts: number; bytes: number }>>`
    SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::numeric - ${before.xid}::numeric)::float8 AS xacts,
           pg_wal_lsn_diff(pg_current_wal_lsn(), ${before.lsn}::pg_lsn)::float8 AS bytes`;
  const per = (n: number) => n / Math.max(1, result.answered);
  return { ...result, databasePerMessage: { writeTransactions: round(per(moved!.xacts)), walKb: round(per(moved!.bytes) / 1024) } };
}

type Cluster = { api: ChildProcess; workers: ChildProcess[]; baseUrl: string; stop: () => Promise<void> };

async function startCluster(env: Record<string, string>, workers: number, port: number): Promise<Cluster> {
  const spawnNode = (file: string, extra: Record<string, string>) =>
    spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...env, ...extra }, stdio: ['ignore', 'ignore', 'inherit'] });
  const api = spawnNode('src/main/api.ts', { BATON_WORKERS: workers === 0 ? 'inline' : 'off', PORT: String(port) });
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

const benchWaId = (runId: string, customer: number) => `9190${runId}${String(customer).padStart(6, '0')}`;

/**
 * `n` conversations open with the triage bot, each with a short history (two customer
 * messages, two replies), for the customers `drive` uses with `runId`: "live" as far as
 * Baton can tell.
 */
async function seedLiveConversations(databaseUrl: string, runId: string, n: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const prefix = `9190${runId}`;
  await client.query(
    `INSERT INTO "Contact" (id, phone, name, "updatedAt")
     SELECT gen_random_uuid(), '+' || $1 || lpad(g::text, 6, '0'), 'Bench', now() FROM generate_series(0, $2::int - 1) g`,
    [prefix, n],
  );
  await client.query(
    `INSERT INTO "ChannelIdentity" (id, "contactId", channel, "externalId")
     SELECT gen_random_uuid(), id, 'whatsapp', substr(phone, 2) FROM "Contact" WHERE phone LIKE '+' || $1 || '%'`,
    [prefix],
  );
  await client.query(
    `INSERT INTO "Conversation" (id, "contactId", channel, "externalId", "openKey", locale, context, "ownerType", "ownerId", "updatedAt", "lastInboundAt")
     SELECT gen_random_uuid(), id, 'whatsapp', substr(phone, 2), id::text || ':whatsapp', 'en',
            '{"turn":2,"slots":{},"lineage":["bot:triage"],"intent":"order.status"}'::jsonb, 'bot', 'triage', now(), now()
       FROM "Contact" WHERE phone LIKE '+' || $1 || '%'`,
    [prefix],
  );
  await client.query(
    `INSERT INTO "Message" (id, "conversationId", direction, "authorType", "authorId", channel, text, "providerMessageId", "idempotencyKey", status, "handledAt", "updatedAt")
     SELECT gen_random_uuid(), c.id, d.direction::"Direction", d.author::"AuthorType", 'triage', 'whatsapp', d.text,
            CASE WHEN d.direction = 'inbound' THEN 'wamid.seed-' || c."externalId" || '-' || d.k END,
            CASE WHEN d.direction = 'outbound' THEN 'seed-' || c."externalId" || '-' || d.k END,
            d.status::"MessageStatus", now(), now()
       FROM "Conversation" c
      CROSS JOIN (VALUES (1, 'inbound', 'contact', 'hi', 'received'), (2, 'outbound', 'bot', 'Hello! How can I help?', 'read'),
                         (3, 'inbound', 'contact', 'where is my order?', 'received'), (4, 'outbound', 'bot', 'Which order number?', 'read')) AS d(k, direction, author, text, status)
      WHERE c."externalId" LIKE $1 || '%'
      ORDER BY c.id, d.k`,
    [prefix],
  );
  await client.query('ANALYZE');
  await client.end();
}

/** Bytes Redis holds and the size of Baton's database: what grows outside the processes. */
async function storeSizes(redisUrl: string, db: Db): Promise<{ redisMb: number; postgresMb: number }> {
  const redis = new Redis(redisUrl);
  const info = await redis.info('memory');
  redis.disconnect();
  const [row] = await db.$queryRaw<Array<{ bytes: bigint }>>`SELECT pg_database_size(current_database()) AS bytes`;
  return { redisMb: round(Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 2 ** 20, 0), postgresMb: round(Number(row!.bytes) / 2 ** 20, 0) };
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

/**
 * Offered load: `total` messages at `rate`/s (Infinity = as fast as the API takes them).
 * "Answered" is read from the database: a message is answered when its turn has run and
 * every reply of the run has reached the provider; reply latency is from a message's
 * webhook to the provider receiving its first reply (paired by the reply's
 * Idempotency-Key, which is its message id).
 */
async function drive(
  baseUrl: string,
  provider: Awaited<ReturnType<typeof startCountingProvider>>,
  db: Db,
  opts: { total: number; rate: number; label: string; runId: string; text?: string; customers?: number; pick?: (n: number) => number },
): Promise<RunResult> {
  const customers = opts.customers ?? CUSTOMERS;
  const pick = opts.pick ?? ((n: number) => n % customers);
  const dispatcher = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const sentAt = new Map<string, number>(); // wamid → when its webhook went out
  const acks: number[] = [];
  let acked = 0;
  let refused = 0;
  const statuses: Record<string, number> = {};
  let sent = 0;
  const started = performance.now();
  const inflight = new Set<Promise<void>>();
  const wamidPrefix = `wamid.bench-${opts.runId}-`;
  const send = async (n: number) => {
    const customer = pick(n);
    const waId = benchWaId(opts.runId, customer);
    const wamid = `${wamidPrefix}${n}`;
    // Spread over many conversations, one message each: the mix goes round with n.
    const body = webhook(waId, wamid, opts.text ?? textFor(customer, opts.pick ? n : Math.floor(n / customers)));
    const t0 = performance.now();
    sentAt.set(wamid, t0);
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
  // The run's progress, from the database: turns run and replies still to go out.
  const progressOf = async () => {
    const [row] = await db.$queryRaw<Array<{ handled: bigint; unsent: bigint }>>`
      SELECT (SELECT count(*) FROM "Message" WHERE direction = 'inbound' AND "handledAt" IS NOT NULL AND "providerMessageId" LIKE ${`${wamidPrefix}%`}) AS handled,
             (SELECT count(*) FROM "Message" WHERE direction = 'outbound' AND status IN ('queued', 'sending')) AS unsent`;
    return { handled: Number(row!.handled), unsent: Number(row!.unsent) };
  };
  let seen = { handled: 0, unsent: 0 };
  const ticker = setInterval(() => {
    void progressOf().then((p) => {
      seen = p;
      progress(`${opts.label}: sent ${sent}/${opts.total}, acked ${acked}, answered ${p.handled}, ${round((performance.now() - started) / 1000)} s`);
    });
  }, 2000);
  while (sent < opts.total) {
    if (Number.isFinite(opts.rate)) {
      // Open loop, paced by the clock: a timer that fires late (the machine is busy) sends
      // what fell due meanwhile, so the offered rate stays the one asked for.
      const due = Math.min(opts.total, Math.floor(((performance.now() - started) / 1000) * opts.rate) + 1);
      while (sent < due) {
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
  // Wait for every accepted message's turn and every reply (bounded).
  const deadline = performance.now() + 180_000;
  seen = await progressOf();
  // Once a second: each look scans the message table (about 8 ms of PostgreSQL's CPU at
  // saturation), which the system under test would otherwise lose to the harness; the
  // run's duration comes from the last reply's arrival, not from this poll.
  while ((seen.handled < acked || seen.unsent > 0) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    seen = await progressOf();
  }
  const finished = performance.now();
  clearInterval(ticker);
  await dispatcher.close();
  const firstReplies = await db.$queryRaw<Array<{ wamid: string; reply: string }>>`
    SELECT i."providerMessageId" AS wamid, o.id::text AS reply
      FROM "Message" i JOIN "Message" o ON o."idempotencyKey" = i.id::text || ':0'
     WHERE i.direction = 'inbound' AND i."providerMessageId" LIKE ${`${wamidPrefix}%`}`;
  const latencies: number[] = [];
  let lastReply = started;
  for (const { wamid, reply } of firstReplies) {
    const at = provider.arrivals.get(reply);
    const t0 = sentAt.get(wamid);
    if (at !== undefined && t0 !== undefined) latencies.push(at - t0);
  }
  for (const at of provider.arrivals.values()) lastReply = Math.max(lastReply, at);
  const answered = seen.handled;
  const seconds = (Math.max(Math.min(finished, lastReply), started) - started) / 1000;
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

/**
 * Cold start is not what a running Baton answers with: the first messages after the
 * processes start wait for their JIT, pools and the pack's back-end. 60 messages at
 * 30/s, then 2 s at the offered rate (its figures are returned: the first seconds at
 * that rate open the pools' connections and show in a 10 s run's p99), all answered
 * before anything is measured.
 */
async function warmUp(cluster: Cluster, provider: Awaited<ReturnType<typeof startCountingProvider>>, db: Db, runId: string) {
  await drive(cluster.baseUrl, provider, db, { total: 60, rate: 30, label: 'warm-up', runId, customers: 60 });
  return drive(cluster.baseUrl, provider, db, { total: Math.round(RATE * 2), rate: RATE, label: `warm-up @${RATE}/s`, runId: `${runId}r` });
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const log = createLogger('silent');
  const infra = await provideInfrastructure({ ...config, dataDir: path.join(config.dataDir, 'bench') }, log, { postgres: 54359, redis: 63793 }, 'postgres');
  SERVER_PORTS.postgres = Number(new URL(infra.databaseUrl).port || 5432);
  SERVER_PORTS.redis = Number(new URL(infra.redisUrl).port || 6379);
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
    const warm = await warmUp(cluster, provider, db, `${index}0`);
    provider.reset();
    const fixed = await drive(cluster.baseUrl, provider, db, { total: Math.round(RATE * DURATION_S), rate: RATE, label: `${workers}w @${RATE}/s`, runId: `${index}1` });
    provider.reset();
    const saturation = await databasePerMessage(db, () => cpuPerMessage(cluster, () => drive(cluster.baseUrl, provider, db, { total: SATURATION_MESSAGES, rate: Infinity, label: `${workers}w saturation`, runId: `${index}2` })));
    // Sends beyond the first of each reply (same Idempotency-Key) and apart from read receipts.
    const duplicates = provider.total() - provider.distinct() - provider.readReceipts();
    if (index === 0) {
      // Handoffs: customers whose first message is a double charge (triage → billing).
      provider.reset();
      const started = new Date();
      await drive(cluster.baseUrl, provider, db, { total: 300, rate: 100, label: 'handoffs', runId: `${index}3`, text: 'I was charged twice for ORD-1001' }).catch(() => undefined);
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
    runs.push({ workers, warmUpAtRate: warm, fixed, saturation, duplicates, rssMb: rss, storedInboundSoFar: stored, unanswered, stuck, escalated });
    process.stdout.write(
      `${workers === 0 ? 'one process (API and workers)' : `${workers} worker process(es)`}: @${RATE}/s ack p50 ${fixed.ackP50} ms p99 ${fixed.ackP99} ms, reply p50 ${fixed.replyP50} ms p99 ${fixed.replyP99} ms (the 2 s warm-up at that rate before: reply p99 ${warm.replyP99} ms) | saturation ${saturation.throughput} msg/s answered (${saturation.answered} answered / ${saturation.acked} acked; webhook answers ${JSON.stringify(saturation.statuses)}), re-sent with the same idempotency key ${duplicates} | CPU ms per message ${JSON.stringify(saturation.cpuMsPerMessage)} | PostgreSQL per message: ${saturation.databasePerMessage.writeTransactions} write transactions, ${saturation.databasePerMessage.walKb} kB of WAL | database: ${unanswered} inbound unanswered, ${stuck} replies not sent, ${escalated} conversations waiting for a person (the mix's escalations) | peak RSS api ${rss.api} MB, workers ${rss.workers.join('/')} MB\n`,
    );
  }

  // Memory per process with many live conversations: one worker process, --rate for
  // --duration, each message to a different conversation of the N.
  const memory: Array<Record<string, unknown>> = [];
  for (const [index, live] of LIVE_COUNTS.entries()) {
    const runId = `L${index}`;
    process.stdout.write(`seeding ${live} live conversations…\n`);
    await seedLiveConversations(databaseUrl, runId, live);
    const cluster = await startCluster(env, 1, 3950 + index);
    await warmUp(cluster, provider, db, `W${index}`);
    const idle = { api: currentRssMb(cluster.api.pid), worker: currentRssMb(cluster.workers[0]!.pid) };
    provider.reset();
    const total = Math.min(live, Math.round(RATE * DURATION_S));
    // Each message to a different conversation: customer k·(live/total) of the N.
    const stride = Math.max(1, Math.floor(live / total));
    const fixed = await drive(cluster.baseUrl, provider, db, { total, rate: RATE, label: `${live} live @${RATE}/s`, runId, customers: live, pick: (n) => (n * stride) % live });
    const rss = { api: peakRssMb(cluster.api.pid), worker: peakRssMb(cluster.workers[0]!.pid) };
    await cluster.stop();
    const sizes = await storeSizes(infra.redisUrl, db);
    const liveConversations = await db.conversation.count({ where: { status: { notIn: ['resolved'] } } });
    memory.push({ liveConversations, answered: fixed.answered, replyP99: fixed.replyP99, startedRssMb: idle, peakRssMb: rss, ...sizes });
    process.stdout.write(
      `${liveConversations} live conversations, ${fixed.answered} messages to different ones @${RATE}/s: RSS api ${idle.api} → peak ${rss.api} MB, worker ${idle.worker} → peak ${rss.worker} MB | Redis ${sizes.redisMb} MB, PostgreSQL ${sizes.postgresMb} MB | reply p99 ${fixed.replyP99} ms\n`,
    );
  }

  const best = Math.max(...runs.map((r) => (r.saturation as RunResult).throughput));
  const summary = {
    at: new Date().toISOString(),
    flags: { duration: DURATION_S, rate: RATE, customers: CUSTOMERS, workers: WORKER_COUNTS, saturationMessages: SATURATION_MESSAGES, mix: MIX },
    rawBullmqJobsPerSecond: baseline,
    bestAnsweredPerSecond: best,
    ratioToRawBaseline: round(best / baseline, 3),
    handoffLatencyMs: handoff,
    runs,
    memory,
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
