// Turns text into classifier features for every script: words plus character
// trigrams (inflected Indian-language words and romanized spellings share trigrams
// even when whole words differ), with numbers and ids folded into placeholders.
import { asciiDigits } from './slots.ts';

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
  return out;
}
