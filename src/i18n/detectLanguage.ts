// Which of the 23 languages a customer wrote in. Script first (Tamil script is Tamil);
// letters only one language of a script uses next (ৰ/ৱ → Assamese, ڪ/ٻ → Sindhi,
// ٲ/ۄ → Kashmiri); within a shared script, a character n-gram model trained on
// Baton's own texts in each language, blended with franc's trigram model where
// franc knows the language. Latin script is English or romanized Indian language
// ("mera order kab aayega"). Short messages ("ok", "1", emoji, an order id) never
// decide anything.
import { boundedCache } from '../shared/boundedCache.ts';
import { francAll } from 'franc';
import type { Locale } from '../config/env.ts';
import { CANDIDATES, dominantScript, type Script } from './scripts.ts';

export type Detection =
  | { locale: Locale; confidence: number; script: Script; romanized: boolean; by: 'script' | 'marker' | 'ngram' }
  | { locale: undefined; reason: 'too_short' | 'no_letters' | 'unknown_words' };

export type Sample = { locale: Locale; text: string };

const ISO3: Partial<Record<Locale, string>> = {
  hi: 'hin', mr: 'mar', ne: 'nep', kok: 'gom', mai: 'mai', doi: 'doi', sa: 'san',
  bn: 'ben', as: 'asm', mni: 'mni', ur: 'urd', ks: 'kas', sd: 'snd', en: 'eng',
};

const MARKERS: Array<{ script: Script; pattern: RegExp; locale: Locale }> = [
  { script: 'Bengali', pattern: /[ৰৱ]/u, locale: 'as' },
  { script: 'Arabic', pattern: /[ٻڄڃڇڏڊڍڌڙڳڱٺٽٿڦڪ]/u, locale: 'sd' },
  { script: 'Arabic', pattern: /[ۄؠٲٳۆێ]/u, locale: 'ks' },
];

