// The second, small pack (packs/clinic) end to end, to prove nothing in the core is
// specific to the demo store: a clinic whose appointments bot is a webhook in the
// clinic's own service and whose front-desk assistant is an LLM bot with tools.
// Real queues, workers, PostgreSQL and Redis; the clinic service and the model are
// real local HTTP servers (the model scripted per test).
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedCustomer, type TurnReport } from '../../src/dev/simulatedCustomer.ts';
import { startClinicService } from '../../packs/clinic/service/clinic.ts';
import { SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';
import { startRecordingServer, signedWith, type Answer, type RecordingServer } from '../support/recordingServer.ts';
import { callTools, say, type ChatRequest } from '../support/scriptedModel.ts';

const CLINIC_DIR = path.resolve(import.meta.dirname, '../../packs/clinic');
const SECRET = 'clinic-webhook-secret';

let h: Harness;
let server: Listening;
let clinic: Awaited<ReturnType<typeof startClinicService>>;
/** In front of the clinic service: forwards, unless a test scripts a failure. */
let front: RecordingServer;
let failNext: Answer[] = [];
let model: RecordingServer;
let modelScript: Answer[] = [];

beforeAll(async () => {
  clinic = await startClinicService({ secret: SECRET });
  front = await startRecordingServer(() => ({ status: 599 }));
  // The front answers by forwarding to the clinic service (or with a scripted failure).
  const forwardingFront = await import('node:http').then(({ createServer }) =>
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks);
        front.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw: raw.toString('utf8'), json: raw.length ? JSON.parse(raw.toString('utf8')) : undefined });
        const failure = req.url?.startsWith('/baton/') ? failNext.shift() : undefined;
        if (failure) {
          setTimeout(() => {
            if (res.destroyed) return;
            res.writeHead(failure.status ?? 200, { 'content-type': 'application/json' });
            res.end(failure.raw ?? JSON.stringify(failure.body ?? {}));
          }, failure.delayMs ?? 0);
          return;
        }
        const answer = await fetch(`${clinic.url}${req.url}`, { method: req.method ?? 'GET', headers: req.headers as Record<string, string>, ...(raw.length ? { body: raw } : {}) });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(await answer.text());
      });
    }),
  );
  await new Promise<void>((resolve) => forwardingFront.listen(0, '127.0.0.1', resolve));
  const frontUrl = `http://127.0.0.1:${(forwardingFront.address() as { port: number }).port}`;
  afterAll(() => new Promise<void>((resolve) => forwardingFront.close(() => resolve())));
  model = await startRecordingServer(() => modelScript.shift() ?? { status: 500, body: { error: { message: 'no more answers scripted' } } });
  h = await startHarness({
    env: { BATON_PACK: CLINIC_DIR, CLINIC_API_BASE: frontUrl, CLINIC_WEBHOOK_SECRET: SECRET, CLINIC_LLM_URL: `${model.url}/v1` },
  });
  server = await listen(h.app);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await h?.close();
  await model?.close();
  await front?.close();
  await clinic?.close();
});
beforeEach(() => {
  failNext = [];
  modelScript = [];
  model.requests.length = 0;
  front.requests.length = 0;
});

const patient = (name = 'Meera') => new SimulatedCustomer({ baseUrl: server.url, db: h.rt.db, appSecret: SECRETS.appSecret, phoneNumberId: SECRETS.phoneNumberId, name });
const texts = (r: TurnReport) => r.replies.map((x) => x.text).join('\n');
const webhookCalls = () => front.requests.filter((r) => r.path === '/baton/appointments');

