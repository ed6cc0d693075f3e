// The HTTP exchange webhook and llm bots share: one request with a timeout, read whole,
// every failure an Error that says who failed and how (the turn then applies its fallback).
// Messages never include URLs or bodies: those may hold secrets or personal data.
import { createHmac } from 'node:crypto';
import type { z } from 'zod';

/** `sha256=<hex HMAC-SHA256(secret, raw body)>`, as receivers of Baton's calls verify it. */
export function signBody(secret: string, raw: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

export type Exchanged = { status: number; text: string };

export async function postJson(
  fetchFn: typeof fetch,
  who: string,
  url: string,
  raw: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Exchanged> {
  try {
    const response = await fetchFn(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: raw, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, text: await response.text() };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw new Error(`${who}: timed out after ${timeoutMs}ms`);
    throw new Error(`${who}: could not be reached (${(err as Error).message})`);
  }
}

/** The JSON of a 2xx answer; anything else is an Error naming the status. */
export function jsonAnswer(who: string, { status, text }: Exchanged, expected?: number): unknown {
  if (expected ? status !== expected : status < 200 || status > 299) throw new Error(`${who}: answered ${status}${expected ? ` (expected ${expected})` : ''}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${who}: answered ${status} with a body that is not JSON`);
  }
}

/** A zod error as one line: `path: message; …` (messages name what was expected, never the values). */
export function issuesOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(whole)'}: ${i.message}`).join('; ');
}
