// A real HTTP server that stands in for WhatsApp's Graph API and Twilio's REST API:
// it records every request and answers like the provider would. Tests script
// failures on it; `npm run stand-in` runs it for a person trying Baton locally.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedRequest = {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json?: unknown;
  form?: Record<string, string>;
  at: number;
};

/** What the next matching request gets instead of success. */
export type Fault = { status: number; headers?: Record<string, string>; body?: unknown } | { hang: true };

export type StandInProvider = {
  url: string;
  requests: RecordedRequest[];
  /** Requests with a given path prefix, optionally deduplicated by Idempotency-Key. */
  sends(pathPrefix: string): RecordedRequest[];
  /** Queue faults for the next requests whose path starts with pathPrefix. */
  failNext(pathPrefix: string, ...faults: Fault[]): void;
  /**
   * Serves a file as both providers do: WhatsApp's GET /{id} answers JSON with a `url`
   * (GET /media-files/{id} here) and Twilio's MediaUrl is …/Media/{id}.
   */
  serveMedia(id: string, file: { bytes: Buffer; mimeType: string }): void;
  /** Faults for the next WhatsApp read receipts (which `failNext` never touches). */
  failReadReceipts(...faults: Fault[]): void;
  /** Wait until `count` requests match. */
  waitFor(pathPrefix: string, count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
};

export async function startStandInProvider(port = 0, onRequest?: (r: RecordedRequest) => void): Promise<StandInProvider> {
  const requests: RecordedRequest[] = [];
  const faults: Array<{ prefix: string; fault: Fault }> = [];
  let counter = 0;
  const hanging = new Set<() => void>();
  const media = new Map<string, { bytes: Buffer; mimeType: string }>();
  const readFaults: Fault[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, at: Date.now() };
      const type = req.headers['content-type'] ?? '';
      if (type.includes('json')) {
        try {
          recorded.json = JSON.parse(body);
        } catch {
          /* recorded as text */
        }
      } else if (type.includes('x-www-form-urlencoded')) {
        recorded.form = Object.fromEntries(new URLSearchParams(body));
      }
      requests.push(recorded);
      onRequest?.(recorded);

      // Read receipts are recorded but not sends: faults queued for sends are left for them.
      if ((recorded.json as { status?: string } | undefined)?.status === 'read') {
        const fault = readFaults.shift();
        if (fault && 'hang' in fault) return void hanging.add(() => res.destroy());
        res.writeHead(fault?.status ?? 200, { 'content-type': 'application/json' });
        if (fault) return void res.end(JSON.stringify({ error: { message: 'stand-in fault', code: 1 } }));
        return void res.end(JSON.stringify({ success: true }));
      }
      const index = faults.findIndex((f) => path.startsWith(f.prefix));
      if (index >= 0) {
        const { fault } = faults.splice(index, 1)[0]!;
        if ('hang' in fault) {
          const end = () => res.destroy();
          hanging.add(end);
          return;
        }
        res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.headers ?? {}) });
        return void res.end(JSON.stringify(fault.body ?? { error: { message: 'stand-in fault', code: 1 } }));
      }
      counter++;
      if (req.method === 'GET') return void serveMediaRequest(path, res);
      if (path.includes('/Messages.json')) {
        res.writeHead(201, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ sid: `SM${randomUUID().replace(/-/g, '')}`, status: 'queued' }));
      }
      if (path.endsWith('/messages')) {
        const to = (recorded.json as { to?: string } | undefined)?.to ?? '';
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.standin-${counter}-${randomUUID()}` }] }),
        );
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'unknown stand-in route' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function serveMediaRequest(path: string, res: ServerResponse): void {
    const bytes = path.match(/^\/media-files\/([^/?]+)/) ?? path.match(/\/Media\/([^/?]+)$/);
    const info = path.match(/^\/([^/?]+)$/);
    const id = decodeURIComponent((bytes ?? info)?.[1] ?? '');
    const file = media.get(id);
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: 'no such media', code: 100 } }));
    }
    if (bytes) {
      res.writeHead(200, { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) });
      return void res.end(file.bytes);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ messaging_product: 'whatsapp', id, url: `${url}/media-files/${encodeURIComponent(id)}`, mime_type: file.mimeType, file_size: file.bytes.length }));
  }

  const matching = (prefix: string) => requests.filter((r) => r.path.startsWith(prefix));
  return {
    url,
    requests,
    sends: matching,
    serveMedia: (id, file) => void media.set(id, file),
    failReadReceipts: (...list) => void readFaults.push(...list),
    failNext: (prefix, ...list) => faults.push(...list.map((fault) => ({ prefix, fault }))),
    async waitFor(prefix, count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (matching(prefix).length < count) {
        if (Date.now() > deadline) {
          throw new Error(`stand-in provider: expected ${count} requests to ${prefix}, got ${matching(prefix).length}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      return matching(prefix);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const end of hanging) end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
