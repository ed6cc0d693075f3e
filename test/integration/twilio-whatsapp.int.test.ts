// WhatsApp through Twilio: a `From: whatsapp:+…` on the SMS webhook is answered on
// WhatsApp (To: whatsapp:+…, From: whatsapp:<our number>), and the same phone's texts
// are the same contact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { twilioForm } from '../support/payloads.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const MESSAGES_PATH = `/2010-04-01/Accounts/${SECRETS.twilioSid}/Messages.json`;

async function post(fields: Record<string, string>) {
  const { body, signature } = twilioForm(fields);
  const res = await h.http.post('/webhooks/sms').set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signature).send(body);
  expect(res.status).toBe(200);
}

describe('WhatsApp through Twilio', () => {
  it('answers on WhatsApp through Twilio, and the phone is one contact with its SMS', async () => {
    const phone = `+${randomPhone()}`;
    await post({ MessageSid: `SMwa${Date.now()}`, AccountSid: SECRETS.twilioSid, From: `whatsapp:${phone}`, To: `whatsapp:${SECRETS.twilioFrom}`, Body: 'hi', NumMedia: '0', ProfileName: 'Asha', WaId: phone.slice(1) });
    const sends = await eventually(async () => {
      const to = h.provider.sends(MESSAGES_PATH).filter((r) => r.form?.To === `whatsapp:${phone}`);
      return to.length >= 2 && to;
    }, 15_000, 'two replies on WhatsApp');
    for (const send of sends) expect(send.form).toMatchObject({ To: `whatsapp:${phone}`, From: `whatsapp:${SECRETS.twilioFrom}` });
    expect(h.provider.sends(MESSAGES_PATH).filter((r) => r.form?.To === phone)).toHaveLength(0);

    await post({ MessageSid: `SMsms${Date.now()}`, AccountSid: SECRETS.twilioSid, From: phone, To: SECRETS.twilioFrom, Body: 'hello by text', NumMedia: '0' });
    const contact = await h.rt.db.contact.findUniqueOrThrow({ where: { phone }, include: { identities: true } });
    expect(contact.identities.map((i) => i.externalId).sort()).toEqual([phone, `whatsapp:${phone}`].sort());
  });
});
