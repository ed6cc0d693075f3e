// Files in a real browser: the web chat widget shows a file an agent sent (an image
// inline, fetched with the session token, so the page's CSP and CORS must allow it), and
// the agent console shows a customer's inbound photo (fetched with the agent's token).
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { SECRETS, eventually, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';
import { FIXTURES } from '../support/fixtures.ts';
import { signWhatsApp } from '../support/payloads.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/browser-e2e');

const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';
// A valid 1×1 PNG, so the browser really decodes it.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

let h: Harness;
let server: Listening;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is required at ${CHROMIUM} (BATON_CHROMIUM)`);
  h = await startHarness();
  server = await listen(h.app);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
}, 120_000);
afterAll(async () => {
  await browser?.close().catch(() => {});
  await server?.close();
  await h?.close();
});

it('shows an image an agent sent, and a pdf as a link', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 404/.test(msg.text())) errors.push(msg.text());
  });
  // Every file request succeeds (a 404 elsewhere, like /favicon.ico, is not the widget's).
  page.on('response', (res) => {
    if (res.url().includes('/api/media/') && res.status() !== 200) errors.push(`${res.status()} ${res.url()}`);
  });
  await page.goto(`${server.url}/chat?locale=en`);
  await page.waitForSelector('#baton-chat[data-connection="online"]', { state: 'attached' });
  await page.fill('#baton-input', 'hello');
  await page.click('#baton-send');
  const sessionId = await page.evaluate(() => (JSON.parse(localStorage.getItem('baton.session') ?? '{}') as { sessionId?: string }).sessionId);
  const conversation = await eventually(async () => (await h.rt.db.conversation.findFirst({ where: { channel: 'webchat', externalId: sessionId! } })) ?? undefined);

  const agent = await h.http.post('/api/admin/agents').set('authorization', `Bearer ${SECRETS.adminToken}`).send({ name: 'Asha', email: `asha-${Date.now()}@media.test`, role: 'agent', languages: ['en'], skills: [] });
  await h.rt.db.conversation.update({ where: { id: conversation.id }, data: { status: 'agent', ownerType: 'agent', ownerId: agent.body.id, lastInboundAt: new Date() } });
  const auth = `Bearer ${agent.body.token}`;
  expect((await h.http.post(`/api/conversations/${conversation.id}/attachments`).set('authorization', auth).send({ data: PNG.toString('base64'), mimeType: 'image/png', caption: 'this one?' })).status).toBe(201);
  expect((await h.http.post(`/api/conversations/${conversation.id}/attachments`).set('authorization', auth).send({ data: Buffer.from('%PDF-1.4\n').toString('base64'), mimeType: 'application/pdf', filename: 'invoice.pdf' })).status).toBe(201);

  const image = page.locator('.baton-msg[data-author-type="agent"] img.baton-image');
  await image.waitFor({ timeout: 15_000 });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(1);
  await page.locator('.baton-msg[data-author-type="agent"] a.baton-file', { hasText: 'invoice.pdf' }).waitFor();
  expect(errors).toEqual([]);
});

it("shows a customer's inbound WhatsApp photo in the agent console", async () => {
  const mediaId = `m-console-${Date.now()}`;
  h.provider.serveMedia(mediaId, { bytes: PNG, mimeType: 'image/png' });
  const waId = `91${Math.floor(7_000_000_000 + Math.random() * 2_999_999_999)}`;
  const wamid = `wamid.console-${Date.now()}`;
  const fixture = JSON.parse(await readFile(path.join(FIXTURES, 'whatsapp/webhooks/pywa__inbound_image.json'), 'utf8'));
  const value = fixture.entry[0].changes[0].value;
  value.contacts[0].wa_id = waId;
  Object.assign(value.messages[0], { from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)) });
  Object.assign(value.messages[0].image, { id: mediaId, mime_type: 'image/png' });
  const body = JSON.stringify(fixture);
  expect((await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body)).status).toBe(200);
  const message = await eventually(async () => (await h.rt.db.message.findFirst({ where: { providerMessageId: wamid } })) ?? undefined);

  const agent = await h.http.post('/api/admin/agents').set('authorization', `Bearer ${SECRETS.adminToken}`).send({ name: 'Ravi', email: `ravi-${Date.now()}@media.test`, role: 'agent', languages: ['en'], skills: [] });
  await h.rt.db.conversation.update({ where: { id: message.conversationId }, data: { status: 'agent', ownerType: 'agent', ownerId: agent.body.id, lastInboundAt: new Date() } });

  const page = await browser.newPage();
  await page.goto(`${server.url}/agent?lang=en`);
  await page.fill('#agent-token', agent.body.token);
  await page.click('#agent-signin');
  await page.click(`#mine .mine-item[data-conversation-id="${message.conversationId}"]`);
  const image = page.locator(`#transcript .msg[data-message-id="${message.id}"] img.attachment-image`);
  await image.waitFor({ timeout: 20_000 });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 }).toBe(1);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'console-inbound-photo.png') });
  await page.close();
});
