// One HTTP request, read whole, with a time bound, over node:http with kept-alive
// connections: it costs a fraction of the CPU of fetch (no WHATWG streams, no
// AbortSignal per call), and replies, read receipts and pack actions make several such
// calls for every message.
import http from 'node:http';
import https from 'node:https';

export type HttpAnswer = { status: number; text: string; header: (name: string) => string | null };

/** No whole answer within the bound; named like fetch's timeouts so callers tell it apart. */
export class HttpTimeout extends Error {
  override name = 'TimeoutError';
}

// An idle connection is dropped after 4 s, or a second before the server's own
// `Keep-Alive: timeout=` (Node reads the hint when `timeout` is set): reusing one the
// server is closing would fail the request.
const agentOptions = { keepAlive: true, timeout: 4000, maxSockets: 256 };
const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

type Init = { method: string; headers: Record<string, string>; body?: string; timeoutMs: number };

/**
 * `timeoutMs` bounds the whole exchange, from sending to the last byte of the answer.
 * An error after the answer's status arrived carries it (`status`): a 2xx whose body was
 * cut short still means the server acted on the request.
 */
export async function httpExchange(url: string, init: Init): Promise<HttpAnswer> {
  const deadline = Date.now() + init.timeoutMs;
  try {
    return await exchangeOnce(new URL(url), init, deadline);
  } catch (err) {
    // The server closed a kept-alive connection as we wrote on it, before any answer: it
    // read nothing, so the request goes once more on a new connection (as Node's docs advise).
    if ((err as { unanswered?: boolean }).unanswered && (err as { code?: string }).code === 'ECONNRESET') return exchangeOnce(new URL(url), init, deadline);
    throw err;
  }
}

/**
 * The 2xx status an exchange failed after (its body cut short or late), if any: the server
 * acted on the request, so a sender must not send it again.
 */
export function acceptedStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 200 && status <= 299 ? status : undefined;
}

function exchangeOnce(target: URL, init: Init, deadline: number): Promise<HttpAnswer> {
  const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  return new Promise<HttpAnswer>((resolve, reject) => {
    let answered: number | undefined;
    const req = (protocol === 'https:' ? https : http).request(
      target,
      { method: init.method, headers: { ...init.headers, ...(body ? { 'content-length': String(body.length) } : {}) }, agent: agents[protocol] },
      (res) => {
        answered = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const { headers } = res;
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            header: (name) => {
              const value = headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
          });
        });
      },
    );
    function fail(err: Error) {
      clearTimeout(timer);
      reject(Object.assign(err, { unanswered: req.reusedSocket && answered === undefined }, answered === undefined ? {} : { status: answered }));
    }
    const timer = setTimeout(() => req.destroy(new HttpTimeout(`no answer within ${init.timeoutMs}ms`)), Math.max(0, deadline - Date.now()));
    req.on('error', fail);
    req.end(body);
  });
}
