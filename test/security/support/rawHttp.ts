// HTTP the way a hostile or clumsy client sends it: any method with a body (GET too),
// a chosen Content-Length or chunked encoding, and raw sockets for slow clients.
import http from 'node:http';
import net from 'node:net';

export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One request; `body` is streamed chunked unless `contentLength` is given. */
export function rawRequest(
  url: string,
  opts: { method: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers: Record<string, string> = { connection: 'close', ...(opts.headers ?? {}) };
    if (opts.body && !opts.chunked) headers['content-length'] = String(opts.body.length);
    if (opts.chunked) headers['transfer-encoding'] = 'chunked';
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: opts.method, headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before it has read everything we write.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (opts.body) {
      if (opts.chunked) {
        for (let at = 0; at < opts.body.length; at += 64 * 1024) req.write(opts.body.subarray(at, at + 64 * 1024));
      } else req.write(opts.body);
    }
    req.end();
  });
}

export type SlowClient = {
  /** Resolves when the server closes the connection: when, and what it said before. */
  closed: Promise<{ afterMs: number; received: string }>;
  stop(): void;
};

/**
 * Connects and dribbles `parts` out one every `everyMs`, then keeps sending a byte now and
 * then (as a slowloris would) until the server hangs up.
 */
export function slowClient(port: number, parts: string[], everyMs: number, trickle = 'X'): SlowClient {
  const socket = net.connect({ host: '127.0.0.1', port });
  const started = Date.now();
  let received = '';
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return;
    socket.write(i < parts.length ? parts[i++]! : trickle);
  }, everyMs);
  socket.on('data', (d) => (received += d.toString('utf8')));
  socket.on('error', () => {});
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: Date.now() - started, received });
    });
  });
  return {
    closed,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
