// Meta's subscription check: GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C.
// The route answers 200 text/plain with C when ok, 403 otherwise.
import { createHash, timingSafeEqual } from 'node:crypto';

export type HandshakeResult = { ok: true; challenge: string } | { ok: false };

/**
 * `query` as Express 5's 'simple' parser gives it: the keys are literally 'hub.mode' etc.
 * An unset verify token refuses every handshake rather than accepting an empty one.
 */
export function verifyHandshake(query: Record<string, unknown>, verifyToken: string | undefined): HandshakeResult {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  // Repeated parameters arrive as arrays; only a single string of each is meaningful.
  if (typeof mode !== 'string' || typeof token !== 'string' || typeof challenge !== 'string') return { ok: false };
  if (!verifyToken || mode !== 'subscribe' || challenge === '') return { ok: false };
  if (!sameSecret(token, verifyToken)) return { ok: false };
  return { ok: true, challenge };
}

function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal-length inputs, so neither the length nor the content leaks.
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
