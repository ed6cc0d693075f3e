// Errors say who is at fault and whether trying again can help. HTTP mapping and
// job retry decisions read these classes, never the message text.

/** The caller sent something we will never accept (bad body, bad signature, ...). */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** Baton is misconfigured (env, bot contracts): fix the configuration and start again. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A dependency (PostgreSQL, Redis) is down: the caller should retry later (HTTP 503). */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super(message);
  }
}

/**
 * A provider (Graph API, Twilio) refused or failed a send. `retryable` is decided from
 * the status code by the adapter: 5xx, 429 and network failures are retryable, other
 * 4xx are the request's fault and are not.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    message: string,
    readonly provider: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly providerCode?: string,
  ) {
    super(message);
  }
}
