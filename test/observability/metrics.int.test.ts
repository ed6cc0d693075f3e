// GET /metrics shows what an operator watches: traffic by channel, queue depth,
// handoffs by pattern and outcome with their latency, escalations waiting.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimulatedCustomer } from '../../src/dev/simulatedCustomer.ts';
import { SECRETS, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let server: Server;
beforeAll(async () => {
  // Gauges fresh on every scrape: the test reads them twice within seconds.
  h = await startHarness({ env: { METRICS_CACHE_MS: '0' } });
  server = h.app.listen(0);
});
afterAll(async () => {
  server.close();
  await h.close();
});

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.slice(series.length).trim()) : 0;
};

it('counts messages, handoffs, escalations and queue jobs', async () => {
  const before = (await h.http.get('/metrics')).text;
  const customer = new SimulatedCustomer({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db: h.rt.db,
    appSecret: SECRETS.appSecret,
    phoneNumberId: SECRETS.phoneNumberId,
  });
  await customer.say('I was charged twice for ORD-1001');
  await customer.say('let me talk to a human please');

  const res = await h.http.get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/text\/plain/);
  const after = res.text;
  expect(value(after, 'baton_inbound_messages_total{channel="whatsapp"}') - value(before, 'baton_inbound_messages_total{channel="whatsapp"}')).toBe(2);
  expect(value(after, 'baton_outbound_messages_total{channel="whatsapp",status="sent"}')).toBeGreaterThan(value(before, 'baton_outbound_messages_total{channel="whatsapp",status="sent"}'));
  expect(value(after, 'baton_handoffs_total{pattern="orchestrator",reason="routed",status="accepted"}')).toBeGreaterThanOrEqual(1);
  expect(value(after, 'baton_handoffs_total{pattern="escalation",reason="customer_request",status="accepted"}')).toBeGreaterThanOrEqual(1);
  expect(value(after, 'baton_handoff_transition_seconds_count')).toBeGreaterThanOrEqual(2);
  expect(value(after, 'baton_escalations_waiting')).toBeGreaterThanOrEqual(1);
  // Replies go out from the turn's worker; the queue jobs counted are the turns.
  expect(after).toMatch(/baton_queue_jobs\{queue="inbound",state="completed"\} [1-9]/);
  expect(after).toMatch(/baton_job_duration_seconds_count\{queue="inbound"\} [1-9]/);
  expect(after).toMatch(/baton_http_request_duration_seconds_count\{route="\/webhooks\/whatsapp",method="POST",status="200"\}/);
});
