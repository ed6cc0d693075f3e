// Web chat through the real HTTP routes, PostgreSQL, Redis and workers: sessions,
// idempotent messages, history, the live SSE stream on a real socket, and the widget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { listen, openSse, repliesSettled, type Listening, type SseStream } from '../support/http.ts';

let h: Harness;
let server: Listening;
beforeAll(async () => {
  h = await startHarness();
  server = await listen(h.app);
});
afterAll(async () => {
  await server?.close();
  await h.close();
});

type Session = { sessionId: string; token: string };
type MessageView = {
  id: string;
  direction: 'inbound' | 'outbound';
  text: string;
  author: { type: string; id: string | null; name: string | null };
  channel: string;
  createdAt: string;
  status: string;
  options?: { id: string; title: string }[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
let clientCounter = 0;
const clientId = () => `c-${Date.now().toString(36)}-${++clientCounter}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function newSession(body: object = {}): Promise<Session> {
  const res = await h.http.post('/webchat/sessions').send(body);
  expect(res.status).toBe(201);
  return res.body as Session;
}

const postMessage = (s: Session, text: string, clientMessageId = clientId(), token = s.token) =>
  h.http.post(`/webchat/sessions/${s.sessionId}/messages`).set('authorization', `Bearer ${token}`).send({ text, clientMessageId });

const history = async (s: Session): Promise<MessageView[]> => {
  const res = await h.http.get(`/webchat/sessions/${s.sessionId}/messages`).set('authorization', `Bearer ${s.token}`);
  expect(res.status).toBe(200);
  return (res.body as { messages: MessageView[] }).messages;
};

/** Waits until the bot has answered everything the session sent; returns its replies as stored. */
const settled = async (s: Session) => {
  const conversation = await eventually(
    async () => (await h.rt.db.conversation.findFirst({ where: { channel: 'webchat', externalId: s.sessionId } })) ?? undefined,
    5_000,
    'the conversation',
  );
  return repliesSettled(h.rt.db, conversation.id);
};

/** Waits until the session's history holds `count` bot replies that went out. */
const botReplies = (s: Session, count: number) =>
  eventually(async () => {
    const replies = (await history(s)).filter((m) => m.direction === 'outbound' && m.status === 'sent');
    return replies.length >= count && replies;
  }, 15_000, `${count} bot replies`);

describe('web chat sessions', () => {
  it('creates a session with 201 {sessionId, token}, with or without a body', async () => {
    const empty = await h.http.post('/webchat/sessions').set('content-type', 'application/json').send('{}');
    expect(empty.status).toBe(201);
    expect(empty.body.sessionId).toMatch(UUID);
    expect(typeof empty.body.token).toBe('string');
    expect(empty.body.token.length).toBeGreaterThanOrEqual(32);

    const named = await h.http.post('/webchat/sessions').send({ locale: 'hi', name: 'Asha' });
    expect(named.status).toBe(201);
    expect(named.body.sessionId).not.toBe(empty.body.sessionId);
    expect(named.body.token).not.toBe(empty.body.token);
    // The token is a secret the browser holds: it is not stored as given.
    expect(await h.rt.db.webchatSession.count({ where: { tokenHash: named.body.token } })).toBe(0);
  });

  it('refuses a bad session body with 400 {error, message} naming the field', async () => {
    const badLocale = await h.http.post('/webchat/sessions').send({ locale: 'xx' });
    expect(badLocale.status).toBe(400);
    expect(badLocale.body).toEqual({ error: expect.any(String), message: expect.stringContaining('locale') });

    const longName = await h.http.post('/webchat/sessions').send({ name: 'n'.repeat(101) });
    expect(longName.status).toBe(400);
    expect(longName.body).toEqual({ error: expect.any(String), message: expect.stringContaining('name') });

    const notJson = await h.http.post('/webchat/sessions').set('content-type', 'application/json').send('{"locale": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toEqual({ error: expect.any(String), message: expect.any(String) });

    const form = await h.http.post('/webchat/sessions').set('content-type', 'application/x-www-form-urlencoded').send('locale=en');
    expect(form.status).toBe(415);
  });
});

describe('web chat messages', () => {
  it('accepts a message with 202 {messageId} and the bot answers it', async () => {
    const s = await newSession({ name: 'Asha' });
    const res = await postMessage(s, 'hello');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ messageId: expect.stringMatching(UUID) });
    const stored = await h.rt.db.message.findUniqueOrThrow({ where: { id: res.body.messageId } });
    expect(stored).toMatchObject({ channel: 'webchat', direction: 'inbound', text: 'hello' });

    const replies = await botReplies(s, 2);
    expect(replies[0]!.text).toContain('Asha');
    expect(replies[1]!.options).toHaveLength(4);
  });

  it('answers the same clientMessageId with the same messageId and processes it once', async () => {
    const s = await newSession();
    const clientMessageId = clientId();
    const first = await postMessage(s, 'where is my order?', clientMessageId);
    expect(first.status).toBe(202);
    const [again1, again2] = await Promise.all([postMessage(s, 'where is my order?', clientMessageId), postMessage(s, 'where is my order?', clientMessageId)]);
    expect(again1.status).toBe(202);
    expect(again1.body.messageId).toBe(first.body.messageId);
    expect(again2.body.messageId).toBe(first.body.messageId);

    const replies = await settled(s);
    const later = await postMessage(s, 'where is my order?', clientMessageId);
    expect(later.body.messageId).toBe(first.body.messageId);
    await pause(1000);

    const messages = await history(s);
    expect(messages.filter((m) => m.direction === 'inbound')).toHaveLength(1);
    expect(messages.filter((m) => m.direction === 'outbound').map((m) => m.id)).toEqual(replies.map((r) => r.id));

    // A clientMessageId is the browser's own counter: another session may reuse it.
    const other = await newSession();
    const theirs = await postMessage(other, 'hi', clientMessageId);
    expect(theirs.status).toBe(202);
    expect(theirs.body.messageId).not.toBe(first.body.messageId);
  });

  it('refuses a bad message body with 400', async () => {
    const s = await newSession();
    const empty = await postMessage(s, '   ');
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ error: expect.any(String), message: expect.stringContaining('text') });
    const noId = await h.http.post(`/webchat/sessions/${s.sessionId}/messages`).set('authorization', `Bearer ${s.token}`).send({ text: 'hi' });
    expect(noId.status).toBe(400);
    expect(noId.body.message).toContain('clientMessageId');
    expect(await history(s)).toHaveLength(0);
  });

  it('refuses a wrong, missing or another session\'s token with 401 on every session route', async () => {
    const mine = await newSession();
    const theirs = await newSession();
    const base = `/webchat/sessions/${mine.sessionId}`;
    const body = { text: 'intruder', clientMessageId: clientId() };

    const attempts = [
      h.http.post(`${base}/messages`).set('authorization', 'Bearer not-a-token').send(body),
      h.http.post(`${base}/messages`).send(body),
      h.http.post(`${base}/messages`).set('authorization', `Bearer ${theirs.token}`).send(body),
      h.http.post(`${base}/messages`).set('authorization', mine.token).send(body), // no "Bearer "
      h.http.get(`${base}/messages`).set('authorization', `Bearer ${theirs.token}`),
      h.http.get(`${base}/messages`),
      h.http.get(`${base}/messages`).query({ token: 'wrong' }),
      h.http.get(`${base}/events`).query({ token: theirs.token }),
      h.http.get(`${base}/events`),
      h.http.get('/webchat/sessions/not-a-uuid/messages').set('authorization', `Bearer ${mine.token}`),
      h.http.get(`/webchat/sessions/${theirs.sessionId}/messages`).set('authorization', `Bearer ${mine.token}`),
    ];
    for (const [i, res] of (await Promise.all(attempts)).entries()) {
      expect(res.status, `attempt ${i}`).toBe(401);
      expect(res.body, `attempt ${i}`).toEqual({ error: 'unauthorized', message: expect.any(String) });
    }
    await pause(300);
    expect(await history(mine)).toHaveLength(0);

    // The token also works as ?token= (for EventSource).
    const viaQuery = await h.http.get(`${base}/messages`).query({ token: mine.token });
    expect(viaQuery.status).toBe(200);
  });

  it('returns the history in order, in the contract\'s Message shape', async () => {
    const s = await newSession({ name: 'Ravi' });
    const first = await postMessage(s, 'hello');
    const firstReplies = await settled(s);
    const second = await postMessage(s, 'I have a question about ORD-1001');
    const allReplies = await eventually(async () => {
      const replies = await settled(s);
      return replies.length > firstReplies.length && replies;
    });
    const messages = await history(s);

    // Each question, then what answered it, in the order they happened.
    expect(messages.map((m) => m.id)).toEqual([
      first.body.messageId,
      ...firstReplies.map((r) => r.id),
      second.body.messageId,
      ...allReplies.slice(firstReplies.length).map((r) => r.id),
    ]);
    expect(messages.map((m) => `${m.direction}:${m.author.type}`)).toEqual([
      'inbound:contact',
      ...firstReplies.map(() => 'outbound:bot'),
      'inbound:contact',
      ...allReplies.slice(firstReplies.length).map(() => 'outbound:bot'),
    ]);
    expect(messages[0]!.text).toBe('hello');
    expect(messages[firstReplies.length + 1]!.text).toBe('I have a question about ORD-1001');

    const session = await h.rt.db.webchatSession.findUniqueOrThrow({ where: { id: s.sessionId } });
    for (const m of messages) {
      expect(m).toMatchObject({
        id: expect.stringMatching(UUID),
        direction: expect.stringMatching(/^(inbound|outbound)$/),
        text: expect.any(String),
        author: { type: expect.stringMatching(/^(contact|bot|agent)$/), id: expect.any(String), name: expect.any(String) },
        channel: 'webchat',
        createdAt: expect.any(String),
        status: expect.any(String),
      });
      expect(new Date(m.createdAt).toISOString()).toBe(m.createdAt);
    }
    expect(messages[0]!.author).toEqual({ type: 'contact', id: session.contactId, name: 'Ravi' });
    expect(messages[0]!.status).toBe('received');
    const times = messages.map((m) => Date.parse(m.createdAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('stores and returns markup verbatim as JSON, never rendered', async () => {
    const s = await newSession({ name: '<img src=x onerror=alert(2)>' });
    const text = '<script>alert(1)</script> & "quotes" \'single\'';
    const res = await postMessage(s, text);
    expect(res.status).toBe(202);
    const stored = await h.rt.db.message.findUniqueOrThrow({ where: { id: res.body.messageId } });
    expect(stored.text).toBe(text);

    const raw = await h.http.get(`/webchat/sessions/${s.sessionId}/messages`).set('authorization', `Bearer ${s.token}`);
    expect(raw.headers['content-type']).toMatch(/^application\/json/);
    expect(raw.headers['x-content-type-options']).toBe('nosniff');
    const messages = (JSON.parse(raw.text) as { messages: MessageView[] }).messages;
    expect(messages[0]!.text).toBe(text);
    expect(messages[0]!.author.name).toBe('<img src=x onerror=alert(2)>');
  });

  it('refuses a body over 1 MiB with 413 and stores nothing', async () => {
    const s = await newSession();
    const big = await postMessage(s, 'x'.repeat(1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(big.body).toEqual({ error: 'payload_too_large', message: expect.any(String) });
    const bigSession = await h.http.post('/webchat/sessions').send({ name: 'n'.repeat(1024 * 1024 + 1) });
    expect(bigSession.status).toBe(413);
    // Just under the limit is read (and then refused for what it says, not its size).
    const under = await postMessage(s, 'x'.repeat(1024 * 1024 - 100));
    expect(under.status).toBe(400);
    expect(await history(s)).toHaveLength(0);
  });
});

describe('web chat live events', () => {
  const streams: SseStream[] = [];
  afterAll(() => {
    for (const stream of streams) stream.close();
  });
  const open = async (s: Session, headers: Record<string, string> = {}) => {
    const stream = await openSse(`${server.url}/webchat/sessions/${s.sessionId}/events?token=${encodeURIComponent(s.token)}`, headers);
    streams.push(stream);
    return stream;
  };
  const parse = (data: string) => JSON.parse(data) as MessageView;

  it('pushes the bot\'s replies to an open event stream as `event: message`', async () => {
    const s = await newSession({ name: 'Kiran' });
    const stream = await open(s);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The first bytes (retry hint) arrive before anything happens, so proxies do not time out.
    await stream.next((e) => e.retry !== undefined, 5_000, 'the retry hint');

    const posted = await postMessage(s, 'hello');
    expect(posted.status).toBe(202);

    const greeting = await stream.next((e) => e.event === 'message' && parse(e.data).direction === 'outbound', 15_000, 'a bot reply');
    const view = parse(greeting.data);
    expect(view).toMatchObject({ direction: 'outbound', author: { type: 'bot' }, channel: 'webchat' });
    expect(view.text).toContain('Kiran');
    expect(greeting.id).toBe(view.id);
    const menu = await stream.next((e) => e.event === 'message' && parse(e.data).options !== undefined, 15_000, 'the menu');
    expect(parse(menu.data).options).toHaveLength(4);

    // What was pushed is what history holds.
    const stored = await history(s);
    expect(stored.map((m) => m.id)).toEqual(expect.arrayContaining([view.id, parse(menu.data).id]));
    // Only this session's messages: the customer's own message is not echoed back as a reply.
    expect(stream.events.filter((e) => e.event === 'message').every((e) => parse(e.data).direction === 'outbound')).toBe(true);
  });

  it('does not push one session\'s replies to another session\'s stream', async () => {
    const a = await newSession();
    const b = await newSession();
    const streamB = await open(b);
    await streamB.next((e) => e.retry !== undefined, 5_000, 'the retry hint');
    await postMessage(a, 'hello');
    await settled(a);
    await pause(300);
    expect(streamB.events.filter((e) => e.event === 'message')).toHaveLength(0);
  });

  it('replays what a reconnecting client missed after its Last-Event-ID', async () => {
    const s = await newSession();
    await postMessage(s, 'hello');
    const [greeting, menu] = await botReplies(s, 2);
    const stream = await open(s, { 'last-event-id': greeting!.id });
    const replayed = await stream.next((e) => e.event === 'message', 5_000, 'the missed reply');
    expect(parse(replayed.data).id).toBe(menu!.id);
    await pause(200);
    expect(stream.events.filter((e) => e.event === 'message')).toHaveLength(1);
  });
});

describe('widget and demo page', () => {
  it('serves the widget as JavaScript', async () => {
    const res = await h.http.get('/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/javascript/);
    expect(res.text).toContain('window.Baton');
  });

  it('serves the demo page as HTML under a Content-Security-Policy whose scripts all load', async () => {
    const res = await h.http.get('/chat');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);

    // Under that policy an inline script would not run: every script must be a file we serve.
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs = '', inline = ''] of scripts) {
      expect(inline.trim(), 'inline script').toBe('');
      const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
      expect(src, 'script src').toBeDefined();
      const script = await h.http.get(src!);
      expect(script.status, src).toBe(200);
      expect(script.headers['content-type'], src).toMatch(/javascript/);
    }
  });
});
