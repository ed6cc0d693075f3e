// Issue #15, SSE: open streams are capped per owner (agent, web chat session) and per
// client address; the cap is checked before anything is subscribed, and a closed
// stream frees its place.
import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStream } from '../../src/http/sse.ts';
import { createOpenStreams } from '../../src/realtime/openStreams.ts';
import { createLogger } from '../../src/shared/logger.ts';

const streams = createOpenStreams({ perOwner: 2, perIp: 3 });
let subscribed = 0;
let server: Server;
let base: string;
beforeAll(async () => {
  const app = express();
  app.get('/events/:owner', (req, res) => {
    openEventStream(req, res, {
      streams,
      owner: `agent:${req.params.owner}`,
      log: createLogger('silent'),
      subscribe: () => {
        subscribed++;
        return [() => subscribed--];
      },
    });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  streams.endAll();
  await new Promise((r) => server.close(r));
});

const open = (owner: string) => new Promise<IncomingMessage>((resolve, reject) => get(`${base}/events/${owner}`, resolve).on('error', reject));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('open event streams', () => {
  it('are capped per owner and per client address, and a closed one frees its place', async () => {
    const a1 = await open('a');
    const a2 = await open('a');
    expect([a1.statusCode, a2.statusCode]).toEqual([200, 200]);
    const a3 = await open('a');
    expect(a3.statusCode).toBe(429);
    a3.resume();
    expect(subscribed).toBe(2);

    const b1 = await open('b');
    expect(b1.statusCode).toBe(200);
    // Three from this address already: another owner from here is refused too.
    const c1 = await open('c');
    expect(c1.statusCode).toBe(429);
    c1.resume();

    a1.destroy();
    await until(() => streams.size === 2);
    const a4 = await open('a');
    expect(a4.statusCode).toBe(200);
    for (const r of [a2, b1, a4]) r.destroy();
    await until(() => streams.size === 0);
    expect(subscribed).toBe(0);
  });
});
