// `npm start` / `npm test` on a fresh clone: install dependencies when they are
// missing or older than package-lock.json, and the Debian packages named by
// `--system=a,b` (see systemPackages.mjs), then run the real command. Plain Node, no
// dependencies, because it runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSystemPackages } from './systemPackages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  process.stdout.write('Installing dependencies (npm ci)…\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

let [tool, ...args] = process.argv.slice(2);
if (tool?.startsWith('--system=')) {
  ensureSystemPackages(tool.slice('--system='.length).split(','));
  [tool, ...args] = args;
}
const child = spawn(path.join(root, 'node_modules', '.bin', tool), args, { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the child through the process group; wait for it to clean up.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
