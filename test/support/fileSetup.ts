// Runs in every test file before its tests (vitest `setupFiles`).
import { afterAll } from 'vitest';
import { dropFileDatabase } from './fileDatabase.ts';

// The run's database is every file's template: a process that connected to it (reading
// DATABASE_URL as the global setup left it) would make copying it fail for other files.
delete process.env.DATABASE_URL;

// Registered first, so it runs after the file's own afterAll hooks (which close harnesses).
afterAll(dropFileDatabase);
