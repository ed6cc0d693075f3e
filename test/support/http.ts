// Real-socket helpers: the Express app on an ephemeral port, and a Server-Sent Events
// reader built on fetch, so streams are read the way a browser's EventSource reads them.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Runtime } from '../../src/runtime/runtime.ts';

export type Listening = { url: string; close: () => Promise<void> };

/** Starts the app on 127.0.0.1 and a free port. */
export async function listen(app: Express): Promise<Listening> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SseEvent = { event: string; id?: string; data: string; retry?: number };

export type SseStream = {
  status: number;
  headers: Headers;
  /** Every block parsed so far, in arrival order; blocks without data have event ''. */
  events: SseEvent[];
  /** Resolves with the first event, seen or yet to come, that matches. */
  next: (match: (e: SseEvent) => boolean, timeoutMs?: number, what?: string) => Promise<SseEvent>;
  close: () => void;
};

/**
 * Opens `url` as an event stream and parses it in the background per the HTML spec
 * (blocks separated by a blank line; `event:`, `data:`, `id:`, `retry:` fields; `:`
 * comments ignored). A non-200 answer is returned with no events.
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended = false;

  const parseBlock = (block: string) => {
    const event: SseEvent = { event: 'message', data: '' };
    const data: string[] = [];
    let meaningful = false;
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      meaningful = true;
      if (field === 'event') event.event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') event.id = value;
      else if (field === 'retry') event.retry = Number(value);
    }
    if (!meaningful) return;
    event.data = data.join('\n');
    // As EventSource does, a block without data dispatches nothing; it is kept (with
    // an empty event name) only so a test can see hints such as `retry:` arrive.
    if (data.length === 0) event.event = '';
    events.push(event);
  };

  if (response.ok && response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let boundary: RegExpExecArray | null;
          while ((boundary = /\r\n\r\n|\n\n|\r\r/.exec(buffer)) !== null) {
            parseBlock(buffer.slice(0, boundary.index));
            buffer = buffer.slice(boundary.index + boundary[0].length);
          }
          for (const wake of waiters) wake();
        }
      } catch {
        /* aborted by close() */
      } finally {
        ended = true;
        for (const wake of waiters) wake();
      }
    })();
  } else {
    ended = true;
    await response.body?.cancel().catch(() => {});
  }

  return {
    status: response.status,
    headers: response.headers,
    events,
    next: (match, timeoutMs = 15_000, what = 'a matching event') =>
      new Promise<SseEvent>((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) return finish(() => resolve(found));
          if (ended) return finish(() => reject(new Error(`stream ended before ${what}; got ${JSON.stringify(events)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      }),
    close: () => abort.abort(),
  };
}

/**
 * Waits until a conversation has answered everything it was sent: no inbound message
 * unhandled, at least one outbound message, none still queued or sending, and the
 * count unchanged for `quietMs`. Returns the outbound rows, oldest first. Tests that
 * check "nothing happened twice" compare against this instead of a fixed reply count,
 * so they keep meaning the same thing when bots change what they say.
 */
export async function repliesSettled(db: Runtime['db'], conversationId: string, timeoutMs = 15_000, quietMs = 400) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const [unhandled, outbound] = await Promise.all([
      db.message.count({ where: { conversationId, direction: 'inbound', handledAt: null } }),
      db.message.findMany({ where: { conversationId, direction: 'outbound' }, orderBy: { seq: 'asc' } }),
    ]);
    const busy = unhandled > 0 || outbound.length === 0 || outbound.some((m) => m.status === 'queued' || m.status === 'sending');
    if (busy || outbound.length !== last) {
      last = outbound.length;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) {
      return outbound;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for conversation ${conversationId} to settle (${outbound.length} outbound, ${unhandled} unhandled)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
