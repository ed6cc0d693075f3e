// A real HTTP server on 127.0.0.1 that records every request it receives (method, path,
// headers, raw body) and answers as the test says, so a client is tested on what actually
// went over the wire: a receiver can verify signatures on the raw bytes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export type Recorded = { method: string; path: string; headers: IncomingHttpHeaders; raw: string; json: unknown };
export type Answer = { status?: number; body?: unknown; /** Sent as is instead of JSON. */ raw?: string; delayMs?: number };

export type RecordingServer = {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
};

export async function startRecordingServer(answer: (req: Recorded, index: number) => Answer): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = raw ? JSON.parse(raw) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json };
      requests.push(recorded);
      const a = answer(recorded, requests.length - 1);
      open.add(res);
      res.on('close', () => open.delete(res));
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': a.raw !== undefined ? 'text/plain' : 'application/json' });
        res.end(a.raw ?? JSON.stringify(a.body ?? {}));
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * One server for a test file. Each request is answered by the first answer in `queue`,
 * else by `next`; before each test the requests and the queue are cleared and `next` is reset.
 */
export function useRecordingServer(reset: () => Answer): { server: RecordingServer; next: Answer; queue: Answer[] } {
  const suite = { server: undefined as unknown as RecordingServer, next: reset(), queue: [] as Answer[] };
  beforeAll(async () => {
    suite.server = await startRecordingServer(() => suite.queue.shift() ?? suite.next);
  });
  afterAll(() => suite.server.close());
  beforeEach(() => {
    suite.server.requests.length = 0;
    suite.queue.length = 0;
    suite.next = reset();
  });
  return suite;
}

/** What a receiver of Baton's calls does: X-Baton-Signature must be the HMAC-SHA256 of the raw body. */
export function signedWith(secret: string, raw: string, header: unknown): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const got = Buffer.from(String(header));
  return got.length === expected.length && timingSafeEqual(got, expected);
}
