// The pack's back-end client, against a real local server that records what it got:
// nothing leaves Baton unless the call is valid and within authority, every call says who
// is asking and is signed when the action names a secret, and failures are ActionFailed.
import { describe, expect, it } from 'vitest';
import { ActionFailed, AuthorityExceeded, type ActionPort, type SlotValue } from '../../src/bots/bot.ts';
import { checkAction, checkLimits, checkTemplate, createActionPort, templateRefs } from '../../src/packs/actions.ts';
import { metrics } from '../../src/observability/metrics.ts';
import { ActionSpec, type ActionSpec as Action } from '../../src/packs/packSchema.ts';
import { signedWith, useRecordingServer } from '../support/recordingServer.ts';

const suite = useRecordingServer(() => ({ status: 200, body: { ok: true } }));

const SECRET = 'back-end-secret';
const contact = { id: 'c-1', channel: 'whatsapp', address: '+919812345678', name: 'Priya' };
const slots: Record<string, SlotValue> = { orderId: { value: 'ORD 10/01', pii: false }, email: { value: 'priya@example.com', pii: true } };

const actions = (): Action[] =>
  [
    {
      id: 'orderStatus',
      url: '{{env.SHOP_URL}}/orders/{{slots.orderId}}?by={{contact.address}}&conv={{conversation.id}}',
      slots: { status: 'order.status', eta: 'order.delivery.eta', items: 'order.items', count: 'order.count', none: 'order.missing.path' },
      secretEnv: 'SHOP_SECRET',
    },
    {
      id: 'refund',
      method: 'POST',
      url: '{{env.SHOP_URL}}/refunds',
      body: { order: '{{slots.orderId}}', amount: '{{params.amount}}', note: 'refund of {{params.amount}} for {{contact.channel}}', meta: { lines: ['{{params.reason}}'] } },
      params: { amount: { type: 'number' }, reason: { type: 'string' }, urgent: { type: 'boolean' } },
      required: ['amount', 'reason'],
      secretEnv: 'SHOP_SECRET',
      timeoutMs: 300,
    },
    { id: 'needsMissingEnv', url: '{{env.NOT_SET}}/x' },
    { id: 'needsMissingSlot', url: '{{env.SHOP_URL}}/x/{{slots.invoiceId}}' },
    { id: 'plain', url: '{{env.SHOP_URL}}/plain', timeoutMs: 200 },
  ].map((a) => ActionSpec.parse(a));

function port(limits?: Record<string, Record<string, number>>): ActionPort {
  return createActionPort({
    actions: actions(),
    env: { SHOP_URL: suite.server.url, SHOP_SECRET: SECRET },
    scope: { conversationId: 'conv 1', contact, slots },
    ...(limits ? { limits } : {}),
  });
}

const verify = (raw: string, header: unknown) => signedWith(SECRET, raw, header);

async function failure(p: Promise<unknown>): Promise<ActionFailed> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionFailed);
  return err as ActionFailed;
}

