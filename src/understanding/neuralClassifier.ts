// The built-in classifier: an ensemble of NLP.js's neural NLU and a logistic regression
// (linearModel.ts), both trained at start-up on every language's corpus at once, with
// Baton's own script-agnostic features (words, character trigrams, synonym concepts)
// instead of NLP.js's per-language stemmers (which exist for only a few of our 23
// languages). The regression also learns from augmented phrases (augment.ts).
import { boundedCache } from '../shared/boundedCache.ts';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NO_INTENT, type Understanding } from './intents.ts';
import { features } from './features.ts';
import type { Example } from './corpus.ts';
import type { Classifier } from './classifier.ts';
import { augment } from './augment.ts';
import { LinearModel } from './linearModel.ts';

type NlpInput = { text: string; tokens?: Record<string, number> | string[] };
type NlpContainer = { register(name: string, value: unknown, isSingleton: boolean): void };
type NluNeuralInstance = {
  train(corpus: Array<{ utterance: string; intent: string }>): Promise<unknown>;
  toJSON(): unknown;
  fromJSON(json: unknown): void;
  process(text: string): Promise<{ classifications: Array<{ intent: string; score: number }> }>;
};

const require = createRequire(import.meta.url);
const PLACEHOLDERS = new Set(['num', 'refid']);
// NLP.js stops when the error improves less than deltaErrorThresh per pass, which with
// 23 languages happens after a few dozen passes; a fixed number of passes learns all.
const TRAINING = { deltaErrorThresh: 0, iterations: 150 };
/** Bump when features() changes: cached models were trained on the old features. */
const MODEL_VERSION = 3;
/**
 * Share of the NLP.js model in the ensemble; the rest is the regression's. Measured with
 * `npm run eval:language` (eval/README.md): the calibrated regression alone routes other
 * people's English best (93 % at 0, 91 % at 0.15, 80 % at 0.3: NLP.js's scores are not
 * calibrated and pull confidence below the routing threshold), so NLP.js is not trained
 * unless BATON_NEURAL_WEIGHT asks for it.
 */
const NEURAL_WEIGHT = Number(process.env.BATON_NEURAL_WEIGHT ?? 0);
const { containerBootstrap } = require('@nlpjs/core') as { containerBootstrap: () => NlpContainer };
const { NluNeural } = require('@nlpjs/nlu') as {
  NluNeural: new (settings: Record<string, unknown>, container: NlpContainer) => NluNeuralInstance;
};

export class NeuralClassifier implements Classifier {
  private model: Promise<NluNeuralInstance> | undefined;
  private linear: LinearModel | undefined;
  private temperature = 1;
  private readonly vocabulary = new Set<string>();
  private readonly intents = new Set<string>();

  constructor(
    private readonly examples: readonly Example[],
    private readonly cacheDir = process.env.BATON_CACHE_DIR ?? path.resolve(import.meta.dirname, '../../.data/cache'),
  ) {
    for (const e of examples) {
      this.intents.add(e.intent);
      for (const f of features(e.utterance)) this.vocabulary.add(f);
    }
  }

  /**
   * How much of the message the model has seen at all, 0..1. NLP.js normalizes scores
   * so the best intent of pure gibberish can still score 1; coverage tempers that.
   */
  coverage(text: string): number {
    const feats = features(text).filter((f) => !PLACEHOLDERS.has(f));
    const words = feats.filter((f) => !f.startsWith('#'));
    const grams = feats.filter((f) => f.startsWith('#'));
    if (words.length === 0) return 1;
    const share = (list: string[]) => (list.length ? list.filter((f) => this.vocabulary.has(f)).length / list.length : 0);
    const wordShare = share(words);
    const gramShare = share(grams);
    if (wordShare === 0 && gramShare < 0.5) return 0;
    // One or two words never seen in training ("banana") are not worth a guess.
    if (wordShare === 0 && words.length <= 2) return Math.min(gramShare, 0.3);
    return Math.max(wordShare, gramShare * 0.9);
  }

  /** Trains once; later calls share the same models. */
  train(): Promise<NluNeuralInstance> {
    this.model ??= (async () => {
      const container = containerBootstrap();
      container.register('normalize', { run: (input: NlpInput) => input }, true);
      container.register('tokenize', { run: (input: NlpInput) => ({ ...input, tokens: features(input.text) }) }, true);
      container.register('removeStopwords', { run: (input: NlpInput) => input }, true);
      container.register('stem', { run: (input: NlpInput) => input }, true);
      const nlu = new NluNeural({ locale: 'xx', log: false, keepStopwords: true, ...TRAINING }, container);
      const groups = augment(this.examples).map((variants) => variants.map((e) => ({ features: features(e.utterance), intent: e.intent })));
      this.linear = new LinearModel(groups.flat());
      // Training takes seconds; models trained on exactly this corpus are reused from disk
      // (the neural network's weights and the regression's calibrated temperature; the
      // regression itself is deterministic and quick to train again).
      const key = createHash('sha256').update(JSON.stringify({ v: MODEL_VERSION, TRAINING, NEURAL_WEIGHT, examples: this.examples })).digest('hex').slice(0, 16);
      const file = path.join(this.cacheDir, `classifier-${key}.json`);
      if (existsSync(file)) {
        try {
          const cached = JSON.parse(readFileSync(file, 'utf8')) as { nlu: unknown; temperature: number };
          nlu.fromJSON(cached.nlu);
          this.temperature = cached.temperature;
          return nlu;
        } catch {
          /* a damaged cache file: train again */
        }
      }
      this.temperature = LinearModel.fitTemperature(groups);
      if (NEURAL_WEIGHT > 0) await nlu.train(this.examples.map((e) => ({ utterance: e.utterance, intent: e.intent })));
      try {
        mkdirSync(this.cacheDir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ nlu: nlu.toJSON(), temperature: this.temperature }));
        renameSync(tmp, file);
        for (const old of readdirSync(this.cacheDir)) {
          if (old.startsWith('classifier-') && old !== path.basename(file)) rmSync(path.join(this.cacheDir, old), { force: true });
        }
      } catch {
        /* a read-only checkout still works, it just trains every start */
      }
      return nlu;
    })();
    return this.model;
  }

  /** Same text, same answer (the model does not change after training): worked out once per text. */
  private readonly scored = boundedCache(5000, (text: string) => ({
    scores: this.linear!.predict(features(text), Number(process.env.BATON_LR_TEMPERATURE ?? this.temperature)),
    coverage: this.coverage(text),
  }));

  async classify(text: string): Promise<Understanding> {
    const nlu = await this.train();
    const { classifications } = NEURAL_WEIGHT > 0 ? await nlu.process(text) : { classifications: [] };
    const combined = new Map<string, number>();
    for (const c of classifications) {
      const intent = this.intents.has(c.intent) ? c.intent : NO_INTENT;
      combined.set(intent, (combined.get(intent) ?? 0) + NEURAL_WEIGHT * c.score);
    }
    const { scores, coverage } = this.scored(text);
    for (const [intent, p] of scores) combined.set(intent, (combined.get(intent) ?? 0) + (1 - NEURAL_WEIGHT) * p);
    const ranked = [...combined].map(([intent, score]) => ({ intent, score })).sort((a, b) => b.score - a.score);
    const best = ranked[0];
    if (!best || best.score <= 0 || coverage === 0) return { intent: NO_INTENT, confidence: 0, alternatives: [], source: 'neural' };
    const confidence = best.score * Math.min(1, 0.4 + coverage);
    return { intent: best.intent, confidence, alternatives: ranked.slice(1, 3), source: 'neural' };
  }
}
