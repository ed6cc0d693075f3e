// The built-in classifier: NLP.js's neural NLU trained at start-up on every language's
// corpus at once, with Baton's own script-agnostic features instead of NLP.js's
// per-language stemmers (which exist for only a few of our 23 languages).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { NO_INTENT, type Understanding } from './intents.ts';
import { features } from './features.ts';
import type { Example } from './corpus.ts';
import type { Classifier } from './classifier.ts';

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
const MODEL_VERSION = 2;
const { containerBootstrap } = require('@nlpjs/core') as { containerBootstrap: () => NlpContainer };
const { NluNeural } = require('@nlpjs/nlu') as {
  NluNeural: new (settings: Record<string, unknown>, container: NlpContainer) => NluNeuralInstance;
};

export class NeuralClassifier implements Classifier {
  private model: Promise<NluNeuralInstance> | undefined;
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

  /** Trains once; later calls share the same model. */
  train(): Promise<NluNeuralInstance> {
    this.model ??= (async () => {
      const container = containerBootstrap();
      container.register('normalize', { run: (input: NlpInput) => input }, true);
      container.register('tokenize', { run: (input: NlpInput) => ({ ...input, tokens: features(input.text) }) }, true);
      container.register('removeStopwords', { run: (input: NlpInput) => input }, true);
      container.register('stem', { run: (input: NlpInput) => input }, true);
      const nlu = new NluNeural({ locale: 'xx', log: false, keepStopwords: true, ...TRAINING }, container);
      // Training takes seconds; a model trained on exactly this corpus is reused from disk.
      const key = createHash('sha256').update(JSON.stringify({ v: MODEL_VERSION, TRAINING, examples: this.examples })).digest('hex').slice(0, 16);
      const file = path.join(this.cacheDir, `classifier-${key}.json`);
      if (existsSync(file)) {
        try {
          nlu.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
          return nlu;
        } catch {
          /* a damaged cache file: train again */
        }
      }
      await nlu.train(this.examples.map((e) => ({ utterance: e.utterance, intent: e.intent })));
      try {
        mkdirSync(this.cacheDir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(nlu.toJSON()));
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

  async classify(text: string): Promise<Understanding> {
    const nlu = await this.train();
    const { classifications } = await nlu.process(text);
    const ranked = classifications
      .map((c) => ({ intent: this.intents.has(c.intent) ? c.intent : NO_INTENT, score: c.score }))
      .sort((a, b) => b.score - a.score);
    const best = ranked[0];
    const coverage = this.coverage(text);
    if (!best || best.score <= 0 || coverage === 0) return { intent: NO_INTENT, confidence: 0, alternatives: [], source: 'neural' };
    const confidence = best.score * Math.min(1, 0.4 + coverage);
    return { intent: best.intent, confidence, alternatives: ranked.slice(1, 3), source: 'neural' };
  }
}
