// Turns text into classifier features for every script: words plus character
// trigrams (inflected Indian-language words and romanized spellings share trigrams
// even when whole words differ), with numbers and ids folded into placeholders, plus
// one concept feature (`~refund`) for every word or phrase of a synonym group in
// synonyms/<lng>.json ("reimbursement", "compensation", "money back" and "पैसे वापस" all
// say `~refund`), also when misspelt by one letter ("restituton", "cacnelling").
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { asciiDigits } from './slots.ts';

export const SYNONYMS_DIR = path.resolve(import.meta.dirname, 'synonyms');

export const SynonymFile = z.object({
  /** Concept → the words and phrases that say it. Phrases of 4+ letters also match as a word's start ("cancel" in "cancelling"). */
  groups: z.record(z.string(), z.array(z.string().min(1))).default({}),
  /** Carrier sentences for training-time augmentation: `{x}` is a training phrase. */
  frames: z.array(z.string().includes('{x}')).default([]),
});
export type SynonymFile = z.infer<typeof SynonymFile>;

/** Letters, marks and digits kept, everything else one space: what phrases are matched on. */
export const plain = (text: string) => asciiDigits(text.normalize('NFC').toLowerCase()).replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ').trim();

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Lexicon = { files: Map<string, SynonymFile>; phrases: RegExp | undefined; conceptOf: Map<string, string>; typoTargets: Map<number, Array<[string, string]>> };
let lexicon: Lexicon | undefined;

export function synonymFiles(): Map<string, SynonymFile> {
  return loadLexicon().files;
}

function loadLexicon(): Lexicon {
  if (lexicon) return lexicon;
  const files = new Map<string, SynonymFile>();
  if (existsSync(SYNONYMS_DIR)) {
    for (const file of readdirSync(SYNONYMS_DIR).filter((f) => f.endsWith('.json')).sort()) {
      const parsed = SynonymFile.safeParse(JSON.parse(readFileSync(path.join(SYNONYMS_DIR, file), 'utf8')));
      if (!parsed.success) throw new Error(`synonyms/${file}: ${parsed.error.issues[0]?.message}`);
      files.set(file.replace(/\.json$/, ''), parsed.data);
    }
  }
  const conceptOf = new Map<string, string>();
  const typoTargets = new Map<number, Array<[string, string]>>();
  for (const { groups } of files.values()) {
    for (const [concept, members] of Object.entries(groups)) {
      for (const member of members) {
        const p = plain(member);
        if (!p) continue;
        conceptOf.set(p, concept);
        // Misspellings are recognised for single Latin words long enough to be distinctive.
        if (/^[a-z]{5,}$/.test(p)) {
          const list = typoTargets.get(p.length) ?? [];
          list.push([p, concept]);
          typoTargets.set(p.length, list);
        }
      }
    }
  }
  const alternatives = [...conceptOf.keys()].sort((a, b) => b.length - a.length).map((p) => escapeRegExp(p) + ([...p].length >= 4 ? '' : '(?![\\p{L}\\p{M}])'));
  const phrases = alternatives.length ? new RegExp(`(?<![\\p{L}\\p{M}])(?:${alternatives.join('|')})`, 'gu') : undefined;
  lexicon = { files, phrases, conceptOf, typoTargets };
  return lexicon;
}

/** At most one insertion, deletion, substitution or swap of neighbours apart. */
function nearlyEqual(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return a === b;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const [restA, restB] = [a.slice(i), b.slice(i)];
  return restA.slice(1) === restB.slice(1) || restA.slice(1) === restB || restA === restB.slice(1) || (restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2));
}

/** The synonym concepts a text mentions, in order of appearance. */
export function concepts(raw: string): string[] {
  const { phrases, conceptOf, typoTargets } = loadLexicon();
  const text = plain(raw);
  const found: string[] = [];
  const covered = new Set<number>();
  if (phrases) {
    for (const match of text.matchAll(phrases)) {
      found.push(conceptOf.get(match[0])!);
      for (let i = match.index; i < match.index + match[0].length; i++) covered.add(i);
    }
  }
  let at = 0;
  for (const word of text.split(' ')) {
    const start = text.indexOf(word, at);
    at = start + word.length;
    if (covered.has(start) || !/^[a-z]{5,}$/.test(word)) continue;
    for (const len of [word.length - 1, word.length, word.length + 1]) {
      const hit = typoTargets.get(len)?.find(([target]) => nearlyEqual(word, target));
      if (hit) {
        found.push(hit[1]);
        break;
      }
    }
  }
  return found;
}

export function features(raw: string): string[] {
  const text = asciiDigits(raw.normalize('NFC').toLowerCase())
    // Reference numbers of any kind (ORD-1001, INV 77, PNR#123456) read as one token.
    .replace(/\b[a-z]{2,4}[-\s#:]?\d{3,10}\b/g, ' refid ')
    .replace(/\d+/g, ' num ');
  const words = text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  for (const word of words) {
    out.push(word);
    if ([...word].length >= 4) {
      const chars = [...`<${word}>`];
      for (let i = 0; i + 3 <= chars.length; i++) out.push(`#${chars.slice(i, i + 3).join('')}`);
    }
  }
  for (const concept of concepts(raw)) out.push(`~${concept}`);
  return out;
}
