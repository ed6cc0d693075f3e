// Debian packages a command needs beyond npm (Chromium for the browser test, fonts for
// Indian scripts, redis-server for the fault suite). Installed with apt-get when run as
// root, as `npm start` does for redis-server; otherwise one line says what to install
// and the command runs anyway (the tests that need them fail with their own message).
// Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Binaries that count as the package being there, however they were installed. */
const BINARIES = {
  chromium: () => [process.env.BATON_CHROMIUM ?? '/usr/bin/chromium'],
  'redis-server': () => ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
};

function installed(name) {
  if (BINARIES[name]?.().some((file) => existsSync(file))) return true;
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.includes('install ok installed');
}

function apt(args) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return result.status === 0;
}

export function ensureSystemPackages(names) {
  const missing = names.filter((name) => !installed(name));
  if (missing.length === 0) return;
  const list = missing.join(' ');
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    process.stdout.write(`Missing system packages: ${list}. Install them (sudo apt-get install -y ${list}); the tests that need them will fail until then.\n`);
    return;
  }
  process.stdout.write(`Installing ${list} with apt-get (first run only)…\n`);
  if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', ...missing])) {
    process.stdout.write(`apt-get could not install ${list}; the tests that need them will fail.\n`);
  }
}
