// A webhook bot against a real local service that records what it got: the body is the
// documented v1 shape, signed so the service can verify it, and anything but a valid 200
// answer in time is a thrown error (the turn's fallback applies).
import { describe, expect, it } from 'vitest';
import { createWebhookBot } from '../../src/bots/webhook/webhookBot.ts';
import { botTurn } from '../support/botTurn.ts';
import { signedWith, useRecordingServer } from '../support/recordingServer.ts';

const SECRET = 'webhook-secret';
const suite = useRecordingServer(() => ({ body: { replies: [{ text: 'On its way.' }] } }));

const bot = () => createWebhookBot({ id: 'orders', url: `${suite.server.url}/baton/turn`, secret: SECRET, timeoutMs: 300, isPii: (slot) => slot === 'email' });

const verified = (raw: string, header: unknown) => signedWith(SECRET, raw, header);

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the turn to fail');
    },
    (err: Error) => err.message,
  );

describe('createWebhookBot', () => {
  it('posts the v1 body, signed, and maps replies, slots and a handoff', async () => {
    suite.next = {
      body: {
        replies: [{ text: 'Which one?', options: [{ id: 'o1', title: 'ORD-1001' }] }, { text: 'Or ask billing.' }],
        slots: { email: 'priya@example.com', orderStatus: 'shipped' },
        handoff: { to: 'billing', reason: 'refund' },
      },
    };
    const envelope = { version: 1, from: 'triage', summary: 'asks about an order' };
    const answer = await bot().answer(botTurn({ envelope }));

    const req = suite.server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/baton/turn');
    expect(req.headers['content-type']).toBe('application/json');
    expect(verified(req.raw, req.headers['x-baton-signature'])).toBe(true);
    expect(req.json).toEqual({
      version: '1',
      conversationId: 'conv-1',
      channel: 'whatsapp',
      locale: 'en',
      bot: 'orders',
      message: { id: 'msg-1', text: 'where is my order ORD-1001?', kind: 'text' },
      intent: { name: 'order.status', confidence: 0.92 },
      slots: { orderId: 'ORD-1001' },
      envelope,
    });

    expect(answer).toEqual({
      replies: [{ text: 'Which one?', options: [{ id: 'o1', title: 'ORD-1001' }] }, { text: 'Or ask billing.' }],
      slots: {
        email: { value: 'priya@example.com', pii: true, source: 'orders' },
        orderStatus: { value: 'shipped', pii: false, source: 'orders' },
      },
      handoff: { to: 'billing', reason: 'refund' },
    });
  });

  it('sends a null envelope when none came with the turn, and passes an escalation on', async () => {
    suite.next = { body: { replies: [], escalate: { reason: 'angry customer' } } };
    const answer = await bot().answer(botTurn());
    expect((suite.server.requests[0]!.json as { envelope: unknown }).envelope).toBeNull();
    expect(answer).toEqual({ replies: [], escalate: { reason: 'angry customer' } });
  });

  it('fails the turn on a timeout', async () => {
    suite.next = { body: { replies: [] }, delayMs: 1000 };
    expect(await failure(bot().answer(botTurn()))).toBe('webhook bot "orders": timed out after 300ms');
  });

  it('fails the turn on a non-200 answer or one that is not JSON', async () => {
    suite.next = { status: 500, body: { replies: [{ text: 'x' }] } };
    expect(await failure(bot().answer(botTurn()))).toMatch(/answered 500/);
    suite.next = { status: 201, body: { replies: [{ text: 'x' }] } };
    expect(await failure(bot().answer(botTurn()))).toMatch(/answered 201 \(expected 200\)/);
    suite.next = { status: 200, raw: '<html>oops</html>' };
    expect(await failure(bot().answer(botTurn()))).toMatch(/not JSON/);
  });

  it('fails the turn on an answer that does not fit the schema', async () => {
    const invalid: Array<[unknown, RegExp]> = [
      [{}, /replies/],
      [{ replies: [{ text: 'ok' }], reply: 'typo' }, /Unrecognized key.*reply/],
      [{ replies: [{ text: '' }] }, /replies\.0\.text/],
      [{ replies: [{ text: 'x'.repeat(4097) }] }, /replies\.0\.text/],
      [{ replies: Array.from({ length: 11 }, () => ({ text: 'x' })) }, /replies/],
      [{ replies: [{ text: 'ok', options: [{ id: 'a' }] }] }, /options\.0\.title/],
      [{ replies: [], slots: { n: 3 } }, /slots\.n/],
      [{ replies: [], handoff: { to: 'billing' } }, /handoff\.reason/],
    ];
    for (const [body, message] of invalid) {
      suite.next = { body };
      expect(await failure(bot().answer(botTurn()))).toMatch(message);
    }
  });
});
