// The web chat widget in a real browser shows a file an agent sent: an image inline,
// fetched with the session token (so the page's CSP and CORS must allow it).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { SECRETS, eventually, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';

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
