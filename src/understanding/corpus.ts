// Training utterances, one file per language: <lng>.json maps each intent to natural
// examples. Baton's own runtime intents live in corpus/; a pack brings its own in
// training/ (read with the same loader). Held-out evaluation data lives elsewhere (eval/), never here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const CORPUS_DIR = path.resolve(import.meta.dirname, 'corpus');

export const CorpusFile = z.record(z.string(), z.array(z.string().min(1)));
export type CorpusFile = z.infer<typeof CorpusFile>;

export type Example = { utterance: string; intent: string; locale: string };

let defaultCorpus: Example[] | undefined;

/** Read once per process for the default folder (the classifier and the language detector both train on it). */
export function loadCorpus(dir = CORPUS_DIR): Example[] {
  if (dir === CORPUS_DIR && defaultCorpus) return defaultCorpus;
  if (!existsSync(dir)) return [];
  const examples: Example[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const locale = file.replace(/\.json$/, '');
    const parsed = CorpusFile.safeParse(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`corpus/${file}: ${parsed.error.issues[0]?.message}`);
    for (const [intent, utterances] of Object.entries(parsed.data)) {
      for (const utterance of utterances ?? []) examples.push({ utterance, intent, locale });
    }
  }
  if (dir === CORPUS_DIR) defaultCorpus = examples;
  return examples;
}
