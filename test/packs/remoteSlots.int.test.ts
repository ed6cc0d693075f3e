// A turn that waits on a remote bot (here the clinic's LLM bot) gives its worker slot
// back for the wait: with one slot, another customer is answered while the model is
// still thinking, and the waiting turn then finishes with the model's answer.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCustomer, type TurnReport } from '../../src/dev/simulatedCustomer.ts';
import { eventually, SECRETS, startHarness, type Harness } from '../support/harness.ts';
import { listen, type Listening } from '../support/http.ts';
import { say, useScriptedModel } from '../support/scriptedModel.ts';

const CLINIC_DIR = path.resolve(import.meta.dirname, '../../packs/clinic');
const THINKING_MS = 3000;

const model = useScriptedModel();
let h: Harness;
let server: Listening;

beforeAll(async () => {
  // The clinic's own service is not called by these turns: any URL will do.
  h = await startHarness({ env: { BATON_PACK: CLINIC_DIR, CLINIC_API_BASE: model.url, CLINIC_WEBHOOK_SECRET: 'unused', CLINIC_LLM_URL: model.url, WORKER_CONCURRENCY: '1' } });
  server = await listen(h.app);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await h?.close();
});

const patient = (name: string) => new SimulatedCustomer({ baseUrl: server.url, db: h.rt.db, appSecret: SECRETS.appSecret, phoneNumberId: SECRETS.phoneNumberId, name });
const texts = (r: TurnReport) => r.replies.map((x) => x.text).join('\n');

describe('a turn waiting on a remote bot', () => {
  it('does not hold the only worker slot: another customer is answered meanwhile', async () => {
    model.script({ ...say('Yes, we are open on Sundays from 9 to 1.'), delayMs: THINKING_MS });
    const slow = patient('Asha');
    const slowTurn = slow.say('is the clinic open on sunday');
    await eventually(async () => (model.requests().length === 1 ? true : undefined), 20_000, 'the model to be asked');

    const quick = await patient('Bala').say('hello');
    expect(texts(quick)).toContain('CityCare Clinic');
    // Answered while the model had not answered yet: nothing from the assistant so far.
    const assistantReplies = await h.rt.db.message.count({ where: { conversation: { externalId: slow.waId }, direction: 'outbound', authorId: 'assistant' } });
    expect(assistantReplies).toBe(0);

    const r = await slowTurn;
    expect(r.handoffs.at(-1)).toMatchObject({ to: 'bot:assistant', status: 'accepted' });
    expect(texts(r)).toContain('Yes, we are open on Sundays from 9 to 1.');
  }, 60_000);
});
