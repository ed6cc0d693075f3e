// The console's labels, in the agent's language: the `console` catalog of
// locales/<locale>/console.json, fetched from GET /agent/strings (resolved along the
// language fallback chain on the server). `{{name}}` placeholders are filled by t().
import { isRtl } from '../i18n/direction.ts';

type Tree = { [key: string]: string | Tree };
let strings: Tree = {};
let uiLocale = 'en';

export const consoleLocale = () => uiLocale;

/** Loads the labels for `locale` and sets the page's language and direction. */
export async function loadStrings(locale: string): Promise<void> {
  const res = await fetch(`/agent/strings?locale=${encodeURIComponent(locale)}`, { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Error(`labels: ${res.status}`);
  const body = (await res.json()) as { locale: string; dir: 'ltr' | 'rtl'; strings: Tree };
  strings = body.strings;
  uiLocale = body.locale;
  document.documentElement.lang = body.locale;
  document.documentElement.dir = isRtl(body.locale) ? 'rtl' : body.dir;
}

function lookup(key: string): string | undefined {
  let node: string | Tree | undefined = strings;
  for (const part of key.split('.')) node = node && typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

export const has = (key: string) => lookup(key) !== undefined;

export function t(key: string, vars: Record<string, string | number> = {}): string {
  const text = lookup(key) ?? key;
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (vars[name] != null ? String(vars[name]) : whole));
}
