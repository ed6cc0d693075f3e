// `npm run pack:check -- <dir>`: every problem of a pack, one line each with its file
// and field; exit 1 when there is any. Env vars are checked against this environment.
import path from 'node:path';
import { checkPack, DEFAULT_PACK_DIR } from '../packs/loadPack.ts';

const dir = path.resolve(process.argv[2] ?? process.env.BATON_PACK ?? DEFAULT_PACK_DIR);
const { manifest, problems } = checkPack(dir);
for (const p of problems) process.stdout.write(`${p.file}${p.field ? ` ${p.field}` : ''}: ${p.message}\n`);
if (problems.length) {
  process.stdout.write(`${problems.length} problem${problems.length > 1 ? 's' : ''} in ${dir}\n`);
  process.exit(1);
}
process.stdout.write(`${manifest!.name} ${manifest!.version}: ok (${manifest!.bots.length} bots, ${manifest!.intents.length} intents, ${manifest!.languages.length} languages)\n`);
