// Loading a pack folder: pack.json, training/<locale>.json, locales/<locale>/*.json and
// the modules it names. `checkPack` reports every problem with its file and field;
// `loadPack` refuses a pack with any problem and otherwise builds what Baton runs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bot } from '../bots/bot.ts';
import { RoleContract } from '../bots/contract.ts';
import { createTriageBot, type MenuEntry } from '../bots/triage/triageBot.ts';
import { LOCALES } from '../config/env.ts';
import { loadCatalogs, type Resources } from '../i18n/i18n.ts';
import { ENDONYM } from '../i18n/languageNames.ts';
import { maskPersonalData } from '../shared/personalData.ts';
import type { Logger } from '../shared/logger.ts';
import { loadCorpus, type Example } from '../understanding/corpus.ts';
import { NO_INTENT, RUNTIME_INTENTS, SMALL_TALK } from '../understanding/intents.ts';
import { CORE_SLOTS, createSlotExtractor, type SlotExtractor } from '../understanding/slots.ts';
import { actionTool, checkAction, checkLimits, checkTemplate, createActionPort, templateRefs } from './actions.ts';
import { ESCALATE_TOOL, transferTool } from '../bots/llm/llmBot.ts';
import { createWebhookBot } from '../bots/webhook/webhookBot.ts';
import { createLlmBot } from '../bots/llm/llmBot.ts';
import { metrics } from '../observability/metrics.ts';
import { contractProblems } from './contracts.ts';
import { PackManifest, type BotSpec, type LlmBotSpec } from './packSchema.ts';
import { createBotRegistry, type BotRegistry, type RegisteredBot } from './registry.ts';

export const DEFAULT_PACK_DIR = path.resolve(import.meta.dirname, '../../packs/shopkart');

export type PackProblem = { file: string; field: string; message: string };

