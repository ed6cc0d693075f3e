// X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(app secret, body). Several secrets are
// accepted so an app secret can be rotated without dropping webhooks in between.
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-f]{64})$/i;

export function verifyWhatsAppSignature(rawBody: Buffer, header: string | undefined, appSecrets: readonly string[]): boolean {
  const match = header === undefined ? null : HEADER.exec(header.trim());
  if (!match?.[1]) return false;
  const received = Buffer.from(match[1], 'hex');
  const secrets = appSecrets.filter((secret) => secret.length > 0);
  if (secrets.length === 0) return false;

  // Meta signs the payload with non-ASCII characters as lowercase \uXXXX escapes, and
  // its deliveries are ASCII on the wire, so the raw bytes are what we hash. A body
  // that still holds raw UTF-8 (a proxy re-encoded it, or a library test vector) is
  // checked a second time in Meta's escaped form; the escaping is a fixed function of
  // the bytes, so this accepts nothing a holder of the secret did not sign.
  const candidates = [rawBody];
  const escaped = escapedForm(rawBody);
  if (escaped) candidates.push(escaped);

  let ok = false;
  for (const secret of secrets) {
    for (const body of candidates) {
      // No early exit: the time taken should not reveal which secret matched.
      if (digestEquals(createHmac('sha256', secret).update(body).digest(), received)) ok = true;
    }
  }
  return ok;
}

/** The full header value for a body, as Meta would send it. */
export function signWhatsAppBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

function digestEquals(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The body with every non-ASCII UTF-16 code unit as \uXXXX; undefined when there is none or the bytes are not UTF-8. */
function escapedForm(rawBody: Buffer): Buffer | undefined {
  if (!rawBody.some((byte) => byte > 0x7f)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(rawBody);
  } catch {
    return undefined;
  }
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    out += unit > 0x7f ? `\\u${unit.toString(16).padStart(4, '0')}` : text.charAt(i);
  }
  return Buffer.from(out, 'utf8');
}
