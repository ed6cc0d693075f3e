// `npm run test:soak -- --minutes N --rate R [--customers C] [--workers W] [--settle S]`:
// Baton as the operator runs it (one API process, W worker processes, its own
// PostgreSQL and Redis from the fault suite's support) under a steady stream of customer
// messages over WhatsApp, SMS and web chat — some handed to the orders bot, some asking
// for a person (a stand-in agent claims and resolves those) — while a scheduler kills
// and restarts workers and the API (SIGKILL), restarts Redis and PostgreSQL, and makes
// the stand-in provider fail, time out and rate-limit. Afterwards it counts, from the
// database and the stand-in: every accepted message answered exactly once, every reply
// delivered once and in order per conversation, nothing stuck. The table is printed
// and saved as JSON under test/soak/results/. Exit code 1 when anything was wrong.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SECRETS } from '../support/harness.ts';
import { signWhatsApp, twilioForm, whatsappText } from '../support/payloads.ts';
import { ROOT, sleep, startFaultEnv, until, type BatonProcess, type FaultEnv } from '../faults/support/baton.ts';
import { ownPostgres, ownRedis, type OwnPostgres, type OwnRedis } from '../faults/support/services.ts';
import type { Classification } from '../faults/support/llm.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    rate: { type: 'string', default: '10' },
    customers: { type: 'string', default: '300' },
    workers: { type: 'string', default: '2' },
    settle: { type: 'string', default: '240' },
    'fault-every': { type: 'string', default: '12' },
  },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const CUSTOMERS = Number(args.customers);
const WORKERS = Number(args.workers);
const SETTLE_S = Number(args.settle);
const FAULT_EVERY_S = Number(args['fault-every']);

type Channel = 'whatsapp' | 'sms' | 'webchat';
type Customer = {
  n: number;
  channel: Channel;
  /** wa_id, +E.164 phone, or the web chat session id once created. */
  address: string;
  token?: string;
  sent: number;
  busy: boolean;
  retired: boolean;
};
type Accepted = { channel: Channel; providerMessageId: string; customer: number; index: number; kind: 'thanks' | 'order' | 'human' };

const classify = (text: string): Classification =>
  /talk to a person/.test(text) ? { intent: 'human.request', confidence: 0.99 }
  : /ORD-\d+/.test(text) ? { intent: 'order.status', confidence: 0.99 }
  : { intent: 'thanks', confidence: 0.99 };

