// Who may do what, and what leaks: rotated provider secrets (old and new both verify),
// agent / supervisor / admin tokens on every agent and admin route (each denial a 401 or
// 403), web chat tokens that open only their own session, personal data kept out of the
// logs while real webhooks are processed, a contact's export and erasure (the ledger
// keeps who handed to whom and why), and pages that send helmet's headers and never
// reflect `<script>` into HTML.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTwilioSignature } from '../../src/channels/sms/index.ts';
import { signWhatsAppBody } from '../../src/channels/whatsapp/index.ts';
import { ERASED } from '../../src/contacts/privacy.ts';
import { eventually, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { listen, openSse, repliesSettled, type Listening } from '../support/http.ts';
import { signWhatsApp, whatsappText } from '../support/payloads.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';
import { startLoggedHarness, type LoggedHarness } from './support/loggedHarness.ts';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('secret rotation', () => {
  let scratch: ScratchDatabase;
  let h: Harness;
  beforeAll(async () => {
    scratch = await createScratchDatabase('rotation');
    h = await startHarness({ env: { DATABASE_URL: scratch.url, WHATSAPP_APP_SECRET: 'new-app-secret,old-app-secret', TWILIO_AUTH_TOKEN: 'new-twilio-token, old-twilio-token' } });
  });
  afterAll(async () => {
    await h?.close();
    await scratch?.drop();
  });

  it('accepts WhatsApp webhooks signed with the new or the old app secret, and nothing else', async () => {
    const post = (secret: string) => {
      const body = whatsappText({ from: '919811122233', id: `wamid.rotation-${randomUUID()}`, text: 'thanks' });
      return h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsAppBody(body, secret)).send(body);
    };
    expect((await post('new-app-secret')).status).toBe(200);
    expect((await post('old-app-secret')).status).toBe(200);
    const stale = await post('older-app-secret');
    expect(stale.status).toBe(401);
    expect(stale.body).toEqual({ error: 'invalid_signature', message: expect.any(String) });
    expect((await post('new-app-secret,old-app-secret')).status).toBe(401);
  });

  it('accepts Twilio webhooks signed with the new or the old auth token, and replies signed with the new one', async () => {
    const post = (token: string, path = '/webhooks/sms', fields?: Record<string, string>) => {
      const form = fields ?? { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, AccountSid: SECRETS.twilioSid, From: '+14155550142', To: SECRETS.twilioFrom, Body: 'thanks a lot' };
      const signature = computeTwilioSignature(token, SECRETS.publicBaseUrl + path, Object.entries(form));
      return h.http.post(path).type('form').set('x-twilio-signature', signature).send(new URLSearchParams(form).toString());
    };
    expect((await post('new-twilio-token')).status).toBe(200);
    expect((await post('old-twilio-token')).status).toBe(200);
    const stale = await post('retired-twilio-token');
    expect(stale.status).toBe(403);
    expect(stale.body).toEqual({ error: 'invalid_signature', message: expect.any(String) });
    const status = { MessageSid: 'SM00000000000000000000000000000001', MessageStatus: 'delivered' };
    expect((await post('old-twilio-token', '/webhooks/sms/status', status)).status).toBe(200);
    expect((await post('retired-twilio-token', '/webhooks/sms/status', status)).status).toBe(403);
    // Baton signs its own calls to Twilio with the first (newest) token.
    const [send] = await h.provider.waitFor('/2010-04-01/', 1);
    expect(send!.headers.authorization).toBe(`Basic ${Buffer.from(`${SECRETS.twilioSid}:new-twilio-token`).toString('base64')}`);
  });
});

