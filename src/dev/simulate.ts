// `npm run simulate`: scripted conversations (scenarios/*.json) driven through Baton's
// real HTTP webhook, queues and workers, on real PostgreSQL and Redis, with replies
// landing on a stand-in Graph API. Prints one line per scenario and a summary table:
// scenarios passed, handoff success rate, context retention (no slot asked again once
// known), hops per conversation, transition latency p50/p99. Exits 1 on any failure.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PACK_DIR, loadPack, withBots } from '../packs/loadPack.ts';
import type { RegisteredBot } from '../packs/registry.ts';
import { loadConfig } from '../config/env.ts';
import { migrate } from '../db/migrate.ts';
import { createApp } from '../http/app.ts';
import { provideInfrastructure } from '../main/infrastructure.ts';
import { createRuntime, type Runtime } from '../runtime/runtime.ts';
import { createLogger } from '../shared/logger.ts';
import { SimulatedCustomer, type TurnReport } from './simulatedCustomer.ts';
import { startStandInProvider, type StandInProvider } from './standInProvider.ts';
import { randomUUID } from 'node:crypto';

const Expectation = z.object({
  owner: z.string().optional(),
  status: z.enum(['bot', 'waiting', 'agent', 'resolved']).optional(),
  reply: z.string().optional(),
  noReply: z.string().optional(),
  asks: z.string().optional(),
  handoff: z
    .object({ to: z.string().optional(), pattern: z.string().optional(), reason: z.string().optional(), status: z.string().optional() })
    .optional(),
  noHandoff: z.boolean().optional(),
  locale: z.string().optional(),
  /** Nothing at all is sent back (STOP, START, an opted-out number). */
  silent: z.boolean().optional(),
  /** The message's files were downloaded and kept (media for the person who will read it). */
  mediaKept: z.boolean().optional(),
});
const Scenario = z.object({
  name: z.string(),
  description: z.string().optional(),
  locale: z.string().default('en'),
  /** Bots that misbehave in this scenario: they refuse every handoff to them. */
  faults: z.record(z.string(), z.enum(['reject', 'throw'])).default({}),
  /** The customer writes on WhatsApp (default) or by SMS through Twilio. */
  channel: z.enum(['whatsapp', 'sms']).default('whatsapp'),
  steps: z.array(z.object({ say: z.string(), replyId: z.string().optional(), image: z.boolean().optional(), expect: Expectation.default({}) })).min(1),
});
type Scenario = z.infer<typeof Scenario>;

export type ScenarioResult = {
  name: string;
  passed: boolean;
  failures: string[];
  handoffs: number;
  accepted: number;
  askedAgain: string[];
  latencies: number[];
};

export const SCENARIO_DIR = path.resolve(import.meta.dirname, '../../scenarios');

