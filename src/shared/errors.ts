// Errors say who is at fault and whether trying again can help. HTTP mapping and
// job retry decisions read these classes, never the message text.

/**
 * A use case refused: the caller asked for something that is not there, not theirs,
 * already taken, or not allowed now. `code` is the stable machine-readable reason
 * (e.g. already_claimed); the HTTP layer maps the class to a status (one middleware,
 * src/http/middleware/errors.ts), workers just log it.
 */
export abstract class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
/** No such thing, or not one the caller may see (404). */
export class NotFound extends DomainError {}
/** Someone acted first, or the state does not allow it now (409). */
export class Conflict extends DomainError {}
/** The caller is known but may not do this (403). */
export class Forbidden extends DomainError {}
/** No credentials, or not valid ones (401). */
export class Unauthenticated extends DomainError {}
/** The input is well-formed for the edge but not acceptable to the use case (400). */
export class InvalidInput extends DomainError {}
/** Understood and allowed, but cannot be done as asked (422), e.g. template_required. */
export class Unprocessable extends DomainError {}

/** The caller sent something we will never accept at the HTTP edge (bad body, bad signature, ...). */
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
