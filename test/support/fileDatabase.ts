// One database per test file, copied from the run's migrated database when the file first
// asks for it (a template copy takes about 60 ms) and dropped after its last test
// (test/support/fileSetup.ts). Every harness runs an outbox sweeper that takes every old
// row of the database it is on: on a shared database one file's workers could answer
// another file's messages, and did, once, on a slow machine.
import { inject } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from './scratchDatabase.ts';

let created: Promise<ScratchDatabase> | undefined;

/** This test file's database (created on first use). */
export async function fileDatabaseUrl(): Promise<string> {
  created ??= createScratchDatabase('file', { template: new URL(inject('databaseUrl')).pathname.slice(1) });
  return (await created).url;
}

export async function dropFileDatabase(): Promise<void> {
  if (created) await (await created).drop();
  created = undefined;
}
