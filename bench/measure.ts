// What both benchmarks measure the same way: CPU time per process from /proc, the
// processes of the bench's PostgreSQL and Redis, raw BullMQ on the same Redis, and the
// stand-in Graph API that counts the replies.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** CPU seconds used so far (user + system) by each process of `pids`, from /proc. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone */
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** PostgreSQL's and Redis's processes on this machine that listen on the bench's ports (the postmaster's children included). */
export function serverPids(postgresPort: number, redisPort: number): { postgres: number[]; redis: number[] } {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return [{ pid: Number(d), ppid, cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ') }];
    } catch {
      return [];
    }
  });
  const postmaster = procs.find((p) => p.cmd.includes('postgres') && p.cmd.includes(` -p ${postgresPort} `))?.pid;
  return {
    postgres: procs.filter((p) => p.pid === postmaster || p.ppid === postmaster).map((p) => p.pid),
    redis: procs.filter((p) => p.cmd.includes('redis-server') && p.cmd.includes(`:${redisPort}`)).map((p) => p.pid),
  };
}

/** Raw BullMQ add+process of `jobs` empty jobs on this Redis, in jobs per second. */
export async function rawBullmqBaseline(redisUrl: string, jobs: number): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `{bench-raw-${process.pid}}`;
  const queue = new Queue('raw', { connection, prefix });
  let done = 0;
  const started = performance.now();
  // Its own connection, closed below: one left open would reconnect after Redis stops.
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker('raw', async () => {}, { connection: workerConnection, prefix, concurrency: 16 });
    worker.on('completed', () => {
      if (++done === jobs) void worker.close().then(() => resolve());
    });
  });
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
  }
  await finished;
  const perSecond = jobs / ((performance.now() - started) / 1000);
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  connection.disconnect();
  workerConnection.disconnect();
  return round(perSecond, 0);
}

/** A stand-in Graph API that only counts and timestamps what arrives. */
export async function startCountingProvider() {
  const replies = new Map<string, number[]>(); // wa_id → arrival time of each distinct reply
  const arrivals = new Map<string, number>(); // outbound message id (Idempotency-Key) → first arrival
  const keys = new Set<string>();
  let total = 0;
  let readReceipts = 0;
  let counter = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const key = req.headers['idempotency-key'];
      // A re-send of a reply (same idempotency key) is counted apart, not as an answer.
      const repeat = typeof key === 'string' && keys.has(key);
      if (typeof key === 'string' && !repeat) {
        keys.add(key);
        arrivals.set(key, at);
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to?: string; status?: string };
        if (body.status === 'read') readReceipts++;
        if (body.to && !repeat) {
          const list = replies.get(body.to) ?? [];
          list.push(at);
          replies.set(body.to, list);
        }
      } catch {
        /* counted anyway */
      }
      total++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"messaging_product":"whatsapp","messages":[{"id":"wamid.bench-${++counter}-${process.pid}"}]}`);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    replies,
    arrivals,
    total: () => total,
    readReceipts: () => readReceipts,
    distinct: () => keys.size,
    reset: () => {
      replies.clear();
      arrivals.clear();
      keys.clear();
      total = 0;
      readReceipts = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
