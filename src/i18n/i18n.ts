// i18next set-up: every catalog under locales/<lng>/<namespace>.json is loaded once at
// start-up, synchronously, so a bot turn never waits on file I/O.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction, type i18n as I18n } from 'i18next';
import { LOCALES, type Locale } from '../config/env.ts';
import { boundedCache } from '../shared/boundedCache.ts';

export const LOCALES_DIR = path.resolve(import.meta.dirname, '../../locales');

/**
 * Where a language falls back when a key is missing: to a close language its readers
 * also read, then to English. One place, used by every translation.
 */
export const FALLBACKS: Record<Locale, Locale[]> = {
  en: [],
  as: ['bn', 'en'],
  bn: ['en'],
  brx: ['hi', 'en'],
  doi: ['hi', 'en'],
  gu: ['en'],
  hi: ['en'],
  kn: ['en'],
  ks: ['ur', 'en'],
  kok: ['mr', 'hi', 'en'],
  mai: ['hi', 'en'],
  ml: ['en'],
  mni: ['bn', 'en'],
  mr: ['hi', 'en'],
  ne: ['hi', 'en'],
  or: ['en'],
  pa: ['hi', 'en'],
  sa: ['hi', 'en'],
  sat: ['en'],
  sd: ['ur', 'en'],
  ta: ['en'],
  te: ['en'],
  ur: ['en'],
};

export { RTL_LOCALES, isRtl } from './direction.ts';

export type Resources = Record<string, Record<string, Record<string, unknown>>>;

let defaultCatalogs: Resources | undefined;

/** Read once per process for the default folder (i18next and the language detector both use them). */
export function loadCatalogs(dir = LOCALES_DIR): Resources {
  if (dir === LOCALES_DIR && defaultCatalogs) return defaultCatalogs;
  const resources: Resources = {};
  for (const lng of LOCALES) {
    const folder = path.join(dir, lng);
    if (!existsSync(folder)) continue;
    resources[lng] = {};
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.json'))) {
      resources[lng]![file.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(folder, file), 'utf8'));
    }
  }
  if (dir === LOCALES_DIR) defaultCatalogs = resources;
  return resources;
}

let instance: I18n | undefined;
let packResources: Resources = {};

/**
 * The running pack's catalogs over Baton's: its `common` keys (business name, bot
 * names, menu titles) merge over Baton's, its other files are namespaces of their own.
 * Swapping them (a pack reload) replaces the instance; turns in flight keep theirs.
 */
export function installPackCatalogs(resources: Resources): void {
  packResources = resources;
  instance = undefined;
}

function merged(): Resources {
  const core = loadCatalogs();
  const out: Resources = {};
  for (const lng of new Set([...Object.keys(core), ...Object.keys(packResources)])) {
    const mine = core[lng] ?? {};
    const theirs = packResources[lng] ?? {};
    out[lng] = { ...theirs, ...mine };
    for (const ns of Object.keys(theirs)) if (mine[ns]) out[lng]![ns] = deepMerge(mine[ns]!, theirs[ns]!);
  }
  return out;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = b && typeof b === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export function i18n(): I18n {
  if (instance) return instance;
  const resources = merged();
  const created = i18next.createInstance();
  void created.init({
    resources,
    supportedLngs: [...LOCALES],
    fallbackLng: { ...FALLBACKS, default: ['en'] },
    ns: Object.keys(resources.en ?? {}),
    defaultNS: 'common',
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  instance = created;
  return created;
}

/** Always the running pack's catalogs: a translator made before a reload reads the new ones. */
// A fixed-locale t per catalog instance (a pack reload brings a new one), built once:
// a turn translates a dozen lines. What it returns is remembered per key and plain
// options (the last TRANSLATIONS_KEPT per locale): i18next resolves, falls back and
// interpolates again on every call, and that was a tenth of a worker's CPU per message.
const fixed = new WeakMap<object, Map<string, (...a: unknown[]) => string>>();
const TRANSLATIONS_KEPT = 2000;

export function translator(locale: string): TFunction {
  const t = (...args: unknown[]) => {
    const instance = i18n();
    let byLocale = fixed.get(instance);
    if (!byLocale) fixed.set(instance, (byLocale = new Map()));
    let translate = byLocale.get(locale);
    if (!translate) byLocale.set(locale, (translate = remembered(instance.getFixedT(locale) as unknown as (...a: unknown[]) => unknown)));
    return translate(...args);
  };
  return t as unknown as TFunction;
}

/** `translate` with its answers remembered, for calls whose options are plain values (`memoKey`). */
function remembered(translate: (...a: unknown[]) => unknown): (...a: unknown[]) => string {
  const kept = boundedCache(TRANSLATIONS_KEPT, (_key: string, args: unknown[]) => translate(...args) as string);
  return (...args) => {
    const key = memoKey(args);
    return key === undefined ? (translate(...args) as string) : kept(key, args);
  };
}

/** A key for a call `t(key)` or `t(key, options)` whose options are strings, numbers or booleans; otherwise none. */
function memoKey(args: unknown[]): string | undefined {
  const [key, options] = args;
  if (typeof key !== 'string' || args.length > 2) return undefined;
  if (options === undefined) return key;
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) return undefined;
  for (const value of Object.values(options)) {
    if (value !== null && value !== undefined && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  }
  return `${key}\u0000${JSON.stringify(options)}`;
}

/** One namespace of Baton's catalogs resolved along the fallback chain (what a client shows in `locale`). */
export function resolvedNamespace(locale: Locale, ns: string): Record<string, unknown> {
  const core = loadCatalogs();
  const chain = ['en', ...[...FALLBACKS[locale]].reverse().filter((l) => l !== 'en'), locale] as Locale[];
  return chain.reduce<Record<string, unknown>>((out, l) => deepMerge(out, (core[l]?.[ns] as Record<string, unknown> | undefined) ?? {}), {});
}
