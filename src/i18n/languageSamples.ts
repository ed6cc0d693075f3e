// Training text for the language detector: every catalog string (placeholders
// removed) and every training utterance, labelled with its language. The held-out
// evaluation set (eval/language) is never part of it.
import type { Locale } from '../config/env.ts';
import { loadCorpus } from '../understanding/corpus.ts';
import type { Sample } from './detectLanguage.ts';
import { loadCatalogs } from './i18n.ts';

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/\{\{[^}]*\}\}/g, ' ')];
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** `extra`: the running pack's training phrases and catalogs, which are real text in each language too. */
export function languageSamples(extra: { examples?: ReadonlyArray<{ locale: string; utterance: string }>; catalogs?: Record<string, unknown> } = {}): Sample[] {
  const samples: Sample[] = [];
  for (const [locale, namespaces] of [...Object.entries(loadCatalogs()), ...Object.entries(extra.catalogs ?? {})]) {
    // Brand names and ids are the same in every language; they teach nothing.
    for (const text of strings(namespaces)) samples.push({ locale: locale as Locale, text: text.replace(/Baton|\b[A-Z]{2,4}-\d+/g, ' ') });
  }
  for (const example of [...loadCorpus(), ...(extra.examples ?? [])]) samples.push({ locale: example.locale as Locale, text: example.utterance });
  return samples;
}
