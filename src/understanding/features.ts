// Turns text into classifier features for every script: words plus character
// trigrams (inflected Indian-language words and romanized spellings share trigrams
// even when whole words differ), with numbers and ids folded into placeholders.
import { asciiDigits } from './slots.ts';

export function features(raw: string): string[] {
  const text = asciiDigits(raw.normalize('NFC').toLowerCase())
    .replace(/\bord[-\s#:]?\d{3,8}\b/g, ' orderid ')
    .replace(/\binv[-\s#:]?\d{3,8}\b/g, ' invoiceid ')
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
