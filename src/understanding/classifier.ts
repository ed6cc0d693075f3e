// The classifier port, and the choice of adapter: an OpenAI-compatible model when
// LLM_BASE_URL and LLM_MODEL are set (falling back to the built-in one if it fails),
// otherwise the built-in neural classifier.
import type { Config } from '../config/env.ts';
import type { Logger } from '../shared/logger.ts';
import type { Example } from './corpus.ts';
import type { Understanding } from './intents.ts';
import { LlmClassifier } from './llmClassifier.ts';
import { NeuralClassifier } from './neuralClassifier.ts';

export interface Classifier {
  classify(text: string, locale: string): Promise<Understanding>;
}

/** `examples`: Baton's runtime corpus and the pack's training phrases together. */
export function createClassifier(config: Pick<Config, 'llm' | 'providerTimeoutMs'>, log: Logger, examples: readonly Example[]): Classifier & { warmUp(): Promise<void> } {
  const neural = new NeuralClassifier(examples);
  const intents = [...new Set(examples.map((e) => e.intent))];
  const llm = config.llm ? new LlmClassifier(config.llm, config.providerTimeoutMs, intents) : undefined;
  return {
    async warmUp() {
      await neural.train();
    },
    async classify(text, locale) {
      if (llm) {
        try {
          return await llm.classify(text, locale);
        } catch (err) {
          log.warn({ err: err instanceof Error ? err.message : String(err) }, 'LLM classification failed; using the built-in classifier');
        }
      }
      return neural.classify(text);
    },
  };
}
