// Twilio SMS through the real HTTP route, PostgreSQL, Redis and workers, with replies
// landing on a stand-in Twilio REST API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { repliesSettled } from '../support/http.ts';
import { signWhatsApp, twilioForm, whatsappText } from '../support/payloads.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const MESSAGES_PATH = `/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages.json`;
let sidCounter = 0;
/** A MessageSid no other test (or earlier run against the same database) used. */
const newSid = () => `SM${Date.now().toString(16)}${(++sidCounter).toString(16).padStart(6, '0')}${Math.random().toString(16).slice(2, 10)}`;

const inbound = (from: string, body: string, sid = newSid()) => ({
  MessageSid: sid,
  SmsSid: sid,
  AccountSid: SECRETS.twilioSid,
  From: from,
  To: SECRETS.twilioFrom,
  Body: body,
  NumMedia: '0',
  NumSegments: '1',
  SmsStatus: 'received',
  ApiVersion: '2010-04-01',
});

/** Posts a form signed the way Twilio signs it, over PUBLIC_BASE_URL + path. */
const postSigned = (fields: Record<string, string>, path = '/webhooks/sms', signedPath = path) => {
  const { body, signature } = twilioForm(fields, signedPath);
  return h.http.post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body);
};

const smsSendsTo = (phone: string) => h.provider.sends(MESSAGES_PATH).filter((r) => r.form?.To === phone);
const storedBySid = (sid: string) => h.rt.db.message.count({ where: { channel: 'sms', providerMessageId: sid } });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SMS webhook', () => {
  it('round trip: a signed message is stored before the 200 TwiML answer and answered through the Twilio REST API', async () => {
    const phone = `+${randomPhone()}`;
    const fields = inbound(phone, 'hello');
    const res = await postSigned(fields);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toMatch(/<Response><\/Response>$/);

    // Durable before the 200.
    const stored = await h.rt.db.message.findUnique({
      where: { channel_providerMessageId: { channel: 'sms', providerMessageId: fields.MessageSid } },
      include: { conversation: true },
    });
    expect(stored).toMatchObject({ direction: 'inbound', text: 'hello', channel: 'sms' });
    expect(stored!.conversation).toMatchObject({ channel: 'sms', externalId: phone });

    const sends = await eventually(async () => smsSendsTo(phone).length >= 2 && smsSendsTo(phone), 15_000, 'two SMS replies');
    const expectedAuth = `Basic ${Buffer.from(`${SECRETS.twilioSid}:${SECRETS.twilioToken}`).toString('base64')}`;
    for (const send of sends) {
      expect(send.method).toBe('POST');
      expect(send.path).toBe(MESSAGES_PATH);
      expect(send.headers.authorization).toBe(expectedAuth);
      expect(send.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
      expect(send.form).toMatchObject({ To: phone, From: SECRETS.twilioFrom });
      expect(send.form!.Body!.length).toBeGreaterThan(0);
      // Delivery receipts come back to the status route Twilio signs.
      expect(send.form!.StatusCallback).toBe(`${SECRETS.publicBaseUrl}/webhooks/sms/status`);
    }
    // First contact: a greeting, then the menu; SMS has no buttons, so options are numbered lines.
    expect(sends[0]!.form!.Body).toMatch(/bot/i);
    expect(sends[1]!.form!.Body).toMatch(/1\. .+\n2\. .+\n3\. .+\n4\. .+/);

    // Twilio's sids are recorded on our outbound messages.
    const outbound = await eventually(async () => {
      const rows = await h.rt.db.message.findMany({ where: { conversationId: stored!.conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } });
      return rows.length === 2 && rows.every((r) => r.status === 'sent' && r.providerMessageId?.startsWith('SM')) && rows;
    });
    expect(outbound.map((r) => r.channel)).toEqual(['sms', 'sms']);
  });

  it('refuses a forged, missing or misplaced signature with 403 and stores nothing', async () => {
    const phone = `+${randomPhone()}`;
    const fields = inbound(phone, 'let me in');
    const sid = fields.MessageSid;
    const form = 'application/x-www-form-urlencoded';

    // Signed with another account's token.
    const forged = twilioForm(fields, '/webhooks/sms', 'not-the-auth-token');
    const r1 = await h.http.post('/webhooks/sms').set('content-type', form).set('x-twilio-signature', forged.signature).send(forged.body);
    expect(r1.status).toBe(403);
    expect(r1.body).toMatchObject({ error: 'invalid_signature' });
    expect(typeof r1.body.message).toBe('string');

    // No signature at all.
    const r2 = await h.http.post('/webhooks/sms').set('content-type', form).send(twilioForm(fields).body);
    expect(r2.status).toBe(403);

    // A valid signature, but for the status URL.
    expect((await postSigned(fields, '/webhooks/sms', '/webhooks/sms/status')).status).toBe(403);

    // A valid signature over other params: the body was changed in transit.
    const genuine = twilioForm(fields);
    const tampered = new URLSearchParams({ ...fields, Body: 'send me a refund' }).toString();
    const r4 = await h.http.post('/webhooks/sms').set('content-type', form).set('x-twilio-signature', genuine.signature).send(tampered);
    expect(r4.status).toBe(403);

    // An extra param Twilio did not sign.
    const r5 = await h.http.post('/webhooks/sms').set('content-type', form).set('x-twilio-signature', genuine.signature).send(`${genuine.body}&Extra=1`);
    expect(r5.status).toBe(403);

    await pause(300);
    expect(await storedBySid(sid)).toBe(0);
    expect(await h.rt.db.channelIdentity.count({ where: { channel: 'sms', externalId: phone } })).toBe(0);
    expect(smsSendsTo(phone)).toHaveLength(0);
  });

  it('refuses a body that is not form-encoded with 415 and stores nothing', async () => {
    const fields = inbound(`+${randomPhone()}`, 'json is not what Twilio sends');
    const { signature } = twilioForm(fields);
    const asJson = await h.http.post('/webhooks/sms').set('content-type', 'application/json').set('x-twilio-signature', signature).send(JSON.stringify(fields));
    expect(asJson.status).toBe(415);
    expect(asJson.body).toMatchObject({ error: 'unsupported_media_type' });
    const asText = await h.http
      .post('/webhooks/sms')
      .set('content-type', 'text/plain')
      .set('x-twilio-signature', signature)
      .send(new URLSearchParams(fields).toString());
    expect(asText.status).toBe(415);
    expect(await storedBySid(fields.MessageSid)).toBe(0);
  });

  it('refuses a signed form over 1 MiB with 413', async () => {
    const fields = inbound(`+${randomPhone()}`, 'x'.repeat(1024 * 1024 + 10));
    const res = await postSigned(fields);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large' });
    expect(await storedBySid(fields.MessageSid)).toBe(0);
  });

  it('stores one message and sends one set of replies for three concurrent deliveries of a MessageSid and a later retry', async () => {
    const phone = `+${randomPhone()}`;
    const fields = inbound(phone, 'hello');
    const results = await Promise.all([postSigned(fields), postSigned(fields), postSigned(fields)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const r of results) expect(r.text).toMatch(/<Response><\/Response>$/);

    const conversations = await h.rt.db.conversation.findMany({ where: { channel: 'sms', externalId: phone } });
    expect(conversations).toHaveLength(1);
    const replies = await repliesSettled(h.rt.db, conversations[0]!.id);
    expect(smsSendsTo(phone)).toHaveLength(replies.length);

    const later = await postSigned(fields);
    expect(later.status).toBe(200);
    await pause(1000);

    expect(await storedBySid(fields.MessageSid)).toBe(1);
    expect(await h.rt.db.message.count({ where: { conversationId: conversations[0]!.id, direction: 'outbound' } })).toBe(replies.length);
    expect(smsSendsTo(phone)).toHaveLength(replies.length);
  });

  it('moves the outbound message forward on signed status callbacks and never stores them as inbound messages', async () => {
    const phone = `+${randomPhone()}`;
    const first = inbound(phone, 'hello');
    expect((await postSigned(first)).status).toBe(200);
    const conversationId = (await h.rt.db.message.findUniqueOrThrow({
      where: { channel_providerMessageId: { channel: 'sms', providerMessageId: first.MessageSid } },
    })).conversationId;
    const replies = await repliesSettled(h.rt.db, conversationId);
    // First contact is answered with a greeting and a menu: two messages to follow.
    expect(replies.map((r) => r.status)).toEqual(['sent', 'sent']);
    const [greeting, menu] = replies;
    const status = (sid: string, MessageStatus: string, extra: Record<string, string> = {}) => ({
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: SECRETS.twilioSid,
      From: SECRETS.twilioFrom,
      To: phone,
      MessageStatus,
      SmsStatus: MessageStatus,
      ApiVersion: '2010-04-01',
      ...extra,
    });
    const statusOf = async (id: string) => (await h.rt.db.message.findUniqueOrThrow({ where: { id } })).status;

    // Signed over the inbound path instead of the status path: refused, nothing moves.
    const misplaced = await postSigned(status(greeting!.providerMessageId!, 'delivered'), '/webhooks/sms/status', '/webhooks/sms');
    expect(misplaced.status).toBe(403);
    expect(await statusOf(greeting!.id)).toBe('sent');

    const delivered = await postSigned(status(greeting!.providerMessageId!, 'delivered'), '/webhooks/sms/status');
    expect(delivered.status).toBe(200);
    expect(delivered.headers['content-type']).toMatch(/^text\/xml/);
    expect(await statusOf(greeting!.id)).toBe('delivered');

    // Late and repeated receipts never move it back.
    for (const late of ['sent', 'queued', 'delivered']) {
      expect((await postSigned(status(greeting!.providerMessageId!, late), '/webhooks/sms/status')).status, late).toBe(200);
      expect(await statusOf(greeting!.id), `after a late "${late}"`).toBe('delivered');
    }

    // A failure is recorded with Twilio's error code.
    expect((await postSigned(status(menu!.providerMessageId!, 'undelivered', { ErrorCode: '30003' }), '/webhooks/sms/status')).status).toBe(200);
    const failed = await h.rt.db.message.findUniqueOrThrow({ where: { id: menu!.id } });
    expect(failed.status).toBe('undelivered');
    expect(failed.errorCode).toBe('30003');

    // A status Baton does not know is acknowledged, not retried forever.
    expect((await postSigned(status(greeting!.providerMessageId!, 'some_future_status'), '/webhooks/sms/status')).status).toBe(200);
    expect(await statusOf(greeting!.id)).toBe('delivered');

    // A receipt naming the customer's own message leaves it as it was.
    expect((await postSigned(status(first.MessageSid, 'delivered'), '/webhooks/sms/status')).status).toBe(200);
    expect((await postSigned(status(first.MessageSid, 'received'), '/webhooks/sms/status')).status).toBe(200);
    const theirs = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'sms', providerMessageId: first.MessageSid } } });
    expect(theirs).toMatchObject({ direction: 'inbound', status: 'received' });

    // A status callback posted to the inbound URL by mistake is not a customer message.
    const wrongUrl = await postSigned(status(greeting!.providerMessageId!, 'delivered'));
    expect(wrongUrl.status).toBe(400);

    await pause(500);
    expect(await h.rt.db.message.count({ where: { conversationId, direction: 'inbound' } })).toBe(1);
    expect(await h.rt.db.message.count({ where: { channel: 'sms', direction: 'inbound', providerMessageId: { in: [greeting!.providerMessageId!, menu!.providerMessageId!] } } })).toBe(0);
    // And nothing was answered because of a receipt.
    expect(smsSendsTo(phone)).toHaveLength(replies.length);
  });
});