const ID_LIKE = /\b(?:ORD|INV)[-\s#:]?\d+\b/gi;

function grams(text: string): string[] {
  const out: string[] = [];
  for (const word of text.toLowerCase().normalize('NFC').match(/[\p{L}\p{M}]+/gu) ?? []) {
    const chars = [...` ${word} `];
    for (let n = 1; n <= 3; n++) for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
  }
  return out;
}

// Additive smoothing of the n-gram models (0.5 let large models beat small ones on grams both lack).
const SMOOTHING = 0.1;
const MIN_ROMANIZED_SAMPLES = 15;

type Model = { counts: Map<string, number>; total: number };

export class LanguageDetector {
  private readonly models = new Map<string, Model>();
  private readonly vocabulary = new Set<string>();
  /** Distinct grams per script: the smoothing of a model counts only its own script's grams. */
  private readonly scriptVocabulary = new Map<Script, Set<string>>();

  /**
   * Samples in Latin script for a non-English language train its romanized model, once
   * there are enough of them: a stray Latin line or two (a brand, an English word in a
   * catalog) would make a tiny model that wins short English messages.
   */
  constructor(samples: readonly Sample[]) {
    const scripted = samples.map((s) => ({ ...s, script: dominantScript(s.text.replace(ID_LIKE, ' ')) }));
    const romanized = new Map<string, number>();
    for (const s of scripted) if (s.script?.script === 'Latin' && s.locale !== 'en') romanized.set(s.locale, (romanized.get(s.locale) ?? 0) + 1);
    for (const { locale, text, script } of scripted) {
      if (!script) continue;
      const latin = script.script === 'Latin' && locale !== 'en';
      if (latin && (romanized.get(locale) ?? 0) < MIN_ROMANIZED_SAMPLES) continue;
      const label = latin ? `${locale}-Latn` : locale;
      let model = this.models.get(label);
      if (!model) this.models.set(label, (model = { counts: new Map(), total: 0 }));
      for (const g of grams(text)) {
        model.counts.set(g, (model.counts.get(g) ?? 0) + 1);
        model.total++;
        this.vocabulary.add(g);
        let own = this.scriptVocabulary.get(script.script);
        if (!own) this.scriptVocabulary.set(script.script, (own = new Set()));
        own.add(g);
      }
    }
  }

  /** Same text, same answer: worked out once per text (the last 5,000 kept). */
  readonly detect: (raw: string) => Detection = boundedCache(5000, (raw) => this.detectText(raw));

  private detectText(raw: string): Detection {
    const text = raw.replace(ID_LIKE, ' ');
    const dominant = dominantScript(text);
    if (!dominant) return { locale: undefined, reason: 'no_letters' };
    const { script, letters } = dominant;
    const words = text.match(/[\p{L}\p{M}]+/gu)?.length ?? 0;
    // "ok", "hi", "thx": too little to tell English from anything romanized.
    if (letters < 3 || (script === 'Latin' && (words < 2 || letters < 6))) return { locale: undefined, reason: 'too_short' };

    const marker = MARKERS.find((m) => m.script === script && m.pattern.test(text));
    if (marker) return { locale: marker.locale, confidence: 0.99, script, romanized: false, by: 'marker' };

    // Latin letters the models have never seen (gibberish, a language we do not
    // model) must not pick the smallest model by default.
    const trigrams = grams(text).filter((g) => [...g].length === 3);
    const known = trigrams.filter((g) => this.vocabulary.has(g)).length / Math.max(1, trigrams.length);
    if (script === 'Latin' && known < 0.5) return { locale: undefined, reason: 'unknown_words' };

    const candidates = script === 'Latin' ? ['en', ...[...this.models.keys()].filter((l) => l.endsWith('-Latn'))] : CANDIDATES[script];
    if (candidates.length === 1) return { locale: candidates[0] as Locale, confidence: 1, script, romanized: false, by: 'script' };

    const posterior = this.posterior(text, candidates, script);
    const [best, top] = [...posterior.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const confidence = top * Math.min(1, known / 0.5);
    const romanized = best.endsWith('-Latn');
    return { locale: best.replace(/-Latn$/, '') as Locale, confidence, script, romanized, by: 'ngram' };
  }

  private posterior(text: string, candidates: readonly string[], script: Script): Map<string, number> {
    const features = grams(text);
    // Smoothing over the grams of this script only: with every script's grams counted, a
    // language with few samples (romanized Marathi) could never beat one with many.
    const vocab = (this.scriptVocabulary.get(script)?.size ?? this.vocabulary.size) + 1;
    const logs = candidates.map((label) => {
      const model = this.models.get(label);
      if (!model) return -Infinity;
      let sum = 0;
      for (const g of features) sum += Math.log(((model.counts.get(g) ?? 0) + SMOOTHING) / (model.total + SMOOTHING * vocab));
      return sum / Math.max(1, features.length);
    });
    // Per-gram average log likelihoods, sharpened into probabilities.
    const max = Math.max(...logs);
    // No model for any candidate yet: nothing to prefer.
    const weights = Number.isFinite(max) ? logs.map((l) => (Number.isFinite(l) ? Math.exp((l - max) * 12) : 0)) : logs.map(() => 1);
    const total = weights.reduce((a, b) => a + b, 0) || 1;
    const nb = new Map(candidates.map((label, i) => [label, weights[i]! / total]));

    // franc's trigram profiles as a second opinion on longer texts it can judge.
    const known = candidates.filter((label) => ISO3[label.replace(/-Latn$/, '') as Locale] && script !== 'Latin');
    if (text.length < 25 || known.length < 2) return nb;
    const only = known.map((l) => ISO3[l as Locale]!);
    const franc = new Map(francAll(text, { only, minLength: 10 }).map(([iso, score]) => [iso, score]));
    const blended = new Map<string, number>();
    for (const label of candidates) {
      const iso = ISO3[label as Locale];
      const f = iso ? (franc.get(iso) ?? 0) : 0;
      blended.set(label, 0.8 * nb.get(label)! + 0.2 * (f / Math.max(1, known.length / 2)));
    }
    const sum = [...blended.values()].reduce((a, b) => a + b, 0) || 1;
    return new Map([...blended].map(([k, v]) => [k, v / sum]));
  }
}
