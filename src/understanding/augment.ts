// Training-time augmentation, so a few examples per intent cover more of how people
// write: every training phrase also as (1) the phrase with a word swapped for another of
// its synonym group in the same language, (2) the phrase with one typing slip, (3) the
// phrase inside a carrier sentence of that language ("can you help me …"), which
// teaches that the carrier words say nothing about the intent. Deterministic (seeded).
import type { Example } from './corpus.ts';
import { escapeRegExp, plain, synonymFiles } from './features.ts';
import { SMALL_TALK } from './intents.ts';
import { rng } from './linearModel.ts';

/** One typing slip in a word of 5+ letters: a letter dropped, doubled or swapped with the next. */
function typo(text: string, random: () => number): string | undefined {
  const words = [...text.matchAll(/[\p{L}\p{M}]{5,}/gu)];
  if (!words.length) return undefined;
  const match = words[Math.floor(random() * words.length)]!;
  const chars = [...match[0]];
  const i = 1 + Math.floor(random() * (chars.length - 2));
  const kind = Math.floor(random() * 3);
  if (kind === 0) chars.splice(i, 1);
  else if (kind === 1) chars.splice(i, 0, chars[i]!);
  else [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
  return text.slice(0, match.index) + chars.join('') + text.slice(match.index + match[0].length);
}

function swapSynonym(text: string, locale: string, random: () => number): string | undefined {
  const groups = synonymFiles().get(locale)?.groups ?? {};
  const lower = plain(text);
  const options: Array<{ member: string; others: string[] }> = [];
  for (const members of Object.values(groups)) {
    for (const member of members) {
      const p = plain(member);
      if (p && new RegExp(`(?<![\\p{L}\\p{M}])${escapeRegExp(p)}(?![\\p{L}\\p{M}])`, 'u').test(lower)) {
        options.push({ member: p, others: members.map(plain).filter((m) => m !== p) });
      }
    }
  }
  if (!options.length) return undefined;
  const { member, others } = options[Math.floor(random() * options.length)]!;
  if (!others.length) return undefined;
  const other = others[Math.floor(random() * others.length)]!;
  return lower.replace(member, other);
}

/** Each example with its variants: `result[i]` starts with `examples[i]`. */
export function augment(examples: readonly Example[], seed = 11): Example[][] {
  const random = rng(seed);
  return examples.map((e) => {
    const out: Example[] = [e];
    const add = (utterance: string | undefined) => {
      if (utterance && utterance !== e.utterance) out.push({ ...e, utterance });
    };
    add(swapSynonym(e.utterance, e.locale, random));
    add(typo(e.utterance, random));
    const frames = synonymFiles().get(e.locale)?.frames ?? [];
    const words = e.utterance.split(/\s+/).length;
    if (frames.length && words >= 2 && !SMALL_TALK.includes(e.intent)) {
      add(frames[Math.floor(random() * frames.length)]!.replace('{x}', e.utterance));
    }
    return out;
  });
}
