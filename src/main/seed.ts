// `npm run seed`: (re)load the running pack's demo data (the demo store's orders and
// invoices live in its own back-end, which this resets).
import { migrate } from '../db/migrate.ts';
import { DEFAULT_PACK_DIR, loadPack } from '../packs/loadPack.ts';
import { createLogger } from '../shared/logger.ts';
import { configOrExit } from './boot.ts';
import { provideInfrastructure } from './infrastructure.ts';

const config = configOrExit();
const log = createLogger(config.logLevel);
const infra = await provideInfrastructure({ ...config, redisUrl: config.redisUrl ?? 'redis://unused' }, log);
await migrate(infra.databaseUrl);
const pack = await loadPack(config.packDir ?? DEFAULT_PACK_DIR, { databaseUrl: infra.databaseUrl, log });
await pack.seed();
await pack.close();
process.stdout.write(`demo data of pack ${pack.name} ${pack.version} loaded\n`);
await infra.stop();
