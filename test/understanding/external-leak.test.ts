// The external evaluation sets (eval/external) measure Baton on other people's words, so
// none of their items may be trained on: no external item, normalized, appears in
// Baton's corpus or in any pack's training phrases. The own held-out set likewise.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/config/env.ts';
import { EVAL_DIR, EXTERNAL_DIR, loadEvalSet, loadExternalSets } from '../../src/dev/evalLanguage.ts';
import { CORPUS_DIR, loadCorpus } from '../../src/understanding/corpus.ts';

const PACKS_DIR = path.resolve(import.meta.dirname, '../../packs');
const normalize = (text: string) => text.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ').trim();

const trainingDirs = [CORPUS_DIR, ...readdirSync(PACKS_DIR).map((p) => path.join(PACKS_DIR, p, 'training')).filter((d) => existsSync(d))];
const trained = new Map<string, string>();
for (const dir of trainingDirs) for (const e of loadCorpus(dir)) trained.set(normalize(e.utterance), path.relative(path.resolve(PACKS_DIR, '..'), dir));

describe('evaluation data stays out of training', () => {
  it('has external sets to check', () => {
    expect(LOCALES.flatMap((l) => loadExternalSets(l, EXTERNAL_DIR)).length).toBeGreaterThan(0);
  });

  it('no external item appears in a training file', () => {
    const leaks = LOCALES.flatMap((locale) =>
      loadExternalSets(locale, EXTERNAL_DIR).flatMap(({ source, items }) => items.filter((i) => trained.has(normalize(i.text))).map((i) => `${source}/${locale}: "${i.text}" in ${trained.get(normalize(i.text))}`)),
    );
    expect(leaks).toEqual([]);
  });

  it('no own held-out item appears in a training file', () => {
    const leaks = LOCALES.flatMap((locale) => loadEvalSet(locale, EVAL_DIR).filter((i) => trained.has(normalize(i.text))).map((i) => `${locale}: "${i.text}" in ${trained.get(normalize(i.text))}`));
    expect(leaks).toEqual([]);
  });
});
