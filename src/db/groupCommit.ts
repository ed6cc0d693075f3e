// Group commit: concurrent callers' items are written together, one statement and one
// commit per batch instead of one per item, and each caller is answered only once its
// own item is durable. Nothing waits for a timer: when a batch may start (fewer than
// `concurrency` in flight) it starts with whatever has arrived, so a lone request is
// written at once and batches grow only when requests arrive faster than the database
// commits them.
// A batch that fails is tried again item by item, so one bad item fails only its own
// caller — unless `shared(err)` says the failure is everyone's (the database is away),
// when every caller gets it at once rather than after one more try each.

export type GroupCommitOptions = { maxBatch?: number; concurrency?: number; shared?: (err: unknown) => boolean };

type Waiting<I, O> = { item: I; resolve: (out: O) => void; reject: (err: unknown) => void };

/** `write` takes a batch and returns one result per item, in the same order. */
export function groupCommit<I, O>(write: (items: readonly I[]) => Promise<readonly O[]>, options: GroupCommitOptions = {}): (item: I) => Promise<O> {
  const maxBatch = options.maxBatch ?? 64;
  const concurrency = options.concurrency ?? 4;
  const queue: Waiting<I, O>[] = [];
  let inFlight = 0;

  async function writeBatch(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const out = await write(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(out[i]!);
    } catch (err) {
      if (batch.length === 1 || options.shared?.(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of batch) {
        await write([w.item]).then(
          (out) => w.resolve(out[0]!),
          (e: unknown) => w.reject(e),
        );
      }
    }
  }

  function pump(): void {
    while (inFlight < concurrency && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void writeBatch(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      pump();
    });
}
