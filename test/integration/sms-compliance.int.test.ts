// SMS opt-out through the real route, workers and a stand-in Twilio: STOP and its
// synonyms silence the number (bots, notices and agents alike) until START; HELP gets
// the pack's help text; Twilio's 21610 counts as STOP and is never retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, placedInQueue } from '../escalation/helpers.ts';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { twilioForm } from '../support/payloads.ts';
import { sleep } from '../support/whatsappFlow.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const MESSAGES_PATH = `/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages.json`;
let counter = 0;

async function sms(from: string, text: string, extra: Record<string, string> = {}) {
  const sid = `SMoptout${Date.now().toString(16)}${++counter}`;
  const { body, signature } = twilioForm({ MessageSid: sid, AccountSid: SECRETS.twilioSid, From: from, To: SECRETS.twilioFrom, Body: text, NumMedia: '0', ...extra });
  const res = await h.http.post('/webhooks/sms').set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body);
  expect(res.status).toBe(200);
  const stored = await h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'sms', providerMessageId: sid } } });
  await eventually(async () => (await h.rt.db.message.findUniqueOrThrow({ where: { id: stored.id } })).handledAt !== null, 15_000, `"${text}" handled`);
  return stored;
}

const sendsTo = (phone: string) => h.provider.sends(MESSAGES_PATH).filter((r) => r.form?.To === phone);
const optedOut = async (phone: string) => (await h.rt.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: 'sms', externalId: phone } } })).optedOutAt !== null;
/** Waits until every outbound message of the number's conversation has left or failed. */
const settled = (phone: string) =>
  eventually(async () => {
    const rows = await h.rt.db.message.findMany({ where: { direction: 'outbound', conversation: { externalId: phone } }, orderBy: { seq: 'asc' } });
    return rows.every((r) => r.status !== 'queued' && r.status !== 'sending') && rows;
  });

describe('SMS opt-out', () => {
  it.each(['STOP', 'stopall', 'Unsubscribe', 'CANCEL', 'end', 'QUIT.'])('"%s" opts the number out without a reply; START opts it back in', async (keyword) => {
    const phone = `+${randomPhone()}`;
    await sms(phone, 'hi');
    await settled(phone);
    const before = sendsTo(phone).length;
    expect(before).toBeGreaterThan(0);

    await sms(phone, keyword);
    expect(await optedOut(phone)).toBe(true);
    await sms(phone, 'where is my order ORD-1001?');
    await sleep(300);
    expect(sendsTo(phone)).toHaveLength(before);

    await sms(phone, 'START');
    expect(await optedOut(phone)).toBe(false);
    await sleep(300);
    expect(sendsTo(phone)).toHaveLength(before); // START itself is confirmed by the carrier, not by us
    await sms(phone, 'where is my order ORD-1001?');
    await eventually(async () => sendsTo(phone).length > before, 15_000, 'answered again after START');
  });

  it("follows Twilio's OptOutType whatever the body says, and YES / UNSTOP opt back in", async () => {
    const phone = `+${randomPhone()}`;
    await sms(phone, 'arrête', { OptOutType: 'STOP' });
    expect(await optedOut(phone)).toBe(true);
    await sms(phone, 'yes');
    expect(await optedOut(phone)).toBe(false);
    await sms(phone, 'stop');
    await sms(phone, 'unstop');
    expect(await optedOut(phone)).toBe(false);
  });

  it("answers HELP with the pack's help text", async () => {
    const phone = `+${randomPhone()}`;
    await sms(phone, 'HELP');
    const [reply] = await eventually(async () => sendsTo(phone).length > 0 && sendsTo(phone));
    expect(reply!.form!.Body).toMatch(/^ShopKart: .*STOP.*START/);
  });

  it('drops a reply queued before STOP, and a person gets 409 opted_out until START', async () => {
    const phone = `+${randomPhone()}`;
    const asked = await sms(phone, 'I want to talk to a person');
    await placedInQueue(h, asked.conversationId);
    const agent = await createAgent(h);
    expect((await h.http.post(`/api/conversations/${asked.conversationId}/claim`).set(agent.auth)).status).toBe(200);
    await settled(phone);

    await sms(phone, 'STOP');
    const refused = await h.http.post(`/api/conversations/${asked.conversationId}/messages`).set(agent.auth).send({ text: 'Hello?' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: 'opted_out', message: expect.any(String) });

    await sms(phone, 'START');
    const allowed = await h.http.post(`/api/conversations/${asked.conversationId}/messages`).set(agent.auth).send({ text: 'Hello again' });
    expect(allowed.status).toBe(201);
    await eventually(async () => sendsTo(phone).some((r) => r.form?.Body === 'Hello again'));
  });

  it('treats Twilio error 21610 as STOP: the send fails once, is not retried, and the number is opted out', async () => {
    const phone = `+${randomPhone()}`;
    h.provider.failNext(MESSAGES_PATH, { status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', more_info: 'https://www.twilio.com/docs/errors/21610', status: 400 } });
    await sms(phone, 'hi');
    const rows = await settled(phone);
    const failed = rows.find((r) => r.status === 'failed');
    expect(failed?.errorCode).toBe('21610');
    expect(failed?.attempts).toBe(1);
    expect(await optedOut(phone)).toBe(true);
    // The menu queued behind the greeting never goes either.
    expect(rows.filter((r) => r.status === 'failed').map((r) => r.errorCode)).toEqual(['21610', 'opted_out']);
    expect(sendsTo(phone)).toHaveLength(1);
  });
});

describe('what a person may send on SMS', () => {
  it('measures a text before sending (segments, encoding, limit) and refuses a reply longer than one SMS takes', async () => {
    const agent = await createAgent(h);
    const hindi = await h.http.post('/api/channels/sms/measure').set(agent.auth).send({ text: 'आपका ऑर्डर कल पहुँचेगा, धन्यवाद! '.repeat(3) });
    expect(hindi.status).toBe(200);
    expect(hindi.body).toMatchObject({ channel: 'sms', limit: 1600, fits: true, sms: { encoding: 'UCS-2', segments: 2, perSegment: 67 } });
    const latin = await h.http.post('/api/channels/sms/measure').set(agent.auth).send({ text: 'Your order arrives tomorrow.' });
    expect(latin.body.sms).toEqual({ encoding: 'GSM-7', units: 28, segments: 1, perSegment: 160 });
    const wa = await h.http.post('/api/channels/whatsapp/measure').set(agent.auth).send({ text: 'x'.repeat(4097) });
    expect(wa.body).toEqual({ channel: 'whatsapp', characters: 4097, limit: 4096, fits: false });
    expect((await h.http.post('/api/channels/sms/measure').send({ text: 'x' })).status).toBe(401);
    const badChannel = await h.http.post('/api/channels/fax/measure').set(agent.auth).send({ text: 'x' });
    expect(badChannel.status).toBe(400);
    expect(badChannel.body).toEqual({ error: expect.any(String), message: expect.any(String) });

    const phone = `+${randomPhone()}`;
    const asked = await sms(phone, 'I want to talk to a person');
    await placedInQueue(h, asked.conversationId);
    expect((await h.http.post(`/api/conversations/${asked.conversationId}/claim`).set(agent.auth)).status).toBe(200);
    const long = await h.http.post(`/api/conversations/${asked.conversationId}/messages`).set(agent.auth).send({ text: 'x'.repeat(1601) });
    expect(long.status).toBe(422);
    expect(long.body).toEqual({ error: 'too_long', message: expect.stringContaining('1600') });
  });
});
