// `npm run bench:floor`: the least any design on Baton's stack must do per message, with
// none of Baton's logic, measured on this machine the way `npm run bench` measures Baton:
// an API process takes signed WhatsApp webhooks (node:http, HMAC check, JSON parse),
// stores each message durably (concurrent requests in one INSERT, one commit, a repeated
// provider id stored once) and answers 200, and enqueues one BullMQ job per message; a
// worker process marks the message handled and writes one reply in one statement (one
// commit, an idempotency key unique), posts it to a stand-in provider over a kept-alive
// connection and records it sent (one commit). Three commits, one job and two HTTP
// exchanges per message: the durable core of Baton's promises (stored before the 200,
// stored once, answered once) before any understanding, handoff or pack — and less than
// all of them: no outbox (Redis is taken to be up), no retries. `--no-db` drops
// PostgreSQL (HTTP and BullMQ only). Prints and saves messages/s at saturation, CPU ms per message of each
// process, and raw BullMQ add+process in the same run.
// Flags: --messages N (default 6000), --concurrency N (requests in flight, default 64),
//        --no-db.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../src/config/env.ts';
import { provideInfrastructure } from '../src/main/infrastructure.ts';
import { createLogger } from '../src/shared/logger.ts';
import { whatsappWebhookBody } from '../src/dev/whatsappWebhookBody.ts';
import { signWhatsAppBody, verifyWhatsAppSignature } from '../src/channels/whatsapp/index.ts';
import { httpExchange } from '../src/shared/httpExchange.ts';
import { cpuSeconds, rawBullmqBaseline, round, serverPids, startCountingProvider } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECRET = 'floor-app-secret';
const PREFIX = '{floor}';

const SCHEMA = `
  DROP TABLE IF EXISTS floor_message;
  CREATE TABLE floor_message (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation text NOT NULL,
    direction text NOT NULL,
    text text NOT NULL,
    provider_id text UNIQUE,
    idempotency_key text UNIQUE,
    status text NOT NULL,
    handled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  ) WITH (fillfactor = 85);`;

type Job = { id: string; to: string };

