// Fault 5: the Graph API misbehaves. 500s are retried with growing pauses, a 429's
// Retry-After is waited out, a send that times out after the provider took it is asked
// again under the same Idempotency-Key (so it is delivered once), and a reply that fails
// every try becomes a dead letter that a supervisor lists and sends again by API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS } from '../support/harness.ts';
import { converse, customer, startFaultEnv, until, type FaultEnv } from './support/baton.ts';
import { report, settle, tally } from './support/tally.ts';

const ATTEMPTS = 3;
const BACKOFF_MS = 300;

let env: FaultEnv;
let supervisorToken: string;
let agentToken: string;

async function api(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${env.apiUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  env = await startFaultEnv({
    name: 'provider',
    env: { OUTBOUND_ATTEMPTS: String(ATTEMPTS), OUTBOUND_BACKOFF_MS: String(BACKOFF_MS), PROVIDER_TIMEOUT_MS: '1000' },
  });
  await env.startApi();
  await env.startWorker();
  const person = (role: string) => ({ name: `Fault ${role}`, email: `${role}-${env.queuePrefix.slice(7, 13)}@example.test`, role, languages: ['en'], skills: [] });
  const supervisor = await api('POST', '/api/admin/agents', SECRETS.adminToken, person('supervisor'));
  const agent = await api('POST', '/api/admin/agents', SECRETS.adminToken, person('agent'));
  expect([supervisor.status, agent.status]).toEqual([201, 201]);
  supervisorToken = supervisor.body.token;
  agentToken = agent.body.token;
});
afterAll(async () => {
  await env?.close();
});

