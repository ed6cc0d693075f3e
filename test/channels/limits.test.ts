import { describe, expect, it } from 'vitest';
import { MAX_TEXT, smsSegments, splitText } from '../../src/channels/limits.ts';
import { smsBody, smsParts } from '../../src/channels/sms/index.ts';

describe('splitText', () => {
  it('leaves a short text whole and cuts a long one at spaces into parts of at most the limit, in order', () => {
    expect(splitText('short', 1600)).toEqual(['short']);
    const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' ');
    const parts = splitText(words, 1600);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Array.from(part).length).toBeLessThanOrEqual(1600);
    expect(parts.join(' ')).toBe(words);
  });

  it('cuts by code point, never inside an emoji, and mid-word when there is no space', () => {
    const parts = splitText('😀'.repeat(3300), 1600);
    expect(parts.map((p) => Array.from(p).length)).toEqual([1600, 1600, 100]);
    expect(parts.join('')).toBe('😀'.repeat(3300));
  });
});

describe('smsParts', () => {
  it('sends a reply over 1,600 characters as ordered parts with the options on the last', () => {
    const text = 'ऑर्डर की जानकारी '.repeat(200);
    const parts = smsParts({ text, options: [{ id: 'a', title: 'Yes' }] });
    expect(parts.length).toBe(3);
    for (const part of parts) expect(Array.from(smsBody(part)).length).toBeLessThanOrEqual(MAX_TEXT.sms);
    expect(parts.slice(0, -1).every((p) => p.options === undefined)).toBe(true);
    expect(parts.at(-1)!.options).toEqual([{ id: 'a', title: 'Yes' }]);
  });

  it('gives the options a part of their own when they do not fit beside the last text', () => {
    const parts = smsParts({ text: 'x'.repeat(1595), options: [{ id: 'a', title: 'Yes' }, { id: 'b', title: 'No' }] });
    expect(parts.map((p) => smsBody(p))).toEqual(['x'.repeat(1595), '1. Yes\n2. No']);
  });
});

describe('smsSegments', () => {
  it('counts GSM-7 at 160 a segment, 153 once split, extension characters as two', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1, perSegment: 160 });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
  });

  it('counts Indian scripts and emoji as UCS-2 at 70 a segment, 67 once split', () => {
    expect(smsSegments('क'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1, perSegment: 70 });
    expect(smsSegments('க'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2, perSegment: 67 });
    expect(smsSegments('ok 👍')).toMatchObject({ encoding: 'UCS-2', units: 5 });
  });
});
