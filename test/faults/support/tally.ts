// Counting, from PostgreSQL and from the stand-in provider, what happened to every
// message a fault test sent: stored exactly once, answered exactly once (every reply
// delivered once by Idempotency-Key), in order per conversation.
import { appendFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { Db } from '../../../src/db/client.ts';
import type { Customer } from './baton.ts';
import type { FaultProvider } from './provider.ts';
import { until } from './baton.ts';

export type FaultRow = { fault: string; sent: number; stored: number; answered: number; duplicated: number; lost: number };

export type Tally = FaultRow & {
  /** Everything that is wrong, one sentence each; empty when the run was clean. */
  problems: string[];
  /** Outbound replies of these conversations (rows), and raw send requests for them. */
  replies: number;
  rawSends: number;
  /** Raw requests answered 2xx for a key that had been delivered already. */
  resentAfterAccept: number;
  /** The keys of those requests. */
  resentKeys: string[];
};

export async function tally(fault: string, db: Db, provider: FaultProvider, customers: readonly Customer[]): Promise<Tally> {
  const problems: string[] = [];
  const sentIds = customers.flatMap((c) => c.ids);
  const inbound = await db.message.findMany({
    where: { channel: 'whatsapp', direction: 'inbound', providerMessageId: { in: sentIds } },
    orderBy: { seq: 'asc' },
  });
  const storedIds = new Set(inbound.map((m) => m.providerMessageId!));
  const storedTwice = inbound.length - storedIds.size;
  if (storedTwice) problems.push(`${storedTwice} inbound message(s) stored more than once`);

  const conversationIds = [...new Set(inbound.map((m) => m.conversationId))];
  const outbound = await db.message.findMany({ where: { conversationId: { in: conversationIds }, direction: 'outbound' }, orderBy: { seq: 'asc' } });
  const outboundById = new Map(outbound.map((m) => [m.id, m]));
  const repliesOf = new Map<string, typeof outbound>();
  for (const reply of outbound) {
    const [inboundId] = (reply.idempotencyKey ?? '').split(':');
    if (!inboundId) continue;
    repliesOf.set(inboundId, [...(repliesOf.get(inboundId) ?? []), reply]);
  }

  const waIds = new Set(customers.map((c) => c.waId));
  const ours = provider.deliveries.filter((d) => waIds.has(d.to));
  const deliveredKeys = new Map(ours.map((d) => [d.key, d]));
  // A delivery that no reply row explains is a message the customer got that Baton did
  // not mean to send (or sent under a second key): a duplicate.
  const phantom = ours.filter((d) => !outboundById.has(d.key));
  if (phantom.length) problems.push(`${phantom.length} delivery(ies) under keys that are no reply of these conversations`);

  let answered = 0;
  for (const message of inbound) {
    const replies = repliesOf.get(message.id) ?? [];
    const label = `message ${message.providerMessageId}`;
    if (!message.handledAt) {
      problems.push(`${label} was never handled by a bot turn`);
      continue;
    }
    if (replies.length === 0) {
      problems.push(`${label} was handled but got no reply`);
      continue;
    }
    const undelivered = replies.filter((r) => r.status !== 'sent' || !deliveredKeys.has(r.id));
    if (undelivered.length) {
      problems.push(`${label}: ${undelivered.length} of ${replies.length} repl(ies) not delivered (${undelivered.map((r) => r.status).join(',')})`);
      continue;
    }
    const c = customers.find((x) => x.ids.includes(message.providerMessageId!))!;
    const wrong = replies.filter((r) => deliveredKeys.get(r.id)!.to !== c.waId);
    if (wrong.length) problems.push(`${label}: a reply went to another number`);
    answered++;
  }

  // Order: per customer, stored in the order sent, and replies delivered in that order.
  for (const c of customers) {
    const storedOrder = inbound.filter((m) => c.ids.includes(m.providerMessageId!)).map((m) => m.providerMessageId!);
    const expected = c.ids.filter((id) => storedIds.has(id));
    if (storedOrder.join() !== expected.join()) problems.push(`customer ${c.waId}: messages stored out of order`);
    const position = new Map<string, [number, number]>();
    for (const m of inbound.filter((x) => c.ids.includes(x.providerMessageId!))) {
      const index = c.ids.indexOf(m.providerMessageId!);
      for (const r of repliesOf.get(m.id) ?? []) position.set(r.id, [index, Number(r.idempotencyKey!.split(':')[1])]);
    }
    const delivered = ours.filter((d) => d.to === c.waId && position.has(d.key)).map((d) => position.get(d.key)!);
    for (let i = 1; i < delivered.length; i++) {
      const [a, b] = [delivered[i - 1]!, delivered[i]!];
      if (b[0] < a[0] || (b[0] === a[0] && b[1] < a[1])) {
        problems.push(`customer ${c.waId}: the reply to message ${b[0] + 1} (part ${b[1]}) was delivered after one to message ${a[0] + 1}`);
        break;
      }
    }
  }

  const keys = new Set(outbound.map((m) => m.id));
  const rawOurs = provider.raw.filter((r) => keys.has(r.key));
  const seen = new Set<string>();
  const resentKeys: string[] = [];
  for (const r of rawOurs) {
    const accepted = r.outcome === 200 || r.outcome === 'stalled';
    if (!accepted) continue;
    if (seen.has(r.key)) resentKeys.push(r.key);
    seen.add(r.key);
  }
  const sent = sentIds.length;
  return {
    fault,
    sent,
    stored: storedIds.size,
    answered,
    duplicated: storedTwice + phantom.length,
    lost: sent - answered,
    problems,
    replies: outbound.length,
    rawSends: rawOurs.length,
    resentAfterAccept: resentKeys.length,
    resentKeys,
  };
}

/** Polls until every sent message is answered (then waits `quietMs` for late duplicates). */
export async function settle(fault: string, db: Db, provider: FaultProvider, customers: readonly Customer[], timeoutMs = 60_000, quietMs = 1500): Promise<Tally> {
  const sent = customers.reduce((n, c) => n + c.ids.length, 0);
  let last: Tally | undefined;
  try {
    await until(
      `${fault}: every message answered`,
      async () => {
        last = await tally(fault, db, provider, customers);
        return last.answered === sent || undefined;
      },
      timeoutMs,
      250,
    );
  } catch (err) {
    const detail = last ? `\n${last.problems.slice(0, 12).join('\n')}` : '';
    throw new Error(`${(err as Error).message} (answered ${last?.answered ?? '?'} of ${sent})${detail}`);
  }
  await new Promise((r) => setTimeout(r, quietMs));
  return tally(fault, db, provider, customers);
}

export const TABLE_HEADER = 'fault | sent | stored | answered | duplicated | lost';
export const formatRow = (r: FaultRow) => `${r.fault} | ${r.sent} | ${r.stored} | ${r.answered} | ${r.duplicated} | ${r.lost}`;

/** Prints the row now and keeps it for the table the suite prints at the end. */
export function report(row: FaultRow): void {
  const line = formatRow(row);
  console.log(`${TABLE_HEADER}\n${line}`);
  try {
    appendFileSync(inject('faultTablePath'), JSON.stringify(row) + '\n');
  } catch {
    /* run outside the fault config: the printed line is enough */
  }
}
