// Fuzz: thousands of mutated real payloads (WhatsApp webhooks from test/fixtures,
// signed after mutation so they get past the signature to the parser; Twilio forms,
// signed; web chat and agent API bodies) on every public endpoint. Whatever arrives,
// Baton never answers 5xx, never crashes, and every refusal is a 4xx with
// {error, message}. Seeded: FUZZ_SEED=<n> replays a run.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTwilioSignature } from '../../src/channels/sms/index.ts';
import { SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';
import { signWhatsApp, whatsappFixtures, whatsappText } from '../support/payloads.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';
import { CONTENT_TYPES, mutateText, mutateTree, randomValue, rng, type Rng } from './support/mutate.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const r = rng(SEED);

type Case = { method: string; path: string; headers: Record<string, string>; body?: Buffer; label: string };
type Failure = { label: string; method: string; path: string; status: number; contentType: string; response: string; request: string };

let scratch: ScratchDatabase;
let h: Harness;
let server: Listening;
let agentToken: string;
let heldConversation: string;
let session: { sessionId: string; token: string };

beforeAll(async () => {
  scratch = await createScratchDatabase('fuzz');
  h = await startHarness({ workers: false, env: { DATABASE_URL: scratch.url } });
  server = await listen(h.app);
  // An agent holding a conversation, so agent routes get past "not yours" to their bodies.
  const agent = await h.http
    .post('/api/admin/agents')
    .set('authorization', `Bearer ${SECRETS.adminToken}`)
    .send({ name: 'Fuzz Agent', email: 'fuzz-agent@example.test', role: 'agent', languages: ['en', 'hi'], skills: [] });
  agentToken = agent.body.token;
  const created = await h.http.post('/webchat/sessions').send({ locale: 'en', name: 'Fuzz' });
  session = created.body;
  await h.http.post(`/webchat/sessions/${session.sessionId}/messages`).set('authorization', `Bearer ${session.token}`).send({ text: 'hello', clientMessageId: 'seed-1' });
  const conversation = await h.rt.db.conversation.findFirstOrThrow({ where: { externalId: session.sessionId } });
  await h.rt.db.conversation.update({ where: { id: conversation.id }, data: { status: 'waiting', ownerType: 'queue', ownerId: null, waitingSince: new Date() } });
  const claimed = await h.http.post(`/api/conversations/${conversation.id}/claim`).set('authorization', `Bearer ${agentToken}`);
  expect(claimed.status).toBe(200);
  heldConversation = conversation.id;
});
afterAll(async () => {
  await server?.close();
  await h?.close();
  await scratch?.drop();
});

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Mutates a JSON body: 1–3 structural changes, sometimes a textual one on top. */
function mutatedJson(base: unknown): Buffer {
  let tree: unknown = clone(base);
  const changes = 1 + r.int(3);
  for (let i = 0; i < changes; i++) tree = r.chance(0.9) ? mutateTree(r, tree) : randomValue(r);
  let text: string;
  try {
    text = JSON.stringify(tree) ?? 'null';
  } catch {
    text = JSON.stringify(base);
  }
  return r.chance(0.25) ? mutateText(r, text) : Buffer.from(text);
}

function contentType(usual: string): string {
  return r.chance(0.85) ? usual : r.pick(CONTENT_TYPES);
}

function whatsappCases(count: number): Case[] {
  const fixtures = whatsappFixtures().map((f) => JSON.parse(f.body) as unknown);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const base = r.chance(0.8) ? r.pick(fixtures) : JSON.parse(whatsappText({ from: '919800000001', id: `wamid.fuzz-${i}`, text: 'hi' }));
    // Fresh message ids, so mutated bodies are stored rather than all deduplicated away.
    const body = mutatedJson(JSON.parse(JSON.stringify(base).replace(/"wamid\.[^"]*"/g, () => `"wamid.fuzz-${randomUUID()}"`)));
    // Signed over the exact bytes (mutations may leave invalid UTF-8); a few are not.
    const signature = r.chance(0.95) ? signWhatsAppBytes(body) : `sha256=${'0'.repeat(64)}`;
    cases.push({
      method: 'POST',
      path: '/webhooks/whatsapp',
      headers: { 'content-type': contentType('application/json'), 'x-hub-signature-256': signature },
      body,
      label: 'whatsapp webhook',
    });
  }
  return cases;
}

function signWhatsAppBytes(body: Buffer): string {
  return `sha256=${createHmac('sha256', SECRETS.appSecret).update(body).digest('hex')}`;
}

function smsCases(count: number): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const status = r.chance(0.2);
    const path = status ? '/webhooks/sms/status' : '/webhooks/sms';
    const base: Array<[string, string]> = status
      ? [
          ['MessageSid', `SM${randomUUID().replace(/-/g, '')}`],
          ['MessageStatus', r.pick(['delivered', 'failed', 'undelivered', 'sent', 'read', 'bogus'])],
          ['AccountSid', SECRETS.twilioSid],
          ['ErrorCode', '30003'],
        ]
      : [
          ['MessageSid', `SM${randomUUID().replace(/-/g, '')}`],
          ['AccountSid', SECRETS.twilioSid],
          ['From', '+919800000002'],
          ['To', SECRETS.twilioFrom],
          ['Body', 'where is ORD-1001'],
          ['NumMedia', '0'],
        ];
    const pairs = mutateForm(r, base);
    const signature = r.chance(0.92) ? computeTwilioSignature(SECRETS.twilioToken, SECRETS.publicBaseUrl + path, pairs) : 'bm90IGEgc2lnbmF0dXJl';
    const encoded = new URLSearchParams(pairs).toString();
    cases.push({
      method: 'POST',
      path,
      headers: { 'content-type': contentType('application/x-www-form-urlencoded'), 'x-twilio-signature': signature },
      body: r.chance(0.1) ? mutateText(r, encoded) : Buffer.from(encoded),
      label: status ? 'sms status webhook' : 'sms webhook',
    });
  }
  return cases;
}

