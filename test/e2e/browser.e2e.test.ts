// The whole human path in a real browser: a customer on the web chat page asks for a
// person, an agent signs in to the console at /agent, sees the conversation arrive
// live, claims it, reads the transcript and replies, and the customer sees the reply.
// Untrusted text (`<script>`) stays text on both pages. Real Baton (PostgreSQL, Redis,
// workers) on a real socket; Debian's Chromium driven by playwright-core.
//
// Chromium is required: when it is missing this test FAILS (it does not skip), so a
// machine without a browser can never report the browser path as passing.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFailed } from 'vitest';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { SECRETS, eventually, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';

const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/browser-e2e');
const UI_TIMEOUT = 15_000;

const XSS = '<script>window.__xss=1</script>';
const AGENT_REPLY = 'Hi, this is Priya from ShopKart';

type SseMessage = { eventName: string; data: string };

let h: Harness;
let server: Listening;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pages = new Map<string, Page>();
const pageErrors: string[] = [];
const cspViolations: string[] = [];
let shot = 0;

async function screenshot(page: Page, name: string): Promise<void> {
  shot += 1;
  await page.screenshot({ path: path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

async function openPage(role: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-IN' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT);
  page.on('pageerror', (err) => pageErrors.push(`${role}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) cspViolations.push(`${role}: ${msg.text()}`);
  });
  pages.set(role, page);
  return page;
}

/** Records the Server-Sent Events a page receives, as Chromium's network layer sees them. */
async function recordSse(page: Page): Promise<{ events: SseMessage[]; cdp: CDPSession }> {
  const cdp = await page.context().newCDPSession(page);
  const events: SseMessage[] = [];
  cdp.on('Network.eventSourceMessageReceived', (e: { eventName: string; data: string }) => events.push({ eventName: e.eventName, data: e.data }));
  await cdp.send('Network.enable');
  return { events, cdp };
}

const dataOf = (e: SseMessage): Record<string, unknown> => {
  try {
    return JSON.parse(e.data) as Record<string, unknown>;
  } catch {
    return {};
  }
};

// Checked in every test (not only in beforeAll, where vitest would report the tests as
// skipped): a missing browser is a failure of each test, with this message.
const MISSING_CHROMIUM = existsSync(CHROMIUM)
  ? null
  : `Chromium is required for the browser end-to-end test but was not found at ${CHROMIUM}. ` +
    'Install it with `apt-get install -y chromium fonts-indic` (`npm test` does when run as root), ' +
    'or point BATON_CHROMIUM at a Chromium binary.';

function requireChromium(): void {
  if (MISSING_CHROMIUM) throw new Error(MISSING_CHROMIUM);
}

beforeAll(async () => {
  if (MISSING_CHROMIUM) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness();
  server = await listen(h.app);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.close();
  await h?.close();
});

let conversationId = '';
let agent: { id: string; token: string };

it('a customer asks for a person; the agent sees it live, claims it, replies; untrusted text stays text', async () => {
  requireChromium();
  onTestFailed(async () => {
    for (const [role, page] of pages) await screenshot(page, `failure-${role}`).catch(() => {});
  });

  // --- an agent, created by an operator
  const created = await h.http
    .post('/api/admin/agents')
    .set('authorization', `Bearer ${SECRETS.adminToken}`)
    .send({ name: 'Priya', email: `priya-${Date.now()}@shopkart.test`, role: 'agent', languages: ['en'], skills: [] });
  expect(created.status).toBe(201);
  agent = created.body as { id: string; token: string };

  // --- the agent signs in first (a wrong token is refused), so the arrival is live
  const agentPage = await openPage('agent');
  const agentSse = await recordSse(agentPage);
  const inboxFetches: number[] = [];
  agentPage.on('request', (req) => {
    if (new URL(req.url()).pathname === '/api/inbox') inboxFetches.push(Date.now());
  });
  await agentPage.goto(`${server.url}/agent`);
  await agentPage.fill('#agent-token', 'not-a-real-token');
  await agentPage.click('#agent-signin');
  await expect.poll(() => agentPage.locator('#signin-error').isVisible(), { timeout: UI_TIMEOUT }).toBe(true);
  expect(await agentPage.locator('#workspace').isVisible()).toBe(false);

  await agentPage.fill('#agent-token', agent.token);
  await agentPage.click('#agent-signin');
  await agentPage.waitForSelector('#agent-me .me-name');
  expect(await agentPage.textContent('#agent-me .me-name')).toBe('Priya');
  expect(await agentPage.evaluate(() => sessionStorage.getItem('baton.agentToken'))).toBe(agent.token);
  await agentPage.waitForSelector('#connection[data-connection="online"]', { state: 'attached' });
  await screenshot(agentPage, 'agent-signed-in');

  // --- the customer asks for a person on the web chat page
  const customerPage = await openPage('customer');
  await customerPage.goto(`${server.url}/chat?locale=en`);
  await customerPage.waitForSelector('#baton-chat[data-connection="online"]', { state: 'attached' });
  const sessionId = await customerPage.evaluate(() => {
    const raw = localStorage.getItem('baton.session');
    return raw ? (JSON.parse(raw) as { sessionId: string }).sessionId : null;
  });
  expect(sessionId).toBeTruthy();
  const fetchesBeforeAsk = inboxFetches.length;
  await customerPage.fill('#baton-input', 'I want to talk to a human');
  await customerPage.click('#baton-send');
  const notice = customerPage.locator('.baton-msg[data-author-type="bot"] .baton-text', { hasText: /a person[\s\S]*will reply/ });
  await notice.first().waitFor();
  await screenshot(customerPage, 'customer-asked-for-a-person');

  const conversation = await eventually(
    async () => (await h.rt.db.conversation.findFirst({ where: { channel: 'webchat', externalId: sessionId! } })) ?? undefined,
    5_000,
    'the web chat conversation',
  );
  conversationId = conversation.id;

  // --- it arrives in the agent's inbox, over the live stream
  const item = agentPage.locator(`#inbox .inbox-item[data-conversation-id="${conversationId}"]`);
  await item.waitFor();
  expect(
    agentSse.events.some((e) => e.eventName === 'waiting' && dataOf(e).conversationId === conversationId),
    'a `waiting` event for the conversation reached the agent page',
  ).toBe(true);
  // Informational: whether the 15 s safety-net refresh also ran meanwhile.
  console.info(`inbox item appeared; safety-net inbox fetches since the customer asked: ${inboxFetches.length - fetchesBeforeAsk}`);
  expect(await item.getAttribute('data-channel')).toBe('webchat');
  expect(await item.getAttribute('data-locale')).toBe('en');
  expect(await item.locator('.channel').textContent()).toBe('Web chat');
  expect(await item.locator('.locale').textContent()).toContain('en');
  expect(await item.locator('.reason').getAttribute('data-reason')).toBe('customer_request');
  expect(await item.locator('.waiting').textContent()).toMatch(/^waiting /);
  await screenshot(agentPage, 'agent-inbox-live');

  // --- the agent claims it and sees the transcript and the context
  await item.locator('.claim').click();
  await agentPage.waitForSelector(`#conversation[data-conversation-id="${conversationId}"][data-mode="agent"]`);
  await agentPage.waitForSelector(`#mine .mine-item[data-conversation-id="${conversationId}"]`);
  await item.waitFor({ state: 'detached' });
  const customerLine = agentPage.locator('#transcript .msg[data-author-type="contact"] .text', { hasText: 'I want to talk to a human' });
  await customerLine.first().waitFor();
  expect(await agentPage.locator('#transcript .msg[data-author-type="bot"]').count()).toBeGreaterThan(0);
  expect(await agentPage.locator('#transcript .msg[data-author-type="bot"] .kind-badge.bot').count()).toBeGreaterThan(0);
  expect(await agentPage.locator('#transcript .msg[data-author-type="contact"] .kind-badge.person').count()).toBeGreaterThan(0);
  expect(await agentPage.getAttribute('#conversation', 'data-locale')).toBe('en');
  expect(await agentPage.textContent('#conversation-locale')).toContain('English');
  expect(await agentPage.getAttribute('#context-reason', 'data-reason')).toBe('customer_request');
  expect(await agentPage.locator('#context-handoffs .handoff').count()).toBeGreaterThan(0);
  await screenshot(agentPage, 'agent-claimed');

  // The customer is told a person joined.
  await customerPage.locator('.baton-msg[data-author-type="agent"] .baton-text', { hasText: /has joined/ }).first().waitFor();

  // --- the agent replies; the customer sees it as an agent's message
  await agentPage.fill('#reply-text', AGENT_REPLY);
  await agentPage.click('#reply-send');
  await agentPage.locator('#transcript .msg[data-author-type="agent"] .text', { hasText: AGENT_REPLY }).first().waitFor();
  expect(await agentPage.inputValue('#reply-text')).toBe('');
  await screenshot(agentPage, 'agent-replied');

  const reply = customerPage.locator('.baton-msg[data-author-type="agent"] .baton-text', { hasText: AGENT_REPLY });
  await reply.first().waitFor();
  expect(await reply.first().textContent()).toBe(AGENT_REPLY);
  await screenshot(customerPage, 'customer-sees-agent-reply');

  // --- untrusted text: the customer sends a script tag; both pages show it as text
  await customerPage.fill('#baton-input', XSS);
  await customerPage.click('#baton-send');
  const customerXss = customerPage.locator('.baton-msg[data-author-type="contact"] .baton-text', { hasText: 'window.__xss' });
  await customerXss.first().waitFor();
  expect(await customerXss.first().textContent()).toBe(XSS);
  // It reaches the agent only through the live stream (the open transcript is not polled).
  const agentXss = agentPage.locator('#transcript .msg[data-author-type="contact"] .text', { hasText: 'window.__xss' });
  await agentXss.first().waitFor();
  expect(await agentXss.first().textContent()).toBe(XSS);
  expect(agentSse.events.some((e) => e.eventName === 'message' && dataOf(e).conversationId === conversationId)).toBe(true);
  expect(await agentPage.locator('#transcript script').count()).toBe(0);
  expect(await customerPage.locator('#baton-log script').count()).toBe(0);
  expect(await agentPage.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  expect(await customerPage.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  await screenshot(agentPage, 'agent-xss-as-text');
  await screenshot(customerPage, 'customer-xss-as-text');

  expect(pageErrors, 'uncaught errors on the pages').toEqual([]);
  expect(cspViolations, 'Content Security Policy violations').toEqual([]);
}, 120_000);

it('the agent resolves the conversation and it leaves "My conversations"', async () => {
  requireChromium();
  expect(conversationId, 'the first test opened a conversation').not.toBe('');
  onTestFailed(async () => {
    for (const [role, page] of pages) await screenshot(page, `failure-${role}`).catch(() => {});
  });
  const agentPage = pages.get('agent')!;
  await agentPage.click('#resolve');
  await agentPage.locator(`#mine .mine-item[data-conversation-id="${conversationId}"]`).waitFor({ state: 'detached' });
  expect(await agentPage.locator('#conversation').isVisible()).toBe(false);
  await expect.poll(async () => (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).status).toBe('resolved');
  await screenshot(agentPage, 'agent-resolved');

  // A reload keeps the agent signed in (sessionStorage), with nothing held.
  await agentPage.reload();
  await agentPage.waitForSelector('#agent-me .me-name');
  expect(await agentPage.locator(`#mine .mine-item[data-conversation-id="${conversationId}"]`).count()).toBe(0);
  expect(pageErrors, 'uncaught errors on the pages').toEqual([]);
  expect(cspViolations, 'Content Security Policy violations').toEqual([]);
}, 60_000);

// The console against a scripted API (the real page, assets and CSP; /api/* answered
// by the test), for what a live run cannot reach on demand: an Urdu WhatsApp
// conversation (right-to-left text), personal slots, a lost claim race (409), the
// WhatsApp 24-hour rule (422 template_required), an SLA alert and a release.
it('renders an Urdu WhatsApp conversation right-to-left, handles 409, template_required, SLA and release', async () => {
  requireChromium();
  onTestFailed(async () => {
    for (const [role, page] of pages) await screenshot(page, `failure-${role}`).catch(() => {});
  });
  const me = { id: '7d0c0d2e-0000-4000-8000-000000000001', kind: 'agent', name: 'Zara', role: 'agent', languages: ['ur'], skills: [] };
  const urdu = '11111111-1111-4111-8111-111111111111';
  const taken = '22222222-2222-4222-8222-222222222222';
  const since = new Date(Date.now() - 7 * 60_000).toISOString();
  const item = (conversationId: string, locale: string, channel: string, priority: number) => ({
    conversationId, channel, locale, reason: 'customer_request', waitingSince: since, summary: `Summary of ${conversationId.slice(0, 4)}`, priority, intent: null,
  });
  const customerText = 'میرے آرڈر کے پیسے دو بار کٹ گئے';
  const view = (owner: { type: string; id: string | null }, status: string) => ({
    id: urdu, channel: 'whatsapp', contact: { id: 'c1', name: 'Ayesha', phone: '+919800000001' }, locale: 'ur', status, owner,
    priority: 30, reason: 'customer_request', waitingSince: since, createdAt: since, updatedAt: since,
    context: {
      slots: { orderId: { value: 'ORD-1001', pii: false }, email: { value: 'ayesha@example.com', pii: true } },
      intent: 'billing.double_charge', confidence: 0.92, lineage: ['bot:triage', 'bot:billing', 'queue:human'],
      summary: 'Charged twice for ORD-1001; wants a refund.', notes: [{ by: 'Ravi', text: 'Customer prefers Urdu', at: since }],
    },
    messages: [
      { id: 'm1', direction: 'inbound', text: customerText, author: { type: 'contact', id: 'c1', name: 'Ayesha' }, channel: 'whatsapp', createdAt: since, status: 'received' },
      { id: 'm2', direction: 'outbound', text: 'میں آپ کی بات ٹیم تک پہنچا رہا ہوں', author: { type: 'bot', id: 'billing', name: 'billing' }, channel: 'whatsapp', createdAt: since, status: 'delivered' },
    ],
    handoffs: [
      { id: 'h1', conversationId: urdu, from: 'bot:triage', to: 'bot:billing', pattern: 'transfer', reason: 'new_topic', status: 'accepted', createdAt: since },
      { id: 'h2', conversationId: urdu, from: 'bot:billing', to: 'queue:human', pattern: 'escalation', reason: 'customer_request', status: 'accepted', createdAt: since },
    ],
  });
  let held = false;
  const posts: { path: string; body: unknown }[] = [];

  const page = await openPage('scripted-agent');
  await page.route('**/api/**', async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const json = (status: number, body: unknown) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (req.headers().authorization !== 'Bearer scripted-token' && url.searchParams.get('token') !== 'scripted-token') return json(401, { error: 'unauthorized' });
    const p = url.pathname;
    if (req.method() === 'POST') posts.push({ path: p, body: req.postDataJSON() as unknown });
    if (p === '/api/me') return json(200, me);
    if (p === '/api/inbox') return json(200, held ? [item(taken, 'ur', 'sms', 10)] : [item(urdu, 'ur', 'whatsapp', 30), item(taken, 'ur', 'sms', 10)]);
    if (p === '/api/events') {
      return route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: `retry: 600000\n\nevent: sla\ndata: ${JSON.stringify({ ...item(taken, 'ur', 'sms', 10), level: 1, slaReason: 'unclaimed' })}\n\n`,
      });
    }
    if (p === '/api/conversations') return json(200, { conversations: held ? [view({ type: 'agent', id: me.id }, 'agent')] : [], nextCursor: null });
    if (p === `/api/conversations/${taken}/claim`) return json(409, { error: 'already_claimed', message: 'someone else acted on this conversation first' });
    if (p === `/api/conversations/${urdu}/claim`) {
      held = true;
      return json(200, view({ type: 'agent', id: me.id }, 'agent'));
    }
    if (p === `/api/conversations/${urdu}`) return json(200, held ? view({ type: 'agent', id: me.id }, 'agent') : view({ type: 'queue', id: null }, 'waiting'));
    if (p === `/api/conversations/${urdu}/messages`) {
      const body = req.postDataJSON() as { text?: string; template?: { name: string } };
      if (!body.template) return json(422, { error: 'template_required', message: 'the customer last wrote more than 24 hours ago' });
      return json(201, { id: 'm3', direction: 'outbound', text: `[template ${body.template.name}]`, author: { type: 'agent', id: me.id, name: 'Zara' }, channel: 'whatsapp', createdAt: new Date().toISOString(), status: 'queued' });
    }
    if (p === `/api/conversations/${urdu}/release`) {
      held = false;
      return json(200, view({ type: 'queue', id: null }, 'waiting'));
    }
    return json(404, { error: 'not_found' });
  });

  // Zara reads Urdu: the console would speak it; this part checks the English labels.
  await page.goto(`${server.url}/agent?lang=en`);
  await page.fill('#agent-token', 'scripted-token');
  await page.click('#agent-signin');
  await page.waitForSelector('#agent-me .me-name');

  // Most urgent first; the SLA alert highlights its item.
  await page.waitForSelector(`#inbox .inbox-item[data-conversation-id="${taken}"].sla`);
  expect(await page.locator('#inbox .inbox-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')))).toEqual([urdu, taken]);
  expect(await page.locator(`#inbox .inbox-item[data-conversation-id="${taken}"] .item-sla`).textContent()).toContain('Not claimed in time');

  // Lost race: "already taken", and the item goes.
  await page.click(`#inbox .inbox-item[data-conversation-id="${taken}"] .claim`);
  await page.locator(`#inbox .inbox-item[data-conversation-id="${taken}"]`).waitFor({ state: 'detached' });
  expect(await page.textContent('#notice')).toMatch(/already taken/i);

  // Claim the Urdu one: language prominent, right-to-left text, context in full.
  await page.click(`#inbox .inbox-item[data-conversation-id="${urdu}"] .claim`);
  await page.waitForSelector(`#conversation[data-conversation-id="${urdu}"][data-mode="agent"]`);
  expect(await page.textContent('#conversation-locale')).toContain('Urdu');
  expect(await page.getAttribute('#transcript .msg[data-message-id="m1"] .text', 'dir')).toBe('rtl');
  expect(await page.getAttribute('#transcript .msg[data-message-id="m1"] .text', 'lang')).toBe('ur');
  expect(await page.getAttribute('#transcript .msg[data-message-id="m2"] .text', 'dir')).toBe('rtl');
  expect(await page.textContent('#transcript .msg[data-message-id="m1"] .text')).toBe(customerText);
  expect(await page.textContent('#context .slot[data-slot="orderId"] .slot-value')).toBe('ORD-1001');
  expect(await page.textContent('#context .slot[data-slot="email"] .slot-value')).toBe('ayesha@example.com');
  expect(await page.getAttribute('#context .slot[data-slot="email"]', 'data-pii')).toBe('true');
  expect(await page.textContent('#context-lineage')).toBe('bot:triage → bot:billing → in the queue');
  expect(await page.textContent('#context-summary')).toBe('Charged twice for ORD-1001; wants a refund.');
  expect(await page.locator('#context-handoffs .handoff').count()).toBe(2);
  expect(await page.textContent('#context-notes')).toContain('Customer prefers Urdu');
  await screenshot(page, 'scripted-urdu-rtl');

  // Outside the WhatsApp window: the page explains and offers a template.
  await page.fill('#reply-text', 'Hello');
  await page.click('#reply-send');
  await page.waitForSelector('#template-box', { state: 'visible' });
  expect(await page.textContent('#template-note')).toMatch(/template/i);
  expect(await page.inputValue('#template-language')).toBe('ur');
  await page.fill('#template-name', 'order_followup');
  await page.click('#template-send');
  await page.waitForSelector('#transcript .msg[data-message-id="m3"][data-author-type="agent"]');
  await page.waitForSelector('#template-box', { state: 'hidden' });
  expect(posts.find((x) => x.path.endsWith('/messages') && (x.body as { template?: unknown }).template)?.body).toEqual({
    template: { name: 'order_followup', language: 'ur', params: [] },
  });
  await screenshot(page, 'scripted-template-sent');

  // Back to the queue with a note: it leaves "mine" and the panel closes.
  await page.fill('#release-note', 'needs billing supervisor');
  await page.click('#release-queue');
  await page.locator(`#mine .mine-item[data-conversation-id="${urdu}"]`).waitFor({ state: 'detached' });
  expect(await page.locator('#conversation').isVisible()).toBe(false);
  expect(posts.find((x) => x.path.endsWith('/release'))?.body).toEqual({ to: 'queue', note: 'needs billing supervisor' });

  // Signing out forgets the token; a stale token in storage shows the sign-in form again.
  await page.click('#agent-signout');
  await page.waitForSelector('#signin', { state: 'visible' });
  expect(await page.evaluate(() => sessionStorage.getItem('baton.agentToken'))).toBeNull();
  await page.evaluate(() => sessionStorage.setItem('baton.agentToken', 'revoked-token'));
  await page.reload();
  await page.waitForSelector('#signin-error', { state: 'visible' });
  expect(await page.locator('#workspace').isVisible()).toBe(false);

  expect(pageErrors, 'uncaught errors on the pages').toEqual([]);
  expect(cspViolations, 'Content Security Policy violations').toEqual([]);
}, 60_000);

// The workspace, live: an agent finds a labelled conversation by filter and by search,
// claims it, answers with a saved reply (/shortcut, the customer's name filled in), adds
// a private note and transfers it to a colleague picked by name; the colleague, whose
// console speaks Urdu (right to left), sees the note and resolves it.
it('walks an agent through filters, search, a saved reply, a note and a transfer; the colleague resolves in Urdu and sees the rating arrive', async () => {
  requireChromium();
  onTestFailed(async () => {
    for (const [role, page] of pages) await screenshot(page, `failure-${role}`).catch(() => {});
  });
  const admin = { authorization: `Bearer ${SECRETS.adminToken}` };
  const make = async (name: string, languages: string[]) => {
    const res = await h.http.post('/api/admin/agents').set(admin).send({ name, email: `${name.toLowerCase()}-${Date.now()}@shopkart.test`, role: 'agent', languages, skills: [] });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string };
  };
  const meera = await make('Meera', ['en']);
  const imran = await make('Imran', ['ur', 'en']);
  expect((await h.http.post('/api/canned-responses').set(admin).send({ shortcut: 'greet', text: 'Hello {{name}}, I am on it.', team: true })).status).toBe(201);

  // A customer on the web chat page asks for a person; the team labels the conversation.
  const customerPage = await openPage('customer-2');
  await customerPage.goto(`${server.url}/chat?locale=en`);
  await customerPage.waitForSelector('#baton-chat[data-connection="online"]', { state: 'attached' });
  const sessionId = await customerPage.evaluate(() => (JSON.parse(localStorage.getItem('baton.session') ?? '{}') as { sessionId?: string }).sessionId);
  await customerPage.fill('#baton-input', 'I want to talk to a human about zebrafish');
  await customerPage.click('#baton-send');
  const conv = await eventually(
    async () => (await h.rt.db.conversation.findFirst({ where: { channel: 'webchat', externalId: sessionId!, status: 'waiting' } })) ?? undefined,
    10_000,
    'the waiting web chat conversation',
  );
  await h.rt.db.contact.update({ where: { id: conv.contactId }, data: { name: 'Asha' } });
  expect((await h.http.post(`/api/conversations/${conv.id}/labels`).set(admin).send({ add: ['refund'] })).status).toBe(200);

  const page = await openPage('meera');
  await page.goto(`${server.url}/agent?lang=en`);
  await page.fill('#agent-token', meera.token);
  await page.click('#agent-signin');
  await page.waitForSelector('#agent-me .me-name');

  // Filter by label.
  await page.click('.filters summary');
  // (Preact sets an option's value as a property, so options are matched by their value.)
  const hasOption = (select: string, value: string) =>
    page.waitForFunction(([sel, v]) => [...document.querySelectorAll<HTMLOptionElement>(`${sel} option`)].some((o) => o.value === v), [select, value] as const);
  await hasOption('#filter-label', 'refund');
  await page.selectOption('#filter-label', 'refund');
  await page.waitForSelector(`#found .found-item[data-conversation-id="${conv.id}"]`);
  expect(await page.textContent(`#found .found-item[data-conversation-id="${conv.id}"] .contact-name`)).toBe('Asha');
  await screenshot(page, 'workspace-filter-by-label');

  // Search (full text).
  await page.fill('#search-text', 'zebrafish');
  await page.press('#search-text', 'Enter');
  await page.waitForSelector(`#found .search-hit[data-conversation-id="${conv.id}"]`);
  await screenshot(page, 'workspace-search');

  // Claim, then a saved reply by its shortcut.
  await page.click(`#inbox .inbox-item[data-conversation-id="${conv.id}"] .claim`);
  await page.waitForSelector(`#conversation[data-conversation-id="${conv.id}"][data-mode="agent"]`);
  // Agent assist: no specialist bot has anything to say about zebrafish.
  await page.click('#reply-suggest');
  await page.locator('#reply-status', { hasText: 'No suggestion for this conversation' }).waitFor();
  await page.fill('#reply-text', '/gr');
  await page.waitForSelector('#canned-suggestions li[data-shortcut="greet"]');
  await page.press('#reply-text', 'Enter');
  expect(await page.inputValue('#reply-text')).toBe('Hello Asha, I am on it.');
  await page.press('#reply-text', 'Enter');
  await page.locator('#transcript .msg[data-author-type="agent"] .text', { hasText: 'Hello Asha, I am on it.' }).first().waitFor();
  await customerPage.locator('.baton-msg[data-author-type="agent"] .baton-text', { hasText: 'Hello Asha, I am on it.' }).first().waitFor();

  // A private note: in the thread, never on the customer's page.
  await page.fill('#note-text', 'Refund approved by finance');
  await page.click('#note-add');
  await page.locator('#transcript .msg.note .text', { hasText: 'Refund approved by finance' }).waitFor();
  await screenshot(page, 'workspace-reply-and-note');

  // Transfer to Imran, picked by name.
  await page.focus('#transfer-agent');
  await hasOption('#transfer-agent', imran.id);
  expect(await page.evaluate((id) => [...document.querySelectorAll<HTMLOptionElement>('#transfer-agent option')].find((o) => o.value === id)?.textContent, imran.id)).toContain('Imran');
  await page.selectOption('#transfer-agent', imran.id);
  await page.click('#transfer');
  await page.locator(`#mine .mine-item[data-conversation-id="${conv.id}"]`).waitFor({ state: 'detached' });
  await expect.poll(async () => (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conv.id } })).ownerId).toBe(imran.id);
  expect(await customerPage.locator('.baton-text', { hasText: 'Refund approved by finance' }).count()).toBe(0);

  // Imran's console speaks Urdu, right to left; he sees the note and resolves.
  const urPage = await openPage('imran');
  await urPage.goto(`${server.url}/agent`);
  await urPage.fill('#agent-token', imran.token);
  await urPage.click('#agent-signin');
  await urPage.waitForSelector(`#mine .mine-item[data-conversation-id="${conv.id}"]`);
  await expect.poll(() => urPage.evaluate(() => document.documentElement.dir)).toBe('rtl');
  expect(await urPage.evaluate(() => document.documentElement.lang)).toBe('ur');
  await urPage.click(`#mine .mine-item[data-conversation-id="${conv.id}"]`);
  await urPage.locator('#transcript .msg.note .text', { hasText: 'Refund approved by finance' }).waitFor();
  expect(await urPage.textContent('#resolve')).toBe('حل کریں');
  await screenshot(urPage, 'workspace-urdu-rtl');
  await urPage.click('#resolve');
  await expect.poll(async () => (await h.rt.db.conversation.findUniqueOrThrow({ where: { id: conv.id } })).status).toBe('resolved');
  await screenshot(urPage, 'workspace-urdu-resolved');

  // The customer is asked to rate the help (1–5 buttons) and picks 5; Imran sees it arrive.
  await customerPage.locator('.baton-option[data-option-id="csat:5"]').last().click();
  await urPage.locator('#notice', { hasText: '5/5' }).waitFor();
  expect(await urPage.textContent('#notice')).toBe('ایک گاہک نے آپ کی مدد کو 5/5 درجہ دیا');
  await screenshot(urPage, 'workspace-urdu-csat');
  await expect.poll(async () => (await h.rt.db.csatRating.findUnique({ where: { conversationId: conv.id } }))?.rating).toBe(5);

  expect(pageErrors, 'uncaught errors on the pages').toEqual([]);
  expect(cspViolations, 'Content Security Policy violations').toEqual([]);
}, 120_000);
