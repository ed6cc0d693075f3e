// `npm run eval:language`: two kinds of evaluation data, never used for training.
// - own held-out: eval/language/<lng>.json, written by Baton's authors apart from the
//   training data (items marked `romanized` are Latin-script Indian-language text);
// - external: eval/external/<source>/<lng>.json, public customer-support data sets
//   written by other people, their intents mapped to the demo pack's (see eval/external/README.md).
// Every message goes through the language detector and the classifier with no hint of the
// expected language, and through the triage bot's routing decision: "routed" means the
// message reached the right specialist (or triage's own small talk, or a person for
// human.request). Prints per language and writes the figures to eval/results/language.json.
// `--from-corrections FILE` also shows what agents' corrected intents would change.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LOCALES, type Locale } from '../config/env.ts';
import { ConversationContext } from '../handoff/context.ts';
import { decideRoute } from '../handoff/routing.ts';
import { LanguageDetector } from '../i18n/detectLanguage.ts';
import { decideLanguage } from '../i18n/languagePolicy.ts';
import { languageSamples } from '../i18n/languageSamples.ts';
import { SCRIPT_OF } from '../i18n/scripts.ts';
import { DEFAULT_PACK_DIR, loadPack, trainingExamples, type Pack } from '../packs/loadPack.ts';
import type { Example } from '../understanding/corpus.ts';
import { SMALL_TALK, type Understanding } from '../understanding/intents.ts';
import { NeuralClassifier } from '../understanding/neuralClassifier.ts';

export const EVAL_DIR = path.resolve(import.meta.dirname, '../../eval/language');
export const EXTERNAL_DIR = path.resolve(import.meta.dirname, '../../eval/external');
const RESULTS_FILE = path.resolve(import.meta.dirname, '../../eval/results/language.json');
export const EvalItem = z.object({ text: z.string().min(1), intent: z.string().min(1), romanized: z.boolean().optional(), source_intent: z.string().optional() });
export type EvalItem = z.infer<typeof EvalItem>;

type Tally = { n: number; detected: number; intents: number; routed: number };
export type LanguageScore = {
  locale: Locale;
  own: Tally & { nativeN: number; nativeDetected: number; romanizedN: number; romanizedDetected: number };
  external: Tally & { sources: string[] };
  /** Non-English text in Devanagari, Bengali or Perso-Arabic script answered in English. */
  answeredInEnglish: number;
};

export function loadEvalSet(locale: Locale, dir = EVAL_DIR): EvalItem[] {
  const file = path.join(dir, `${locale}.json`);
  if (!existsSync(file)) return [];
  return z.array(EvalItem).parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Every external source's items for one language. */
export function loadExternalSets(locale: Locale, dir = EXTERNAL_DIR): Array<{ source: string; items: EvalItem[] }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, `${locale}.json`)))
    .map((d) => ({ source: d.name, items: loadEvalSet(locale, path.join(dir, d.name)) }))
    .sort((a, b) => a.source.localeCompare(b.source));
}

/** Did the triage bot send this message where the expected intent belongs? */
export function routedRight(pack: Pack, understanding: Understanding, expected: string): boolean {
  const triage = pack.bots.get(pack.bots.triageId)!.contract;
  // The order number is known, as when a customer names it: routing is what is measured.
  const context = ConversationContext.parse({ lineage: [`bot:${triage.id}`], slots: { orderId: { value: 'ORD-1001', pii: false, source: 'customer' } } });
  const route = decideRoute(triage, understanding, context, pack.bots);
  if (expected === 'human.request') return route.kind === 'escalate' && route.reason === 'customer_request';
  if (SMALL_TALK.includes(expected) || !pack.bots.ownerOf(expected)) return route.kind === 'stay' && understanding.intent === expected;
  const owner = pack.bots.ownerOf(expected)!.contract.id;
  return (route.kind === 'handoff' || route.kind === 'collect') && route.to === owner;
}

