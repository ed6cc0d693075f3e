// Handoff ids derived from what caused them, so a retried job replays the same
// handoff (and changes nothing) instead of starting a second one.
import { createHash } from 'node:crypto';

export function handoffIdFor(cause: string, n: number): string {
  const h = createHash('sha256').update(`handoff:${cause}:${n}`).digest('hex');
  // Shaped as an RFC 9562 version-8 (custom) UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