function mutateForm(r: Rng, base: Array<[string, string]>): Array<[string, string]> {
  const pairs = base.map(([k, v]) => [k, v] as [string, string]);
  const changes = 1 + r.int(3);
  for (let i = 0; i < changes; i++) {
    const at = r.int(pairs.length || 1);
    switch (r.int(7)) {
      case 0:
        pairs.splice(at, 1);
        break;
      case 1:
        if (pairs[at]) pairs.push([pairs[at]![0], r.pick(['second', '', '+1'])]); // a repeated key
        break;
      case 2:
        if (pairs[at]) pairs[at]![1] = 'Z'.repeat(r.pick([1000, 100_000, 400_000]));
        break;
      case 3:
        if (pairs[at]) pairs[at]![1] = String(randomValue(r)).slice(0, 5000);
        break;
      case 4:
        if (pairs[at]) pairs[at]![1] = '';
        break;
      case 5:
        pairs.push([r.pick(['NumMedia', 'MediaUrl0', 'Latitude', 'ButtonPayload', '__proto__', 'x[y]', '']), String(randomValue(r)).slice(0, 300)]);
        break;
      default:
        for (let k = 0; k < 250; k++) pairs.push([`P${k}`, 'v']); // past the parameter limit
    }
  }
  return pairs;
}

function webchatCases(count: number): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    if (r.chance(0.3)) {
      cases.push({ method: 'POST', path: '/webchat/sessions', headers: { 'content-type': contentType('application/json') }, body: mutatedJson({ locale: 'hi', name: 'Asha' }), label: 'webchat session' });
      continue;
    }
    const id = r.chance(0.93) ? session.sessionId : r.pick(['not-a-uuid', randomUUID(), '%00', 'a'.repeat(300)]);
    const token = r.chance(0.9) ? session.token : r.pick(['', 'wrong', 'Bearer', session.token + 'x']);
    const auth = { authorization: `Bearer ${token}` };
    if (r.chance(0.15)) {
      cases.push({ method: 'GET', path: `/webchat/sessions/${encodeURIComponent(id)}/messages`, headers: r.chance(0.5) ? auth : {}, label: 'webchat history' });
      continue;
    }
    cases.push({
      method: 'POST',
      path: `/webchat/sessions/${encodeURIComponent(id)}/messages`,
      headers: { 'content-type': contentType('application/json'), ...auth },
      body: mutatedJson({ text: 'where is my order ORD-1002', clientMessageId: `fuzz-${i}` }),
      label: 'webchat message',
    });
  }
  return cases;
}