export class PackInvalid extends Error {
  override name = 'PackInvalid';
  constructor(
    readonly dir: string,
    readonly problems: PackProblem[],
  ) {
    const first = problems[0]!;
    super(`pack ${dir}: ${first.file}${first.field ? ` ${first.field}` : ''}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more: npm run pack:check -- ${dir})` : ''}`);
  }
}

export type LlmDefaults = { baseUrl: string; apiKey?: string | undefined; model: string } | undefined;

export type PackLoadOptions = {
  env?: Record<string, string | undefined>;
  log?: Logger;
  /** LLM_* settings: the default model of llm bots. */
  llm?: LlmDefaults;
  /** Where the pack's development services keep their data. */
  databaseUrl?: string;
};

export type ActionScope = Parameters<typeof createActionPort>[0]['scope'];
type ActionPortOf = ReturnType<typeof createActionPort>;

export type Pack = {
  name: string;
  version: string;
  dir: string;
  manifest: PackManifest;
  bots: BotRegistry;
  /** The pack's training phrases (Baton's runtime corpus is added by the classifier's owner). */
  examples: Example[];
  slots: SlotExtractor;
  menu: MenuEntry[];
  /** Button ids understood without the classifier: menu entries, the pack's replies, `human`. */
  replyIntents: Record<string, string>;
  catalogs: Resources;
  /** The action client for one bot's turn (its authority limits apply). */
  actionsFor(botId: string, scope: ActionScope): ActionPortOf;
  /** Resets the development services' demo data (npm run seed, tests). */
  seed(): Promise<void>;
  close(): Promise<void>;
};

type Service = { url: string; close(): Promise<void> };
type ServiceModule = { start(opts: { databaseUrl?: string | undefined; log?: Logger | undefined }): Promise<Service>; seed?(opts: { databaseUrl?: string | undefined }): Promise<void> };

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** Every problem of the pack in `dir`, with the file and field it is in. */
export function checkPack(dir: string, env: Record<string, string | undefined> = process.env): { manifest?: PackManifest; problems: PackProblem[] } {
  const problems: PackProblem[] = [];
  const add = (file: string, field: string, message: string) => problems.push({ file, field, message });
  const manifestFile = path.join(dir, 'pack.json');
  if (!existsSync(manifestFile)) return { problems: [{ file: 'pack.json', field: '', message: 'not found' }] };
  let raw: unknown;
  try {
    raw = readJson(manifestFile);
  } catch (err) {
    return { problems: [{ file: 'pack.json', field: '', message: `not JSON: ${(err as Error).message}` }] };
  }
  const parsed = PackManifest.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add('pack.json', issue.path.join('.'), issue.message);
    return { problems };
  }
  const m = parsed.data;
  const botIds = new Set(m.bots.map((b) => b.id));
  const slotNames = new Set([...CORE_SLOTS.map((s) => s.name), ...m.slots.map((s) => s.name)]);
  const declaredEnv = new Set(m.env);
  const actionIds = new Set(m.actions.map((a) => a.id));

  // Intents: one owner each, an owner that exists, required slots that exist.
  const intentIds = new Set<string>();
  m.intents.forEach((intent, i) => {
    if (intentIds.has(intent.id)) add('pack.json', `intents[${i}].id`, `intent "${intent.id}" is declared twice`);
    intentIds.add(intent.id);
    if ((RUNTIME_INTENTS as readonly string[]).includes(intent.id) || intent.id === NO_INTENT) add('pack.json', `intents[${i}].id`, `"${intent.id}" is one of Baton's runtime intents`);
    if (!botIds.has(intent.owner)) add('pack.json', `intents[${i}].owner`, `intent "${intent.id}" is owned by "${intent.owner}", which is not a bot of this pack`);
    for (const slot of intent.requires ?? []) if (!slotNames.has(slot)) add('pack.json', `intents[${i}].requires`, `slot "${slot}" is not declared in slots`);
  });
  m.bots.forEach((bot, i) => {
    if (bot.id !== m.triage && !m.intents.some((x) => x.owner === bot.id)) add('pack.json', `bots[${i}]`, `bot "${bot.id}" owns no intent: nothing would ever reach it`);
  });
  for (const p of contractProblems(contractsOf(m), m.triage)) add('pack.json', p.field, p.message);
  m.slots.forEach((slot, i) => {
    for (const key of ['pattern', 'bare'] as const) {
      const source = slot[key];
      if (!source) continue;
      try {
        new RegExp(source, 'iu');
      } catch (err) {
        add('pack.json', `slots[${i}].${key}`, `not a regular expression: ${(err as Error).message}`);
      }
    }
  });
  m.menu.forEach((entry, i) => {
    if (!intentIds.has(entry.intent)) add('pack.json', `menu[${i}].intent`, `unknown intent "${entry.intent}"`);
  });
  for (const [reply, intent] of Object.entries(m.replies)) if (!intentIds.has(intent) && !(RUNTIME_INTENTS as readonly string[]).includes(intent)) add('pack.json', `replies.${reply}`, `unknown intent "${intent}"`);

  // Templates name only declared env vars, slots and parameters.
  const known = { env: m.env, slots: [...slotNames] };
  m.actions.forEach((action, i) => {
    if (m.actions.findIndex((a) => a.id === action.id) !== i) add('pack.json', `actions[${i}].id`, `action "${action.id}" is declared twice`);
    if (action.id === ESCALATE_TOOL || m.bots.some((b) => transferTool(b.id) === action.id)) add('pack.json', `actions[${i}].id`, `"${action.id}" is the name of one of Baton's own tools`);
    for (const message of checkAction(action, known)) add('pack.json', `actions[${i}]`, message);
    if (action.secretEnv && !declaredEnv.has(action.secretEnv)) add('pack.json', `actions[${i}].secretEnv`, `env var ${action.secretEnv} is not declared in "env"`);
  });
  const provided = new Set(m.services.map((s) => s.provides));
  m.services.forEach((service, i) => {
    if (!declaredEnv.has(service.provides)) add('pack.json', `services[${i}].provides`, `env var ${service.provides} is not declared in "env"`);
    if (!existsSync(moduleFile(dir, service.module))) add('pack.json', `services[${i}].module`, `${service.module} not found`);
  });
  m.bots.forEach((bot, i) => {
    if (bot.kind === 'code' && bot.module && !existsSync(moduleFile(dir, bot.module))) add('pack.json', `bots[${i}].module`, `${bot.module} not found`);
    if (bot.kind === 'code' && !bot.module && bot.id !== m.triage) add('pack.json', `bots[${i}].module`, `code bot "${bot.id}" needs a module`);
    if (bot.kind === 'webhook') {
      for (const message of checkTemplate(bot.url, { env: m.env, slots: [], params: [] })) add('pack.json', `bots[${i}].url`, message);
      if (!declaredEnv.has(bot.secretEnv)) add('pack.json', `bots[${i}].secretEnv`, `env var ${bot.secretEnv} is not declared in "env"`);
    }
    if (bot.kind === 'llm') {
      for (const tool of bot.tools) if (!actionIds.has(tool)) add('pack.json', `bots[${i}].tools`, `unknown action "${tool}"`);
      for (const name of [bot.baseUrlEnv, bot.apiKeyEnv]) if (name && !declaredEnv.has(name)) add('pack.json', `bots[${i}]`, `env var ${name} is not declared in "env"`);
      // The model comes from the bot's own settings or from LLM_*: one of them must say where.
      if (!bot.baseUrlEnv && !env.LLM_BASE_URL) add('pack.json', `bots[${i}].baseUrlEnv`, `llm bot "${bot.id}" has no model endpoint: set LLM_BASE_URL or give the bot a baseUrlEnv`);
      if (!bot.model && !env.LLM_MODEL) add('pack.json', `bots[${i}].model`, `llm bot "${bot.id}" has no model: set LLM_MODEL or give the bot a model`);
    }
    for (const message of checkLimits(bot.id, bot.limits, m.actions)) add('pack.json', `bots[${i}].limits`, message);
  });
  // Every declared env var must be set, unless a development service provides it.
  for (const name of m.env) if (!env[name] && !provided.has(name)) add('pack.json', 'env', `env var ${name} is not set`);

  // Languages, training and catalogs.
  for (const locale of m.languages) if (!(LOCALES as readonly string[]).includes(locale)) add('pack.json', 'languages', `unknown locale "${locale}"`);
  const trainingDir = path.join(dir, 'training');
  for (const locale of m.languages) {
    const file = `training/${locale}.json`;
    const full = path.join(dir, file);
    if (!existsSync(full)) {
      add(file, '', `no training phrases for declared language "${locale}"`);
      continue;
    }
    let data: Record<string, unknown>;
    try {
      data = readJson(full) as Record<string, unknown>;
    } catch (err) {
      add(file, '', `not JSON: ${(err as Error).message}`);
      continue;
    }
    for (const intent of m.intents) {
      const list = data[intent.id];
      if (!Array.isArray(list) || list.length === 0) add(file, intent.id, `intent "${intent.id}" has no training phrases in "${locale}"`);
    }
    for (const [key, list] of Object.entries(data)) {
      if (!intentIds.has(key) && !(RUNTIME_INTENTS as readonly string[]).includes(key)) add(file, key, `unknown intent "${key}"`);
      else if (!Array.isArray(list) || list.some((u) => typeof u !== 'string' || !u.trim())) add(file, key, 'must be a list of non-empty strings');
    }
  }
  if (existsSync(trainingDir)) {
    for (const f of readdirSync(trainingDir).filter((x) => x.endsWith('.json'))) {
      if (!(LOCALES as readonly string[]).includes(f.replace(/\.json$/, ''))) add(`training/${f}`, '', 'not a locale Baton knows');
    }
  }
  const catalogs = readPackCatalogs(dir, add);
  // The keys the pack's English catalogs have must exist in every declared language, and
  // Baton needs a title for each menu entry and a question for each required slot.
  const needed = new Set<string>([...m.menu.map((e) => `common:menu.${e.id}`)]);
  for (const intent of m.intents) for (const slot of intent.requires ?? []) needed.add(`common:ask.${slot}`);
  const english = catalogs.en ?? {};
  for (const [ns, tree] of Object.entries(english)) for (const key of leafKeys(tree)) needed.add(`${ns}:${key}`);
  for (const locale of m.languages) {
    const have = catalogs[locale] ?? {};
    for (const entry of needed) {
      const [ns, key] = entry.split(':') as [string, string];
      if (!hasKey(have[ns], key)) add(`locales/${locale}/${ns}.json`, key, `missing catalog key "${key}"`);
    }
  }
  return { manifest: m, problems };
}

