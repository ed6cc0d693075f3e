// `npm run bench:scale`: GET /api/inbox and GET /api/conversations latency with a large
// store. Seeds N conversations (default 1,000,000; 1 % waiting for a person) straight
// in SQL, then times each route 300 times through the real HTTP app and prints p50/p99.
// Flags: --conversations N, --requests N.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/env.ts';
import { migrate } from '../src/db/migrate.ts';
import { createApp } from '../src/http/app.ts';
import { provideInfrastructure } from '../src/main/infrastructure.ts';
import { createRuntime } from '../src/runtime/runtime.ts';
import { createLogger } from '../src/shared/logger.ts';

const { values: flags } = parseArgs({
  options: { conversations: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '300' } },
});
const N = Number(flags.conversations);
const REQUESTS = Number(flags.requests);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
};

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', ADMIN_TOKEN: 'scale-admin', QUEUE_PREFIX: '{baton-scale}' });
  const log = createLogger('silent');
  const infra = await provideInfrastructure({ ...config, dataDir: path.join(config.dataDir, 'bench') }, log, { postgres: 54359, redis: 63793 }, 'postgres');
  const url = new URL(infra.databaseUrl);
  url.pathname = '/baton_scale';
  const databaseUrl = url.toString();
  const admin = new pg.Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = 'baton_scale'")).rowCount;
  if (!exists) await admin.query('CREATE DATABASE baton_scale');
  await admin.end();
  await migrate(databaseUrl);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const have = Number((await client.query('SELECT count(*) FROM "Conversation"')).rows[0].count);
  if (have < N) {
    process.stdout.write(`seeding ${N - have} conversations (once; kept in .data/bench)…\n`);
    const started = Date.now();
    const contacts = Math.ceil((N - have) / 10);
    await client.query(
      `INSERT INTO "Contact" (id, name, phone, "updatedAt")
       SELECT gen_random_uuid(), 'Customer ' || g, '+9170' || lpad(($1::bigint + g)::text, 8, '0'), now() FROM generate_series(1, $2::int) g`,
      [have, contacts],
    );
    await client.query(
      `INSERT INTO "Conversation" (id, "contactId", channel, "externalId", status, "ownerType", "ownerId", locale, context, priority, "escalationReason", "waitingSince", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), cs.ids[1 + g % $2::int], 'whatsapp', 'sim-' || g,
              CASE WHEN g % 100 = 0 THEN 'waiting' ELSE 'resolved' END::"ConversationStatus",
              CASE WHEN g % 100 = 0 THEN 'queue' ELSE 'bot' END::"OwnerType",
              CASE WHEN g % 100 = 0 THEN NULL ELSE 'triage' END,
              (ARRAY['en','hi','ta','bn','mr'])[1 + g % 5], '{"intent":"order.status"}'::jsonb,
              g % 50, CASE WHEN g % 100 = 0 THEN 'customer_request' END,
              CASE WHEN g % 100 = 0 THEN now() - (g % 3600) * interval '1 second' END,
              now() - (g % 86400) * interval '1 second', now()
         FROM generate_series(1, $1::int) g, (SELECT array_agg(id) AS ids FROM "Contact") cs`,
      [N - have, contacts],
    );
    await client.query('ANALYZE');
    process.stdout.write(`seeded in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  const total = Number((await client.query('SELECT count(*) FROM "Conversation"')).rows[0].count);
  const waiting = Number((await client.query(`SELECT count(*) FROM "Conversation" WHERE status = 'waiting'`)).rows[0].count);
  await client.end();

  const rt = await createRuntime({ ...config, databaseUrl, redisUrl: infra.redisUrl }, { databaseUrl, redisUrl: infra.redisUrl }, log);
  const server = createApp(rt).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const time = async (route: string) => {
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      const res = await fetch(base + route, { headers: { authorization: 'Bearer scale-admin' } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${route}: ${res.status}`);
      samples.push(performance.now() - t);
    }
    return { p50: Math.round(percentile(samples, 50) * 10) / 10, p99: Math.round(percentile(samples, 99) * 10) / 10 };
  };
  const inbox = await time('/api/inbox');
  const list = await time('/api/conversations?limit=50');
  const filtered = await time('/api/conversations?status=waiting&limit=50');
  process.stdout.write(
    `${total} conversations (${waiting} waiting):\n` +
      `  GET /api/inbox                          p50 ${inbox.p50} ms  p99 ${inbox.p99} ms\n` +
      `  GET /api/conversations?limit=50         p50 ${list.p50} ms  p99 ${list.p99} ms\n` +
      `  GET /api/conversations?status=waiting   p50 ${filtered.p50} ms  p99 ${filtered.p99} ms\n`,
  );
  server.close();
  await rt.close();
  await infra.stop();
  process.exit(0);
}

await main();