describe('createActionPort', () => {
  it('fills the url (encoded), says who is asking, signs and extracts slots', async () => {
    suite.next = { body: { order: { status: 'shipped', delivery: { eta: '2026-12-05' }, items: [1, 2], count: 2 } } };
    const result = await port().call('orderStatus');

    expect(suite.server.requests).toHaveLength(1);
    const req = suite.server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/orders/ORD%2010%2F01?by=%2B919812345678&conv=conv%201');
    expect(req.headers['x-baton-contact-channel']).toBe('whatsapp');
    expect(req.headers['x-baton-contact-address']).toBe('+919812345678');
    expect(req.headers['x-baton-conversation-id']).toBe('conv 1');
    expect(req.raw).toBe('');
    expect(verify('', req.headers['x-baton-signature'])).toBe(true);

    expect(result.status).toBe(200);
    expect(result.slots).toEqual({ status: 'shipped', eta: '2026-12-05', items: '[1,2]', count: '2' });
  });

  it('renders the JSON body, keeps a whole-param value typed, adds the contact and signs the raw bytes', async () => {
    await port().call('refund', { amount: '250', reason: 'damaged' });
    const req = suite.server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.json).toEqual({
      order: 'ORD 10/01',
      amount: 250,
      note: 'refund of 250 for whatsapp',
      meta: { lines: ['damaged'] },
      contact: { channel: 'whatsapp', address: '+919812345678' },
    });
    expect(verify(req.raw, req.headers['x-baton-signature'])).toBe(true);
    expect(verify(req.raw + ' ', req.headers['x-baton-signature'])).toBe(false);
  });

  it('refuses an unknown action, bad params and missing template values without calling', async () => {
    await expect(failure(port().call('nope'))).resolves.toMatchObject({ action: 'nope' });
    const bad = await failure(port().call('refund', { amount: 'lots', reason: 'x' }));
    expect(bad.message).toMatch(/bad params: amount/);
    expect((await failure(port().call('refund', { amount: 5 }))).message).toMatch(/reason/);
    expect((await failure(port().call('refund', { amount: 5, reason: 'x', extra: 1 }))).message).toMatch(/extra/);
    expect((await failure(port().call('refund', { amount: 5, reason: 'x', urgent: 'yes' }))).message).toMatch(/urgent/);
    expect((await failure(port().call('needsMissingEnv'))).message).toMatch(/environment variable NOT_SET is not set/);
    expect((await failure(port().call('needsMissingSlot'))).message).toMatch(/slot "invoiceId"/);
    expect(suite.server.requests).toHaveLength(0);
  });

  it('a param over the bot authority throws AuthorityExceeded before any call', async () => {
    const err = await port({ refund: { amount: 100 } }).call('refund', { amount: '250', reason: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorityExceeded);
    expect(err).toMatchObject({ action: 'refund', param: 'amount', limit: 100, asked: 250 });
    expect(suite.server.requests).toHaveLength(0);
    const counted = (await metrics.actionCalls.get()).values.find((v) => v.labels.action === 'refund' && v.labels.outcome === 'authority');
    expect(counted?.value).toBeGreaterThanOrEqual(1);
    await expect(port({ refund: { amount: 100 } }).call('refund', { amount: 100, reason: 'x' })).resolves.toMatchObject({ status: 200 });
  });

  it('a 404 is an ActionFailed carrying the status; other non-2xx too', async () => {
    suite.next = { status: 404, body: { error: 'no such order' } };
    const notFound = await failure(port().call('orderStatus'));
    expect(notFound.status).toBe(404);
    suite.next = { status: 503, body: {} };
    expect((await failure(port().call('plain'))).status).toBe(503);
  });

  it('a non-JSON 2xx answer and a timeout are failures', async () => {
    suite.next = { status: 200, raw: 'OK' };
    expect((await failure(port().call('plain'))).message).toMatch(/not JSON/);
    suite.next = { body: {}, delayMs: 1000 };
    const started = Date.now();
    expect((await failure(port().call('plain'))).message).toMatch(/timed out after 200ms/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('a back-end that cannot be reached is a failure', async () => {
    const p = createActionPort({ actions: actions(), env: { SHOP_URL: 'http://127.0.0.1:1' }, scope: { conversationId: 'c', contact, slots } });
    expect((await failure(p.call('plain'))).message).toMatch(/could not be reached/);
  });

  it('never logs URLs, secrets or slot values', async () => {
    const lines: string[] = [];
    const log = { info: (o: object) => lines.push(JSON.stringify(o)), warn: (o: object) => lines.push(JSON.stringify(o)) };
    const p = createActionPort({ actions: actions(), env: { SHOP_URL: suite.server.url, SHOP_SECRET: SECRET }, scope: { conversationId: 'c', contact, slots }, log });
    await p.call('orderStatus');
    suite.next = { status: 500 };
    await p.call('refund', { amount: 1, reason: 'r' }).catch(() => {});
    expect(lines).toHaveLength(2);
    for (const line of lines) for (const secret of [SECRET, 'ORD 10/01', 'ORD%2010', '+91981', suite.server.url]) expect(line).not.toContain(secret);
  });
});

describe('templates', () => {
  it('lists references and reports malformed ones', () => {
    expect(templateRefs('{{env.A}}/x/{{ slots.orderId }}?c={{contact.address}}')).toEqual([
      { scope: 'env', name: 'A' },
      { scope: 'slots', name: 'orderId' },
      { scope: 'contact', name: 'address' },
    ]);
    expect(checkTemplate('{{env.A}}/{{params.x}}', { env: ['A'], params: ['x'] })).toEqual([]);
    expect(checkTemplate('{{secrets.A}}')[0]).toMatch(/unknown scope "secrets"/);
    expect(checkTemplate('{{contact.email}}')[0]).toMatch(/unknown field of contact/);
    expect(checkTemplate('{{env.B}}', { env: ['A'] })[0]).toMatch(/environment variable not declared/);
    expect(checkTemplate('{{env.A}/x')).toEqual(['unbalanced "{{" / "}}"']);
    expect(checkTemplate('{{nonsense}}')[0]).toMatch(/not a \{\{scope.name\}\} reference/);
  });

  it('checks an action declaration for the pack checker', () => {
    const action = ActionSpec.parse({ id: 'a', method: 'GET', url: 'ftp://x/{{params.y}}', body: { z: '{{slots.q}}' }, required: ['w'] });
    const problems = checkAction(action, { env: [], slots: [] });
    expect(problems).toEqual([
      'action "a": url: "{{params.y}}": unknown param not declared by the action',
      'action "a": url: must start with http(s):// or {{env.NAME}}',
      'action "a": body.z: "{{slots.q}}": unknown slot not declared in the pack',
      'action "a": body: a GET action sends no body',
      'action "a": required: "w" is not one of its params',
    ]);
    expect(checkAction(actions()[1]!, { env: ['SHOP_URL', 'SHOP_SECRET'], slots: ['orderId'] })).toEqual([]);
  });
});

describe('checkLimits', () => {
  it('reports limits on unknown actions and on params that are not numbers', () => {
    expect(checkLimits('billing', { refund: { amount: 100 } }, actions())).toEqual([]);
    expect(checkLimits('billing', { refnud: { amount: 100 }, refund: { ammount: 1, reason: 2 } }, actions())).toEqual([
      'bot "billing": limits name "refnud", which is not an action of the pack',
      'bot "billing": limits.refund.ammount must name a number or integer param of the action',
      'bot "billing": limits.refund.reason must name a number or integer param of the action',
    ]);
  });
});