function readPackCatalogs(dir: string, add: (file: string, field: string, message: string) => void): Resources {
  const root = path.join(dir, 'locales');
  if (!existsSync(root)) return {};
  for (const lng of readdirSync(root)) {
    if (!statSync(path.join(root, lng)).isDirectory()) continue;
    if (!(LOCALES as readonly string[]).includes(lng)) add(`locales/${lng}`, '', 'not a locale Baton knows');
    for (const f of readdirSync(path.join(root, lng)).filter((x) => x.endsWith('.json'))) {
      try {
        readJson(path.join(root, lng, f));
      } catch (err) {
        add(`locales/${lng}/${f}`, '', `not JSON: ${(err as Error).message}`);
      }
    }
  }
  try {
    return loadCatalogs(root);
  } catch {
    return {};
  }
}

function leafKeys(tree: unknown, prefix = ''): string[] {
  if (!tree || typeof tree !== 'object') return [];
  return Object.entries(tree).flatMap(([k, v]) => {
    // i18next plural forms (_one, _other) count as one key.
    const key = prefix + k.replace(/_(zero|one|two|few|many|other)$/, '');
    return v && typeof v === 'object' ? leafKeys(v, `${key}.`) : [key];
  });
}

function hasKey(tree: unknown, key: string): boolean {
  return leafKeys(tree).includes(key);
}

