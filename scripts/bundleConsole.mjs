// The agent console (src/console/*.ts, Preact + htm) bundled into one script for
// the browser. `npm run build` writes it to dist/agents/assets/agent.js; running from
// source, src/consoleBundle.ts bundles it in memory on first use. Never committed.
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
export const CONSOLE_ENTRY = path.join(root, 'src', 'console', 'main.ts');

/** Returns the script's text, or writes it to `outfile` when given. */
export async function bundleConsole(outfile) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [CONSOLE_ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
    write: Boolean(outfile),
    ...(outfile ? { outfile } : {}),
  });
  return outfile ? undefined : result.outputFiles[0].text;
}