const log = (...parts: unknown[]) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}]`, ...parts);

// ---------------------------------------------------------------------------------
// Posting like each channel's provider (or the widget) does; anything but 2xx is retried.

async function post(url: string, init: RequestInit): Promise<{ status: number | 'network'; json?: unknown }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  } catch {
    return { status: 'network' };
  }
}

async function deliverOne(env: FaultEnv, c: Customer, text: string, id: string): Promise<number | 'network'> {
  if (c.channel === 'whatsapp') {
    const body = whatsappText({ from: c.address, id, text, name: `Soak ${c.n}` });
    return (await post(`${env.apiUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsApp(body) }, body })).status;
  }
  if (c.channel === 'sms') {
    const fields = { MessageSid: id, SmsSid: id, AccountSid: SECRETS.twilioSid, From: c.address, To: SECRETS.twilioFrom, Body: text, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01' };
    const { body, signature } = twilioForm(fields);
    return (await post(`${env.apiUrl}/webhooks/sms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body })).status;
  }
  if (!c.token) {
    const created = await post(`${env.apiUrl}/webchat/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: 'en', name: `Soak ${c.n}` }) });
    if (created.status !== 201) return created.status;
    const session = created.json as { sessionId: string; token: string };
    c.address = session.sessionId;
    c.token = session.token;
  }
  return (
    await post(`${env.apiUrl}/webchat/sessions/${c.address}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
      body: JSON.stringify({ text, clientMessageId: id }),
    })
  ).status;
}

// ---------------------------------------------------------------------------------
// Faults

/** Always on: a provider that now and then fails, rate-limits, hangs, or accepts and then stalls. */
const BASELINE_CHAOS = { error: 0.03, rateLimit: 0.02, hang: 0.01, acceptThenStall: 0.005 };

/** Stops a server for `downMs` and starts it again, whatever happened meanwhile. */
async function restart(server: { stop(): Promise<void>; start(): Promise<void> }, downMs: number) {
  try {
    await server.stop();
    await sleep(downMs);
  } finally {
    await server.start();
  }
}

type FaultRecord = { fault: string; at: string; ms: number; detail?: string };

async function main() {
  const started = Date.now();
  log(`soak: ${MINUTES} min at ${RATE} msg/s, ${CUSTOMERS} customers, ${WORKERS} worker processes, a fault every ~${FAULT_EVERY_S} s`);
  const postgres: OwnPostgres = await ownPostgres('soak');
  const redis: OwnRedis = await ownRedis('soak');
  const env = await startFaultEnv({
    name: 'soak',
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    classify,
    env: {
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: '8',
      OUTBOUND_ATTEMPTS: '10',
      OUTBOUND_BACKOFF_MS: '300',
      PROVIDER_TIMEOUT_MS: '2000',
      STALE_SEND_MS: '30000',
      STUCK_HANDOFF_MS: '30000',
      SLA_UNCLAIMED_SECONDS: '30',
      SLA_REPLY_SECONDS: '60',
    },
  });
  const faults: FaultRecord[] = [];
  const problems: string[] = [];
  let api: BatonProcess = await env.startApi();
  const workers: BatonProcess[] = [];
  for (let i = 0; i < WORKERS; i++) workers.push(await env.startWorker());
  log('Baton is up');

  // A person who takes whatever waits and resolves it a little later.
  const agentRes = await post(`${env.apiUrl}/api/admin/agents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.adminToken}` },
    body: JSON.stringify({ name: 'Soak Agent', email: `soak-${randomBytes(3).toString('hex')}@agents.test`, role: 'supervisor', languages: ['en'], skills: [] }),
  });
  if (agentRes.status !== 201) throw new Error(`could not create the agent: ${agentRes.status} ${JSON.stringify(agentRes.json)}`);
  const agentAuth = { authorization: `Bearer ${(agentRes.json as { token: string }).token}` };
  let agentRunning = true;
  const agentStats = { claimed: 0, resolved: 0, errors: 0 };
  const agentLoop = (async () => {
    const held = new Map<string, number>();
    while (agentRunning) {
      await sleep(1500);
      const inbox = await post(`${env.apiUrl}/api/inbox`, { method: 'GET', headers: agentAuth });
      if (inbox.status === 200) {
        for (const { conversationId: id } of (inbox.json as Array<{ conversationId: string }>).slice(0, 10)) {
          if (held.has(id)) continue;
          const claim = await post(`${env.apiUrl}/api/conversations/${id}/claim`, { method: 'POST', headers: agentAuth });
          if (claim.status === 200) {
            agentStats.claimed++;
            held.set(id, Date.now());
          } else if (claim.status !== 409) agentStats.errors++;
        }
      }
      for (const [id, since] of held) {
        if (Date.now() - since < 2000) continue;
        const done = await post(`${env.apiUrl}/api/conversations/${id}/resolve`, { method: 'POST', headers: agentAuth });
        if (done.status === 200) {
          agentStats.resolved++;
          held.delete(id);
        } else if (done.status === 403 || done.status === 404) held.delete(id); // taken back by its SLA timer
        else agentStats.errors++;
      }
    }
  })();

  // Customers and the steady stream.
  const channels: Channel[] = ['whatsapp', 'whatsapp', 'sms', 'webchat'];
  const customers: Customer[] = Array.from({ length: CUSTOMERS }, (_, i) => {
    const channel = channels[i % channels.length]!;
    const digits = `${7_000_000_000 + Math.floor(Math.random() * 2_000_000_000)}`;
    return { n: i + 1, channel, address: channel === 'sms' ? `+91${digits}` : channel === 'whatsapp' ? `91${digits}` : '', sent: 0, busy: false, retired: false };
  });
  const accepted: Accepted[] = [];
  const refusals: Record<string, number> = {};
  const runId = randomBytes(3).toString('hex');
  const sendFrom = async (c: Customer) => {
    c.busy = true;
    const index = ++c.sent;
    const roll = Math.random();
    const kind: Accepted['kind'] = roll < 0.03 ? 'human' : roll < 0.2 ? 'order' : 'thanks';
    const text =
      kind === 'human' ? `please let me talk to a person, customer ${c.n} note ${index}`
      : kind === 'order' ? `where is ORD-1001 now, asks customer ${c.n} in note ${index}`
      : `thank you, note ${index} from customer ${c.n}`;
    const id = c.channel === 'whatsapp' ? `wamid.soak-${runId}-${c.n}-${index}` : c.channel === 'sms' ? `SMsoak${runId}${c.n}x${index}` : `soak-${runId}-${c.n}-${index}`;
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      const status = await deliverOne(env, c, text, id);
      if (status === 200 || status === 202) {
        accepted.push({ channel: c.channel, providerMessageId: c.channel === 'webchat' ? `${c.address}:${id}` : id, customer: c.n, index, kind });
        break;
      }
      refusals[String(status)] = (refusals[String(status)] ?? 0) + 1;
      if (Date.now() > deadline) {
        problems.push(`customer ${c.n}: message ${index} still refused (${status}) after 5 minutes`);
        break;
      }
      await sleep(500 + Math.random() * 1000);
    }
    // A customer who asked for a person waits for them: no more messages from this one.
    if (kind === 'human') c.retired = true;
    c.busy = false;
  };

  const loadEnds = Date.now() + MINUTES * 60_000;
  // The chaos scheduler.
  let chaosRunning = true;
  const chaosLoop = (async () => {
    const kinds = ['kill-worker', 'kill-api', 'restart-redis', 'restart-postgres', 'provider-storm'] as const;
    let turn = 0;
    await sleep(FAULT_EVERY_S * 500);
    while (chaosRunning && Date.now() < loadEnds) {
      const kind = turn < kinds.length ? kinds[turn]! : kinds[Math.floor(Math.random() * kinds.length)]!;
      turn++;
      const at = Date.now();
      try {
        if (kind === 'kill-worker') {
          const index = Math.floor(Math.random() * workers.length);
          await workers[index]!.kill('SIGKILL');
          await sleep(1000 + Math.random() * 3000);
          workers[index] = await env.startWorker();
        } else if (kind === 'kill-api') {
          await api.kill('SIGKILL');
          await sleep(1000 + Math.random() * 2000);
          api = await env.startApi();
        } else if (kind === 'restart-redis') {
          await restart(redis, 2000 + Math.random() * 3000);
        } else if (kind === 'restart-postgres') {
          await restart(postgres, 3000 + Math.random() * 4000);
        } else {
          env.provider.setChaos({ error: 0.3, rateLimit: 0.15, hang: 0.05, acceptThenStall: 0.03 });
          await sleep(8000);
          env.provider.setChaos(BASELINE_CHAOS);
        }
        faults.push({ fault: kind, at: new Date(at).toISOString(), ms: Date.now() - at });
        log(`fault ${kind} (${Date.now() - at} ms)`);
      } catch (err) {
        problems.push(`fault ${kind} could not be carried out: ${String(err)}`);
        log(`fault ${kind} failed: ${String(err)}`);
      }
      await sleep(FAULT_EVERY_S * 1000 * (0.6 + Math.random() * 0.8));
    }
  })();
  // Ctrl-C: stop what this run started (Baton processes, its PostgreSQL and Redis).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void env
        .close()
        .then(() => Promise.all([redis.destroy(), postgres.destroy()]))
        .finally(() => process.exit(130));
    });
  }
  env.provider.setChaos(BASELINE_CHAOS);

  const inFlight = new Set<Promise<void>>();
  let skipped = 0;
  let tick = 0;
  while (Date.now() < loadEnds) {
    const idle = customers.filter((c) => !c.busy && !c.retired);
    const c = idle[Math.floor(Math.random() * idle.length)];
    if (c) {
      const p = sendFrom(c).finally(() => inFlight.delete(p));
      inFlight.add(p);
    } else skipped++;
    if (++tick % (RATE * 15) === 0) log(`accepted ${accepted.length}, in flight ${inFlight.size}, faults ${faults.length}`);
    await sleep(1000 / RATE);
  }
  const offeredSeconds = MINUTES * 60;
  log(`load over: ${accepted.length} accepted; the chaos stops, ${inFlight.size} message(s) still being retried`);
  chaosRunning = false;
  await chaosLoop;
  await Promise.all(inFlight);
  env.provider.setChaos(null);
  // Every process up for the settle phase.
  if (!api.alive()) api = await env.startApi();
  for (let i = 0; i < workers.length; i++) if (!workers[i]!.alive()) workers[i] = await env.startWorker();

  // Settle: everything accepted is handled and every reply has left (or failed for good).
  const ids = accepted.map((a) => a.providerMessageId);
  const settleStarted = Date.now();
  await until(
    'the soak to settle',
    async () => {
      const [unhandled, pending, outbox, pendingHandoffs] = await Promise.all([
        env.db.message.count({ where: { direction: 'inbound', providerMessageId: { in: ids }, handledAt: null } }),
        env.db.message.count({ where: { direction: 'outbound', status: { in: ['queued', 'sending'] } } }),
        env.db.outbox.count({ where: { kind: { in: ['turn', 'send'] } } }),
        env.db.handoffEvent.count({ where: { status: 'pending' } }),
      ]).catch(() => [1, 1, 1, 1]);
      return unhandled + pending + outbox + pendingHandoffs === 0;
    },
    SETTLE_S * 1000,
    1000,
  ).catch((err: unknown) => problems.push(String(err)));
  const settleSeconds = (Date.now() - settleStarted) / 1000;
  agentRunning = false;
  await agentLoop;

  const counts = await check(env, accepted, problems);
  const result = {
    ranAt: new Date(started).toISOString(),
    machine: '2 shared cores',
    parameters: { minutes: MINUTES, rate: RATE, customers: CUSTOMERS, workers: WORKERS, faultEveryS: FAULT_EVERY_S },
    load: { offeredSeconds: Math.round(offeredSeconds), accepted: accepted.length, achievedRate: Number((accepted.length / offeredSeconds).toFixed(2)), customersWhoWrote: new Set(accepted.map((a) => a.customer)).size, byChannel: countBy(accepted, (a) => a.channel), byKind: countBy(accepted, (a) => a.kind), refusalsRetried: refusals, idleTicks: skipped },
    faults: { injected: countBy(faults, (f) => f.fault), providerFaultsServed: env.provider.chaosServed, timeline: faults },
    agent: agentStats,
    settleSeconds: Math.round(settleSeconds),
    counts,
    problems: problems.slice(0, 50),
    problemCount: problems.length,
  };
  printTable(result);
  const dir = path.join(ROOT, 'test/soak/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `soak-${new Date(started).toISOString().replace(/[:.]/g, '-').slice(0, 19)}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`saved ${path.relative(ROOT, file)}`);

  await env.close();
  await redis.destroy();
  await postgres.destroy();
  process.exit(problems.length ? 1 : 0);
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** What happened to every accepted message and every reply, from PostgreSQL and the stand-in. */
async function check(env: FaultEnv, accepted: readonly Accepted[], problems: string[]) {
  const ids = accepted.map((a) => a.providerMessageId);
  const inbound = await env.db.message.findMany({ where: { direction: 'inbound', providerMessageId: { in: ids } }, orderBy: { seq: 'asc' } });
  const storedIds = new Set(inbound.map((m) => m.providerMessageId!));
  const lost = ids.filter((id) => !storedIds.has(id));
  const storedTwice = inbound.length - storedIds.size;
  for (const id of lost.slice(0, 10)) problems.push(`accepted message ${id} was never stored`);
  if (storedTwice) problems.push(`${storedTwice} inbound message(s) stored twice`);

  const conversationIds = [...new Set(inbound.map((m) => m.conversationId))];
  const outbound = await env.db.message.findMany({ where: { conversationId: { in: conversationIds }, direction: 'outbound' }, orderBy: { seq: 'asc' } });
  const repliesOf = new Map<string, number>();
  for (const r of outbound) {
    const [inboundId] = (r.idempotencyKey ?? '').split(':');
    if (inboundId) repliesOf.set(inboundId, (repliesOf.get(inboundId) ?? 0) + 1);
  }
  const conversations = await env.db.conversation.findMany({ where: { id: { in: conversationIds } }, select: { id: true, ownerType: true } });
  const toPerson = new Set((await env.db.handoffEvent.findMany({ where: { conversationId: { in: conversationIds }, toType: 'queue', status: 'accepted' }, select: { conversationId: true } })).map((h) => h.conversationId));

  let answered = 0;
  let unanswered = 0;
  let turnFailed = 0;
  let silentWithPerson = 0;
  let stuckInbound = 0;
  for (const m of inbound) {
    if (!m.handledAt) {
      stuckInbound++;
      if (stuckInbound <= 10) problems.push(`message ${m.providerMessageId} was never handled`);
      continue;
    }
    if (m.errorCode === 'turn_failed') {
      turnFailed++;
      problems.push(`message ${m.providerMessageId}: its turn failed every time`);
      continue;
    }
    if (repliesOf.get(m.id)) answered++;
    else if (toPerson.has(m.conversationId)) silentWithPerson++; // written while a person held it: they saw it
    else {
      unanswered++;
      if (unanswered <= 10) problems.push(`message ${m.providerMessageId} was handled but got no reply`);
    }
  }

  // Replies: each sent, delivered once (WhatsApp/SMS: one delivery per Idempotency-Key at
  // the stand-in; web chat: published once it is `sent`), in seq order per conversation.
  const deliveries = new Map(env.provider.deliveries.map((d) => [d.key, d]));
  const ourKeys = new Set(outbound.map((r) => r.id));
  const phantom = env.provider.deliveries.filter((d) => !ourKeys.has(d.key) && conversationIds.length > 0).length;
  // The stand-in delivers a key once; a second reply row for one part would be a second
  // key (a phantom). Requests that came again after an accept (a timeout after the
  // provider took it) are counted apart: a provider without Idempotency-Key would have
  // delivered those twice.
  const duplicatedDeliveries = phantom;
  const resentAfterAccept = env.provider.raw.filter((r) => ourKeys.has(r.key) && !r.delivered && deliveries.has(r.key) && (r.outcome === 200 || r.outcome === 201 || r.outcome === 'stalled')).length;
  if (duplicatedDeliveries) problems.push(`${duplicatedDeliveries} reply(ies) reached the customer twice`);
  const byStatus = countBy(outbound, (r) => r.status);
  const stuckReplies = outbound.filter((r) => r.status === 'queued' || r.status === 'sending').length;
  const failedReplies = outbound.filter((r) => r.status === 'failed').length;
  if (stuckReplies) problems.push(`${stuckReplies} reply(ies) still queued or sending`);
  if (failedReplies) problems.push(`${failedReplies} reply(ies) failed for good`);
  let undelivered = 0;
  for (const r of outbound) {
    if (r.status !== 'sent') continue;
    if (r.channel !== 'webchat' && !deliveries.has(r.id)) undelivered++;
  }
  if (undelivered) problems.push(`${undelivered} reply(ies) marked sent but never delivered`);
  let outOfOrder = 0;
  const outboundByConversation = new Map<string, typeof outbound>();
  for (const r of outbound) outboundByConversation.set(r.conversationId, [...(outboundByConversation.get(r.conversationId) ?? []), r]);
  for (const [conversationId, replies] of outboundByConversation) {
    const delivered = replies.filter((r) => deliveries.has(r.id)).sort((a, b) => deliveries.get(a.id)!.at - deliveries.get(b.id)!.at || env.provider.deliveries.indexOf(deliveries.get(a.id)!) - env.provider.deliveries.indexOf(deliveries.get(b.id)!));
    for (let i = 1; i < delivered.length; i++) {
      if (delivered[i]!.seq < delivered[i - 1]!.seq) {
        outOfOrder++;
        problems.push(`conversation ${conversationId}: replies delivered out of order`);
        break;
      }
    }
  }
  const stuckConversations = conversations.filter((c) => c.ownerType === 'handoff_pending').length;
  if (stuckConversations) problems.push(`${stuckConversations} conversation(s) left mid-handoff`);
  const outboxLeft = await env.db.outbox.count();
  const deadLetters = await env.db.deadLetter.count();
  return {
    accepted: ids.length,
    stored: storedIds.size,
    lost: lost.length,
    duplicatedInbound: storedTwice,
    answered,
    unanswered,
    silentWhileWithPerson: silentWithPerson,
    turnFailed,
    stuckInbound,
    replies: outbound.length,
    repliesByStatus: byStatus,
    duplicatedDeliveries,
    resentAfterAcceptDedupedByKey: resentAfterAccept,
    undelivered,
    stuckReplies,
    failedReplies,
    outOfOrderConversations: outOfOrder,
    conversationsMidHandoff: stuckConversations,
    outboxRowsLeft: outboxLeft,
    deadLetters,
    conversations: conversationIds.length,
    escalatedConversations: toPerson.size,
  };
}

function printTable(result: {
  faults: { injected: Record<string, number>; providerFaultsServed: Record<string, number> };
  counts: Record<string, unknown>;
  load: Record<string, unknown>;
  agent: Record<string, number>;
  settleSeconds: number;
  problemCount: number;
  problems: string[];
}) {
  const rows: Array<[string, string]> = [
    ...Object.entries(result.faults.injected).map(([k, v]) => [`fault: ${k}`, String(v)] as [string, string]),
    ...Object.entries(result.faults.providerFaultsServed).map(([k, v]) => [`provider ${k}`, String(v)] as [string, string]),
    ...Object.entries(result.load).filter(([, v]) => typeof v !== 'object').map(([k, v]) => [`load ${k}`, String(v)] as [string, string]),
    ...Object.entries(result.agent).map(([k, v]) => [`agent ${k}`, String(v)] as [string, string]),
    ['settle seconds', String(result.settleSeconds)],
    ...Object.entries(result.counts).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)] as [string, string]),
    ['problems', String(result.problemCount)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nSoak result\n${rows.map(([k, v]) => `${k.padEnd(width)} | ${v}`).join('\n')}`);
  for (const p of result.problems.slice(0, 20)) console.log(`  - ${p}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(2);
});
