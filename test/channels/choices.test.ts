import { describe, expect, it } from 'vitest';
import { lastOffered, pickOffered } from '../../src/conversations/choices.ts';

const menu = [
  { id: 'orders', title: 'Track or cancel an order' },
  { id: 'billing', title: 'Payments and refunds' },
  { id: 'human', title: 'Talk to a person' },
];

describe('a typed answer to numbered options', () => {
  it('picks by number, in any digits and with the punctuation people add', () => {
    expect(pickOffered(menu, '2')).toBe('billing');
    expect(pickOffered(menu, ' 3. ')).toBe('human');
    expect(pickOffered(menu, '(1)')).toBe('orders');
    expect(pickOffered(menu, '२')).toBe('billing');
    expect(pickOffered(menu, '৩')).toBe('human');
  });

  it('picks by title, whatever the case and trailing punctuation', () => {
    expect(pickOffered(menu, 'payments and refunds')).toBe('billing');
    expect(pickOffered(menu, 'Talk to a person!')).toBe('human');
  });

  it('picks nothing for a number out of range, an order number, other words or no offer', () => {
    expect(pickOffered(menu, '4')).toBeUndefined();
    expect(pickOffered(menu, '0')).toBeUndefined();
    expect(pickOffered(menu, '1001')).toBeUndefined();
    expect(pickOffered(menu, 'where is my order 2')).toBeUndefined();
    expect(pickOffered(undefined, '1')).toBeUndefined();
    expect(pickOffered([], '1')).toBeUndefined();
  });

  it('remembers the options of the last reply that offered any', () => {
    expect(lastOffered([{ options: menu }, {}])).toEqual(menu);
    expect(lastOffered([{}])).toBeUndefined();
    expect(lastOffered([{ options: menu.slice(0, 1) }, { options: menu.slice(1) }])).toEqual(menu.slice(1));
  });
});
