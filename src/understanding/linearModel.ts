// The second model of the ensemble: multinomial logistic regression over the same
// sparse features (words, character trigrams, synonym concepts), trained by plain
// stochastic gradient descent with L2 decay. Deterministic: the same examples give the
// same weights, so it needs no cache of its own.

export type Featurized = { features: readonly string[]; intent: string };

/** Small, seeded, good enough to shuffle. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LinearModel {
  private readonly index = new Map<string, number>();
  private weights = new Float32Array(0);
  private bias = new Float32Array(0);
  readonly intents: string[];

  constructor(
    examples: readonly Featurized[],
    private readonly opts: { epochs?: number; rate?: number; decay?: number; seed?: number } = {},
  ) {
    this.intents = [...new Set(examples.map((e) => e.intent))].sort();
    for (const e of examples) for (const f of e.features) if (!this.index.has(f)) this.index.set(f, this.index.size);
    this.train(examples);
  }

  private vector(features: readonly string[]): number[] {
    return [...new Set(features.map((f) => this.index.get(f)).filter((i): i is number => i !== undefined))];
  }

  private logits(ids: readonly number[]): Float64Array {
    const k = this.intents.length;
    const out = new Float64Array(k);
    // Binary features scaled by 1/sqrt(n): long messages do not shout down short ones.
    const scale = 1 / Math.sqrt(Math.max(1, ids.length));
    for (let c = 0; c < k; c++) out[c] = this.bias[c]!;
    for (const id of ids) for (let c = 0; c < k; c++) out[c]! += this.weights[id * k + c]! * scale;
    return out;
  }

  private train(examples: readonly Featurized[]) {
    const { epochs = 12, rate = 0.5, decay = 1e-5, seed = 7 } = this.opts;
    const k = this.intents.length;
    this.weights = new Float32Array(this.index.size * k);
    this.bias = new Float32Array(k);
    const data = examples.map((e) => ({ ids: this.vector(e.features), y: this.intents.indexOf(e.intent) }));
    const random = rng(seed);
    const order = data.map((_, i) => i);
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const lr = rate / (1 + epoch);
      for (const n of order) {
        const { ids, y } = data[n]!;
        const p = softmax(this.logits(ids));
        const scale = 1 / Math.sqrt(Math.max(1, ids.length));
        for (let c = 0; c < k; c++) {
          const g = p[c]! - (c === y ? 1 : 0);
          this.bias[c]! -= lr * g * 0.1;
          if (Math.abs(g) < 1e-4) continue;
          for (const id of ids) {
            const w = id * k + c;
            this.weights[w] = this.weights[w]! * (1 - lr * decay) - lr * g * scale;
          }
        }
      }
    }
  }

  /** Probability per intent; `temperature` > 1 softens, < 1 sharpens. */
  predict(features: readonly string[], temperature = 1): Map<string, number> {
    const logits = this.logits(this.vector(features)).map((l) => l / temperature);
    const p = softmax(logits);
    return new Map(this.intents.map((intent, c) => [intent, p[c]!]));
  }

  /**
   * Calibration: the temperature at which the model's probabilities best match how often
   * it is right on phrases it was not trained on (k-fold over `groups`, each group a
   * phrase and its augmented variants, which stay in the same fold).
   */
  static fitTemperature(groups: ReadonlyArray<readonly Featurized[]>, folds = 3): number {
    const held: Array<{ p: (t: number) => number }> = [];
    for (let fold = 0; fold < folds; fold++) {
      const train = groups.filter((_, i) => i % folds !== fold).flat();
      const model = new LinearModel(train);
      for (const [i, group] of groups.entries()) {
        const original = group[0];
        if (i % folds !== fold || !original || !model.intents.includes(original.intent)) continue;
        const logits = model.logits(model.vector(original.features));
        const y = model.intents.indexOf(original.intent);
        held.push({ p: (t) => softmax(logits.map((l) => l / t))[y]! });
      }
    }
    let best = { t: 1, nll: Infinity };
    for (let t = 0.2; t <= 3; t += 0.05) {
      const nll = held.reduce((sum, h) => sum - Math.log(Math.max(1e-9, h.p(t))), 0);
      if (nll < best.nll) best = { t, nll };
    }
    return Number(best.t.toFixed(2));
  }
}

function softmax(logits: Float64Array): Float64Array {
  const max = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}
