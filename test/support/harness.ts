// A real Baton for a test file: real PostgreSQL and Redis from the global setup, the
// file's own database and queue prefix (so files never share rows or jobs), workers
// in-process, and a stand-in provider recording what Baton sends.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { listen, type Listening } from './http.ts';
import { fileDatabaseUrl } from './fileDatabase.ts';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig } from '../../src/config/env.ts';
import { createApp } from '../../src/http/app.ts';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Pack } from '../../src/packs/loadPack.ts';
import { startStandInProvider, type StandInProvider } from '../../src/dev/standInProvider.ts';

export const SECRETS = {
  appSecret: 'test-app-secret',
  verifyToken: 'test-verify-token',
  accessToken: 'test-access-token',
  phoneNumberId: '106540352242922',
  twilioSid: 'ACtest0000000000000000000000000000',
  twilioToken: 'test-twilio-token',
  twilioFrom: '+15005550006',
  adminToken: 'test-admin-token',
  publicBaseUrl: 'https://baton.test',
};

export type Harness = {
  rt: Runtime;
  app: Express;
  http: ReturnType<typeof request>;
  provider: StandInProvider;
  /** The environment the pack reads: a test may change it before a reload. */
  packEnv: Record<string, string | undefined>;
  close: () => Promise<void>;
};

/** The secrets and provider addresses every test Baton (in-process or spawned) uses. */
export function providerEnv(providerUrl: string): Record<string, string> {
  return {
    PUBLIC_BASE_URL: SECRETS.publicBaseUrl,
    ADMIN_TOKEN: SECRETS.adminToken,
    WHATSAPP_VERIFY_TOKEN: SECRETS.verifyToken,
    WHATSAPP_APP_SECRET: SECRETS.appSecret,
    WHATSAPP_ACCESS_TOKEN: SECRETS.accessToken,
    WHATSAPP_PHONE_NUMBER_ID: SECRETS.phoneNumberId,
    WHATSAPP_API_BASE: providerUrl,
    TWILIO_ACCOUNT_SID: SECRETS.twilioSid,
    TWILIO_AUTH_TOKEN: SECRETS.twilioToken,
    TWILIO_FROM_NUMBER: SECRETS.twilioFrom,
    TWILIO_API_BASE: providerUrl,
  };
}

export type HarnessOptions = {
  workers?: boolean;
  env?: Record<string, string | undefined>;
  /** Another database than the test file's own (e.g. a scratch database). */
  databaseUrl?: string;
  /** Where log lines go (pino destination); stdout when unset. */
  logDestination?: { write(line: string): void };
  /** A pack loaded (and maybe changed) by the test; otherwise BATON_PACK or the demo pack. */
  pack?: Pack;
};

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const provider = await startStandInProvider();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl ?? options.env?.DATABASE_URL ?? (await fileDatabaseUrl()),
    REDIS_URL: inject('redisUrl'),
    ...providerEnv(provider.url),
    QUEUE_PREFIX: `{test-${randomUUID().slice(0, 8)}}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    WORKER_CONCURRENCY: '8',
    OUTBOUND_BACKOFF_MS: '100',
    PROVIDER_TIMEOUT_MS: '2000',
    // Tests send far more from 127.0.0.1 than any real client; the limiter has its own test.
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_SENDER_PER_MINUTE: '100000',
    ...options.env,
  });
  const log = createLogger(config.logLevel, 'baton-test', options.logDestination);
  const packEnv: Record<string, string | undefined> = { ...process.env, ...options.env };
  const rt = await createRuntime(config, { databaseUrl: config.databaseUrl!, redisUrl: config.redisUrl! }, log, { packEnv, ...(options.pack ? { pack: options.pack } : {}) });
  await rt.packs.current().seed();
  if (options.workers !== false) await rt.startWorkers();
  const app = createApp(rt);
  return {
    rt,
    app,
    http: request(app),
    provider,
    packEnv,
    close: async () => {
      await rt.close();
      await provider.close();
    },
  };
}

/** Polls until `check` returns a value that is not undefined/false. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A random E.164-ish number so test files never share contacts. */
export function randomPhone(): string {
  return `91${Math.floor(7_000_000_000 + Math.random() * 2_999_999_999)}`;
}

/** A harness and an HTTP server in front of it for one test file: started before its tests, closed after. */
export function useListeningHarness(options: HarnessOptions = {}): { h: Harness; server: Listening } {
  const suite = {} as { h: Harness; server: Listening };
  beforeAll(async () => {
    suite.h = await startHarness(options);
    suite.server = await listen(suite.h.app);
  }, 120_000);
  afterAll(async () => {
    await suite.server?.close();
    await suite.h?.close();
  });
  return suite;
}
