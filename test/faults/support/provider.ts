// A stand-in WhatsApp Graph API for the fault tests, stricter than src/dev's: it behaves
// like a provider that honours Idempotency-Key. The first 2xx for a key is the delivery
// (the customer's phone buzzes); a later request with that key is answered with the same
// message id and delivers nothing. Every raw request is recorded too, so a test can tell
// "Baton retried" (many requests, one key) from "the customer got it twice" (two keys
// for one reply). Faults are scripted per recipient, or for whichever send comes next.
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProviderFault =
  /** Answer with this status (and headers) instead of delivering. */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Take the request and never answer it (until the client goes away). */
  | { hang: true }
  /** Deliver, then hold the answer this long: the sender times out after we accepted. */
  | { acceptThenStallMs: number };

export type RawSend = {
  at: number;
  key: string;
  to: string;
  text: string;
  /** What it got: a status, or 'hang' / 'stalled' when no answer was written in time. */
  outcome: number | 'hang' | 'stalled';
  /** This request was the one that delivered its key. */
  delivered: boolean;
};

export type Delivery = { key: string; to: string; text: string; at: number; providerMessageId: string };

export type FaultProvider = {
  url: string;
  /** Path Baton posts WhatsApp sends to, for the configured phone number id. */
  sendPath: string;
  raw: RawSend[];
  /** One entry per delivered Idempotency-Key, in delivery order. */
  deliveries: Delivery[];
  /** Requests currently held open by a `hang` fault. */
  hanging(): number;
  /** Faults for the next sends to `to`, in order. */
  script(to: string, ...faults: ProviderFault[]): void;
  /** Faults for the next sends to anyone (used after recipient scripts). */
  scriptNext(...faults: ProviderFault[]): void;
  /** Extra latency before every answer (ms). */
  setLatency(ms: number): void;
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

export async function startFaultProvider(phoneNumberId: string): Promise<FaultProvider> {
  const sendPath = `/${phoneNumberId}/messages`;
  const raw: RawSend[] = [];
  const deliveries: Delivery[] = [];
  const delivered = new Map<string, Delivery>();
  const perRecipient = new Map<string, ProviderFault[]>();
  const anyRecipient: ProviderFault[] = [];
  const open = new Set<ServerResponse>();
  let hangingNow = 0;
  let latencyMs = 0;

  const deliver = (key: string, to: string, text: string): Delivery => {
    const existing = delivered.get(key);
    if (existing) return existing;
    const delivery = { key, to, text, at: Date.now(), providerMessageId: `wamid.fault-${randomUUID()}` };
    delivered.set(key, delivery);
    deliveries.push(delivery);
    return delivery;
  };
  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const success = (d: Delivery) => ({ messaging_product: 'whatsapp', contacts: [{ input: d.to, wa_id: d.to }], messages: [{ id: d.providerMessageId }] });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== sendPath) return answer(res, 404, { error: { message: 'unknown stand-in route', code: 100 } });
      let json: { to?: string; text?: { body?: string }; interactive?: { body?: { text?: string } }; template?: { name?: string } } = {};
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(res, 400, { error: { message: 'body is not JSON', code: 100 } });
      }
      // A read receipt (with the typing indicator) is not a send: never faulted, never counted.
      if ((json as { status?: string }).status === 'read') return answer(res, 200, { success: true });
      const key = String(req.headers['idempotency-key'] ?? '');
      const to = String(json.to ?? '');
      const text = json.text?.body ?? json.interactive?.body?.text ?? json.template?.name ?? '';
      const record: RawSend = { at: Date.now(), key, to, text, outcome: 'hang', delivered: false };
      raw.push(record);
      open.add(res);
      res.on('close', () => open.delete(res));

      const scripted = perRecipient.get(to);
      const fault = scripted?.length ? scripted.shift() : anyRecipient.shift();
      if (fault && 'hang' in fault) {
        hangingNow++;
        res.on('close', () => hangingNow--);
        return;
      }
      if (fault && 'status' in fault) {
        record.outcome = fault.status;
        return void setTimeout(() => answer(res, fault.status, fault.body ?? { error: { message: 'stand-in fault', code: 1 } }, fault.headers), latencyMs);
      }
      if (!key) {
        record.outcome = 400;
        return answer(res, 400, { error: { message: 'Idempotency-Key is required by this stand-in', code: 100 } });
      }
      record.delivered = !delivered.has(key);
      const delivery = deliver(key, to, text);
      if (fault && 'acceptThenStallMs' in fault) {
        record.outcome = 'stalled';
        return void setTimeout(() => answer(res, 200, success(delivery)), fault.acceptThenStallMs);
      }
      record.outcome = 200;
      setTimeout(() => answer(res, 200, success(delivery)), latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    sendPath,
    raw,
    deliveries,
    hanging: () => hangingNow,
    script: (to, ...faults) => perRecipient.set(to, [...(perRecipient.get(to) ?? []), ...faults]),
    scriptNext: (...faults) => anyRecipient.push(...faults),
    setLatency: (ms) => (latencyMs = ms),
    async waitFor(what, check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`stand-in provider: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
