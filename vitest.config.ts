import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite spawns Baton processes and takes minutes: `npm run test:faults`.
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // Starts (or reuses) real PostgreSQL and Redis once for the whole run.
    globalSetup: ['test/support/globalSetup.ts'],
    // A database of its own for each file that asks (test/support/fileDatabase.ts).
    setupFiles: ['test/support/fileSetup.ts'],
    pool: 'forks',
    // Integration files share one PostgreSQL and Redis and each runs its own workers;
    // two at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
