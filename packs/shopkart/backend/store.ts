// ShopKart's back-end: the demo store's orders and invoices behind a small HTTP API, as
// a real business's own service would be. Baton never reads these tables: the pack's
// actions call this service. It keeps its data in a schema of its own ("shopkart") in
// the database it is given. Started in-process by Baton when SHOPKART_API_BASE is unset
// (development); run it anywhere else with `tsx packs/shopkart/backend/store.ts`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const DAY = 24 * 3600 * 1000;

type Order = { id: string; status: string; placedAt: string; eta: string | null; deliveredAt: string | null; totalPaise: number; items: unknown[]; refundStatus: string | null; owner: string | null };
type Invoice = { id: string; orderId: string; amountPaise: number; charges: Array<{ id: string; amountPaise: number; at: string }>; status: string };

const pools = new Map<string, pg.Pool>();
function pool(databaseUrl: string): pg.Pool {
  let p = pools.get(databaseUrl);
  if (!p) {
    p = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    // An idle connection the server ended (a restart, a dropped test database) is not a crash.
    p.on('error', () => {});
    pools.set(databaseUrl, p);
  }
  return p;
}

async function ensureSchema(db: pg.Pool) {
  await db.query(`
    CREATE SCHEMA IF NOT EXISTS shopkart;
    CREATE TABLE IF NOT EXISTS shopkart.orders (id text PRIMARY KEY, data jsonb NOT NULL);
    CREATE TABLE IF NOT EXISTS shopkart.invoices (id text PRIMARY KEY, order_id text NOT NULL, data jsonb NOT NULL);`).catch(async (err: { code?: string }) => {
    // Two processes creating the schema at once: the loser's objects exist now.
    if (err.code !== '23505' && err.code !== '42P06' && err.code !== '42P07') throw err;
  });
}

/** The three demo orders and the double-charged invoice (re-running resets them). */
export function demoData(now = new Date()): { orders: Order[]; invoices: Invoice[] } {
  const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
  return {
    orders: [
      { id: 'ORD-1001', status: 'shipped', placedAt: at(-3), eta: at(2), deliveredAt: null, totalPaise: 249900, items: [{ sku: 'HP-200', name: 'Wireless headphones', quantity: 1, pricePaise: 249900 }], refundStatus: null, owner: null },
      { id: 'ORD-1002', status: 'delivered', placedAt: at(-10), eta: at(-5), deliveredAt: at(-5), totalPaise: 89900, items: [{ sku: 'CS-10', name: 'Phone case', quantity: 1, pricePaise: 89900 }], refundStatus: null, owner: null },
      { id: 'ORD-1003', status: 'cancelled', placedAt: at(-6), eta: null, deliveredAt: null, totalPaise: 159900, items: [{ sku: 'KB-55', name: 'Mechanical keyboard', quantity: 1, pricePaise: 159900 }], refundStatus: 'pending', owner: null },
    ],
    invoices: [
      {
        id: 'INV-1001',
        orderId: 'ORD-1001',
        amountPaise: 249900,
        charges: [
          { id: 'CH-5001', amountPaise: 249900, at: at(-3) },
          { id: 'CH-5002', amountPaise: 249900, at: new Date(new Date(at(-3)).getTime() + 90_000).toISOString() },
        ],
        status: 'paid',
      },
    ],
  };
}

export async function seed(opts: { databaseUrl?: string | undefined }): Promise<void> {
  if (!opts.databaseUrl) return;
  const db = pool(opts.databaseUrl);
  await ensureSchema(db);
  const { orders, invoices } = demoData();
  for (const o of orders) await putOrder(db, o);
  for (const i of invoices) await putInvoice(db, i);
}

const putOrder = (db: pg.Pool, o: Order) => db.query('INSERT INTO shopkart.orders (id, data) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data', [o.id, o]);
const putInvoice = (db: pg.Pool, i: Invoice) => db.query('INSERT INTO shopkart.invoices (id, order_id, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data', [i.id, i.orderId, i]);
const getOrder = async (db: pg.Pool, id: string) => (await db.query<{ data: Order }>('SELECT data FROM shopkart.orders WHERE id = $1', [id])).rows[0]?.data;
const getInvoiceOf = async (db: pg.Pool, orderId: string) => (await db.query<{ data: Invoice }>('SELECT data FROM shopkart.invoices WHERE order_id = $1 ORDER BY id LIMIT 1', [orderId])).rows[0]?.data;

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, data: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

/** Changes need the asker to own the order; the demo orders (no owner) answer to anyone. */
function ownedBy(order: Order, req: IncomingMessage): boolean {
  return !order.owner || order.owner === req.headers['x-baton-contact-address'];
}

export async function start(opts: { databaseUrl?: string | undefined; port?: number }): Promise<{ url: string; close(): Promise<void> }> {
  if (!opts.databaseUrl) throw new Error('the ShopKart demo store needs a database URL');
  const db = pool(opts.databaseUrl);
  await ensureSchema(db);
  if (!(await getOrder(db, 'ORD-1001'))) await seed(opts);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://store');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (req.method === 'GET' && parts[0] === 'orders' && parts.length === 2) {
        const order = await getOrder(db, parts[1]!);
        return order ? send(res, 200, order) : send(res, 404, { error: 'not_found' });
      }
      if (req.method === 'GET' && parts[0] === 'orders' && parts[2] === 'invoice') {
        const invoice = await getInvoiceOf(db, parts[1]!);
        const order = await getOrder(db, parts[1]!);
        return invoice ? send(res, 200, { ...invoice, order }) : send(res, 404, { error: 'not_found', order: order ?? null });
      }
      if (req.method === 'POST' && parts[0] === 'orders' && parts[2] === 'cancel') {
        const order = await getOrder(db, parts[1]!);
        if (!order) return send(res, 404, { error: 'not_found' });
        if (!ownedBy(order, req)) return send(res, 403, { error: 'not_yours' });
        if (order.status !== 'placed') return send(res, 409, { error: 'not_cancellable', order });
        const cancelled = { ...order, status: 'cancelled', refundStatus: 'pending' };
        await putOrder(db, cancelled);
        return send(res, 200, cancelled);
      }
      if (req.method === 'POST' && parts[0] === 'orders' && parts[2] === 'refund') {
        const order = await getOrder(db, parts[1]!);
        const invoice = await getInvoiceOf(db, parts[1]!);
        if (!order || !invoice) return send(res, 404, { error: 'not_found' });
        if (!ownedBy(order, req)) return send(res, 403, { error: 'not_yours' });
        const refunded = { ...invoice, status: 'refund_initiated' };
        await putInvoice(db, refunded);
        return send(res, 200, { ...refunded, amountPaise: Number((await body(req)).amountPaise ?? invoice.amountPaise) });
      }
      // Test and demo helpers: create an order (with an optional invoice).
      if (req.method === 'PUT' && parts[0] === 'orders' && parts.length === 2) {
        const data = (await body(req)) as { order: Order; invoice?: Invoice };
        await putOrder(db, { ...data.order, id: parts[1]! });
        if (data.invoice) await putInvoice(db, data.invoice);
        return send(res, 200, data);
      }
      send(res, 404, { error: 'no_route' });
    })().catch((err: unknown) => send(res, 500, { error: 'store_failed', message: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      pools.delete(opts.databaseUrl!);
      await db.end().catch(() => {});
    },
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const service = await start({ databaseUrl: process.env.DATABASE_URL, port: Number(process.env.PORT ?? 3300) });
  process.stdout.write(`ShopKart demo store on ${service.url}\n`);
}
