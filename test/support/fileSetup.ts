// Runs in every test file before its tests (vitest `setupFiles`).
import { afterAll } from 'vitest';
import { dropFileDatabase } from './fileDatabase.ts';

// Registered first, so it runs after the file's own afterAll hooks (which close harnesses).
afterAll(dropFileDatabase);