/** The API: verify, parse, store (grouped), answer, enqueue. */
async function api(): Promise<void> {
  const db = process.env.FLOOR_DB ? new pg.Pool({ connectionString: process.env.FLOOR_DB, max: 4 }) : undefined;
  const queue = new Queue<Job>('floor', { connection: new Redis(process.env.FLOOR_REDIS!, { maxRetriesPerRequest: null }), prefix: PREFIX });
  type Pending = { from: string; wamid: string; text: string; answer: (status: number) => void };
  let waiting: Pending[] = [];
  let inFlight = false;
  // Group commit: the requests that arrive while a statement runs are stored by the next one.
  const flush = async () => {
    if (inFlight || waiting.length === 0) return;
    inFlight = true;
    const batch = waiting;
    waiting = [];
    try {
      let jobs: Job[] = batch.map((b) => ({ id: b.wamid, to: b.from }));
      if (db) {
        // A repeated provider id is answered 200 and enqueues nothing, as in Baton.
        const { rows } = await db.query<{ id: string; provider_id: string }>(
          `INSERT INTO floor_message (conversation, direction, text, provider_id, status)
           SELECT c, 'inbound', t, p, 'received' FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, t, p)
           ON CONFLICT (provider_id) DO NOTHING RETURNING id, provider_id`,
          [batch.map((b) => b.from), batch.map((b) => b.text), batch.map((b) => b.wamid)],
        );
        const ids = new Map(rows.map((r) => [r.provider_id, r.id]));
        jobs = batch.flatMap((b) => (ids.has(b.wamid) ? [{ id: ids.get(b.wamid)!, to: b.from }] : []));
      }
      for (const b of batch) b.answer(200);
      if (jobs.length) await queue.addBulk(jobs.map((data) => ({ name: 'turn', data, opts: { jobId: data.id, removeOnComplete: true } })));
    } catch (err) {
      process.stderr.write(`floor api: ${String(err)}\n`);
      for (const b of batch) b.answer(503);
    } finally {
      inFlight = false;
      void flush();
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (!verifyWhatsAppSignature(raw, req.headers['x-hub-signature-256'] as string | undefined, [SECRET])) {
        res.writeHead(401).end();
        return;
      }
      const body = JSON.parse(raw.toString('utf8')) as { entry: Array<{ changes: Array<{ value: { messages?: Array<{ from: string; id: string; text?: { body: string } }> } }> }> };
      const message = body.entry[0]?.changes[0]?.value.messages?.[0];
      if (!message) {
        res.writeHead(200).end();
        return;
      }
      waiting.push({ from: message.from, wamid: message.id, text: message.text?.body ?? '', answer: (status) => res.headersSent || res.writeHead(status).end() });
      void flush();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(Number(process.env.FLOOR_PORT), '127.0.0.1');
}

/** The worker: handle and write the reply (one commit), send it, record it sent (one commit). */
async function worker(): Promise<void> {
  const db = process.env.FLOOR_DB ? new pg.Pool({ connectionString: process.env.FLOOR_DB, max: 8 }) : undefined;
  const provider = `${process.env.FLOOR_PROVIDER!}/v21.0/messages`;
  const post = async (body: string, key: string) => {
    const { text } = await httpExchange(provider, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body, timeoutMs: 10_000 });
    return (JSON.parse(text) as { messages: Array<{ id: string }> }).messages[0]!.id;
  };
  new Worker<Job>(
    'floor',
    async (job) => {
      let replyId = `${job.data.id}:reply`;
      if (db) {
        const { rows } = await db.query<{ id: string }>(
          `WITH handled AS (UPDATE floor_message SET handled_at = now() WHERE id = $1 AND handled_at IS NULL RETURNING conversation)
           INSERT INTO floor_message (conversation, direction, text, idempotency_key, status)
           SELECT conversation, 'outbound', 'You are welcome!', $1 || ':reply', 'queued' FROM handled
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
          [job.data.id],
        );
        if (!rows[0]) return; // answered before
        replyId = rows[0].id;
      }
      const sent = await post(JSON.stringify({ messaging_product: 'whatsapp', to: job.data.to, type: 'text', text: { body: 'You are welcome!' } }), replyId);
      if (db) await db.query(`UPDATE floor_message SET status = 'sent', provider_id = $2 WHERE id = $1`, [replyId, sent]);
    },
    { connection: new Redis(process.env.FLOOR_REDIS!, { maxRetriesPerRequest: null }), prefix: PREFIX, concurrency: 16 },
  );
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { messages: { type: 'string', default: '6000' }, concurrency: { type: 'string', default: '64' }, 'no-db': { type: 'boolean', default: false } } });
  const total = Number(flags.messages);
  const concurrency = Number(flags.concurrency);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const infra = await provideInfrastructure({ ...config, dataDir: path.join(config.dataDir, 'bench') }, createLogger('silent'), { postgres: 54359, redis: 63793 }, 'postgres');
  const admin = new pg.Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  await admin.query(SCHEMA);
  const redis = new Redis(infra.redisUrl);
  await redis.flushall();
  redis.disconnect();
  const baseline = await rawBullmqBaseline(infra.redisUrl, 20_000);
  process.stdout.write(`raw BullMQ baseline (add + process empty jobs): ${baseline} jobs/s\n`);

  // The bench's stand-in provider: it counts distinct replies by their idempotency key.
  const provider = await startCountingProvider();
  const port = 3900 + (process.pid % 100);
  const env = { ...process.env, FLOOR_DB: flags['no-db'] ? '' : infra.databaseUrl, FLOOR_REDIS: infra.redisUrl, FLOOR_PORT: String(port), FLOOR_PROVIDER: provider.url };
  const child = (role: string): ChildProcess => spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/floor.ts'), role], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const procs = { api: child('api'), worker: child('worker') };
  const send = async (i: number) => {
    const waId = `9199${String(i % 500).padStart(8, '0')}`;
    const body = whatsappWebhookBody({ phoneNumberId: '100000000000009', contact: { waId, name: 'Floor' }, messages: [{ from: waId, id: `wamid.floor-in-${i}`, type: 'text', text: { body: 'thanks' } }] });
    const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(body, SECRET) };
    return (await httpExchange(`http://127.0.0.1:${port}/webhooks/whatsapp`, { method: 'POST', headers, body, timeoutMs: 60_000 })).status;
  };
  for (let i = 0; i < 100; i++) {
    try {
      await send(-1 - i);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // Warm-up (JIT, pools), then the measured run.
  for (let i = 0; i < 500; i += concurrency) await Promise.all(Array.from({ length: Math.min(concurrency, 500 - i) }, (_, k) => send(1_000_000 + i + k)));
  while (provider.distinct() < 501) await new Promise((r) => setTimeout(r, 50));
  provider.reset();
  const servers = serverPids(Number(new URL(infra.databaseUrl).port), Number(new URL(infra.redisUrl).port));
  const groups: Record<string, number[]> = { api: [procs.api.pid!], worker: [procs.worker.pid!], postgres: servers.postgres, redis: servers.redis };
  const before = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, cpuSeconds(pids)]));
  const own = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const statuses: Record<number, number> = {};
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const status = await send(next++);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  // Until every reply is in, or none came for 10 s.
  let answered = 0;
  let grewAt = performance.now();
  while (answered < total && performance.now() - grewAt < 10_000) {
    await new Promise((r) => setTimeout(r, 20));
    if (provider.distinct() > answered) [answered, grewAt] = [provider.distinct(), performance.now()];
  }
  const seconds = (Math.max(started, ...provider.arrivals.values()) - started) / 1000;
  const per = (s: number) => round((1000 * s) / Math.max(1, answered), 2);
  const cpu: Record<string, number> = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, per(cpuSeconds(pids) - before[k]!)]));
  const usage = process.cpuUsage(own);
  cpu.loadGenerator = per((usage.user + usage.system) / 1e6);
  cpu.total = round(Object.values(cpu).reduce((a, b) => a + b, 0), 2);
  const rate = round(answered / seconds);
  const summary = { at: new Date().toISOString(), flags: { messages: total, concurrency, noDb: flags['no-db'] }, rawBullmqJobsPerSecond: baseline, answered, statuses, messagesPerSecond: rate, ratioToRawBaseline: round(rate / baseline, 3), cpuMsPerMessage: cpu };
  process.stdout.write(`floor${flags['no-db'] ? ' without PostgreSQL' : ''}: ${answered} of ${total} answered (webhook answers ${JSON.stringify(statuses)}), ${rate} msg/s = ${round((100 * rate) / baseline)} % of raw BullMQ | CPU ms per message ${JSON.stringify(cpu)}\n`);
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `floor-${summary.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(summary, null, 2));
  process.stdout.write(`results: ${path.relative(ROOT, file)}\n`);
  for (const p of Object.values(procs)) p.kill('SIGTERM');
  await admin.query('DROP TABLE IF EXISTS floor_message');
  await admin.end();
  await provider.close();
  await infra.stop();
  process.exit(0);
}

const role = process.argv[2];
if (role === 'api') await api();
else if (role === 'worker') await worker();
else await main();
