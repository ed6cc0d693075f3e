// Twilio request signatures (X-Twilio-Signature). Mirrors the official SDK validators
// (twilio-node lib/webhooks/webhooks.js, twilio-python RequestValidator) because Twilio
// publishes no spec beyond them; the vectors in test/fixtures/twilio pin the behaviour.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type FormPairs = ReadonlyArray<readonly [string, string]>;

export type VerifyTwilioSignatureOptions = {
  /** Current token first; during rotation also the previous (secondary) one. */
  authTokens: readonly string[];
  /** The full URL Twilio requested, exactly as configured (scheme, host, path, query). */
  url: string;
  /** Every form param received, repeats included — Twilio adds params without notice. */
  params: FormPairs;
  header: string | undefined;
  /** Raw request body; needed only for JSON webhooks whose URL carries bodySHA256. */
  rawBody?: Buffer;
};

/**
 * base64(HMAC-SHA1(token, url + key1 + value1 + key2 + value2 ...)), keys sorted, values
 * of a repeated key sorted and de-duplicated. De-duplication is what both SDKs do
 * (vector `repeated_keys_multidict`): Digits=5678&Digits=1234&Digits=1234 signs
 * "Digits1234Digits5678".
 */
export function computeTwilioSignature(authToken: string, url: string, params: FormPairs): string {
  const valuesByKey = new Map<string, Set<string>>();
  for (const [key, value] of params) {
    const values = valuesByKey.get(key) ?? new Set<string>();
    values.add(value);
    valuesByKey.set(key, values);
  }
  let data = url;
  for (const key of [...valuesByKey.keys()].sort()) {
    for (const value of [...(valuesByKey.get(key) ?? [])].sort()) data += key + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export function verifyTwilioSignature(opts: VerifyTwilioSignatureOptions): boolean {
  const { header } = opts;
  if (header === undefined || header === '') return false;
  // An empty token would make the HMAC key public; a blank env var must not open the door.
  const tokens = opts.authTokens.filter((token) => token !== '');
  if (tokens.length === 0) return false;

  let params = opts.params;
  const bodyHash = queryParam(opts.url, 'bodySHA256');
  if (bodyHash !== undefined) {
    // JSON webhooks sign only the URL; the body is bound to it through its hash.
    if (opts.rawBody === undefined) return false;
    const actual = createHash('sha256').update(opts.rawBody).digest('hex');
    if (!safeEqual(actual, bodyHash.toLowerCase())) return false;
    params = [];
  }

  let ok = false;
  // No early exit: the work done must not depend on which candidate matched.
  for (const token of tokens) {
    for (const candidate of urlCandidates(opts.url)) {
      if (safeEqual(computeTwilioSignature(token, candidate, params), header)) ok = true;
    }
  }
  return ok;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'https:': '443', 'http:': '80' };

/**
 * The URL as given plus its port-toggled twin: the default port added when there is
 * none, any port removed when there is one. Twilio sometimes signs with ':443' and
 * proxies hide or invent ports, so the SDKs accept either form.
 *
 * Done on the raw string on purpose: WHATWG `new URL()` re-encodes the query
 * (e.g. "It's" becomes "It%27s") and drops default ports, which would change the
 * bytes Twilio signed (vector `query_with_special_chars`).
 */
export function urlCandidates(url: string): string[] {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\/([^/?#]*)(.*)$/s.exec(url);
  if (match === null) return [url];
  const [, scheme = '', authority = '', rest = ''] = match;
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  // Bracketed IPv6 literals contain colons, so the port is only what follows the last ']'.
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (hostMatch === null) return [url];
  const [, host = '', port] = hostMatch;
  const prefix = `${scheme}//${userinfo}${host}`;

  if (port !== undefined) return [url, `${prefix}${rest}`];
  const defaultPort = DEFAULT_PORTS[scheme.toLowerCase()];
  return defaultPort === undefined ? [url] : [url, `${prefix}:${defaultPort}${rest}`];
}

function queryParam(url: string, name: string): string | undefined {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return undefined;
  const hashStart = url.indexOf('#', queryStart);
  const query = url.slice(queryStart + 1, hashStart === -1 ? undefined : hashStart);
  return new URLSearchParams(query).get(name) ?? undefined;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // Lengths are public (a SHA-1 base64 is always 28 chars); only contents must not leak.
  return left.length === right.length && timingSafeEqual(left, right);
}