describe('the clinic pack', () => {
  it('loads as the running pack, with its own bots, and greets as the clinic', async () => {
    expect(h.rt.packs.current()).toMatchObject({ name: 'CityCare Clinic', version: '1.0.0' });
    expect(h.rt.packs.current().bots.contracts().map((c) => c.id).sort()).toEqual(['appointments', 'assistant', 'reception']);
    const r = await patient().say('hello');
    expect(texts(r)).toContain('CityCare Clinic');
    expect(r.replies.at(-1)?.options?.map((o) => o.title)).toEqual(['Book an appointment', 'Ask the front desk', 'Talk to a person']);
  });

  it('routes by its own phrases in English to the webhook bot, which answers through the queue and worker', async () => {
    const c = patient();
    const r = await c.say('I need an appointment with the dermatologist');
    expect(r.handoffs).toEqual([expect.objectContaining({ from: 'bot:reception', to: 'bot:appointments', status: 'accepted', packVersion: '1.0.0' })]);
    expect(texts(r)).toMatch(/booked with dermatology on 2026-12-08 10:30\. Your booking reference is APT-\d+/);
    expect(r.replies.find((x) => /booked/.test(x.text))?.author).toBe('appointments');
    // The clinic received the contract's body, signed, with the envelope that brought the conversation.
    const call = webhookCalls()[0]!;
    expect(signedWith(SECRET, call.raw, call.headers['x-baton-signature'])).toBe(true);
    expect(call.json).toMatchObject({ version: '1', channel: 'whatsapp', locale: 'en', bot: 'appointments', intent: { name: 'appointment.book' }, message: { text: 'I need an appointment with the dermatologist' } });
    expect((call.json as { envelope: { version: string; to: { id: string } } }).envelope).toMatchObject({ version: 'v1', to: { type: 'bot', id: 'appointments' } });
    // The slot it returned is kept and sent with later turns.
    expect(r.conversation.context.slots.bookingId?.value).toMatch(/^APT-\d+$/);
  });

  it('routes by its own phrases in Hindi and answers in Hindi', async () => {
    const r = await patient().say('मुझे कल त्वचा के डॉक्टर से मिलने का समय चाहिए');
    expect(r.conversation.locale).toBe('hi');
    expect(r.handoffs.at(-1)).toMatchObject({ to: 'bot:appointments', status: 'accepted' });
    expect(texts(r)).toMatch(/dermatology में 2026-12-08 10:30 को बुक हो गया/);
  });

  it('the LLM bot calls an action as a tool, then hands off through a transfer tool; the target answers the same message', async () => {
    modelScript = [callTools([['findSlots', { department: 'cardiology' }]]), callTools([['transfer_to_appointments', { reason: 'wants_booking' }]], 'Let me book that for you.')];
    const c = patient('Arjun');
    const r = await c.say('do you have a cardiology department? is the clinic open on sunday');
    expect(r.handoffs.map((x) => `${x.from}>${x.to}:${x.status}`)).toEqual(['bot:reception>bot:assistant:accepted', 'bot:assistant>bot:appointments:accepted']);
    expect(r.handoffs[1]).toMatchObject({ pattern: 'explicit', reason: 'wants_booking', packVersion: '1.0.0' });
    // The action went to the clinic with the verified contact identity.
    const slots = front.requests.find((x) => x.path.startsWith('/slots'))!;
    expect(slots.path).toBe('/slots?department=cardiology');
    expect(slots.headers['x-baton-contact-channel']).toBe('whatsapp');
    expect(slots.headers['x-baton-contact-address']).toBe(c.waId);
    // The model saw the action's answer as the tool result.
    const second = model.requests[1]!.json as ChatRequest;
    expect(second.messages.find((m) => m.role === 'tool')?.content).toContain('2026-12-08 10:30');
    expect(texts(r)).toContain('Let me book that for you.');
    expect(texts(r)).toMatch(/booked with cardiology/);
    // Personal data never reached the model.
    expect(model.requests.map((x) => x.raw).join('\n')).not.toContain(c.waId);
  });

  it('the LLM bot answers in the conversation language and is told so', async () => {
    modelScript = [say('Yes, we are open on Sundays from 9 to 1.')];
    const r = await patient().say('is the clinic open on sunday');
    expect(r.handoffs.at(-1)).toMatchObject({ to: 'bot:assistant', status: 'accepted' });
    expect(texts(r)).toContain('Yes, we are open on Sundays from 9 to 1.');
    expect((model.requests[0]!.json as ChatRequest).messages[0]!.content).toMatch(/English|\(en\)/);
  });
});

