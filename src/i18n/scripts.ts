// Writing systems of the 23 languages, by Unicode block, and which languages each may
// be. Script decides most cases outright; only languages sharing a script need the
// statistical detector.
import type { Locale } from '../config/env.ts';

export type Script =
  | 'Latin'
  | 'Devanagari'
  | 'Bengali'
  | 'Gurmukhi'
  | 'Gujarati'
  | 'Oriya'
  | 'Tamil'
  | 'Telugu'
  | 'Kannada'
  | 'Malayalam'
  | 'OlChiki'
  | 'MeeteiMayek'
  | 'Arabic';

const RANGES: Array<[Script, number, number]> = [
  ['Devanagari', 0x0900, 0x097f],
  ['Devanagari', 0xa8e0, 0xa8ff],
  ['Bengali', 0x0980, 0x09ff],
  ['Gurmukhi', 0x0a00, 0x0a7f],
  ['Gujarati', 0x0a80, 0x0aff],
  ['Oriya', 0x0b00, 0x0b7f],
  ['Tamil', 0x0b80, 0x0bff],
  ['Telugu', 0x0c00, 0x0c7f],
  ['Kannada', 0x0c80, 0x0cff],
  ['Malayalam', 0x0d00, 0x0d7f],
  ['OlChiki', 0x1c50, 0x1c7f],
  ['MeeteiMayek', 0xabc0, 0xabff],
  ['MeeteiMayek', 0xaae0, 0xaaff],
  ['Arabic', 0x0600, 0x06ff],
  ['Arabic', 0x0750, 0x077f],
  ['Arabic', 0xfb50, 0xfdff],
  ['Arabic', 0xfe70, 0xfeff],
  ['Latin', 0x0041, 0x005a],
  ['Latin', 0x0061, 0x007a],
  ['Latin', 0x00c0, 0x024f],
];

export const CANDIDATES: Record<Script, Locale[]> = {
  Latin: ['en', 'hi'],
  Devanagari: ['hi', 'mr', 'ne', 'kok', 'mai', 'doi', 'brx', 'sa'],
  Bengali: ['bn', 'as', 'mni'],
  Gurmukhi: ['pa'],
  Gujarati: ['gu'],
  Oriya: ['or'],
  Tamil: ['ta'],
  Telugu: ['te'],
  Kannada: ['kn'],
  Malayalam: ['ml'],
  OlChiki: ['sat'],
  MeeteiMayek: ['mni'],
  Arabic: ['ur', 'ks', 'sd'],
};

/** The usual script of each language's catalog (Manipuri: Meetei Mayek, its official script). */
export const SCRIPT_OF: Record<Locale, Script> = {
  en: 'Latin',
  as: 'Bengali',
  bn: 'Bengali',
  brx: 'Devanagari',
  doi: 'Devanagari',
  gu: 'Gujarati',
  hi: 'Devanagari',
  kn: 'Kannada',
  ks: 'Arabic',
  kok: 'Devanagari',
  mai: 'Devanagari',
  ml: 'Malayalam',
  mni: 'MeeteiMayek',
  mr: 'Devanagari',
  ne: 'Devanagari',
  or: 'Oriya',
  pa: 'Gurmukhi',
  sa: 'Devanagari',
  sat: 'OlChiki',
  sd: 'Arabic',
  ta: 'Tamil',
  te: 'Telugu',
  ur: 'Arabic',
};

export function scriptOf(char: string): Script | undefined {
  const code = char.codePointAt(0)!;
  for (const [script, from, to] of RANGES) if (code >= from && code <= to) return script;
  return undefined;
}

/** Letters per script in a text (digits, punctuation and emoji are not letters). */
export function scriptCounts(text: string): Map<Script, number> {
  const counts = new Map<Script, number>();
  for (const char of text) {
    if (!/\p{L}|\p{M}/u.test(char)) continue;
    const script = scriptOf(char);
    if (script) counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  return counts;
}

export function dominantScript(text: string): { script: Script; letters: number; share: number } | undefined {
  const counts = scriptCounts(text);
  let best: Script | undefined;
  let total = 0;
  for (const [script, n] of counts) {
    total += n;
    if (!best || n > counts.get(best)!) best = script;
  }
  return best ? { script: best, letters: counts.get(best)!, share: counts.get(best)! / total } : undefined;
}
