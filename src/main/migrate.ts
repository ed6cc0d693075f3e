// `npm run migrate`: apply migrations (embedded PostgreSQL when DATABASE_URL is unset).
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../shared/logger.ts';
import { configOrExit } from './boot.ts';
import { provideInfrastructure } from './infrastructure.ts';

const config = configOrExit();
const log = createLogger(config.logLevel);
const infra = await provideInfrastructure({ ...config, redisUrl: config.redisUrl ?? 'redis://unused' }, log);
const result = await migrate(infra.databaseUrl);
process.stdout.write(`migrations: ${result.applied.length} applied, ${result.alreadyApplied} already applied\n`);
await infra.stop();
