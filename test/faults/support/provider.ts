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

export type Delivery = { key: string; to: string; text: string; at: number; providerMessageId: string; channel: 'whatsapp' | 'sms' };

/** Random faults for every send (the soak): each a probability between 0 and 1. */
export type Chaos = { error?: number; rateLimit?: number; hang?: number; acceptThenStall?: number };

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
  /** Random faults from now on (null: none). Scripted faults come first. */
  setChaos(chaos: Chaos | null): void;
  /** How many of each random fault were served. */
  chaosServed: Record<'error' | 'rateLimit' | 'hang' | 'acceptThenStall', number>;
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
  let chaos: Chaos | null = null;
  const chaosServed = { error: 0, rateLimit: 0, hang: 0, acceptThenStall: 0 };
  const smsPath = /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/;
  const randomFault = (sms: boolean): ProviderFault | undefined => {
    if (!chaos) return undefined;
    let r = Math.random();
    for (const kind of ['error', 'rateLimit', 'hang', 'acceptThenStall'] as const) {
      const p = chaos[kind] ?? 0;
      if (r >= p) {
        r -= p;
        continue;
      }
      chaosServed[kind]++;
      if (kind === 'error') return { status: 500, body: sms ? { code: 20500, message: 'stand-in chaos' } : { error: { message: 'stand-in chaos', code: 1 } } };
      if (kind === 'rateLimit') return { status: 429, headers: { 'retry-after': '1' }, body: sms ? { code: 20429, message: 'Too Many Requests' } : { error: { message: '(#130429) Rate limit hit', code: 130429 } } };
      if (kind === 'hang') return { hang: true };
      return { acceptThenStallMs: 10_000 };
    }
    return undefined;
  };

  const deliver = (key: string, to: string, text: string, channel: Delivery['channel'] = 'whatsapp'): Delivery => {
    const existing = delivered.get(key);
    if (existing) return existing;
    const delivery = { key, to, text, at: Date.now(), providerMessageId: channel === 'sms' ? `SM${randomUUID().replace(/-/g, '')}` : `wamid.fault-${randomUUID()}`, channel };
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
      if (req.method === 'POST' && smsPath.test(req.url ?? '')) return twilio(req.headers, Buffer.concat(chunks).toString('utf8'), res);
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
      serve(res, { at: Date.now(), key, to, text, outcome: 'hang', delivered: false }, 'whatsapp');
    });
  });
  /** Twilio's Messages API, deduplicated by Idempotency-Key like the WhatsApp one. */
  function twilio(headers: Record<string, string | string[] | undefined>, body: string, res: ServerResponse) {
    const form = new URLSearchParams(body);
    serve(res, { at: Date.now(), key: String(headers['idempotency-key'] ?? ''), to: form.get('To') ?? '', text: form.get('Body') ?? '', outcome: 'hang', delivered: false }, 'sms');
  }

  /** The scripted (or random) fault for this send, or its delivery, answered as the channel's API answers. */
  function serve(res: ServerResponse, record: RawSend, channel: Delivery['channel']) {
    raw.push(record);
    open.add(res);
    res.on('close', () => open.delete(res));
    const sms = channel === 'sms';
    const scripted = perRecipient.get(record.to);
    const fault = (scripted?.length ? scripted.shift() : anyRecipient.shift()) ?? randomFault(sms);
    if (fault && 'hang' in fault) {
      hangingNow++;
      res.on('close', () => hangingNow--);
      return;
    }
    if (fault && 'status' in fault) {
      record.outcome = fault.status;
      const body = fault.body ?? (sms ? { code: 20500, message: 'stand-in fault' } : { error: { message: 'stand-in fault', code: 1 } });
      return void setTimeout(() => answer(res, fault.status, body, fault.headers), latencyMs);
    }
    if (!record.key) {
      record.outcome = 400;
      const message = 'Idempotency-Key is required by this stand-in';
      return answer(res, 400, sms ? { code: 21600, message } : { error: { message, code: 100 } });
    }
    record.delivered = !delivered.has(record.key);
    const delivery = deliver(record.key, record.to, record.text, channel);
    const [status, body] = sms ? [201, { sid: delivery.providerMessageId, status: 'queued', to: record.to }] : [200, success(delivery)];
    if (fault && 'acceptThenStallMs' in fault) {
      record.outcome = 'stalled';
      return void setTimeout(() => answer(res, status, body), fault.acceptThenStallMs);
    }
    record.outcome = status;
    setTimeout(() => answer(res, status, body), latencyMs);
  }

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
    setChaos: (next) => (chaos = next),
    chaosServed,
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