/** This process runs TypeScript sources (tsx) or the compiled build (plain node). */
const RUNS_TYPESCRIPT = import.meta.url.endsWith('.ts');
const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * A pack module's file. Plain node cannot import TypeScript, so the compiled build uses
 * what `npm run build` bundled into dist/pack-modules for the packs in this repository.
 */
function moduleFile(dir: string, module: string): string {
  const file = path.resolve(dir, module);
  if (RUNS_TYPESCRIPT || !file.endsWith('.ts')) return file;
  const packsRoot = path.join(ROOT, 'packs');
  const compiled = path.join(ROOT, 'dist', 'pack-modules', path.relative(packsRoot, file)).replace(/\.ts$/, '.js');
  return file.startsWith(packsRoot + path.sep) && existsSync(compiled) ? compiled : file;
}

function contractsOf(m: PackManifest) {
  return m.bots.map((bot) => contractOf(m, bot));
}

function contractOf(m: PackManifest, bot: BotSpec): RoleContract {
  const owned = m.intents.filter((i) => i.owner === bot.id);
  const requires = owned.length ? owned.map((i) => i.requires ?? []).reduce((a, b) => a.filter((s) => b.includes(s))) : [];
  return RoleContract.parse({
    id: bot.id,
    titleKey: `bots.${bot.id}`,
    scope: [...owned.map((i) => i.id), ...(bot.id === m.triage ? SMALL_TALK : [])],
    authority: { mayEscalate: bot.mayEscalate, handsTo: bot.handsTo, limits: bot.limits },
    requires,
    produces: bot.produces,
    pattern: bot.pattern,
    ...(bot.confidenceThreshold !== undefined ? { confidenceThreshold: bot.confidenceThreshold } : {}),
  });
}

/** Loads, validates and builds the pack in `dir`; throws PackInvalid naming the first problem. */
export async function loadPack(dir: string, opts: PackLoadOptions = {}): Promise<Pack> {
  const env = opts.env ?? process.env;
  const { manifest: m, problems } = checkPack(dir, env);
  if (!m || problems.length) throw new PackInvalid(dir, problems);
  const slots = createSlotExtractor(m.slots);

  const services: Service[] = [];
  const serviceEnv: Record<string, string> = {};
  const modules = new Map<string, ServiceModule>();
  for (const spec of m.services) modules.set(spec.provides, (await import(pathToFileURL(moduleFile(dir, spec.module)).href)) as ServiceModule);
  // A development service starts once, when an action first needs its address.
  const starting = new Map<string, Promise<string>>();
  const resolveEnv = async (names: Iterable<string>) => {
    for (const name of names) {
      if (env[name] || serviceEnv[name]) continue;
      const module = modules.get(name);
      if (!module) continue;
      if (!starting.has(name)) {
        starting.set(
          name,
          module.start({ databaseUrl: opts.databaseUrl, log: opts.log }).then((service) => {
            services.push(service);
            serviceEnv[name] = service.url;
            return service.url;
          }),
        );
      }
      await starting.get(name);
    }
  };
  const envView = () => ({ ...serviceEnv, ...Object.fromEntries(m.env.map((n) => [n, env[n]]).filter(([, v]) => v)) });
  const actionEnvNames = new Set(m.actions.flatMap((a) => [a.url, ...Object.values(a.body ?? {}).filter((v): v is string => typeof v === 'string')].flatMap((t) => templateRefs(t).filter((r) => r.scope === 'env').map((r) => r.name))));
  const botsById = new Map(m.bots.map((b) => [b.id, b]));

  const bots: RegisteredBot[] = [];
  for (const spec of m.bots) {
    const bot = await createBot(dir, m, spec, { env, llm: opts.llm, isPii: slots.isPii });
    bots.push(Object.assign(Object.create(null) as object, bot, { id: spec.id, answer: bot.answer.bind(bot), contract: contractOf(m, spec) }) as RegisteredBot);
  }
  const requires = Object.fromEntries(m.intents.map((i) => [i.id, i.requires ?? []]));
  const examples = loadCorpus(path.join(dir, 'training'));
  const catalogs = readPackCatalogs(dir, () => {});
  const replyIntents: Record<string, string> = { ...Object.fromEntries(m.menu.map((e) => [e.id, e.intent])), ...m.replies, human: 'human.request' };

  return {
    name: m.name,
    version: m.version,
    dir,
    manifest: m,
    bots: createBotRegistry(m.triage, bots, requires),
    examples,
    slots,
    menu: m.menu,
    replyIntents,
    catalogs,
    actionsFor(botId, scope) {
      const limits = botsById.get(botId)?.limits ?? {};
      return {
        async call(action, params) {
          await resolveEnv(actionEnvNames);
          return createActionPort({ actions: m.actions, env: envView(), scope, limits, ...(opts.log ? { log: opts.log } : {}) }).call(action, params);
        },
      };
    },
    async seed() {
      for (const module of modules.values()) await module.seed?.({ databaseUrl: opts.databaseUrl });
    },
    async close() {
      for (const service of services.splice(0)) await service.close().catch(() => {});
    },
  };
}

