import { describe, expect, it } from 'vitest';
import { boundedCache } from '../../src/shared/boundedCache.ts';

describe('boundedCache', () => {
  it('works a text out once, keeps only the last N, and forgets the least recently used first', () => {
    const computed: string[] = [];
    const upper = boundedCache(2, (text) => {
      computed.push(text);
      return text.toUpperCase();
    });
    expect([upper('thanks'), upper('thanks'), upper('hi')]).toEqual(['THANKS', 'THANKS', 'HI']);
    expect(computed).toEqual(['thanks', 'hi']);
    upper('thanks'); // used again: 'hi' is now the oldest
    upper('where is my order');
    upper('thanks');
    upper('hi');
    expect(computed).toEqual(['thanks', 'hi', 'where is my order', 'hi']);
  });
});
