// `npm run corrections:export -- FILE`: the intents agents said customers really meant,
// as `[{ "text", "intent", "locale" }]` for review, for `npm run eval:language --
// --from-corrections FILE`, and (reviewed) for a pack's training phrases.
// The file holds customers' words: keep it where the conversations are kept.
import { writeFileSync } from 'node:fs';
import { createDb } from '../db/client.ts';
import { createLogger } from '../shared/logger.ts';
import { exportCorrections } from '../workspace/corrections.ts';
import { configOrExit } from './boot.ts';
import { provideInfrastructure } from './infrastructure.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npm run corrections:export -- FILE\n');
  process.exit(2);
}
const config = configOrExit();
const log = createLogger(config.logLevel);
const infra = await provideInfrastructure({ ...config, redisUrl: config.redisUrl ?? 'redis://unused' }, log);
const db = createDb(infra.databaseUrl, 2);
try {
  const corrections = await exportCorrections(db);
  writeFileSync(file, `${JSON.stringify(corrections, null, 2)}\n`);
  process.stdout.write(`${corrections.length} corrections written to ${file}\n`);
} finally {
  await db.$disconnect();
  await infra.stop();
}
