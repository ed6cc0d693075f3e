import { describe, expect, it } from 'vitest';
import { createSlots } from '../../src/shared/slots.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('worker slots', () => {
  it('runs at most `size` at once; a turn waiting outside lets the next one in, and comes back before turns not yet started', async () => {
    const slots = createSlots(1);
    const log: string[] = [];
    let answer!: () => void;
    const remote = new Promise<void>((r) => (answer = r));
    const a = slots.run(async () => {
      log.push('a local');
      await slots.outside(() => remote);
      log.push('a back');
    });
    const b = slots.run(async () => {
      log.push('b');
      await tick();
      answer(); // the remote answer comes while b holds the only slot
      await tick();
      log.push('b done');
    });
    const c = slots.run(async () => {
      log.push('c');
    });
    await Promise.all([a, b, c]);
    // b ran while a waited; a, back from the network, went before c, which had not started.
    expect(log).toEqual(['a local', 'b', 'b done', 'a back', 'c']);
  });
});
