// A database of its own for a test that must not share tables with other files: the
// drift check, or a test whose outbox rows must not be swept by other files' workers
// (every harness's sweeper takes every old outbox row of the database it is on).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';

export type ScratchDatabase = { name: string; url: string; drop(): Promise<void> };

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `<prefix>_<random>`: a copy of `template` (a database nobody is connected to), or
 * empty and migrated with Baton's runner unless `migrated: false`.
 */
export async function createScratchDatabase(prefix: string, options: { migrated?: boolean; template?: string } = {}): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"${options.template ? ` TEMPLATE "${options.template}"` : ''}`));
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${name}`;
  const scratch: ScratchDatabase = {
    name,
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
  if (options.migrated !== false && !options.template) await migrate(scratch.url);
  return scratch;
}
