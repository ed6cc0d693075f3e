// `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json rewrites the
// `.ts` import extensions to `.js`) and copies the files src/ reads at run time
// (pages, scripts, the intent corpora) beside the compiled code, and bundles the agent
// console (src/console) into dist/agents/assets/agent.js. dist/ sits at the same
// depth as src/, so paths that leave src/ (locales/, prisma/migrations/, package.json)
// resolve to the same files from either. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
cpSync(path.join(root, 'src'), dist, { recursive: true, filter: (file) => !file.endsWith('.ts') });

// The agent console: its TypeScript modules bundled into one browser script.
const { bundleConsole } = await import('./bundleConsole.mjs');
await bundleConsole(path.join(dist, 'agents', 'assets', 'agent.js'));

// The bundled packs' TypeScript modules (bots, development services), each bundled on
// its own into dist/pack-modules/<pack>/… for `node dist/…`: a pack imports only types
// from Baton, so nothing of Baton's is bundled twice. Their npm imports stay imports.
const { build } = await import('esbuild');
const packsDir = path.join(root, 'packs');
for (const name of readdirSync(packsDir)) {
  const manifestFile = path.join(packsDir, name, 'pack.json');
  if (!existsSync(manifestFile)) continue;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  const modules = [...(manifest.bots ?? []).map((b) => b.module), ...(manifest.services ?? []).map((s) => s.module)].filter((m) => typeof m === 'string' && m.endsWith('.ts'));
  for (const module of modules) {
    await build({
      entryPoints: [path.join(packsDir, name, module)],
      outfile: path.join(dist, 'pack-modules', name, module.replace(/\.ts$/, '.js')),
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
    });
  }
}