describe('failures fall back per the protocol, each with a ledger row, and the customer is still answered', () => {
  const expectFallback = async (setup: () => void) => {
    setup();
    const c = patient();
    const r = await c.say('book me with a dermatologist');
    // Accepted into appointments, which then failed: back to reception, which says so.
    expect(r.handoffs.map((x) => `${x.to}:${x.status}:${x.reason}`)).toEqual(['bot:appointments:accepted:routed', 'bot:reception:accepted:bot_failure']);
    expect(r.conversation).toMatchObject({ status: 'bot', ownerId: 'reception' });
    expect(texts(r)).toMatch(/something went wrong on our side/);
    return c;
  };

  it('webhook timeout', async () => {
    await expectFallback(() => (failNext = [{ delayMs: 3500, body: { replies: [{ text: 'too late' }] } }]));
  });
  it('webhook answers 500', async () => {
    await expectFallback(() => (failNext = [{ status: 500, body: { error: 'down' } }]));
  });
  it('webhook answers something that is not the contract', async () => {
    await expectFallback(() => (failNext = [{ body: { reply: 'typo in the field name' } }]));
  });
  it('a second failure brings a person', async () => {
    const c = await expectFallback(() => (failNext = [{ status: 500 }]));
    failNext = [{ status: 500 }];
    const r = await c.say('book me with a dermatologist please');
    expect(r.conversation.status).toBe('waiting');
    // A person takes over: the ping-pong guard sees reception hand back to the bot that just failed.
    expect(r.handoffs.at(-1)).toMatchObject({ to: 'queue:human', status: 'accepted' });
    expect(['fallbacks_exhausted', 'ping_pong']).toContain(r.handoffs.at(-1)!.reason);
  });

  const expectLlmFallback = async (script: Answer[]) => {
    modelScript = script;
    const r = await patient().say('where is the clinic located');
    expect(r.handoffs.map((x) => `${x.to}:${x.status}:${x.reason}`)).toEqual(['bot:assistant:accepted:routed', 'bot:reception:accepted:bot_failure']);
    expect(texts(r)).toMatch(/something went wrong on our side/);
  };
  it('a model that never stops calling tools', async () => {
    await expectLlmFallback(Array.from({ length: 6 }, () => callTools([['findSlots', { department: 'general' }]])));
    // Bounded: maxToolRounds (3) rounds of tools, then the turn gives up.
    expect(model.requests.length).toBe(4);
  });
  it('a model that times out', async () => {
    await expectLlmFallback([{ delayMs: 6000, body: {} }]);
  });
  it('malformed tool calls the model cannot recover from', async () => {
    await expectLlmFallback([callTools([['findSlots', '{not json']]), callTools([['no_such_tool', {}]]), callTools([['findSlots', { floor: 2 }]])]);
  });
});

describe('pack reload', () => {
  const admin = { authorization: `Bearer ${SECRETS.adminToken}` };
  it('swaps a valid pack in and refuses a broken one with 422, the old pack still serving', async () => {
    const ok = await h.http.post('/api/admin/pack/reload').set(admin);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ name: 'CityCare Clinic', version: '1.0.0' });

    // The env var the pack declares is gone now: the reload is refused.
    const secret = h.packEnv.CLINIC_WEBHOOK_SECRET;
    delete h.packEnv.CLINIC_WEBHOOK_SECRET;
    try {
      const bad = await h.http.post('/api/admin/pack/reload').set(admin);
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ error: 'invalid_pack', message: expect.stringMatching(/CLINIC_WEBHOOK_SECRET is not set/) });
    } finally {
      h.packEnv.CLINIC_WEBHOOK_SECRET = secret;
    }
    expect(h.rt.packs.current().name).toBe('CityCare Clinic');
    const r = await patient().say('I want to book an appointment');
    expect(texts(r)).toMatch(/booking reference is APT-/);
  });
});