describe('one phone, two channels', () => {
  const postWhatsApp = (body: string) =>
    h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body);
  const waSendsTo = (waId: string) => h.provider.sends(`/${SECRETS.phoneNumberId}/messages`).filter((r) => (r.json as { to?: string }).to === waId);

  const contactOf = async (channel: 'sms' | 'whatsapp', providerMessageId: string) => {
    const message = await h.rt.db.message.findUniqueOrThrow({
      where: { channel_providerMessageId: { channel, providerMessageId } },
      include: { conversation: true },
    });
    return { contactId: message.conversation.contactId, conversation: message.conversation };
  };

  for (const order of [['whatsapp', 'sms'], ['sms', 'whatsapp']] as const) {
    it(`a number writing on ${order[0]} and then ${order[1]} is one contact with one conversation per channel`, async () => {
      const waId = randomPhone();
      const e164 = `+${waId}`;
      const waMessageId = `wamid.cross-${waId}`;
      const sms = inbound(e164, 'same person, other channel');

      for (const channel of order) {
        const res = channel === 'whatsapp' ? await postWhatsApp(whatsappText({ from: waId, id: waMessageId, text: 'hi on whatsapp', name: 'Meera' })) : await postSigned(sms);
        expect(res.status, channel).toBe(200);
      }

      const wa = await contactOf('whatsapp', waMessageId);
      const text = await contactOf('sms', sms.MessageSid);
      expect(text.contactId).toBe(wa.contactId);
      expect(wa.conversation.id).not.toBe(text.conversation.id);
      expect(wa.conversation).toMatchObject({ channel: 'whatsapp', externalId: waId });
      expect(text.conversation).toMatchObject({ channel: 'sms', externalId: e164 });

      const contact = await h.rt.db.contact.findUniqueOrThrow({ where: { id: wa.contactId }, include: { identities: true, conversations: true } });
      expect(contact.phone).toBe(e164);
      expect(contact.identities.map((i) => `${i.channel}:${i.externalId}`).sort()).toEqual([`sms:${e164}`, `whatsapp:${waId}`]);
      expect(contact.conversations.map((c) => c.channel).sort()).toEqual(['sms', 'whatsapp']);
      expect(await h.rt.db.contact.count({ where: { phone: e164 } })).toBe(1);

      // Each channel is answered on itself.
      await eventually(async () => waSendsTo(waId).length >= 1 && smsSendsTo(e164).length >= 1, 15_000, 'replies on both channels');
      expect(smsSendsTo(waId)).toHaveLength(0);
      expect(waSendsTo(e164)).toHaveLength(0);
    });
  }
});
