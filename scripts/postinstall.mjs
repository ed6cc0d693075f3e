// Generates the Prisma client after `npm install`/`npm ci`. `prisma generate` needs no
// schema engine, but the CLI insists on finding one: point it at any file unless the
// user already has a real engine configured (e.g. in the Docker image).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
execFileSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], { stdio: 'inherit', env });
