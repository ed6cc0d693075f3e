// The test harness's Baton, with its log lines captured instead of written to stdout, on
// a database of its own: what Baton logs while it works can be read back and searched.
import { startHarness, type Harness } from '../../support/harness.ts';
import { createScratchDatabase } from '../../support/scratchDatabase.ts';

export type LoggedHarness = Harness & { logs: string[]; logText(): string };

export async function startLoggedHarness(opts: { level: string; env?: Record<string, string> }): Promise<LoggedHarness> {
  const scratch = await createScratchDatabase('logged');
  const logs: string[] = [];
  const harness = await startHarness({
    databaseUrl: scratch.url,
    env: { LOG_LEVEL: opts.level, WORKER_CONCURRENCY: '4', ...opts.env },
    logDestination: { write: (line: string) => void logs.push(line) },
  });
  return {
    ...harness,
    logs,
    logText: () => logs.join(''),
    close: async () => {
      await harness.close();
      await scratch.drop();
    },
  };
}
