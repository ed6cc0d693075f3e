// The HTTP exchange replies, read receipts and pack actions use: kept-alive connections,
// a whole-exchange deadline, and one resend when the server drops a reused connection
// before answering.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpExchange } from '../../src/shared/httpExchange.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('httpExchange', () => {
  it('reuses the connection, and sends once more when the server drops it unanswered', async () => {
    const seenOn = new Map<unknown, number>();
    let dropped = 0;
    const url = await listen((req, res) => {
      const count = (seenOn.get(req.socket) ?? 0) + 1;
      seenOn.set(req.socket, count);
      // The second request on a connection finds it being closed (the keep-alive race).
      if (count === 2 && dropped === 0) {
        dropped++;
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ connection: seenOn.size })));
    });
    const first = await httpExchange(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000 });
    const second = await httpExchange(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000 });
    expect(first).toMatchObject({ status: 200, text: '{"connection":1}' });
    expect(second).toMatchObject({ status: 200, text: '{"connection":2}' });
    expect(dropped).toBe(1);
  });

  it('gives up at the deadline when the answer never ends, with a TimeoutError', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'retry-after': '7' });
      res.write('{"partial":');
    });
    const started = Date.now();
    const err = await httpExchange(url, { method: 'GET', headers: {}, timeoutMs: 300 }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    // The status had arrived: the caller knows the server acted on the request.
    expect((err as Error & { status?: number }).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
