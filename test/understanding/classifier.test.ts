// The built-in classifier's generalisation aids: synonym concepts (also misspelt),
// training-time augmentation, the regression's calibration, and phrasings the training
// data does not contain.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { augment } from '../../src/understanding/augment.ts';
import { loadCorpus } from '../../src/understanding/corpus.ts';
import { concepts, features } from '../../src/understanding/features.ts';
import { DEFAULT_PACK_DIR, trainingExamples } from '../../src/packs/loadPack.ts';
import { NeuralClassifier } from '../../src/understanding/neuralClassifier.ts';

describe('features', () => {
  it('says one concept for synonyms, phrases and one-letter slips, in any script', () => {
    expect(concepts('I expect a compensation')).toEqual(['refund']);
    expect(concepts('i want my money back')).toEqual(['refund']);
    expect(concepts('i expect a restituton of 160 dollars')).toEqual(['refund']);
    expect(concepts('help me cacnelling purchase 113542617735902').sort()).toEqual(['cancel', 'order']);
    expect(concepts('मेरे पैसे वापस कीजिए')).toEqual(['refund']);
    expect(features('where is ORD-1002')).toContain('refid');
  });
});

describe('augmentation', () => {
  it('adds variants after each phrase, deterministically', () => {
    const examples = [{ utterance: 'i want a refund for my order', intent: 'billing.refund', locale: 'en' }];
    const [variants] = augment(examples);
    expect(variants![0]).toEqual(examples[0]);
    expect(variants!.length).toBeGreaterThan(2);
    expect(augment(examples)).toEqual(augment(examples));
  });
});

describe('classifier', async () => {
  const classifier = new NeuralClassifier(trainingExamples({ examples: loadCorpus(path.join(DEFAULT_PACK_DIR, 'training')) }), path.join(import.meta.dirname, '../../.data/cache'));
  await classifier.train();

  it('understands refund wording it was not trained on', async () => {
    for (const text of ['how can I get refunds?', "I'd like to get my money back", 'reimburse me', 'I expect a compensation']) {
      expect((await classifier.classify(text)).intent, text).toBe('billing.refund');
    }
    expect((await classifier.classify('how could I locate purchase ORD-1002')).intent).toBe('order.status');
  });

  it('is sure of clear messages and unsure of gibberish', async () => {
    expect((await classifier.classify('I was charged twice for my order')).confidence).toBeGreaterThan(0.72);
    expect((await classifier.classify('zxqv blorp fnord')).confidence).toBeLessThan(0.5);
  });
});
