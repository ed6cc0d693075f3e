// Media through the real routes, workers and the stand-in provider: inbound files are
// downloaded after the webhook answered and kept; agents send files on every channel;
// files are read back only by those who may; erasure removes them.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response as RawResponse } from 'superagent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp, twilioForm } from '../support/payloads.ts';
import { FIXTURES } from '../support/fixtures.ts';
import { ADMIN, bearer, createAgent, type TestAgent } from '../escalation/helpers.ts';

let h: Harness;
let dataDir: string;
let agent: TestAgent;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'baton-media-'));
  h = await startHarness({ env: { BATON_DATA_DIR: dataDir } });
  agent = await createAgent(h);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');
const MESSAGES = `/${SECRETS.phoneNumberId}/messages`;
const TWILIO_MESSAGES = `/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages.json`;

/** The real pywa image fixture, from a fresh sender with a fresh media id. */
async function postWhatsAppImage(mediaId: string, mimeType = 'image/jpeg') {
  const waId = randomPhone();
  const wamid = `wamid.media-${randomUUID()}`;
  const fixture = JSON.parse(await readFile(join(FIXTURES, 'whatsapp/webhooks/pywa__inbound_image.json'), 'utf8'));
  const value = fixture.entry[0].changes[0].value;
  value.contacts[0].wa_id = waId;
  Object.assign(value.messages[0], { from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)) });
  Object.assign(value.messages[0].image, { id: mediaId, mime_type: mimeType });
  const body = JSON.stringify(fixture);
  const res = await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body);
  expect(res.status).toBe(200);
  const message = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: wamid } } });
  return { waId, wamid, message };
}

const fileOf = (messageId: string) => eventually(async () => {
  const files = await h.rt.db.mediaFile.findMany({ where: { messageId } });
  return files.length > 0 && files.every((f) => f.status !== 'pending') && files;
}, 20_000, 'media settled');

async function holdConversation(conversationId: string) {
  await h.rt.db.conversation.update({ where: { id: conversationId }, data: { status: 'agent', ownerType: 'agent', ownerId: agent.id, lastInboundAt: new Date() } });
}

const messageOf = async (conversationId: string, messageId: string) => {
  const res = await h.http.get(`/api/conversations/${conversationId}`).set(ADMIN);
  expect(res.status).toBe(200);
  return (res.body.messages as Array<{ id: string; attachments?: Array<{ id: string; mimeType: string | null; url: string }> }>).find((m) => m.id === messageId)!;
};

