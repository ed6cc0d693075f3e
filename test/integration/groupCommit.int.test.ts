// Group commit at ingest: concurrent webhooks are stored together (fewer transactions
// than requests), each answered 200 with its messages committed, a request's messages
// in the order the provider sent them, and a repeat stores nothing new.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappWebhookBody } from '../../src/dev/whatsappWebhookBody.ts';
import { randomPhone, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { signWhatsApp } from '../support/payloads.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: false });
});
afterAll(async () => {
  await h.close();
});

const post = (body: string) =>
  h.http.post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signWhatsApp(body)).send(body);

describe('group commit at ingest', () => {
  it('stores 30 concurrent webhooks in fewer transactions than requests, each request’s messages in order', async () => {
    const run = randomUUID().slice(0, 8);
    const customers = Array.from({ length: 30 }, () => randomPhone().slice(1));
    const bodies = customers.map((waId, c) =>
      whatsappWebhookBody({
        phoneNumberId: SECRETS.phoneNumberId,
        contact: { waId, name: `Customer ${c}` },
        messages: ['first', 'second', 'third'].map((text) => ({ from: waId, id: `wamid.gc-${run}-${c}-${text}`, type: 'text', text: { body: text } })),
      }),
    );
    const answers = await Promise.all(bodies.map(post));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));

    const rows = await h.rt.db.$queryRaw<Array<{ providerMessageId: string; text: string; conversationId: string; tx: string }>>`
      SELECT "providerMessageId", text, "conversationId"::text AS "conversationId", xmin::text AS tx FROM "Message"
       WHERE "providerMessageId" LIKE ${`wamid.gc-${run}-%`} ORDER BY seq`;
    expect(rows).toHaveLength(90);
    for (const [c] of customers.entries()) {
      const mine = rows.filter((r) => r.providerMessageId.startsWith(`wamid.gc-${run}-${c}-`));
      expect(mine.map((r) => r.text)).toEqual(['first', 'second', 'third']);
      expect(new Set(mine.map((r) => r.conversationId)).size).toBe(1);
    }
    // Messages written by one transaction share its id (xmin): grouped, there are fewer.
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(30);

    // The provider repeats one: 200, nothing new stored, no second turn.
    const again = await post(bodies[0]!);
    expect(again.status).toBe(200);
    const [count] = await h.rt.db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "Message" WHERE "providerMessageId" LIKE ${`wamid.gc-${run}-%`}`;
    expect(Number(count!.n)).toBe(90);
  });
});
