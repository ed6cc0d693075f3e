// `npm run eval:language`: the held-out set in eval/language/<lng>.json (written apart
// from the training data, never used for training) run through the language detector
// and the intent classifier, with no hint of the expected language. Prints per
// language: messages, detection accuracy, intent accuracy; then the totals and the
// targets (detection ≥ 95 % overall and ≥ 85 % per native-script language, intent ≥ 90 %).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOCALES, type Locale } from '../config/env.ts';
import { LanguageDetector } from '../i18n/detectLanguage.ts';
import { languageSamples } from '../i18n/languageSamples.ts';
import { loadCatalogs } from '../i18n/i18n.ts';
import { loadCorpus } from '../understanding/corpus.ts';
import { DEFAULT_PACK_DIR, trainingExamples } from '../packs/loadPack.ts';
import { NeuralClassifier } from '../understanding/neuralClassifier.ts';

export const EVAL_DIR = path.resolve(import.meta.dirname, '../../eval/language');
export const EvalItem = z.object({ text: z.string().min(1), intent: z.string().min(1), romanized: z.boolean().optional() });
export type EvalItem = z.infer<typeof EvalItem>;

export type LanguageScore = { locale: Locale; n: number; detected: number; intents: number; nativeN: number; nativeDetected: number };

export function loadEvalSet(locale: Locale, dir = EVAL_DIR): EvalItem[] {
  const file = path.join(dir, `${locale}.json`);
  if (!existsSync(file)) return [];
  return z.array(EvalItem).parse(JSON.parse(readFileSync(file, 'utf8')));
}

export async function evaluate(dir = EVAL_DIR): Promise<LanguageScore[]> {
  // The demo pack's phrases and catalogs, as a running Baton learns them.
  const pack = { examples: loadCorpus(path.join(DEFAULT_PACK_DIR, 'training')), catalogs: loadCatalogs(path.join(DEFAULT_PACK_DIR, 'locales')) };
  const detector = new LanguageDetector(languageSamples(pack));
  const classifier = new NeuralClassifier(trainingExamples(pack));
  await classifier.train();
  const scores: LanguageScore[] = [];
  for (const locale of LOCALES) {
    const items = loadEvalSet(locale, dir);
    const score: LanguageScore = { locale, n: items.length, detected: 0, intents: 0, nativeN: 0, nativeDetected: 0 };
    for (const item of items) {
      const detection = detector.detect(item.text);
      const ok = detection.locale === locale;
      if (ok) score.detected++;
      if (!item.romanized) {
        score.nativeN++;
        if (ok) score.nativeDetected++;
      }
      if ((await classifier.classify(item.text)).intent === item.intent) score.intents++;
    }
    scores.push(score);
  }
  return scores;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '—');

async function main() {
  const scores = await evaluate();
  const lines = ['lang  msgs  detection  native-script  intent'];
  for (const s of scores) {
    lines.push(`${s.locale.padEnd(5)} ${String(s.n).padStart(4)}  ${pct(s.detected, s.n).padStart(9)}  ${pct(s.nativeDetected, s.nativeN).padStart(13)}  ${pct(s.intents, s.n).padStart(7)}`);
  }
  const total = scores.reduce((a, s) => ({ n: a.n + s.n, d: a.d + s.detected, i: a.i + s.intents }), { n: 0, d: 0, i: 0 });
  lines.push(`total ${String(total.n).padStart(4)}  ${pct(total.d, total.n).padStart(9)}  ${''.padStart(13)}  ${pct(total.i, total.n).padStart(7)}`);
  const weakest = scores.filter((s) => s.nativeN > 0).sort((a, b) => a.nativeDetected / a.nativeN - b.nativeDetected / b.nativeN)[0];
  const missing = scores.filter((s) => s.n < 25).map((s) => s.locale);
  lines.push('');
  lines.push(`targets: detection ≥ 95 % overall: ${total.d / Math.max(1, total.n) >= 0.95 ? 'met' : 'NOT met'}; ≥ 85 % per native-script language: ${weakest && weakest.nativeDetected / weakest.nativeN >= 0.85 ? 'met' : `NOT met (${weakest?.locale})`}; intent ≥ 90 %: ${total.i / Math.max(1, total.n) >= 0.9 ? 'met' : 'NOT met'}`);
  if (missing.length) lines.push(`languages with fewer than 25 held-out messages: ${missing.join(' ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
