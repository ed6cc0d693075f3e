// Start-up and shutdown shared by every entry point: config, infrastructure,
// migrations, the demo data, the HTTP server and/or the workers; Ctrl-C undoes it all.
import type { Server } from 'node:http';
import { loadConfig, type Config } from '../config/env.ts';
import { migrate } from '../db/migrate.ts';
import express from 'express';
import { createApp } from '../http/app.ts';
import { metricsOnly } from '../http/routes/operationsRoutes.ts';
import { ConfigError } from '../shared/errors.ts';
import { checkPack, DEFAULT_PACK_DIR, PackInvalid } from '../packs/loadPack.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { provideInfrastructure } from './infrastructure.ts';
import { startTracing, stopTracing } from '../observability/tracing.ts';
import { createRuntime, type Runtime } from '../runtime/runtime.ts';
import { drainAndClose, within } from '../runtime/shutdown.ts';

export type BootOptions = { api: boolean; workers: boolean; seed: boolean };

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`baton: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** A pack that does not validate stops start-up before anything is started, with one line. */
function packOrExit(config: Config): void {
  const dir = config.packDir ?? DEFAULT_PACK_DIR;
  const { problems } = checkPack(dir, process.env);
  if (problems.length === 0) return;
  process.stderr.write(`baton: ${new PackInvalid(dir, problems).message}\n`);
  process.exit(1);
}

export async function boot(options: BootOptions): Promise<void> {
  const config = configOrExit();
  packOrExit(config);
  const log = createLogger(config.logLevel);
  startTracing(config.tracing.endpoint, config.tracing.serviceName);
  const infra = await provideInfrastructure(config, log);
  let runtime: Runtime | undefined;
  let server: Server | undefined;
  let stopping = false;

  // Bounded by SHUTDOWN_TIMEOUT_MS: whatever still hangs then, the process exits anyway
  // (code 1, so a supervisor can tell); BullMQ re-delivers jobs whose locks lapse.
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timeoutMs = config.shutdownTimeoutMs;
    log.info({ signal, timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, timeoutMs);
    try {
      // Most of the budget for draining; the rest for tracing and embedded services.
      await drainAndClose({ runtime, server, log, budgetMs: timeoutMs * 0.8 });
      await within(stopTracing(), 1000);
      await infra.stop();
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    clearTimeout(deadline);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const { applied } = await migrate(infra.databaseUrl);
    if (applied.length) log.info({ applied }, 'migrations applied');
    runtime = await createRuntime(config, infra, log);
    if (options.seed) await runtime.packs.current().seed();
    if (options.workers) await runtime.startWorkers();
    if (options.api) server = await listen(runtime, config.port);
    else if (config.metricsPort) server = await listenMetrics(runtime, config.metricsPort);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof PackInvalid) process.stderr.write(`baton: ${err.message}\n`);
    else log.fatal({ err }, 'start-up failed');
    await runtime?.close().catch(() => {});
    await infra.stop();
    process.exit(1);
  }
  printBanner(config, log, options, server);
}

function listen(runtime: Runtime, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createApp(runtime).listen(port, () => resolve(server));
    server.on('error', reject);
    server.headersTimeout = 15_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
  });
}

/** A worker-only process still exposes its own counters for Prometheus. */
function listenMetrics(runtime: Runtime, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const app = express();
    app.use(metricsOnly(runtime));
    const server = app.listen(port, () => resolve(server));
    server.on('error', reject);
  });
}

function printBanner(config: Config, log: Logger, options: BootOptions, server?: Server) {
  const address = server?.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://localhost:${port}`;
  const lines = options.api
    ? [
        `Baton is running (${options.workers ? 'API + workers' : 'API only'}).`,
        `  Web chat demo     ${base}/chat`,
        `  WhatsApp webhook  ${config.publicBaseUrl}/webhooks/whatsapp`,
        `  SMS webhook       ${config.publicBaseUrl}/webhooks/sms`,
        `  Health            ${base}/healthz  ${base}/readyz`,
        `  Replies go to     ${config.whatsapp.apiBase} (WhatsApp), ${config.twilio.apiBase} (SMS)`,
        'Press Ctrl-C to stop.',
      ]
    : ['Baton workers are running. Press Ctrl-C to stop.'];
  process.stdout.write(lines.join('\n') + '\n');
  log.debug({ port }, 'started');
}