/** supertest's parser for a body kept as bytes. */
function binary(res: RawResponse, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

async function webchatSession() {
  const res = await h.http.post('/webchat/sessions').send({ locale: 'en' });
  expect(res.status).toBe(201);
  return res.body as { sessionId: string; token: string };
}

describe('inbound media', () => {
  it('WhatsApp: the webhook answers at once; the worker fetches the media URL, then the bytes, with the bearer token, and keeps them', async () => {
    const mediaId = `m${Date.now()}`;
    h.provider.serveMedia(mediaId, { bytes: JPEG, mimeType: 'image/jpeg' });
    const { message } = await postWhatsAppImage(mediaId);

    const [file] = await fileOf(message.id);
    expect(file).toMatchObject({ status: 'stored', mimeType: 'image/jpeg', size: JPEG.length, source: null, direction: 'inbound' });
    const info = h.provider.sends(`/${mediaId}`)[0]!;
    const bytes = h.provider.sends(`/media-files/${mediaId}`)[0]!;
    expect(info.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`);
    expect(bytes.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`);
    expect(await readFile(join(dataDir, 'media', file!.storageKey!))).toEqual(JPEG);

    // The message view points at Baton's copy.
    const view = await messageOf(message.conversationId, message.id);
    expect(view.attachments).toEqual([{ id: file!.id, kind: 'image', mimeType: 'image/jpeg', url: `/api/media/${file!.id}` }]);

    const read = await h.http.get(view.attachments![0]!.url).set(ADMIN).buffer(true).parse(binary);
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toBe('image/jpeg');
    expect(read.headers['x-content-type-options']).toBe('nosniff');
    expect(read.body).toEqual(JPEG);

    // Who may not: nobody, a stranger's token, another web chat session; and unknown files.
    expect((await h.http.get(view.attachments![0]!.url)).status).toBe(401);
    expect((await h.http.get(view.attachments![0]!.url).set(bearer('not-a-token'))).status).toBe(401);
    const other = await webchatSession();
    const forbidden = await h.http.get(view.attachments![0]!.url).set(bearer(other.token));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: 'forbidden' });
    expect((await h.http.get(`/api/media/${randomUUID()}`).set(ADMIN)).status).toBe(404);
    expect((await h.http.get('/api/media/not-a-uuid').set(ADMIN)).status).toBe(404);
    // Inbound files never have a public URL.
    expect((await h.http.get(`/media/${file!.id}/anything`)).status).toBe(404);
    // The widget on a customer's site may fetch files (bearer token only, never cookies).
    const preflight = await h.http.options(view.attachments![0]!.url).set('origin', 'https://shop.example').set('access-control-request-headers', 'authorization');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    // The download was queued through the outbox, and the row is gone once in Redis.
    expect(await h.rt.db.outbox.count({ where: { kind: 'media', messageId: file!.id } })).toBe(0);
  });

  it('a provider failure is retried; a type Baton does not keep is recorded as failed; the bot answers either way', async () => {
    const flaky = `f${Date.now()}`;
    h.provider.serveMedia(flaky, { bytes: JPEG, mimeType: 'image/jpeg' });
    h.provider.failNext(`/${flaky}`, { status: 500 });
    const first = await postWhatsAppImage(flaky);
    expect((await fileOf(first.message.id))[0]).toMatchObject({ status: 'stored', attempts: 2 });

    const exe = `x${Date.now()}`;
    h.provider.serveMedia(exe, { bytes: Buffer.from('MZ'), mimeType: 'application/x-msdownload' });
    const second = await postWhatsAppImage(exe);
    expect((await fileOf(second.message.id))[0]).toMatchObject({ status: 'failed', error: 'unsupported_type', storageKey: null });
    const gone = await h.http.get(`/api/media/${(await fileOf(second.message.id))[0]!.id}`).set(ADMIN);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: 'not_kept' });
    await eventually(async () => h.provider.sends(MESSAGES).some((r) => (r.json as { to?: string }).to === second.waId), 15_000, 'a bot reply');
  });

  it('Twilio: every MediaUrlN is downloaded with basic auth', async () => {
    const phone = `+${randomPhone()}`;
    const sid = `MM${randomUUID().replace(/-/g, '')}`;
    const base = `${h.provider.url}/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages/${sid}/Media`;
    h.provider.serveMedia(`${sid}-0`, { bytes: JPEG, mimeType: 'image/jpeg' });
    h.provider.serveMedia(`${sid}-1`, { bytes: PDF, mimeType: 'application/pdf' });
    const fields = {
      MessageSid: sid, SmsSid: sid, AccountSid: SECRETS.twilioSid, From: phone, To: SECRETS.twilioFrom, Body: 'two files', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
      NumMedia: '2', MediaUrl0: `${base}/${sid}-0`, MediaContentType0: 'image/jpeg', MediaUrl1: `${base}/${sid}-1`, MediaContentType1: 'application/pdf',
    };
    const { body, signature } = twilioForm(fields);
    const res = await h.http.post('/webhooks/sms').set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body);
    expect(res.status).toBe(200);
    const message = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'sms', providerMessageId: sid } } });
    const files = await fileOf(message.id);
    expect(files.map((f) => [f.status, f.mimeType]).sort()).toEqual([['stored', 'application/pdf'], ['stored', 'image/jpeg']]);
    const basic = `Basic ${Buffer.from(`${SECRETS.twilioSid}:${SECRETS.twilioToken}`).toString('base64')}`;
    for (const r of h.provider.sends(`/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages/${sid}/Media`)) expect(r.headers.authorization).toBe(basic);
    expect((await messageOf(message.conversationId, message.id)).attachments).toHaveLength(2);
  });
});