describe('fault: the provider answers 500, 429 and times out after accepting', () => {
  it('retries with backoff, dead-letters the hopeless reply, and a supervisor sends it again', async () => {
    const c500 = customer(1, 'p500');
    const c429 = customer(1, 'p429');
    const stall = customer(1, 'pstall');
    const dead = customer(1, 'pdead');
    const calm = customer(2, 'pcalm');
    const customers = [c500, c429, stall, dead, calm];
    env.provider.script(c500.waId, { status: 500 }, { status: 500 });
    env.provider.script(c429.waId, { status: 429, headers: { 'retry-after': '2' }, body: { error: { message: 'rate limited', code: 130429 } } });
    env.provider.script(stall.waId, { acceptThenStallMs: 2500 });
    env.provider.script(dead.waId, ...Array.from({ length: ATTEMPTS }, () => ({ status: 500 })));

    await converse(env.apiUrl, customers);
    const deadInbound = await env.db.message.findFirstOrThrow({ where: { providerMessageId: dead.ids[0] } });
    const deadReply = await until('the hopeless reply to be dead-lettered', async () => {
      const letter = await env.db.deadLetter.findFirst({ where: { messageId: { not: null } } });
      return letter ?? undefined;
    }, 30_000);

    // Before the retry: everything else answered, the dead letter's message not.
    const before = await until('every other message answered', async () => {
      const t = await tally('5 before retry', env.db, env.provider, customers);
      return t.answered === 5 ? t : undefined;
    }, 30_000);
    expect(before.lost).toBe(1);
    const deadMessage = await env.db.message.findUniqueOrThrow({ where: { id: deadReply.messageId! } });
    expect(deadMessage).toMatchObject({ status: 'failed', attempts: ATTEMPTS, idempotencyKey: `${deadInbound.id}:0` });

    // 500, 500, 200 under one key, the pauses growing (300 ms, then 600 ms).
    const raw500 = env.provider.raw.filter((r) => r.to === c500.waId);
    expect(raw500.map((r) => r.outcome)).toEqual([500, 500, 200]);
    expect(new Set(raw500.map((r) => r.key)).size).toBe(1);
    expect(raw500[1]!.at - raw500[0]!.at).toBeGreaterThanOrEqual(BACKOFF_MS - 20);
    expect(raw500[2]!.at - raw500[1]!.at).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 20);
    // 429 with Retry-After: 2 → the next try at least two seconds later.
    const raw429 = env.provider.raw.filter((r) => r.to === c429.waId);
    expect(raw429.map((r) => r.outcome)).toEqual([429, 200]);
    expect(raw429[1]!.at - raw429[0]!.at).toBeGreaterThanOrEqual(1950);
    // Timed out after the provider took it: asked again with the same key, delivered once.
    const rawStall = env.provider.raw.filter((r) => r.to === stall.waId);
    expect(rawStall.map((r) => r.outcome)).toEqual(['stalled', 200]);
    expect(rawStall[0]!.key).toBe(rawStall[1]!.key);
    expect(env.provider.deliveries.filter((d) => d.to === stall.waId)).toHaveLength(1);
    // The hopeless one: exactly ATTEMPTS tries, never delivered.
    expect(env.provider.raw.filter((r) => r.to === dead.waId).map((r) => r.outcome)).toEqual(Array(ATTEMPTS).fill(500));

    // Supervisors see dead letters; agents and strangers do not.
    expect((await api('GET', '/api/admin/dead-letters')).status).toBe(401);
    const denied = await api('GET', '/api/admin/dead-letters', agentToken);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: 'forbidden', message: expect.any(String) });
    expect((await api('POST', `/api/admin/dead-letters/${deadReply.id}/retry`, agentToken)).status).toBe(403);
    const listed = await api('GET', '/api/admin/dead-letters', supervisorToken);
    expect(listed.status).toBe(200);
    expect(listed.body.deadLetters).toEqual([
      expect.objectContaining({
        id: deadReply.id,
        queue: 'outbound',
        messageId: deadMessage.id,
        conversationId: deadMessage.conversationId,
        messageStatus: 'failed',
        attempts: ATTEMPTS,
        error: expect.stringContaining('500'),
        retriedAt: null,
      }),
    ]);
    expect((await api('GET', '/api/admin/dead-letters', SECRETS.adminToken)).body.deadLetters).toHaveLength(1);
    expect((await api('POST', '/api/admin/dead-letters/not-a-uuid/retry', supervisorToken)).status).toBe(400);
    expect((await api('POST', '/api/admin/dead-letters/00000000-0000-4000-8000-000000000000/retry', supervisorToken)).status).toBe(404);

    // The supervisor retries it: sent once more under the same key, and delivered.
    const retried = await api('POST', `/api/admin/dead-letters/${deadReply.id}/retry`, supervisorToken);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: deadReply.id, messageId: deadMessage.id, messageStatus: 'queued', retriedAt: expect.any(String) });
    const result = await settle('5 provider 500/429/timeout + dead letter retried', env.db, env.provider, customers, 30_000);
    report(result);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ sent: 6, stored: 6, answered: 6, duplicated: 0, lost: 0 });
    const rawDead = env.provider.raw.filter((r) => r.to === dead.waId);
    expect(rawDead.map((r) => r.outcome)).toEqual([...Array(ATTEMPTS).fill(500), 200]);
    expect(new Set(rawDead.map((r) => r.key))).toEqual(new Set([deadMessage.id]));
    // Only the stalled send was asked again after the provider had taken it (the key made it harmless).
    expect(result.resentAfterAccept).toBe(1);

    const after = await api('GET', '/api/admin/dead-letters', supervisorToken);
    expect(after.body.deadLetters).toEqual([expect.objectContaining({ id: deadReply.id, messageStatus: 'sent', retriedAt: retried.body.retriedAt })]);
    expect((await api('GET', '/api/admin/dead-letters?pending=true', supervisorToken)).body.deadLetters).toEqual([]);
    // A delivered message cannot be retried again.
    const again = await api('POST', `/api/admin/dead-letters/${deadReply.id}/retry`, supervisorToken);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'not_failed', message: expect.any(String) });
  });
});
