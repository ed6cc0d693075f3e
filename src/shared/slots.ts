// Worker slots: how many turns do local work (the database, understanding, a code
// bot) at once in this process. A turn waiting on the network for a remote bot
// (webhook, LLM) gives its slot back for the wait, so slow remote bots do not stall
// every other conversation; when the answer comes it takes a slot again before any
// turn that has not started (it holds its conversation's lock meanwhile).

export type Slots = {
  /** Runs `work` in a slot, waiting for one first. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** From inside `run`: waits for `wait` without holding the slot, then takes one again. */
  outside<T>(wait: () => Promise<T>): Promise<T>;
};

export function createSlots(size: number): Slots {
  let free = size;
  const waiting: Array<() => void> = [];

  const take = (first: boolean): Promise<void> => {
    if (free > 0 && waiting.length === 0) {
      free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => (first ? waiting.unshift(resolve) : waiting.push(resolve)));
  };
  const give = () => {
    const next = waiting.shift();
    if (next) next(); // the slot passes straight to the next in line
    else free++;
  };

  return {
    async run(work) {
      await take(false);
      try {
        return await work();
      } finally {
        give();
      }
    },
    async outside(wait) {
      give();
      try {
        return await wait();
      } finally {
        await take(true);
      }
    },
  };
}
