// The environment as a person configuring Baton meets it: defaults that run a fresh
// clone, one clear line naming a bad variable, secrets never repeated back.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { ConfigError } from '../../src/shared/errors.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The ConfigError loadConfig throws for `env` (fails the test if it does not throw one). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://baton:pw@db.internal:5432/baton',
  REDIS_URL: 'redis://cache.internal:6379',
  PUBLIC_BASE_URL: 'https://baton.example.com',
  ADMIN_TOKEN: 'prod-admin-0123456789abcdef0123456789',
  WHATSAPP_VERIFY_TOKEN: 'prod-verify',
  WHATSAPP_APP_SECRET: 'prod-app-secret',
  WHATSAPP_ACCESS_TOKEN: 'prod-access',
  WHATSAPP_PHONE_NUMBER_ID: '123456789',
  TWILIO_ACCOUNT_SID: 'AC11111111111111111111111111111111',
  TWILIO_AUTH_TOKEN: 'prod-twilio',
  TWILIO_FROM_NUMBER: '+15551234567',
};

describe('loadConfig defaults', () => {
  it('runs with nothing set: port 3000, English, the real provider APIs, local URLs', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.defaultLocale).toBe('en');
    expect(config.whatsapp.apiBase).toBe('https://graph.facebook.com/v21.0');
    expect(config.twilio.apiBase).toBe('https://api.twilio.com');
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    // Unset: embedded PostgreSQL and a local Redis.
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    // The built-in classifier, not a model.
    expect(config.llm).toBeUndefined();
    // Development gets working placeholders so a fresh clone answers webhooks.
    expect(config.adminToken.length).toBeGreaterThan(0);
    expect(config.whatsapp.appSecrets.length).toBeGreaterThan(0);
    expect(config.twilio.authTokens.length).toBeGreaterThan(0);
  });

  it('takes what is set, and derives the public URL from PORT', () => {
    const config = loadConfig({ PORT: '8080', DEFAULT_LOCALE: 'ta', WHATSAPP_API_BASE: 'http://127.0.0.1:4010/', TWILIO_API_BASE: 'http://127.0.0.1:4010' });
    expect(config.port).toBe(8080);
    expect(config.defaultLocale).toBe('ta');
    expect(config.publicBaseUrl).toBe('http://localhost:8080');
    // A trailing slash would make every provider URL (and Twilio's signed URL) wrong.
    expect(config.whatsapp.apiBase).toBe('http://127.0.0.1:4010');
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://baton.example.com/' }).publicBaseUrl).toBe('https://baton.example.com');
  });

  it('turns comma-separated secrets into a list, first one first, blanks dropped', () => {
    const config = loadConfig({ WHATSAPP_APP_SECRET: 'current, previous,,', TWILIO_AUTH_TOKEN: 'new-token,old-token' });
    expect(config.whatsapp.appSecrets).toEqual(['current', 'previous']);
    expect(config.twilio.authTokens).toEqual(['new-token', 'old-token']);
    expect(loadConfig({ WHATSAPP_APP_SECRET: 'only-one' }).whatsapp.appSecrets).toEqual(['only-one']);
  });

  it('uses a model only when both its URL and name are given', () => {
    expect(loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }).llm).toBeUndefined();
    expect(loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1/', LLM_MODEL: 'qwen' }).llm).toEqual({
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: undefined,
      model: 'qwen',
    });
  });
});

describe('loadConfig refuses malformed values with a message that starts with the variable', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '30.5'],
    // Number('') is 0: an empty PORT must not silently mean "any free port".
    ['PORT', ''],
    ['PORT', '0x50'],
    ['DEFAULT_LOCALE', 'xx'],
    ['DEFAULT_LOCALE', 'EN'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['PUBLIC_BASE_URL', 'baton.example.com'],
    ['WHATSAPP_API_BASE', 'ftp://graph.facebook.com'],
    ['NODE_ENV', 'prod'],
    ['LOG_LEVEL', 'verbose'],
  ])('%s=%j', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.message.startsWith(`${name} `)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('names the variable a person set wrong even when others are fine', () => {
    expect(configError({ PORT: '3000', DEFAULT_LOCALE: 'xx', DATABASE_URL: 'postgres://x/y' }).message).toMatch(/^DEFAULT_LOCALE /);
  });

  it('shows a harmless bad value, to help fix it', () => {
    expect(configError({ PORT: 'abc' }).message).toContain('abc');
    expect(configError({ DEFAULT_LOCALE: 'xx' }).message).toContain('xx');
  });

  it('never repeats a secret back', () => {
    const cases: Array<[string, string, string]> = [
      ['DATABASE_URL', 'mysql://baton:hunter2@db.internal/baton', 'hunter2'],
      ['REDIS_URL', 'http://:s3cr3t-redis@cache.internal:6379', 's3cr3t-redis'],
      ['LLM_BASE_URL', 'ftp://sk-live-abcdef@llm.internal', 'sk-live-abcdef'],
    ];
    for (const [name, value, secret] of cases) {
      const err = configError({ [name]: value });
      expect(err.message.startsWith(`${name} `), name).toBe(true);
      expect(err.message, name).not.toContain(secret);
      expect(String(err.stack), name).not.toContain(secret);
    }
  });
});