function agentCases(count: number): Case[] {
  const cases: Case[] = [];
  const agent = { authorization: `Bearer ${agentToken}` };
  const admin = { authorization: `Bearer ${SECRETS.adminToken}` };
  const ids = () => (r.chance(0.7) ? heldConversation : r.pick([randomUUID(), 'nope', '0', "1' OR '1'='1", '%E0%A4%A']));
  for (let i = 0; i < count; i++) {
    const ct = { 'content-type': contentType('application/json') };
    switch (r.int(9)) {
      case 0:
        cases.push({ method: 'POST', path: `/api/conversations/${ids()}/messages`, headers: { ...agent, ...ct }, body: mutatedJson({ text: 'Your refund is on its way', clientMessageId: `fz-${i}` }), label: 'agent message' });
        break;
      case 1:
        cases.push({ method: 'POST', path: `/api/conversations/${ids()}/messages`, headers: { ...agent, ...ct }, body: mutatedJson({ template: { name: 'order_update', language: 'en', params: ['ORD-1001'] } }), label: 'agent template' });
        break;
      case 2:
        cases.push({ method: 'POST', path: `/api/conversations/${ids()}/release`, headers: { ...agent, ...ct }, body: mutatedJson({ to: 'bot', note: 'refund done', slots: { orderId: 'ORD-1002' } }), label: 'agent release' });
        break;
      case 3:
        cases.push({ method: 'POST', path: `/api/conversations/${ids()}/transfer`, headers: { ...agent, ...ct }, body: mutatedJson({ agentId: randomUUID() }), label: 'agent transfer' });
        break;
      case 4:
        cases.push({ method: 'POST', path: `/api/conversations/${ids()}/${r.pick(['claim', 'resolve'])}`, headers: agent, label: 'agent claim/resolve' });
        break;
      case 5:
        cases.push({ method: 'POST', path: '/api/admin/agents', headers: { ...admin, ...ct }, body: mutatedJson({ name: 'A', email: `a${i}@example.test`, role: 'supervisor', languages: ['en'], skills: ['billing'] }), label: 'admin create agent' });
        break;
      case 6: {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries({ status: 'waiting', channel: 'webchat', contact: '+919800000002', cursor: 'abc', limit: '10' })) {
          if (r.chance(0.6)) q.append(k, r.chance(0.5) ? v : String(randomValue(r)).slice(0, 3000));
        }
        cases.push({ method: 'GET', path: `${r.pick(['/api/conversations', '/api/handoffs', '/api/admin/dead-letters', '/api/inbox'])}?${q}`, headers: r.pick([agent, admin]), label: 'list query' });
        break;
      }
      case 7:
        cases.push({ method: r.pick(['GET', 'DELETE']), path: `/api/admin/contacts/${encodeURIComponent(String(r.pick([randomUUID(), 'x', '', '..', randomValue(r)])).slice(0, 200))}${r.chance(0.5) ? '/export' : ''}`, headers: admin, label: 'admin contact' });
        break;
      default: {
        const q = new URLSearchParams({ 'hub.mode': r.pick(['subscribe', '', 'x']), 'hub.verify_token': r.pick([SECRETS.verifyToken, 'wrong', '']), 'hub.challenge': String(randomValue(r)).slice(0, 2000) });
        if (r.chance(0.3)) q.append('hub.challenge', 'again');
        cases.push({ method: 'GET', path: `/webhooks/whatsapp?${q}`, headers: {}, label: 'whatsapp handshake' });
      }
    }
  }
  return cases;
}

async function run(cases: Case[], concurrency = 6): Promise<{ failures: Failure[]; statuses: Map<number, number> }> {
  const failures: Failure[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      const headers = Object.fromEntries(Object.entries(c.headers).filter(([, v]) => v !== ''));
      let status = 0;
      let contentType = '';
      let text = '';
      try {
        const res = await fetch(server.url + c.path, { method: c.method, headers, ...(c.body ? { body: new Uint8Array(c.body) } : {}) });
        status = res.status;
        contentType = res.headers.get('content-type') ?? '';
        text = await res.text();
      } catch (err) {
        text = `connection failed: ${(err as Error).message}`;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const fail = (why: string) =>
        failures.push({ label: `${c.label}: ${why}`, method: c.method, path: c.path.slice(0, 120), status, contentType, response: text.slice(0, 300), request: (c.body?.toString('utf8') ?? '').slice(0, 300) });
      if (status === 0 || status >= 500) fail('server error or dropped connection');
      else if (status >= 400) {
        let parsed: { error?: unknown; message?: unknown } | undefined;
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          /* not JSON */
        }
        if (!contentType.includes('application/json') || typeof parsed?.error !== 'string' || typeof parsed?.message !== 'string') fail('refusal is not {error, message}');
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { failures, statuses };
}

describe(`fuzz (seed ${SEED})`, () => {
  it('answers thousands of mutated requests on every public endpoint without a 5xx, each refusal a 4xx {error, message}', async () => {
    const cases = [...whatsappCases(1400), ...smsCases(650), ...webchatCases(550), ...agentCases(650)];
    expect(cases.length).toBeGreaterThanOrEqual(3000);
    const { failures, statuses } = await run(cases);
    console.log(`fuzz seed ${SEED}: ${cases.length} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures.slice(0, 8)).toEqual([]);
    expect(failures).toHaveLength(0);
    // The mutations reached past the guards: some were stored, many refused as invalid.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(300);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(300);

    // Still alive and still doing its job after all that.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const body = whatsappText({ from: '919800000009', id: `wamid.after-fuzz-${randomUUID()}`, text: 'still there?' });
    const after = await fetch(`${server.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsApp(body) }, body });
    expect(after.status).toBe(200);
  });
});
