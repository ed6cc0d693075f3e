import { defineConfig } from 'vitest/config';

// `npm run test:faults`: Baton as separate API and worker processes under faults
// (duplicate webhooks, killed workers, Redis and PostgreSQL outages, a failing provider,
// an interrupted handoff), each file counting what was sent, stored and answered.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.test.ts'],
    globalSetup: ['test/support/globalSetup.ts', 'test/faults/support/tableSetup.ts'],
    pool: 'forks',
    // Every file runs three or four Node processes of its own: two files at a time is
    // what a 2-core machine can take.
    maxWorkers: 2,
    testTimeout: 240_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
