// `npm run seed`: (re)load the demo business.
import { createDb } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { seedDemo } from '../demo/seedDemo.ts';
import { createLogger } from '../shared/logger.ts';
import { configOrExit } from './boot.ts';
import { provideInfrastructure } from './infrastructure.ts';

const config = configOrExit();
const log = createLogger(config.logLevel);
const infra = await provideInfrastructure({ ...config, redisUrl: config.redisUrl ?? 'redis://unused' }, log);
await migrate(infra.databaseUrl);
const db = createDb(infra.databaseUrl, 2);
await seedDemo(db);
await db.$disconnect();
process.stdout.write('demo business loaded: ORD-1001, ORD-1002, ORD-1003, INV-1001\n');
await infra.stop();