describe('with a running Baton whose logs are captured', () => {
  let h: LoggedHarness;
  let server: Listening;
  const tokens = { agent: '', other: '', supervisor: '', hindiAgent: '' };
  const ids = { agent: '', other: '' };
  const waId = '919876543210';
  const secretText = 'my email is asha.hidden@example.com and my number is +91 98765 43210, where is ORD-1001';
  let whatsappConversation: string;
  let held: string;
  let waitingForHindi: string;

  async function createAgent(role: 'agent' | 'supervisor', languages: string[], email: string) {
    const res = await h.http.post('/api/admin/agents').set(bearer(SECRETS.adminToken)).send({ name: `Access ${role}`, email, role, languages, skills: [] });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string };
  }

  async function whatsapp(from: string, text: string, name = 'Asha Hiddenname') {
    const id = `wamid.access-${randomUUID()}`;
    const body = whatsappText({ from, id, text, name });
    const res = await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body);
    expect(res.status).toBe(200);
    return h.rt.db.message.findFirstOrThrow({ where: { providerMessageId: id } });
  }

  beforeAll(async () => {
    h = await startLoggedHarness({ level: 'info' });
    server = await listen(h.app);
    const agent = await createAgent('agent', ['en'], 'agent.hidden@example.com');
    const other = await createAgent('agent', ['en'], 'other.hidden@example.com');
    const hindi = await createAgent('agent', ['hi'], 'hindi.hidden@example.com');
    const supervisor = await createAgent('supervisor', ['en'], 'supervisor.hidden@example.com');
    Object.assign(tokens, { agent: agent.token, other: other.token, supervisor: supervisor.token, hindiAgent: hindi.token });
    Object.assign(ids, { agent: agent.id, other: other.id });

    // A WhatsApp customer asks about an order: triage hands to the orders bot (a ledger row).
    const first = await whatsapp(waId, secretText);
    whatsappConversation = first.conversationId;
    await repliesSettled(h.rt.db, whatsappConversation);
    // Another customer threatens a lawyer: escalated to the human queue; the agent claims it.
    const angry = await whatsapp('919811100555', 'I will talk to my lawyer about this order');
    held = angry.conversationId;
    await eventually(async () => (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: held } })).status === 'waiting', 15_000, 'the escalation');
    expect((await h.http.post(`/api/conversations/${held}/claim`).set(bearer(tokens.agent))).status).toBe(200);
    // A conversation waiting in English: the Hindi-only agent may not take it.
    const waiting = await whatsapp('919811100666', 'I want to file a police complaint, get me a person');
    waitingForHindi = waiting.conversationId;
    await eventually(async () => (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: waitingForHindi } })).status === 'waiting', 15_000, 'the second escalation');
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  describe('agents act only on what their role allows', () => {
    type Expect = { none: number; bad: number; agent: number; other: number; supervisor: number; admin: number };
    const deny = (over: Partial<Expect>): Expect => ({ none: 401, bad: 401, agent: 200, other: 200, supervisor: 200, admin: 200, ...over });

    it('answers each token on each route as its role allows, every denial a 401 or 403 {error, message}', async () => {
      const routes: Array<{ method: 'get' | 'post' | 'delete'; path: string; body?: object; expect: Expect }> = [
        { method: 'get', path: '/api/me', expect: deny({}) },
        { method: 'get', path: '/api/inbox', expect: deny({}) },
        { method: 'get', path: '/api/conversations', expect: deny({}) },
        { method: 'get', path: `/api/conversations/${held}`, expect: deny({ other: 404 }) },
        { method: 'get', path: `/api/conversations/${whatsappConversation}`, expect: deny({ agent: 404, other: 404 }) },
        { method: 'get', path: '/api/handoffs', expect: deny({ agent: 403, other: 403 }) },
        { method: 'get', path: `/api/handoffs?conversationId=${held}`, expect: deny({}) },
        { method: 'post', path: `/api/conversations/${held}/messages`, body: { text: 'Looking into it now' }, expect: deny({ agent: 201, other: 403, supervisor: 201, admin: 201 }) },
        { method: 'post', path: `/api/conversations/${whatsappConversation}/messages`, body: { text: 'Hi' }, expect: deny({ agent: 403, other: 403, supervisor: 403, admin: 403 }) },
        { method: 'post', path: `/api/conversations/${held}/transfer`, body: { agentId: ids.agent }, expect: deny({ agent: 400, other: 403, supervisor: 400, admin: 400 }) },
        { method: 'post', path: `/api/conversations/${whatsappConversation}/release`, body: { to: 'bot' }, expect: deny({ agent: 403, other: 403, supervisor: 403, admin: 403 }) },
        { method: 'post', path: `/api/conversations/${whatsappConversation}/resolve`, expect: deny({ agent: 403, other: 403, supervisor: 403, admin: 403 }) },
        { method: 'post', path: `/api/conversations/${held}/claim`, expect: deny({ agent: 409, other: 409, supervisor: 409, admin: 403 }) },
        { method: 'post', path: '/api/admin/agents', body: { name: 'X', email: `x-${randomUUID().slice(0, 6)}@example.test`, role: 'agent', languages: ['en'] }, expect: deny({ agent: 403, other: 403, supervisor: 403, admin: 201 }) },
        { method: 'get', path: `/api/admin/contacts/${randomUUID()}/export`, expect: deny({ agent: 403, other: 403, supervisor: 403, admin: 404 }) },
        { method: 'delete', path: `/api/admin/contacts/${randomUUID()}`, expect: deny({ agent: 403, other: 403, supervisor: 403, admin: 404 }) },
        { method: 'get', path: '/api/admin/dead-letters', expect: deny({ agent: 403, other: 403 }) },
        { method: 'post', path: `/api/admin/dead-letters/${randomUUID()}/retry`, expect: deny({ agent: 403, other: 403, supervisor: 404, admin: 404 }) },
      ];
      const who: Record<keyof Expect, Record<string, string>> = {
        none: {},
        bad: bearer('not-a-real-token'),
        agent: bearer(tokens.agent),
        other: bearer(tokens.other),
        supervisor: bearer(tokens.supervisor),
        admin: bearer(SECRETS.adminToken),
      };
      const got: string[] = [];
      const wanted: string[] = [];
      for (const route of routes) {
        for (const [name, headers] of Object.entries(who) as Array<[keyof Expect, Record<string, string>]>) {
          let req = h.http[route.method](route.path).set(headers);
          if (route.body) req = req.send(route.body);
          const res = await req;
          got.push(`${route.method.toUpperCase()} ${route.path} as ${name}: ${res.status}`);
          wanted.push(`${route.method.toUpperCase()} ${route.path} as ${name}: ${route.expect[name]}`);
          if (res.status === 401 || res.status === 403) {
            expect(res.body).toEqual({ error: expect.stringMatching(/^(unauthorized|forbidden)$/), message: expect.any(String) });
          }
        }
      }
      expect(got.filter((line, i) => line !== wanted[i]).map((line) => `${line} (expected ${wanted[got.indexOf(line)]!.split(': ').at(-1)})`)).toEqual([]);
      expect(got).toHaveLength(routes.length * 6);
    });

    it('lists for an agent only what waits for people and what they hold', async () => {
      const list = async (token: string) => ((await h.http.get('/api/conversations?limit=200').set(bearer(token))).body.conversations as Array<{ id: string }>).map((c) => c.id);
      expect(await list(tokens.agent)).toContain(held);
      expect(await list(tokens.other)).not.toContain(held);
      expect(await list(tokens.agent)).not.toContain(whatsappConversation);
      expect(await list(tokens.supervisor)).toEqual(expect.arrayContaining([held, whatsappConversation]));
      // Another agent's handoffs stay hidden even when asked by conversation id.
      expect((await h.http.get(`/api/handoffs?conversationId=${held}`).set(bearer(tokens.other))).body.handoffs).toEqual([]);
      expect((await h.http.get(`/api/handoffs?conversationId=${held}`).set(bearer(tokens.agent))).body.handoffs.length).toBeGreaterThan(0);
    });

    it('lets an agent claim only conversations in a language they speak', async () => {
      const refused = await h.http.post(`/api/conversations/${waitingForHindi}/claim`).set(bearer(tokens.hindiAgent));
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ error: 'forbidden', message: expect.any(String) });
      expect((await h.http.get('/api/inbox').set(bearer(tokens.hindiAgent))).body).toEqual([]);
    });

    it('shuts out a deactivated agent and the live event stream without a token', async () => {
      const gone = await createAgent('agent', ['en'], `gone-${randomUUID().slice(0, 6)}@example.test`);
      expect((await h.http.get('/api/me').set(bearer(gone.token))).status).toBe(200);
      await h.rt.db.agent.update({ where: { id: gone.id }, data: { active: false } });
      expect((await h.http.get('/api/me').set(bearer(gone.token))).status).toBe(401);
      const anonymous = await openSse(`${server.url}/api/events`);
      expect(anonymous.status).toBe(401);
      const wrong = await openSse(`${server.url}/api/events?token=${gone.token}`);
      expect(wrong.status).toBe(401);
      const ok = await openSse(`${server.url}/api/events?token=${tokens.agent}`);
      expect(ok.status).toBe(200);
      ok.close();
    });
  });

  describe('web chat tokens', () => {
    it('open only their own session', async () => {
      const open = async () => (await h.http.post('/webchat/sessions').send({ name: 'Tok' })).body as { sessionId: string; token: string };
      const a = await open();
      const b = await open();
      expect((await h.http.post(`/webchat/sessions/${a.sessionId}/messages`).set(bearer(a.token)).send({ text: 'hello from a', clientMessageId: 'a1' })).status).toBe(202);
      for (const token of [b.token, tokens.agent, SECRETS.adminToken, '', `${a.token}x`]) {
        const read = await h.http.get(`/webchat/sessions/${a.sessionId}/messages`).set(bearer(token));
        expect(read.status).toBe(401);
        expect(read.body).toEqual({ error: 'unauthorized', message: expect.any(String) });
        expect((await h.http.post(`/webchat/sessions/${a.sessionId}/messages`).set(bearer(token)).send({ text: 'intruder', clientMessageId: 'x1' })).status).toBe(401);
        expect((await openSse(`${server.url}/webchat/sessions/${a.sessionId}/events?token=${encodeURIComponent(token)}`)).status).toBe(401);
      }
      // The owner reads its history; the intruder's text was never stored.
      const mine = await h.http.get(`/webchat/sessions/${a.sessionId}/messages`).set(bearer(a.token));
      expect(mine.status).toBe(200);
      expect(mine.body.messages.map((m: { text: string }) => m.text)).toContain('hello from a');
      expect(mine.body.messages.map((m: { text: string }) => m.text)).not.toContain('intruder');
      // A web chat token is not an agent token.
      expect((await h.http.get('/api/me').set(bearer(a.token))).status).toBe(401);
      const events = await openSse(`${server.url}/webchat/sessions/${a.sessionId}/events?token=${a.token}`);
      expect(events.status).toBe(200);
      events.close();
    });
  });

  describe('personal data in logs', () => {
    it('never logs phone numbers, emails, message bodies or tokens while real traffic is processed', async () => {
      const smsPhone = '+14155550199';
      const form = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, AccountSid: SECRETS.twilioSid, From: smsPhone, To: SECRETS.twilioFrom, Body: 'sms-hidden-body please call me back' };
      const signature = computeTwilioSignature(SECRETS.twilioToken, `${SECRETS.publicBaseUrl}/webhooks/sms`, Object.entries(form));
      expect((await h.http.post('/webhooks/sms').type('form').set('x-twilio-signature', signature).send(new URLSearchParams(form).toString())).status).toBe(200);
      const session = (await h.http.post('/webchat/sessions').send({ name: 'Webchat Hiddenname' })).body as { sessionId: string; token: string };
      expect((await h.http.post(`/webchat/sessions/${session.sessionId}/messages`).set(bearer(session.token)).send({ text: 'webchat-hidden-text reach me at web.hidden@example.com', clientMessageId: 'p1' })).status).toBe(202);
      const stream = await openSse(`${server.url}/webchat/sessions/${session.sessionId}/events?token=${session.token}`);
      expect((await h.http.get(`/webchat/sessions/${session.sessionId}/messages?token=${session.token}`)).status).toBe(200);
      // A refused send and a refused webhook: error paths log too.
      h.provider.failNext(`/${SECRETS.phoneNumberId}/messages`, { status: 500 });
      const reply = await h.http.post(`/api/conversations/${held}/messages`).set(bearer(tokens.agent)).send({ text: 'agent-hidden-reply your refund is approved' });
      expect(reply.status).toBe(201);
      const unsigned = whatsappText({ from: '919800011122', id: 'wamid.unsigned', text: 'unsigned-hidden-text' });
      expect((await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', 'sha256=00').send(unsigned)).status).toBe(401);
      await whatsapp(waId, 'second-hidden-message ORD-1002 please');
      await repliesSettled(h.rt.db, whatsappConversation);
      await eventually(async () => (await h.rt.db.message.findFirst({ where: { text: { startsWith: 'agent-hidden-reply' } } }))?.status === 'sent', 15_000, 'the agent reply to go out');
      stream.close();

      const logs = h.logText();
      // Enough was logged for the search to mean something: requests, sends, a failure.
      expect(h.logs.length).toBeGreaterThan(20);
      expect(logs).toContain('request completed');
      expect(logs).toContain('send failed');
      const secrets = [
        waId,
        '98765 43210',
        '9876543210',
        'asha.hidden@example.com',
        'Asha Hiddenname',
        'where is ORD-1001',
        'second-hidden-message',
        smsPhone,
        '4155550199',
        'sms-hidden-body',
        'Webchat Hiddenname',
        'webchat-hidden-text',
        'web.hidden@example.com',
        'agent-hidden-reply',
        'unsigned-hidden-text',
        'agent.hidden@example.com',
        'supervisor.hidden@example.com',
        SECRETS.adminToken,
        SECRETS.appSecret,
        SECRETS.accessToken,
        SECRETS.twilioToken,
        tokens.agent,
        tokens.supervisor,
        session.token,
      ];
      expect(secrets.filter((s) => logs.includes(s))).toEqual([]);
    });
  });

  describe('a contact’s data', () => {
    it('exports everything, and erasure removes content while the ledger keeps from/to/pattern/reason', async () => {
      const conversation = await h.rt.db.conversation.findUniqueOrThrow({ where: { id: whatsappConversation } });
      const contactId = conversation.contactId;
      const exported = await h.http.get(`/api/admin/contacts/${contactId}/export`).set(bearer(SECRETS.adminToken));
      expect(exported.status).toBe(200);
      expect(exported.headers['content-disposition']).toContain(`contact-${contactId}.json`);
      const data = exported.body;
      expect(data.contact).toMatchObject({ id: contactId, phone: `+${waId}`, name: 'Asha Hiddenname' });
      expect(data.identities).toEqual([expect.objectContaining({ channel: 'whatsapp', externalId: waId })]);
      const texts = data.conversations.flatMap((c: { messages: Array<{ text: string }> }) => c.messages.map((m) => m.text));
      expect(texts).toContain(secretText);
      expect(texts.length).toBeGreaterThan(2); // the customer's messages and the bots' replies
      const handoffsBefore = data.conversations.flatMap((c: { handoffs: unknown[] }) => c.handoffs);
      expect(handoffsBefore).toContainEqual(expect.objectContaining({ from: 'bot:triage', to: 'bot:orders', pattern: expect.any(String), reason: expect.any(String) }));

      const erased = await h.http.delete(`/api/admin/contacts/${contactId}`).set(bearer(SECRETS.adminToken));
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({ contactId, conversations: 1, handoffsKept: handoffsBefore.length });

      const after = (await h.http.get(`/api/admin/contacts/${contactId}/export`).set(bearer(SECRETS.adminToken))).body;
      expect(after.contact).toMatchObject({ id: contactId, phone: null, name: null, email: null, memory: {}, erasedAt: expect.any(String) });
      expect(after.identities).toEqual([]);
      const messagesAfter = after.conversations.flatMap((c: { messages: Array<{ text: string; payload: unknown }> }) => c.messages);
      expect(messagesAfter.length).toBe(texts.length);
      expect(messagesAfter.every((m: { text: string }) => m.text === ERASED)).toBe(true);
      expect(JSON.stringify(after)).not.toContain('asha.hidden');
      expect(JSON.stringify(after)).not.toContain(waId);
      expect(JSON.stringify(after)).not.toContain('ORD-1001');
      // The ledger still says who handed to whom, how and why, and when.
      const strip = (h: Record<string, unknown>) => ({ from: h.from, to: h.to, pattern: h.pattern, reason: h.reason, createdAt: h.createdAt });
      expect(after.conversations.flatMap((c: { handoffs: Array<Record<string, unknown>> }) => c.handoffs).map(strip)).toEqual(handoffsBefore.map(strip));
      const ledger = await h.http.get(`/api/handoffs?conversationId=${whatsappConversation}`).set(bearer(SECRETS.adminToken));
      expect(ledger.body.handoffs).toContainEqual(expect.objectContaining({ from: 'bot:triage', to: 'bot:orders', pattern: expect.any(String), reason: expect.any(String) }));
      const rows = await h.rt.db.handoffEvent.findMany({ where: { conversationId: whatsappConversation } });
      expect(JSON.stringify(rows.map((r) => r.envelope))).not.toContain('ORD-1001');
      // Searching by the old number finds nothing any more.
      const search = await h.http.get(`/api/conversations?contact=${waId}`).set(bearer(SECRETS.adminToken));
      expect(search.body.conversations).toEqual([]);
    });
  });

  describe('pages and reflected input', () => {
    const XSS = '<script>alert(1337)</script>';

    it('sends helmet headers on pages, scripts, API answers and errors', async () => {
      for (const path of ['/chat', '/agent', '/widget.js', '/agent.js', '/healthz', '/openapi.json', '/api/me', '/nowhere']) {
        const res = await fetch(server.url + path);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect({ path, csp }).toEqual({ path, csp: expect.stringContaining("default-src 'self'") });
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'self'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(res.headers.get('x-powered-by')).toBeNull();
      }
      // The pages carry no inline script (CSP would block it anyway): scripts load from files.
      for (const page of ['/chat', '/agent']) {
        const html = await (await fetch(server.url + page)).text();
        const scripts = html.match(/<script\b[^>]*>/gi) ?? [];
        expect(scripts.length).toBeGreaterThan(0);
        expect(scripts.every((tag) => /\bsrc=/.test(tag))).toBe(true);
      }
    });

    it('never serves `<script>` from a customer or a request back as HTML', async () => {
      const session = (await h.http.post('/webchat/sessions').send({ name: XSS })).body as { sessionId: string; token: string };
      expect((await h.http.post(`/webchat/sessions/${session.sessionId}/messages`).set(bearer(session.token)).send({ text: XSS, clientMessageId: 'x' })).status).toBe(202);
      const wa = await whatsapp('919811100777', `hello ${XSS}`, XSS);
      const conversation = await h.rt.db.conversation.findFirstOrThrow({ where: { externalId: session.sessionId } });

      const responses = [
        await fetch(`${server.url}/webchat/sessions/${session.sessionId}/messages`, { headers: bearer(session.token) }),
        await fetch(`${server.url}/api/conversations/${conversation.id}`, { headers: bearer(SECRETS.adminToken) }),
        await fetch(`${server.url}/api/conversations/${wa.conversationId}`, { headers: bearer(SECRETS.adminToken) }),
        await fetch(`${server.url}/api/conversations?limit=200`, { headers: bearer(SECRETS.adminToken) }),
        await fetch(`${server.url}/api/admin/contacts/${conversation.contactId}/export`, { headers: bearer(SECRETS.adminToken) }),
        await fetch(`${server.url}/${encodeURIComponent(XSS)}`),
        await fetch(`${server.url}/api/conversations/${encodeURIComponent(XSS)}`, { headers: bearer(SECRETS.adminToken) }),
        await fetch(`${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${SECRETS.verifyToken}&hub.challenge=${encodeURIComponent(XSS)}`),
        await fetch(`${server.url}/webchat/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: XSS, locale: XSS }) }),
      ];
      let reflected = 0;
      for (const res of responses) {
        const type = res.headers.get('content-type') ?? '';
        const body = await res.text();
        if (body.includes(XSS)) reflected++;
        // Whatever carries the text is data, never a page: JSON or plain text, not sniffable.
        expect({ url: res.url, html: type.includes('html') && body.includes('<script>alert') }).toEqual({ url: res.url, html: false });
        expect(type).toMatch(/^(application\/json|text\/plain)/);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      }
      // The text is kept as the customer wrote it (escaping is the page's job, see the browser test).
      expect(reflected).toBeGreaterThanOrEqual(4);
    });
  });
});
