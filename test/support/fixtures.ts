// Real provider payloads, copied into the repository (see test/fixtures/README.md).
import path from 'node:path';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
