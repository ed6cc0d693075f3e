// The agent console's script. A build (`npm run build`) leaves it bundled beside this
// file (assets/agent.js in dist/); running from source (`npm start`, `npm test`) it is
// bundled with esbuild on first use and kept in memory, so a fresh clone serves it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const BUILT = path.join(import.meta.dirname, 'assets', 'agent.js');
const BUNDLER = path.resolve(import.meta.dirname, '../../scripts/bundleConsole.mjs');

let script: Promise<string> | undefined;

export function consoleScript(): Promise<string> {
  script ??= (existsSync(BUILT) ? readFile(BUILT, 'utf8') : bundleFromSource()).catch((err: unknown) => {
    script = undefined; // the next request tries again
    throw err;
  });
  return script;
}

async function bundleFromSource(): Promise<string> {
  const { bundleConsole } = (await import(pathToFileURL(BUNDLER).href)) as { bundleConsole: () => Promise<string> };
  return bundleConsole();
}
