// The built-in classifier: NLP.js's neural NLU trained at start-up on every language's
// corpus at once, with Baton's own script-agnostic features instead of NLP.js's
// per-language stemmers (which exist for only a few of our 23 languages).
import { createRequire } from 'node:module';
import { Intent, type Understanding } from './intents.ts';
import { features } from './features.ts';
import type { Example } from './corpus.ts';
import type { Classifier } from './classifier.ts';

type NlpInput = { text: string; tokens?: Record<string, number> | string[] };
type NlpContainer = { register(name: string, value: unknown, isSingleton: boolean): void };
type NluNeuralInstance = {
  train(corpus: Array<{ utterance: string; intent: string }>): Promise<unknown>;
  process(text: string): Promise<{ classifications: Array<{ intent: string; score: number }> }>;
};

const require = createRequire(import.meta.url);
const PLACEHOLDERS = new Set(['num', 'orderid', 'invoiceid']);
const { containerBootstrap } = require('@nlpjs/core') as { containerBootstrap: () => NlpContainer };
const { NluNeural } = require('@nlpjs/nlu') as {
  NluNeural: new (settings: Record<string, unknown>, container: NlpContainer) => NluNeuralInstance;
};

export class NeuralClassifier implements Classifier {
  private model: Promise<NluNeuralInstance> | undefined;
  private readonly vocabulary = new Set<string>();

  constructor(private readonly examples: readonly Example[]) {
    for (const e of examples) for (const f of features(e.utterance)) this.vocabulary.add(f);
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
      const nlu = new NluNeural({ locale: 'xx', log: false, keepStopwords: true }, container);
      await nlu.train(this.examples.map((e) => ({ utterance: e.utterance, intent: e.intent })));
      return nlu;
    })();
    return this.model;
  }

  async classify(text: string): Promise<Understanding> {
    const nlu = await this.train();
    const { classifications } = await nlu.process(text);
    const ranked = classifications
      .map((c) => ({ intent: Intent.safeParse(c.intent).success ? (c.intent as Intent) : 'None', score: c.score }))
      .sort((a, b) => b.score - a.score);
    const best = ranked[0];
    const coverage = this.coverage(text);
    if (!best || best.score <= 0 || coverage === 0) return { intent: 'None', confidence: 0, alternatives: [], source: 'neural' };
    const confidence = best.score * Math.min(1, 0.4 + coverage);
    return { intent: best.intent, confidence, alternatives: ranked.slice(1, 3), source: 'neural' };
  }
}
