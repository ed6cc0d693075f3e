// WhatsApp through the real HTTP route, PostgreSQL, Redis and workers, with replies
// landing on a stand-in Graph API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp, whatsappFixtures, whatsappStatus, whatsappText } from '../support/payloads.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const post = (body: string, signature = signWhatsApp(body)) =>
  h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signature).send(body);

const sendsTo = (waId: string) => h.provider.sends(`/${SECRETS.phoneNumberId}/messages`).filter((r) => (r.json as { to?: string }).to === waId);

describe('WhatsApp webhook', () => {
  it('answers the verification handshake only with the right token', async () => {
    const ok = await h.http.get('/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.verify_token': SECRETS.verifyToken, 'hub.challenge': '1158201444' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('1158201444');
    expect(ok.headers['content-type']).toMatch(/text\/plain/);
    const bad = await h.http.get('/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' });
    expect(bad.status).toBe(403);
  });

  it('round trip: a signed text message is stored and answered on WhatsApp', async () => {
    const waId = randomPhone();
    const res = await post(whatsappText({ from: waId, id: `wamid.rt-${waId}`, text: 'hello', name: 'Ravi' }));
    expect(res.status).toBe(200);

    // Durable before the 200: the message is already in PostgreSQL.
    const stored = await h.rt.db.message.findUnique({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: `wamid.rt-${waId}` } } });
    expect(stored?.text).toBe('hello');

    const sends = await eventually(async () => sendsTo(waId).length >= 2 && sendsTo(waId), 15_000, 'two replies');
    const first = sends[0]!;
    expect(first.method).toBe('POST');
    expect(first.headers.authorization).toBe(`Bearer ${SECRETS.accessToken}`);
    expect(first.json).toMatchObject({ messaging_product: 'whatsapp', to: waId, type: 'text' });
    expect(JSON.stringify(first.json)).toContain('Ravi');
    // Four menu options are more than WhatsApp's three reply buttons: a list message.
    expect(sends[1]!.json).toMatchObject({ type: 'interactive', interactive: { type: 'list', action: { button: 'Choose' } } });
    expect((sends[1]!.json as { interactive: { action: { sections: Array<{ rows: unknown[] }> } } }).interactive.action.sections[0]!.rows).toHaveLength(4);

    // The provider's ids are recorded on our outbound messages.
    const outbound = await eventually(async () => {
      const rows = await h.rt.db.message.findMany({ where: { conversationId: stored!.conversationId, direction: 'outbound' } });
      return rows.length === 2 && rows.every((r) => r.status === 'sent' && r.providerMessageId?.startsWith('wamid.standin')) && rows;
    });
    expect(outbound).toHaveLength(2);
  });

  it('accepts every real payload in the shared fixtures with 200', async () => {
    for (const fixture of whatsappFixtures()) {
      const res = await post(fixture.body);
      expect(res.status, fixture.name).toBe(200);
    }
    // Statuses are never stored as inbound messages.
    const fromStatus = await h.rt.db.message.count({ where: { channel: 'whatsapp', direction: 'inbound', kind: 'status' } });
    expect(fromStatus).toBe(0);
  });

  it('refuses forged, missing and malformed signatures with 401, and bad bodies with 400', async () => {
    const body = whatsappText({ from: randomPhone(), id: 'wamid.forged', text: 'x' });
    expect((await post(body, signWhatsApp(body, 'wrong-secret'))).status).toBe(401);
    expect((await h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').send(body)).status).toBe(401);
    expect((await post(body, 'sha256=zz')).status).toBe(401);
    expect((await post(body, 'md5=abc')).status).toBe(401);
    const notJson = 'not json at all';
    const r1 = await post(notJson);
    expect(r1.status).toBe(400);
    expect(r1.body.error).toBe('invalid_json');
    const notWhatsapp = JSON.stringify({ object: 'page', entry: [] });
    expect((await post(notWhatsapp)).status).toBe(400);
    expect(await h.rt.db.message.count({ where: { providerMessageId: 'wamid.forged' } })).toBe(0);
  });

  it('stores one message and sends one reply for three identical concurrent POSTs and a later retry', async () => {
    const waId = randomPhone();
    const body = whatsappText({ from: waId, id: `wamid.dup-${waId}`, text: 'hi there' });
    const results = await Promise.all([post(body), post(body), post(body)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await eventually(async () => sendsTo(waId).length >= 2);
    await new Promise((r) => setTimeout(r, 700));
    expect((await post(body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect(await h.rt.db.message.count({ where: { providerMessageId: `wamid.dup-${waId}` } })).toBe(1);
    expect(sendsTo(waId)).toHaveLength(2);
  });

  it('applies delivery statuses to the outbound message, forward only', async () => {
    const waId = randomPhone();
    await post(whatsappText({ from: waId, id: `wamid.st-${waId}`, text: 'status please' }));
    const sent = await eventually(async () =>
      h.rt.db.message.findFirst({ where: { direction: 'outbound', status: 'sent', conversation: { externalId: waId } }, orderBy: { seq: 'asc' } }).then((m) => m ?? undefined),
    );
    const id = sent.providerMessageId!;
    expect((await post(whatsappStatus({ id, status: 'read', recipient: waId }))).status).toBe(200);
    expect((await post(whatsappStatus({ id, status: 'delivered', recipient: waId }))).status).toBe(200);
    const after = await h.rt.db.message.findUniqueOrThrow({ where: { id: sent.id } });
    expect(after.status).toBe('read');
    expect(await h.rt.db.message.count({ where: { conversationId: sent.conversationId, direction: 'inbound' } })).toBe(1);
  });
});
