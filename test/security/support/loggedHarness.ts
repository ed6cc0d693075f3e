// The test harness's Baton, with its log lines captured instead of written to stdout, on
// a database of its own: what Baton logs while it works can be read back and searched.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { inject } from 'vitest';
import { loadConfig } from '../../../src/config/env.ts';
import { seedDemo } from '../../../src/demo/seedDemo.ts';
import { startStandInProvider } from '../../../src/dev/standInProvider.ts';
import { createApp } from '../../../src/http/app.ts';
import { createRuntime } from '../../../src/main/runtime.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { providerEnv, type Harness } from '../../support/harness.ts';
import { createScratchDatabase } from '../../support/scratchDatabase.ts';

export type LoggedHarness = Harness & { logs: string[]; logText(): string };

export async function startLoggedHarness(opts: { level: string; env?: Record<string, string> }): Promise<LoggedHarness> {
  const scratch = await createScratchDatabase('logged');
  const provider = await startStandInProvider();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: scratch.url,
    REDIS_URL: inject('redisUrl'),
    ...providerEnv(provider.url),
    QUEUE_PREFIX: `{test-${randomUUID().slice(0, 8)}}`,
    LOG_LEVEL: opts.level,
    WORKER_CONCURRENCY: '4',
    OUTBOUND_BACKOFF_MS: '100',
    OUTBOX_SWEEP_MS: '300',
    PROVIDER_TIMEOUT_MS: '2000',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_SENDER_PER_MINUTE: '100000',
    ...opts.env,
  });
  const logs: string[] = [];
  const log = createLogger(config.logLevel, 'baton-test', { write: (line: string) => void logs.push(line) });
  const rt = await createRuntime(config, { databaseUrl: config.databaseUrl!, redisUrl: config.redisUrl! }, log);
  await seedDemo(rt.db);
  await rt.startWorkers();
  const app = createApp(rt);
  return {
    rt,
    app,
    http: request(app),
    provider,
    logs,
    logText: () => logs.join(''),
    close: async () => {
      await rt.close();
      await provider.close();
      await scratch.drop();
    },
  };
}
