// The only place that reads process.env. Everything else receives a typed Config.
import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from '../shared/errors.ts';

export const LOCALES = [
  'en', 'as', 'bn', 'brx', 'doi', 'gu', 'hi', 'kn', 'ks', 'kok', 'mai', 'ml',
  'mni', 'mr', 'ne', 'or', 'pa', 'sa', 'sat', 'sd', 'ta', 'te', 'ur',
] as const;
export const Locale = z.enum(LOCALES);
export type Locale = z.infer<typeof Locale>;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = z.url({ protocol: /^https?$/ });
const postgresUrl = z.url({ protocol: /^postgres(ql)?$/ });
const redisUrl = z.url({ protocol: /^rediss?$/ });
const positiveInt = z.coerce.number().int().positive();
/** Comma-separated list, for secrets that rotate: the first signs, all verify. */
const secretList = optionalString.transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []));

/** Shortest ADMIN_TOKEN accepted outside development and test (it opens everything). */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IPv4/IPv6 address, optionally with a /prefix in range for its family. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  if (extra !== undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies' X-Forwarded-For to believe (Express `trust proxy`): a hop count, or a
 * comma-separated list of addresses, CIDRs and the names loopback, linklocal, uniquelocal.
 */
const trustProxy = z
  .string()
  .trim()
  .min(1)
  .transform((v, ctx): number | string[] => {
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const entries = v.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = entries.find((e) => !TRUST_PROXY_NAMES.has(e) && !isAddressOrCidr(e));
    if (entries.length === 0 || bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a hop count or a comma-separated list of CIDRs, addresses or loopback/linklocal/uniquelocal${bad ? ` (not understood: ${bad})` : ''}` });
      return z.NEVER;
    }
    return entries;
  });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  // Digits only: coercion would read '' (or ' ') as 0, i.e. silently listen on a random port.
  PORT: z.string().trim().regex(/^\d{1,5}$/, 'expected a port number (0-65535)').transform(Number).pipe(z.number().max(65535)).default(3000),
  DATABASE_URL: postgresUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  PUBLIC_BASE_URL: url.optional(),
  ADMIN_TOKEN: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_APP_SECRET: secretList,
  WHATSAPP_ACCESS_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  WHATSAPP_API_BASE: url.default('https://graph.facebook.com/v21.0'),
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: secretList,
  TWILIO_FROM_NUMBER: optionalString,
  /** A Twilio Messaging Service (MG…): sends name it instead of TWILIO_FROM_NUMBER. */
  TWILIO_MESSAGING_SERVICE_SID: optionalString,
  TWILIO_API_BASE: url.default('https://api.twilio.com'),
  DEFAULT_LOCALE: Locale.default('en'),
  LLM_BASE_URL: url.optional(),
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `inline` runs the workers inside the API process; `off` for API-only processes. */
  BATON_WORKERS: z.enum(['inline', 'off']).default('inline'),
  WORKER_CONCURRENCY: positiveInt.default(16),
  /** Hash-tagged so every BullMQ key of Baton lands in one Redis Cluster slot. */
  QUEUE_PREFIX: z.string().min(1).default('{baton}'),
  BATON_DATA_DIR: z.string().min(1).default('.data'),
  /** An S3-compatible bucket for media files instead of BATON_DATA_DIR/media (all four set, or none). */
  MEDIA_S3_ENDPOINT: url.optional(),
  MEDIA_S3_BUCKET: optionalString,
  MEDIA_S3_REGION: z.string().min(1).default('us-east-1'),
  MEDIA_S3_ACCESS_KEY_ID: optionalString,
  MEDIA_S3_SECRET_ACCESS_KEY: optionalString,
  /** The pack folder to run; unset: the bundled demo store pack. */
  BATON_PACK: z.string().min(1).optional(),
  /** How long an outbox row may wait before the sweeper enqueues it (ms). */
  OUTBOX_SWEEP_MS: positiveInt.default(1000),
  /** Requests per minute from one address to /readyz, /metrics and /admin/queues (each, per process). */
  RATE_LIMIT_OPS_PER_MINUTE: positiveInt.default(120),
  /** How long gauges that cost a query (queue depths, waiting escalations) are cached between scrapes (ms). */
  METRICS_CACHE_MS: z.coerce.number().int().min(0).default(10_000),
  /** When set, GET /metrics on the API port needs Authorization: Bearer <METRICS_TOKEN>. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Web chat sessions unused this long expire and are cleaned up (hours). */
  WEBCHAT_SESSION_TTL_HOURS: positiveInt.default(168),
  /** Open SSE streams allowed per agent or web chat session, and per client address. */
  SSE_MAX_PER_OWNER: positiveInt.default(5),
  SSE_MAX_PER_IP: positiveInt.default(50),
  /** A reply untouched this long while queued/sending is checked: re-queued if its job is gone (ms). */
  STALE_SEND_MS: positiveInt.default(60_000),
  /** A handoff pending this long is taken as interrupted and rolled back by the sweeper (ms). */
  STUCK_HANDOFF_MS: positiveInt.default(60_000),
  OUTBOUND_ATTEMPTS: positiveInt.default(8),
  OUTBOUND_BACKOFF_MS: positiveInt.default(1000),
  PROVIDER_TIMEOUT_MS: positiveInt.default(10000),
  /** Requests per minute from one IP address to public routes (webhooks, web chat). */
  RATE_LIMIT_IP_PER_MINUTE: positiveInt.default(1200),
  /** Messages per minute from one web chat session. */
  RATE_LIMIT_SENDER_PER_MINUTE: positiveInt.default(30),
  /** OpenTelemetry: traces go to this OTLP/HTTP endpoint when set (off otherwise). */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('baton'),
  /** Worker-only processes serve GET /metrics on this port when set. */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Which proxies to believe about the client address (rate limits key on it). */
  TRUST_PROXY: trustProxy.default(['loopback']),
  /** How long a graceful shutdown may take before the process exits anyway (ms). */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10000),
  /** Unclaimed this long → supervisors alerted, priority raised. */
  SLA_UNCLAIMED_SECONDS: positiveInt.default(300),
  /** Claimed with no agent reply this long → back to the queue. */
  SLA_REPLY_SECONDS: positiveInt.default(600),
});

/** Values that let a fresh clone run end to end. Never used when NODE_ENV=production. */
const DEV_DEFAULTS = {
  ADMIN_TOKEN: 'dev-admin-token',
  WHATSAPP_VERIFY_TOKEN: 'dev-verify-token',
  WHATSAPP_APP_SECRET: ['dev-app-secret'],
  WHATSAPP_ACCESS_TOKEN: 'dev-access-token',
  WHATSAPP_PHONE_NUMBER_ID: '100000000000001',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: ['dev-twilio-auth-token'],
  TWILIO_FROM_NUMBER: '+15550000000',
} as const;

export type Config = ReturnType<typeof loadConfig>;

/** Parses the environment. A bad value throws a ConfigError naming the variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env) {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = source[name];
    throw new ConfigError(
      `${name} is invalid: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(redactValue(name, got))})`}`,
    );
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  const pick = <K extends keyof typeof DEV_DEFAULTS>(key: K) => {
    const value = env[key];
    const empty = value === undefined || (Array.isArray(value) && value.length === 0);
    if (!empty) return value as NonNullable<(typeof env)[K]>;
    if (production) throw new ConfigError(`${key} is required when NODE_ENV=production`);
    return DEV_DEFAULTS[key] as unknown as NonNullable<(typeof env)[K]>;
  };
  if (production && !env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required when NODE_ENV=production');
  if (production && !env.REDIS_URL) throw new ConfigError('REDIS_URL is required when NODE_ENV=production');
  // Webhook signatures (Twilio) and links are built from it: a guess is wrong behind a proxy.
  if (production && !env.PUBLIC_BASE_URL) throw new ConfigError('PUBLIC_BASE_URL is required when NODE_ENV=production');
  const adminToken = pick('ADMIN_TOKEN');
  if (production && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(`ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters when NODE_ENV=production (it has ${adminToken.length})`);
  }
  // Half an S3 setting would silently keep customers' files on one machine's disk.
  const s3 = [env.MEDIA_S3_ENDPOINT, env.MEDIA_S3_BUCKET, env.MEDIA_S3_ACCESS_KEY_ID, env.MEDIA_S3_SECRET_ACCESS_KEY];
  if (s3.some(Boolean) && !s3.every(Boolean)) {
    throw new ConfigError('MEDIA_S3_ENDPOINT, MEDIA_S3_BUCKET, MEDIA_S3_ACCESS_KEY_ID and MEDIA_S3_SECRET_ACCESS_KEY go together: set all four or none');
  }

  return {
    env: env.NODE_ENV,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    adminToken,
    whatsapp: {
      verifyToken: pick('WHATSAPP_VERIFY_TOKEN'),
      appSecrets: pick('WHATSAPP_APP_SECRET') as readonly string[],
      accessToken: pick('WHATSAPP_ACCESS_TOKEN'),
      phoneNumberId: pick('WHATSAPP_PHONE_NUMBER_ID'),
      apiBase: env.WHATSAPP_API_BASE.replace(/\/$/, ''),
    },
    twilio: {
      accountSid: pick('TWILIO_ACCOUNT_SID'),
      authTokens: pick('TWILIO_AUTH_TOKEN') as readonly string[],
      fromNumber: pick('TWILIO_FROM_NUMBER'),
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      apiBase: env.TWILIO_API_BASE.replace(/\/$/, ''),
    },
    defaultLocale: env.DEFAULT_LOCALE,
    llm: env.LLM_BASE_URL && env.LLM_MODEL
      ? { baseUrl: env.LLM_BASE_URL.replace(/\/$/, ''), apiKey: env.LLM_API_KEY, model: env.LLM_MODEL }
      : undefined,
    logLevel: env.LOG_LEVEL,
    workers: env.BATON_WORKERS,
    workerConcurrency: env.WORKER_CONCURRENCY,
    queuePrefix: env.QUEUE_PREFIX,
    dataDir: env.BATON_DATA_DIR,
    mediaS3:
      env.MEDIA_S3_ENDPOINT && env.MEDIA_S3_BUCKET && env.MEDIA_S3_ACCESS_KEY_ID && env.MEDIA_S3_SECRET_ACCESS_KEY
        ? { endpoint: env.MEDIA_S3_ENDPOINT, bucket: env.MEDIA_S3_BUCKET, region: env.MEDIA_S3_REGION, accessKeyId: env.MEDIA_S3_ACCESS_KEY_ID, secretAccessKey: env.MEDIA_S3_SECRET_ACCESS_KEY }
        : undefined,
    packDir: env.BATON_PACK,
    outboxSweepMs: env.OUTBOX_SWEEP_MS,
    staleSendMs: env.STALE_SEND_MS,
    webchatSessionTtlMs: env.WEBCHAT_SESSION_TTL_HOURS * 3600_000,
    streamLimits: { perOwner: env.SSE_MAX_PER_OWNER, perIp: env.SSE_MAX_PER_IP },
    stuckHandoffMs: env.STUCK_HANDOFF_MS,
    outboundAttempts: env.OUTBOUND_ATTEMPTS,
    outboundBackoffMs: env.OUTBOUND_BACKOFF_MS,
    providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
    metricsPort: env.METRICS_PORT,
    tracing: { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME },
    rateLimits: { ipPerMinute: env.RATE_LIMIT_IP_PER_MINUTE, senderPerMinute: env.RATE_LIMIT_SENDER_PER_MINUTE, opsPerMinute: env.RATE_LIMIT_OPS_PER_MINUTE },
    metricsToken: env.METRICS_TOKEN,
    metricsCacheMs: env.METRICS_CACHE_MS,
    production: env.NODE_ENV === 'production',
    trustProxy: env.TRUST_PROXY,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    sla: { unclaimedMs: env.SLA_UNCLAIMED_SECONDS * 1000, replyMs: env.SLA_REPLY_SECONDS * 1000 },
  };
}

function redactValue(name: string, value: string): string {
  return /TOKEN|SECRET|KEY|PASSWORD|_URL$/.test(name) ? '[redacted]' : value;
}
