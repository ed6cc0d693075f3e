// Fault 1: Meta delivers at least once. The same webhook arrives three times at once and
// again a few seconds later; the customer must get one answer per message, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, postWebhook, sleep, startFaultEnv, webhookBody, type FaultEnv } from './support/baton.ts';
import { report, settle } from './support/tally.ts';

let env: FaultEnv;
beforeAll(async () => {
  env = await startFaultEnv({ name: 'duplicates' });
  await env.startApi();
  await env.startWorker();
});
afterAll(async () => {
  await env?.close();
});

describe('fault: duplicate webhook deliveries', () => {
  it('stores and answers each message once though every webhook came four times', async () => {
    const customers = [customer(4, 'dup'), customer(4, 'dup'), customer(4, 'dup')];
    const statuses: Array<number | 'network'> = [];

    // Each message three times concurrently, customers in parallel, messages of one
    // customer one after the other (the next is only written after the first was taken).
    await Promise.all(
      customers.map(async (c) => {
        for (let i = 0; i < c.ids.length; i++) {
          const body = webhookBody(c, i);
          statuses.push(...(await Promise.all([1, 2, 3].map(() => postWebhook(env.apiUrl, body)))));
        }
      }),
    );
    // The late redelivery, after the first answers went out.
    await sleep(2500);
    await Promise.all(customers.flatMap((c) => c.ids.map((_, i) => postWebhook(env.apiUrl, webhookBody(c, i)).then((s) => statuses.push(s)))));

    // Every delivery, first or repeated, is acknowledged with 200: Meta must stop retrying.
    expect(statuses).toHaveLength(4 * 12);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const result = await settle('1 duplicate webhooks (x3 concurrent + late)', env.db, env.provider, customers);
    report(result);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 12, stored: 12, answered: 12, duplicated: 0, lost: 0 });
    // One reply row per part, and the provider asked once per reply: nothing re-sent.
    expect(result.rawSends).toBe(result.replies);
    expect(env.provider.deliveries.length).toBe(result.replies);
    // Twelve turns, not 48: the classifier saw each message once.
    expect(env.llm.texts).toHaveLength(12);
  });
});
