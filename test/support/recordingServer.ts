// A real HTTP server on 127.0.0.1 that records every request it receives (method, path,
// headers, raw body) and answers as the test says, so a client is tested on what actually
// went over the wire: a receiver can verify signatures on the raw bytes.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
