// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json rewrites the
// `.ts` import extensions to `.js`) and copies the files src/ reads at run time
// (pages, scripts, the intent corpora) beside the compiled code. dist/ sits at the same
// depth as src/, so paths that leave src/ (locales/, prisma/migrations/, package.json)
// resolve to the same files from either. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync(path.join(root, 'src'), dist, { recursive: true, filter: (file) => !file.endsWith('.ts') });