async function createBot(dir: string, m: PackManifest, spec: BotSpec, ctx: { env: Record<string, string | undefined>; llm: LlmDefaults; isPii: (slot: string) => boolean }): Promise<Bot> {
  switch (spec.kind) {
    case 'code': {
      if (!spec.module) return createTriageBot({ id: spec.id, business: m.name, menu: m.menu });
      const mod = (await import(pathToFileURL(moduleFile(dir, spec.module)).href)) as { createBot?: (c: unknown) => Bot; default?: (c: unknown) => Bot };
      const factory = mod.createBot ?? mod.default;
      if (typeof factory !== 'function') throw new PackInvalid(dir, [{ file: spec.module, field: '', message: 'exports no createBot function' }]);
      return factory({ id: spec.id, limits: spec.limits });
    }
    case 'webhook': {
      const secret = ctx.env[spec.secretEnv]!;
      const url = spec.url.replace(/\{\{\s*env\.([A-Z0-9_]+)\s*\}\}/g, (_, name: string) => ctx.env[name] ?? '');
      return createWebhookBot({ id: spec.id, url, secret, timeoutMs: spec.timeoutMs, isPii: ctx.isPii });
    }
    case 'llm':
      return createLlm(m, spec, ctx);
  }
}

function createLlm(m: PackManifest, spec: LlmBotSpec, ctx: { env: Record<string, string | undefined>; llm: LlmDefaults; isPii: (slot: string) => boolean }): Bot {
  const baseUrl = (spec.baseUrlEnv ? ctx.env[spec.baseUrlEnv] : undefined) ?? ctx.llm?.baseUrl;
  const model = spec.model ?? ctx.llm?.model;
  const apiKey = (spec.apiKeyEnv ? ctx.env[spec.apiKeyEnv] : undefined) ?? ctx.llm?.apiKey;
  if (!baseUrl || !model) throw new PackInvalid('', [{ file: 'pack.json', field: `bots.${spec.id}`, message: `llm bot "${spec.id}" needs a model: set LLM_BASE_URL and LLM_MODEL (or the bot's baseUrlEnv and model)` }]);
  const actions = new Map(m.actions.map((a) => [a.id, a]));
  return createLlmBot({
    id: spec.id,
    instructions: spec.instructions,
    model,
    baseUrl,
    ...(apiKey ? { apiKey } : {}),
    tools: spec.tools.map((id) => actionTool(actions.get(id)!)),
    handsTo: spec.handsTo.map((id) => ({ id, description: `Hand the conversation to the "${id}" specialist` })),
    mayEscalate: spec.mayEscalate,
    maxToolRounds: spec.maxToolRounds,
    maxTokens: spec.maxTokens,
    timeoutMs: spec.timeoutMs,
    redact: maskPersonalData,
    languageName: (locale: string) => ENDONYM[locale as keyof typeof ENDONYM] ?? locale,
    isPii: ctx.isPii,
    onToolError: (kind) => metrics.llmToolErrors.inc({ bot: spec.id, kind }),
  });
}

/** Baton's runtime corpus and the pack's training phrases: what the classifier learns. */
export function trainingExamples(pack: Pick<Pack, 'examples'>): Example[] {
  return [...loadCorpus(), ...pack.examples];
}

/** The same pack with some bots changed: simulated faults, or a pattern tried out in a test. */
export function withBots(pack: Pack, change: (bot: RegisteredBot) => RegisteredBot): Pack {
  const bots = pack.bots.contracts().map((c) => change(pack.bots.get(c.id)!));
  const requires = Object.fromEntries(pack.manifest.intents.map((i) => [i.id, i.requires ?? []]));
  return { ...pack, bots: createBotRegistry(pack.bots.triageId, bots, requires) };
}