describe('loadConfig in production', () => {
  it('accepts a complete production environment and uses none of the development placeholders', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.env).toBe('production');
    expect(config.adminToken).toBe(PRODUCTION.ADMIN_TOKEN);
    expect(config.whatsapp.appSecrets).toEqual(['prod-app-secret']);
    expect(config.twilio.authTokens).toEqual(['prod-twilio']);
  });

  it.each(['DATABASE_URL', 'REDIS_URL', 'PUBLIC_BASE_URL', 'ADMIN_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_ACCESS_TOKEN', 'TWILIO_AUTH_TOKEN'])(
    'refuses to start without %s, naming it',
    (name) => {
      const env: Record<string, string> = { ...PRODUCTION };
      delete env[name];
      expect(configError(env).message).toMatch(new RegExp(`^${name} .*required`));
      // Blank is as good as missing.
      expect(configError({ ...PRODUCTION, [name]: '  ' }).message.startsWith(`${name} `)).toBe(true);
    },
  );

  it('refuses an ADMIN_TOKEN shorter than 32 characters, in one line naming it, without repeating it', () => {
    const message = configError({ ...PRODUCTION, ADMIN_TOKEN: 'short-but-secret' }).message;
    expect(message).toMatch(/^ADMIN_TOKEN must be at least 32 characters/);
    expect(message).not.toContain('short-but-secret');
    expect(message.split('\n')).toHaveLength(1);
    expect(loadConfig({ ...PRODUCTION, ADMIN_TOKEN: 'x'.repeat(32) }).adminToken).toHaveLength(32);
    // Development and test keep their short placeholders.
    expect(loadConfig({ NODE_ENV: 'development', ADMIN_TOKEN: 'short' }).adminToken).toBe('short');
    expect(loadConfig({ NODE_ENV: 'test', ADMIN_TOKEN: 'short' }).adminToken).toBe('short');
  });

  it('lets a given ADMIN_TOKEN win over the development placeholder', () => {
    expect(loadConfig({ NODE_ENV: 'test', ADMIN_TOKEN: 'mine' }).adminToken).toBe('mine');
  });
});

describe('TRUST_PROXY', () => {
  it('trusts loopback proxies by default, as before', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
  });

  it('takes a hop count', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' 0 ' }).trustProxy).toBe(0);
  });

  it('takes a comma-separated list of CIDRs, addresses and the loopback/linklocal/uniquelocal names', () => {
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,192.168.1.7, fd00::/8' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback', '192.168.1.7', 'fd00::/8']);
  });

  it.each(['true', 'proxy.internal', '10.0.0.0/33', '10.0.0/8', 'loopback,,nonsense', '::1/129', ' ', '-1'])('refuses %j in one line naming TRUST_PROXY', (value) => {
    const message = configError({ TRUST_PROXY: value }).message;
    expect(message).toMatch(/^TRUST_PROXY is invalid: /);
    expect(message.split('\n')).toHaveLength(1);
  });
});

describe('SHUTDOWN_TIMEOUT_MS', () => {
  it('defaults to 10 s and takes a positive number of milliseconds', () => {
    expect(loadConfig({}).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs).toBe(2500);
  });

  it.each(['0', '-5', 'soon', '1.5'])('refuses %j naming SHUTDOWN_TIMEOUT_MS', (value) => {
    expect(configError({ SHUTDOWN_TIMEOUT_MS: value }).message).toMatch(/^SHUTDOWN_TIMEOUT_MS is invalid: /);
  });
});

describe('start-up with a bad variable', () => {
  const start = (env: Record<string, string>) =>
    spawnSync('npx', ['tsx', 'src/main/api.ts'], {
      cwd: ROOT,
      env: { ...process.env, npm_config_update_notifier: 'false', NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('exits with code 1 and one line on stderr naming PORT', () => {
    const result = start({ PORT: 'abc' });
    expect(result.error).toBeUndefined();
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/\bPORT\b/);
    expect(lines[0]).toContain('abc');
    // Nothing was started, so nothing claims to be running.
    expect(result.stdout).not.toMatch(/running/i);
  }, 90_000);

  it('a pack that does not validate stops start-up with one line naming the file and the problem', () => {
    const result = start({ BATON_PACK: path.join(ROOT, 'packs/clinic') });
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/packs\/clinic: pack\.json env: env var CLINIC_API_BASE is not set \(and \d+ more/);
    expect(result.stdout).not.toMatch(/running/i);
  }, 90_000);

  it('names a bad DATABASE_URL without printing its password', () => {
    const result = start({ DATABASE_URL: 'mysql://baton:hunter2@db.internal/baton' });
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/\bDATABASE_URL\b/);
    expect(result.stderr + result.stdout).not.toContain('hunter2');
  }, 90_000);
});
