// With OTEL_EXPORTER_OTLP_ENDPOINT set, one customer message becomes one trace that
// follows it through the webhook, the queue, the bot turn, the handoff and the send —
// every span tagged with the conversation id — exported as OTLP/HTTP JSON.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimulatedCustomer } from '../../src/dev/simulatedCustomer.ts';
import { startTracing, stopTracing } from '../../src/observability/tracing.ts';
import { SECRETS, eventually, startHarness, type Harness } from '../support/harness.ts';

type OtlpSpan = { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> };
const spans: OtlpSpan[] = [];
let collector: Server;
let h: Harness;
let app: Server;

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  startTracing(`http://127.0.0.1:${(collector.address() as AddressInfo).port}`, 'baton-test');
  h = await startHarness();
  app = h.app.listen(0);
}, 120_000);

afterAll(async () => {
  app.close();
  await h.close();
  await stopTracing();
  collector.close();
});

const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value.stringValue;

it('traces a message from webhook to send, linked by conversation id', async () => {
  const customer = new SimulatedCustomer({
    baseUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    db: h.rt.db,
    appSecret: SECRETS.appSecret,
    phoneNumberId: SECRETS.phoneNumberId,
  });
  const turn = await customer.say('I was charged twice for ORD-1001');
  const conversationId = turn.conversation.id;
  const mine = await eventually(async () => {
    const found = spans.filter((s) => attr(s, 'baton.conversation_id') === conversationId);
    const names = new Set(found.map((s) => s.name));
    return ['ingest', 'bot.turn', 'handoff', 'send'].every((n) => names.has(n)) && found;
  }, 20_000, 'spans for the conversation');
  const ingest = mine.find((s) => s.name === 'ingest')!;
  const botTurn = mine.find((s) => s.name === 'bot.turn')!;
  const send = mine.find((s) => s.name === 'send')!;
  const handoff = mine.find((s) => s.name === 'handoff')!;
  // One trace across the queue hops: the turn and the send continue the webhook's trace.
  expect(botTurn.traceId).toBe(ingest.traceId);
  expect(send.traceId).toBe(ingest.traceId);
  expect(handoff.traceId).toBe(botTurn.traceId);
  expect(attr(handoff, 'baton.to')).toBe('bot:billing');
});