describe('agents send files', () => {
  const attach = (conversationId: string, body: object, auth = agent.auth) => h.http.post(`/api/conversations/${conversationId}/attachments`).set(auth).send(body);

  it('WhatsApp: an image message whose link is a public Baton URL serving the file', async () => {
    const mediaId = `a${Date.now()}`;
    h.provider.serveMedia(mediaId, { bytes: JPEG, mimeType: 'image/jpeg' });
    const { waId, message } = await postWhatsAppImage(mediaId);
    await holdConversation(message.conversationId);

    const res = await attach(message.conversationId, { data: JPEG.toString('base64'), mimeType: 'image/jpeg', caption: 'Is this the one?', clientMessageId: 'pic-1' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'text', text: 'Is this the one?', attachments: [{ kind: 'image', mimeType: 'image/jpeg' }] });
    const again = await attach(message.conversationId, { data: JPEG.toString('base64'), mimeType: 'image/jpeg', caption: 'Is this the one?', clientMessageId: 'pic-1' });
    expect(again.body.id).toBe(res.body.id);

    const send = await eventually(async () => h.provider.sends(MESSAGES).find((r) => (r.json as { to?: string; type?: string }).to === waId && (r.json as { type?: string }).type === 'image'));
    const image = (send.json as { image: { link: string; caption: string } }).image;
    expect(image.caption).toBe('Is this the one?');
    expect(image.link.startsWith(`${SECRETS.publicBaseUrl}/media/${res.body.attachments[0].id}/`)).toBe(true);
    const path = image.link.slice(SECRETS.publicBaseUrl.length);
    const fetched = await h.http.get(path).buffer(true).parse(binary);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(JPEG);
    expect((await h.http.get(`${path}x`)).status).toBe(404);
    expect(await h.rt.db.mediaFile.count({ where: { messageId: res.body.id } })).toBe(1);
    // The public URL stops working after a week; agents still read the file.
    await h.rt.db.mediaFile.updateMany({ where: { messageId: res.body.id }, data: { createdAt: new Date(Date.now() - 8 * 24 * 3600 * 1000) } });
    expect((await h.http.get(path)).status).toBe(404);
    expect((await h.http.get(res.body.attachments[0].url).set(agent.auth)).status).toBe(200);
  });

  it('refuses what it cannot send: bad base64 400, a type it does not send 422, not the holder 403, outside the window 422', async () => {
    const mediaId = `r${Date.now()}`;
    h.provider.serveMedia(mediaId, { bytes: JPEG, mimeType: 'image/jpeg' });
    const { message } = await postWhatsAppImage(mediaId);
    expect((await attach(message.conversationId, { data: JPEG.toString('base64'), mimeType: 'image/jpeg' })).status).toBe(403);
    await holdConversation(message.conversationId);
    const bad = await attach(message.conversationId, { data: '***', mimeType: 'image/jpeg' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBeTypeOf('string');
    const exe = await attach(message.conversationId, { data: 'TVo=', mimeType: 'application/x-msdownload' });
    expect(exe.status).toBe(422);
    expect(exe.body).toMatchObject({ error: 'unsupported_type' });
    await h.rt.db.conversation.update({ where: { id: message.conversationId }, data: { lastInboundAt: new Date(Date.now() - 25 * 3600 * 1000) } });
    const late = await attach(message.conversationId, { data: JPEG.toString('base64'), mimeType: 'image/jpeg' });
    expect(late.status).toBe(422);
    expect(late.body).toMatchObject({ error: 'template_required' });
  });

  it('SMS: an MMS with the public URL as MediaUrl', async () => {
    const phone = `+${randomPhone()}`;
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    const { body, signature } = twilioForm({ MessageSid: sid, SmsSid: sid, AccountSid: SECRETS.twilioSid, From: phone, To: SECRETS.twilioFrom, Body: 'hi', NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01' });
    expect((await h.http.post('/webhooks/sms').set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body)).status).toBe(200);
    const message = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'sms', providerMessageId: sid } } });
    await holdConversation(message.conversationId);
    const res = await attach(message.conversationId, { data: PDF.toString('base64'), mimeType: 'application/pdf', filename: 'invoice.pdf' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const send = await eventually(async () => h.provider.sends(TWILIO_MESSAGES).find((r) => r.form?.To === phone && r.form?.MediaUrl));
    expect(send.form!.MediaUrl).toMatch(new RegExp(`^${SECRETS.publicBaseUrl}/media/${res.body.attachments[0].id}/[A-Za-z0-9_-]+$`));
    expect(send.form!.Body).toBeUndefined();
  });

  it('web chat: the customer reads the file with their session token; erasure deletes it', async () => {
    const session = await webchatSession();
    const posted = await h.http.post(`/webchat/sessions/${session.sessionId}/messages`).set(bearer(session.token)).send({ text: 'hello', clientMessageId: randomUUID() });
    expect(posted.status).toBeLessThan(300);
    const conversation = await eventually(async () => (await h.rt.db.conversation.findFirst({ where: { channel: 'webchat', externalId: session.sessionId } })) ?? undefined);
    await holdConversation(conversation.id);
    const res = await attach(conversation.id, { data: PDF.toString('base64'), mimeType: 'application/pdf', filename: 'invoice.pdf' });
    expect(res.status).toBe(201);
    const url = res.body.attachments[0].url as string;
    const mine = await h.http.get(url).set(bearer(session.token));
    expect(mine.status).toBe(200);
    expect(mine.headers['content-type']).toBe('application/pdf');
    expect((await h.http.get(`${url}?token=${session.token}`)).status).toBe(200);
    const history = await h.http.get(`/webchat/sessions/${session.sessionId}/messages`).set(bearer(session.token));
    expect(JSON.stringify(history.body)).toContain(url);
    // The widget labels a file link in the customer's language.
    expect((await h.http.get('/webchat/strings').query({ locale: 'ta' })).body.attachment).toMatch(/[\u0B80-\u0BFF]/);

    const file = await h.rt.db.mediaFile.findFirstOrThrow({ where: { messageId: res.body.id } });
    const erased = await h.http.delete(`/api/admin/contacts/${conversation.contactId}`).set(ADMIN);
    expect(erased.status).toBe(200);
    expect(await h.rt.db.mediaFile.count({ where: { conversationId: conversation.id } })).toBe(0);
    const left = await readdir(join(dataDir, 'media', conversation.id)).catch(() => []);
    expect(left).not.toContain(file.id);
    expect((await h.http.get(url).set(ADMIN)).status).toBe(404);
  });
});
