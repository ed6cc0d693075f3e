// Provides PostgreSQL and Redis for the whole test run, exactly as `npm start` does:
// DATABASE_URL / REDIS_URL when given, otherwise embedded PostgreSQL and a local
// redis-server (on their own ports and data dir, so a running `npm start` is untouched).
// Each run gets a fresh database, migrated with the same runner production uses.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config/env.ts';
import { migrate } from '../../src/db/migrate.ts';
import { provideInfrastructure, type Infrastructure } from '../../src/main/infrastructure.ts';
import { createLogger } from '../../src/shared/logger.ts';

export const TEST_PORTS = { postgres: 54339, redis: 63791 };

let infra: Infrastructure | undefined;
let database: string | undefined;

export default async function setup(project: TestProject) {
  if (process.env.BATON_TEST_NO_INFRA === '1') return;
  const config = loadConfig({ ...process.env, BATON_DATA_DIR: process.env.BATON_TEST_DATA_DIR ?? '.data/test' });
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', 'baton-test');
  infra = await provideInfrastructure(config, log, TEST_PORTS, 'postgres');

  // A database of its own per run: parallel runs and old data cannot interfere.
  database = `baton_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: infra.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const url = new URL(infra.databaseUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  await migrate(databaseUrl);

  // Not exported as DATABASE_URL: the run's database is every test file's template, and a
  // connection to it would make copying it fail (test/support/fileDatabase.ts).
  process.env.REDIS_URL = infra.redisUrl;
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', infra.redisUrl);
  project.provide('adminDatabaseUrl', infra.databaseUrl);

  return async () => {
    const client = new pg.Client({ connectionString: infra!.databaseUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => {});
    await client.end();
    await infra?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    adminDatabaseUrl: string;
  }
}