export type Evaluation = { scores: LanguageScore[]; misses: Array<{ locale: string; source: string; text: string; expected: string; got: string; confidence: number }> };

export async function evaluate(opts: { extraExamples?: readonly Example[] } = {}): Promise<Evaluation> {
  // The demo pack's phrases and catalogs, as a running Baton learns them.
  const pack = await loadPack(DEFAULT_PACK_DIR);
  const detector = new LanguageDetector(languageSamples(pack));
  const classifier = new NeuralClassifier([...trainingExamples(pack), ...(opts.extraExamples ?? [])]);
  await classifier.train();
  const scores: LanguageScore[] = [];
  const misses: Evaluation['misses'] = [];
  const run = async (locale: Locale, source: string, item: EvalItem, tally: Tally) => {
    tally.n++;
    const detected = detector.detect(item.text).locale === locale;
    if (detected) tally.detected++;
    const understanding = await classifier.classify(item.text);
    if (understanding.intent === item.intent) tally.intents++;
    const routed = routedRight(pack, understanding, item.intent);
    if (routed) tally.routed++;
    else misses.push({ locale, source, text: item.text, expected: item.intent, got: understanding.intent, confidence: Number(understanding.confidence.toFixed(2)) });
    return detected;
  };
  for (const locale of LOCALES) {
    const score: LanguageScore = {
      locale,
      own: { n: 0, detected: 0, intents: 0, routed: 0, nativeN: 0, nativeDetected: 0, romanizedN: 0, romanizedDetected: 0 },
      external: { n: 0, detected: 0, intents: 0, routed: 0, sources: [] },
      answeredInEnglish: 0,
    };
    const script = SCRIPT_OF[locale];
    const checkAnswer = (item: EvalItem) => {
      if (locale === 'en' || item.romanized || !['Devanagari', 'Bengali', 'Arabic'].includes(script)) return;
      const decision = decideLanguage({ text: item.text, current: 'en', chosen: null, asksToSwitch: false, detector });
      if (decision.locale === 'en') score.answeredInEnglish++;
    };
    for (const item of loadEvalSet(locale)) {
      const detected = await run(locale, 'own', item, score.own);
      checkAnswer(item);
      if (item.romanized) {
        score.own.romanizedN++;
        if (detected) score.own.romanizedDetected++;
      } else {
        score.own.nativeN++;
        if (detected) score.own.nativeDetected++;
      }
    }
    for (const { source, items } of loadExternalSets(locale)) {
      score.external.sources.push(source);
      for (const item of items) {
        await run(locale, source, item, score.external);
        checkAnswer(item);
      }
    }
    scores.push(score);
  }
  return { scores, misses };
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '—');
const share = (a: number, b: number) => (b ? Number(((100 * a) / b).toFixed(1)) : null);

/** Reviewed corrections (a pack's corrections file, or an export of agents' corrections). */
function readCorrections(file: string): Example[] {
  const parsed = z.array(z.object({ text: z.string().min(1), intent: z.string().min(1), locale: z.string().min(2) })).parse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.map((c) => ({ utterance: c.text, intent: c.intent, locale: c.locale }));
}

function table(scores: LanguageScore[]): string[] {
  const lines = [
    '              own held-out                                     external (other people\'s words)',
    'lang  msgs  detection  native  romanized  intent  routed  | msgs  detection  intent  routed  sources',
  ];
  for (const s of scores) {
    const o = s.own;
    const e = s.external;
    lines.push(
      `${s.locale.padEnd(5)} ${String(o.n).padStart(4)}  ${pct(o.detected, o.n).padStart(9)}  ${pct(o.nativeDetected, o.nativeN).padStart(7)}  ${pct(o.romanizedDetected, o.romanizedN).padStart(9)}  ${pct(o.intents, o.n).padStart(7)} ${pct(o.routed, o.n).padStart(7)}  | ${String(e.n).padStart(4)}  ${pct(e.detected, e.n).padStart(9)}  ${pct(e.intents, e.n).padStart(7)} ${pct(e.routed, e.n).padStart(7)}  ${e.sources.join(',')}`,
    );
  }
  return lines;
}

