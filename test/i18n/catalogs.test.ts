// Every customer-facing string exists in all 23 languages, with the same placeholders
// as English, in the language's own script, and actually translated.
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/config/env.ts';
import path from 'node:path';
import { i18n, installPackCatalogs, loadCatalogs, translator } from '../../src/i18n/i18n.ts';
import { DEFAULT_PACK_DIR } from '../../src/packs/loadPack.ts';
import { SCRIPT_OF, scriptCounts } from '../../src/i18n/scripts.ts';

type Tree = Record<string, unknown>;
// Baton's own catalogs, and the bundled demo pack's (it declares all 23 languages).
const sets = [
  { name: 'locales', catalogs: loadCatalogs() },
  { name: 'packs/shopkart/locales', catalogs: loadCatalogs(path.join(DEFAULT_PACK_DIR, 'locales')) },
];

function flatten(tree: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof tree === 'string') out.set(prefix, tree);
  else if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree as Tree)) for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  }
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]).sort();
describe.each(sets.flatMap(({ name, catalogs }) => LOCALES.filter((l) => l !== 'en').map((locale) => ({ name, catalogs, locale }))))('$name/$locale', ({ name, catalogs, locale }) => {
  const en = flatten(catalogs.en);
  const strings = flatten(catalogs[locale]);

  it('has every key English has', () => {
    const missing = [...en.keys()].filter((k) => !strings.has(k));
    expect(missing, `missing in ${name}/${locale}`).toEqual([]);
  });

  it('has every plural form its language needs', () => {
    const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    const bases = new Set([...en.keys()].filter((k) => PLURAL.test(k)).map((k) => k.replace(PLURAL, '')));
    const missing = [...bases].flatMap((b) => categories.filter((c) => !strings.has(`${b}_${c}`)).map((c) => `${b}_${c}`));
    expect(missing).toEqual([]);
  });

  it('uses the same placeholders as English', () => {
    const wrong = [...en].flatMap(([key, text]) => {
      const own = strings.get(key);
      if (own === undefined) return [];
      const want = placeholders(text).filter((p) => p !== 'count');
      const got = placeholders(own).filter((p) => p !== 'count');
      return JSON.stringify(want) === JSON.stringify(got) ? [] : [`${key}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`];
    });
    expect(wrong).toEqual([]);
  });

  it(`is written mostly in its own script`, () => {
    const expected = SCRIPT_OF[locale];
    let own = 0;
    let total = 0;
    for (const text of strings.values()) {
      const clean = text.replace(/\{\{[^}]*\}\}|ShopKart|Baton|ORD-\d+|INV-\d+/g, ' ');
      for (const [script, n] of scriptCounts(clean)) {
        total += n;
        if (script === expected) own += n;
      }
    }
    expect(own / Math.max(1, total)).toBeGreaterThan(0.85);
  });

  it('is translated, not English copied across', () => {
    const same = [...en].filter(([key, text]) => strings.get(key) === text && /[a-z]{3}/i.test(text.replace(/\{\{[^}]*\}\}|ShopKart|Baton/g, '')));
    expect(same.map(([k]) => k)).toEqual([]);
  });
});

describe('i18next set-up', () => {
  it('interpolates, pluralises per language and falls back along the chain, with a pack over Baton', () => {
    installPackCatalogs(sets[1]!.catalogs);
    const t = i18n().getFixedT('en');
    expect(t('orders:status.shipped', { orderId: 'ORD-1', count: 1, date: 'x' })).toMatch(/tomorrow/);
    expect(t('orders:status.shipped', { orderId: 'ORD-1', count: 3, date: 'x' })).toMatch(/3 days/);
    // A key missing in Maithili is looked up in Hindi before English.
    const chain = i18n().services.languageUtils.getFallbackCodes(i18n().options.fallbackLng, 'mai');
    expect(chain.slice(0, 2)).toEqual(['hi', 'en']);
  });

  it('translates again for other options, and from the new catalogs after a pack reload (answers are remembered per catalog)', () => {
    installPackCatalogs(sets[1]!.catalogs);
    const t = translator('en');
    const once = t('orders:status.shipped', { orderId: 'ORD-1', count: 1, date: 'x' });
    expect(t('orders:status.shipped', { orderId: 'ORD-1', count: 1, date: 'x' })).toBe(once);
    expect(t('orders:status.shipped', { orderId: 'ORD-2', count: 3, date: 'x' })).toMatch(/ORD-2.*3 days|3 days.*ORD-2/s);
    const catalogs = structuredClone(sets[1]!.catalogs);
    (catalogs.en!.orders as { status: { shipped_one: string } }).status.shipped_one = 'Reloaded {{orderId}}';
    installPackCatalogs(catalogs);
    expect(t('orders:status.shipped', { orderId: 'ORD-1', count: 1, date: 'x' })).toBe('Reloaded ORD-1');
    installPackCatalogs(sets[1]!.catalogs);
  });
});