export function loadScenarios(dir = SCENARIO_DIR): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = Scenario.safeParse(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
      if (!parsed.success) throw new Error(`scenarios/${f}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}

function faulty(bot: RegisteredBot, fault: 'reject' | 'throw'): RegisteredBot {
  return {
    id: bot.id,
    contract: bot.contract,
    // `throw`: accepts the conversation, then fails answering; `reject`: refuses it.
    answer: fault === 'throw' ? async () => { throw new Error(`${bot.contract.id} is failing (simulated)`); } : bot.answer.bind(bot),
    acknowledge: async () => {
      if (fault === 'reject') throw new Error(`${bot.contract.id} refuses handoffs (simulated)`);
    },
  };
}

// A 1×1 PNG, served by the stand-in Graph API for photo steps.
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

export async function runScenario(rt: Runtime, baseUrl: string, scenario: Scenario, provider: StandInProvider): Promise<ScenarioResult> {
  const customer = new SimulatedCustomer({
    baseUrl,
    db: rt.db,
    appSecret: rt.config.whatsapp.appSecrets[0]!,
    phoneNumberId: rt.config.whatsapp.phoneNumberId,
    name: 'Sim',
    ...(scenario.channel === 'sms' ? { sms: { authToken: rt.config.twilio.authTokens[0]!, publicBaseUrl: rt.config.publicBaseUrl, to: rt.config.twilio.fromNumber } } : {}),
  });
  // The customer's language choice, as the contact's setting.
  const failures: string[] = [];
  const askedAgain: string[] = [];
  const latencies: number[] = [];
  let handoffs = 0;
  let accepted = 0;
  for (const [i, step] of scenario.steps.entries()) {
    let report: TurnReport;
    try {
      if (i === 0 && scenario.locale !== 'en') await presetLocale(rt, customer.waId, scenario.locale);
      const image = step.image ? { mediaId: `sim-photo-${randomUUID()}`, mimeType: 'image/png' } : undefined;
      if (image) provider.serveMedia(image.mediaId, { bytes: PHOTO, mimeType: image.mimeType });
      report = await customer.say(step.say, { ...(step.replyId ? { replyId: step.replyId } : {}), ...(image ? { image } : {}) });
      if (step.expect.mediaKept) await mediaKept(rt, report.conversation.id);
    } catch (err) {
      failures.push(`step ${i + 1} "${step.say}": ${err instanceof Error ? err.message : String(err)}`);
      break;
    }
    handoffs += report.handoffs.length;
    accepted += report.handoffs.filter((h) => h.status === 'accepted').length;
    latencies.push(...report.handoffs.flatMap((h) => (h.latencyMs === null ? [] : [h.latencyMs])));
    for (const reply of report.replies) if (reply.asks && report.knownBefore[reply.asks]) askedAgain.push(`${reply.asks} (step ${i + 1})`);
    failures.push(...check(step.expect, report).map((f) => `step ${i + 1} "${step.say}": ${f}`));
  }
  return { name: scenario.name, passed: failures.length === 0 && askedAgain.length === 0, failures, handoffs, accepted, askedAgain, latencies };
}

function check(expect: z.infer<typeof Expectation>, report: TurnReport): string[] {
  const out: string[] = [];
  const c = report.conversation;
  const owner = c.ownerType === 'bot' ? c.ownerId : c.ownerType;
  if (expect.owner && expect.owner !== owner) out.push(`owner is ${owner}, expected ${expect.owner}`);
  if (expect.status && expect.status !== c.status) out.push(`status is ${c.status}, expected ${expect.status}`);
  if (expect.locale && expect.locale !== c.locale) out.push(`locale is ${c.locale}, expected ${expect.locale}`);
  const texts = report.replies.map((r) => r.text);
  if (expect.reply && !texts.some((t) => new RegExp(expect.reply!, 'iu').test(t))) out.push(`no reply matches /${expect.reply}/ in ${JSON.stringify(texts)}`);
  if (expect.noReply && texts.some((t) => new RegExp(expect.noReply!, 'iu').test(t))) out.push(`a reply matches /${expect.noReply}/`);
  if (expect.asks && !report.replies.some((r) => r.asks === expect.asks)) out.push(`did not ask for ${expect.asks}`);
  if (expect.noHandoff && report.handoffs.length) out.push(`unexpected handoff ${JSON.stringify(report.handoffs)}`);
  if (expect.silent && texts.length) out.push(`expected no reply, got ${JSON.stringify(texts)}`);
  if (expect.handoff) {
    const want = expect.handoff;
    const found = report.handoffs.some(
      (h) =>
        (!want.to || h.to === want.to || h.to.endsWith(`:${want.to}`)) &&
        (!want.pattern || h.pattern === want.pattern) &&
        (!want.reason || h.reason === want.reason) &&
        (!want.status || h.status === want.status),
    );
    if (!found) out.push(`no handoff like ${JSON.stringify(want)} in ${JSON.stringify(report.handoffs)}`);
  }
  return out;
}

/** Waits until the conversation's last inbound file is downloaded and kept (or says why not). */
async function mediaKept(rt: Runtime, conversationId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const file = await rt.db.mediaFile.findFirst({ where: { conversationId, direction: 'inbound' }, orderBy: { createdAt: 'desc' } });
    if (file && file.status !== 'pending') {
      if (file.status !== 'stored') throw new Error(`the photo was not kept: ${file.status} ${file.error ?? ''}`);
      return;
    }
    if (Date.now() > deadline) throw new Error('the photo was not downloaded in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Scenarios in another language start from a contact who chose it. */
async function presetLocale(rt: Runtime, waId: string, locale: string) {
  const phone = `+${waId}`;
  await rt.db.contact.upsert({ where: { phone }, create: { phone, locale }, update: { locale } });
}

const percentile = (values: number[], p: number) => {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export function summarize(results: ScenarioResult[]) {
  const handoffs = results.reduce((s, r) => s + r.handoffs, 0);
  const accepted = results.reduce((s, r) => s + r.accepted, 0);
  const latencies = results.flatMap((r) => r.latencies);
  return {
    scenarios: results.length,
    passed: results.filter((r) => r.passed).length,
    handoffSuccessRate: handoffs ? accepted / handoffs : 1,
    contextRetention: results.filter((r) => r.askedAgain.length === 0).length / Math.max(1, results.length),
    hopsPerConversation: handoffs / Math.max(1, results.length),
    latencyP50: percentile(latencies, 50),
    latencyP99: percentile(latencies, 99),
  };
}

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', QUEUE_PREFIX: '{baton-sim}' });
  const log = createLogger(config.logLevel, 'baton-simulate');
  const infra = await provideInfrastructure({ ...config, dataDir: path.join(config.dataDir, 'simulate') }, log, { postgres: 54349, redis: 63792 }, 'baton_simulate');
  await migrate(infra.databaseUrl);
  const provider = await startStandInProvider();
  const scenarios = loadScenarios();
  const results: ScenarioResult[] = [];
  const byFaults = new Map<string, Scenario[]>();
  for (const s of scenarios) {
    const key = JSON.stringify(s.faults);
    byFaults.set(key, [...(byFaults.get(key) ?? []), s]);
  }
  process.stdout.write(`Running ${scenarios.length} scenarios through the real webhook, queues and workers…\n`);
  for (const [key, group] of byFaults) {
    const faults = JSON.parse(key) as Record<string, 'reject' | 'throw'>;
    const pack = withBots(await loadPack(config.packDir ?? DEFAULT_PACK_DIR, { databaseUrl: infra.databaseUrl, log }), (b) => (faults[b.contract.id] ? faulty(b, faults[b.contract.id]!) : b));
    const rt = await createRuntime(
      { ...config, whatsapp: { ...config.whatsapp, apiBase: provider.url }, twilio: { ...config.twilio, apiBase: provider.url } },
      infra,
      log,
      { pack },
    );
    await pack.seed();
    await rt.startWorkers();
    const server: Server = await new Promise((resolve) => {
      const s = createApp(rt).listen(0, '127.0.0.1', () => resolve(s));
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const scenario of group) {
      const result = await runScenario(rt, baseUrl, scenario, provider);
      results.push(result);
      process.stdout.write(`${result.passed ? 'PASS' : 'FAIL'}  ${scenario.name}${result.passed ? '' : `\n      ${[...result.failures, ...result.askedAgain.map((a) => `asked again: ${a}`)].join('\n      ')}`}\n`);
    }
    server.close();
    await rt.close();
  }
  await provider.close();
  await infra.stop();

  const s = summarize(results);
  const rows: Array<[string, string]> = [
    ['scenarios passed', `${s.passed}/${s.scenarios}`],
    ['handoff success rate', `${(s.handoffSuccessRate * 100).toFixed(1)} %`],
    ['context retention (no slot asked twice)', `${(s.contextRetention * 100).toFixed(1)} %`],
    ['hops per conversation', s.hopsPerConversation.toFixed(2)],
    ['transition latency p50', `${s.latencyP50} ms`],
    ['transition latency p99', `${s.latencyP99} ms`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  // The README quotes these figures from the file, so each can be traced to a run.
  const file = path.resolve(import.meta.dirname, '../../bench/results/simulate.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...s, failed: results.filter((r) => !r.passed).map((r) => r.name) }, null, 2)}\n`);
  process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
  process.exit(s.passed === s.scenarios ? 0 : 1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await main();
}
