// Issue #15, web chat sessions: an unused session expires, the sweep deletes expired
// sessions and the contacts they created for nothing, and the per-session message limit
// counts only authenticated requests (a stranger knowing the session id cannot use it up).
import { describe, expect, it } from 'vitest';
import { expireWebchatSessions } from '../../src/conversations/webchatSessions.ts';
import { useHarness } from './support.ts';

const h = useHarness('sessions', { RATE_LIMIT_SENDER_PER_MINUTE: '3' });

async function session() {
  const res = await h.http.post('/webchat/sessions').send({ locale: 'en' });
  expect(res.status).toBe(201);
  return res.body as { sessionId: string; token: string };
}
const say = (s: { sessionId: string }, token: string, text: string) =>
  h.http.post(`/webchat/sessions/${s.sessionId}/messages`).set('authorization', `Bearer ${token}`).send({ text, clientMessageId: `c-${Math.random().toString(36).slice(2)}` });
const age = (sessionId: string, interval: string) => h.rt.db.$executeRawUnsafe(`UPDATE "WebchatSession" SET "lastSeenAt" = now() - interval '${interval}' WHERE id = $1::uuid`, sessionId);

describe('web chat sessions', () => {
  it('expire when unused for longer than the TTL', async () => {
    const s = await session();
    expect((await say(s, s.token, 'hello')).status).toBe(202);
    await age(s.sessionId, '8 days');
    const expired = await say(s, s.token, 'still there?');
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('session_expired');
  });

  it('are deleted by the sweep once expired, with a contact that never wrote', async () => {
    const unused = await session();
    const used = await session();
    expect((await say(used, used.token, 'hello')).status).toBe(202);
    const contacts = await h.rt.db.webchatSession.findMany({ where: { id: { in: [unused.sessionId, used.sessionId] } } });
    for (const s of [unused, used]) await age(s.sessionId, '8 days');
    expect(await expireWebchatSessions(h.rt.db, 7 * 24 * 3600_000)).toBeGreaterThanOrEqual(2);
    expect(await h.rt.db.webchatSession.count({ where: { id: { in: [unused.sessionId, used.sessionId] } } })).toBe(0);
    const left = await h.rt.db.contact.findMany({ where: { id: { in: contacts.map((c) => c.contactId) } } });
    // The contact who wrote keeps its conversation; the one who never did is gone.
    expect(left.map((c) => c.id)).toEqual([contacts.find((c) => c.id === used.sessionId)!.contactId]);
  });

  it('count only authenticated messages toward the per-session limit', async () => {
    const s = await session();
    for (let i = 0; i < 5; i++) expect((await say(s, 'not-the-token', `spoof ${i}`)).status).toBe(401);
    expect((await say(s, s.token, 'the real customer')).status).toBe(202);
  });
});
