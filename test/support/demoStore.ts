// The demo pack's store as tests see it: its own tables (schema "shopkart") in the test
// file's database, read and written directly so a test can check what the bots changed.
import pg from 'pg';
import { DEFAULT_PACK_DIR, loadPack, type Pack } from '../../src/packs/loadPack.ts';
import { fileDatabaseUrl } from './fileDatabase.ts';

export type StoreOrder = { id: string; status: string; eta: string | null; deliveredAt: string | null; totalPaise: number; items: unknown[]; refundStatus: string | null; owner: string | null; placedAt: string };
export type StoreInvoice = { id: string; orderId: string; amountPaise: number; charges: Array<{ id: string; amountPaise: number; at: string }>; status: string };

async function withClient<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await fileDatabaseUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export const storeOrder = (id: string) => withClient(async (c) => (await c.query<{ data: StoreOrder }>('SELECT data FROM shopkart.orders WHERE id = $1', [id])).rows[0]?.data);
export const storeInvoiceOf = (orderId: string) => withClient(async (c) => (await c.query<{ data: StoreInvoice }>('SELECT data FROM shopkart.invoices WHERE order_id = $1', [orderId])).rows[0]?.data);
export const putStoreOrder = (order: StoreOrder, invoice?: StoreInvoice) =>
  withClient(async (c) => {
    await c.query('INSERT INTO shopkart.orders (id, data) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data', [order.id, order]);
    if (invoice) await c.query('INSERT INTO shopkart.invoices (id, order_id, data) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data', [invoice.id, invoice.orderId, invoice]);
  });

/** The demo pack, loaded against the test file's database. */
export async function demoPack(): Promise<Pack> {
  return loadPack(DEFAULT_PACK_DIR, { databaseUrl: await fileDatabaseUrl() });
}