async function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--from-corrections');
  const { scores, misses } = await evaluate();
  const sum = (pick: (s: LanguageScore) => number) => scores.reduce((a, s) => a + pick(s), 0);
  const own = { n: sum((s) => s.own.n), detected: sum((s) => s.own.detected), intents: sum((s) => s.own.intents), routed: sum((s) => s.own.routed) };
  const lines = table(scores);
  lines.push(`total ${String(own.n).padStart(4)}  ${pct(own.detected, own.n).padStart(9)}  ${''.padStart(7)}  ${''.padStart(9)}  ${pct(own.intents, own.n).padStart(7)} ${pct(own.routed, own.n).padStart(7)}  | ${String(sum((s) => s.external.n)).padStart(4)}`);
  lines.push('');
  const romanized = scores.filter((s) => s.own.romanizedN > 0);
  const externalOther = scores.filter((s) => s.locale !== 'en' && s.external.n > 0);
  const en = scores.find((s) => s.locale === 'en')!;
  const english = sum((s) => s.answeredInEnglish);
  const targets = [
    { target: 'external English routed ≥ 92 %', value: share(en.external.routed, en.external.n), met: en.external.n > 0 && en.external.routed / en.external.n >= 0.92 },
    ...externalOther.map((s) => ({ target: `external ${s.locale} routed ≥ 85 %`, value: share(s.external.routed, s.external.n), met: s.external.routed / s.external.n >= 0.85 })),
    { target: 'own held-out intent ≥ 95 % overall', value: share(own.intents, own.n), met: own.intents / own.n >= 0.95 },
    { target: 'own held-out detection ≥ 99 % overall', value: share(own.detected, own.n), met: own.detected / own.n >= 0.99 },
    { target: 'no Devanagari/Bengali/Perso-Arabic message answered in English', value: english, met: english === 0 },
    ...romanized.map((s) => ({ target: `romanized ${s.locale} detection ≥ 90 %`, value: share(s.own.romanizedDetected, s.own.romanizedN), met: s.own.romanizedDetected / s.own.romanizedN >= 0.9 })),
  ];
  for (const t of targets) lines.push(`${t.met ? 'met    ' : 'NOT met'}  ${t.target}: ${t.value ?? '—'}${typeof t.value === 'number' && !t.target.startsWith('no ') ? ' %' : ''}`);
  const noExternal = scores.filter((s) => s.external.n === 0).map((s) => s.locale);
  if (noExternal.length) lines.push(`languages without an external set: ${noExternal.join(' ')}`);
  let corrections: unknown;
  if (at >= 0) {
    const file = args[at + 1];
    if (!file) throw new Error('--from-corrections needs a file: [{ "text", "intent", "locale" }]');
    const extra = readCorrections(file);
    const after = await evaluate({ extraExamples: extra });
    lines.push('', `with ${extra.length} corrections from ${file} added to training:`);
    for (const [i, s] of after.scores.entries()) {
      const b = scores[i]!;
      const changed = s.own.routed !== b.own.routed || s.external.routed !== b.external.routed;
      if (changed) lines.push(`  ${s.locale}: own routed ${pct(b.own.routed, b.own.n)} → ${pct(s.own.routed, s.own.n)}, external routed ${pct(b.external.routed, b.external.n)} → ${pct(s.external.routed, s.external.n)}`);
    }
    corrections = { file, count: extra.length, scores: after.scores };
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (at < 0) {
    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    const result = { scores, targets, misses: misses.filter((m) => m.source !== 'own').slice(0, 200), ownMisses: misses.filter((m) => m.source === 'own') };
    writeFileSync(RESULTS_FILE, JSON.stringify(result, null, 1) + '\n');
  } else if (corrections) process.stdout.write('(results file left unchanged: corrections are a what-if)\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();
