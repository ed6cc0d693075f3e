// How batches form and fail, with a writer that records what it was given.
import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/db/groupCommit.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('groupCommit', () => {
  it('writes a lone item at once, and items that arrive while batches are in flight together, each caller getting its own result', async () => {
    const batches: number[][] = [];
    const write = groupCommit<number, number>(async (items) => {
      batches.push([...items]);
      await tick();
      return items.map((i) => i * 10);
    }, { concurrency: 1 });
    expect(await write(1)).toBe(10);
    await tick(); // the first batch has ended
    const results = await Promise.all([2, 3, 4, 5].map((n) => write(n)));
    expect(results).toEqual([20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
  });

  it('tries a failed batch item by item, so only the bad item fails', async () => {
    const write = groupCommit<number, number>(async (items) => {
      await tick();
      if (items.includes(13)) throw new Error('no 13');
      return items.map((i) => i + 1);
    }, { concurrency: 1 });
    const outcomes = await Promise.allSettled([1, 2, 13, 4].map((n) => write(n)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([2, 3, 'no 13', 5]);
  });

  it('fails every caller at once when the failure is everyone’s', async () => {
    let calls = 0;
    const write = groupCommit<number, number>(async () => {
      calls++;
      await tick();
      throw new Error('database away');
    }, { concurrency: 1, shared: (err) => (err as Error).message === 'database away' });
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => write(n)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(calls).toBe(2); // [1] alone, then [2, 3, 4] together — no retry of each
  });
});
