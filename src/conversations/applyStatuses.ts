// Use case: apply a provider's delivery receipts to our outbound messages. Receipts
// arrive late, twice, out of order, together, and sometimes before we recorded the
// provider's id for the message. A message only moves forward (sent → delivered →
// read; failed is final): each receipt is one conditional UPDATE, so two racing
// receipts cannot step it back. One for an id not recorded yet waits in EarlyStatus
// (the send applies it when it records the id).
import type { StatusUpdate } from '../channels/channel.ts';
import type { Db } from '../db/client.ts';
import { setOptedOut, TWILIO_OPTED_OUT } from './optOut.ts';

export async function applyStatuses(db: Db, statuses: readonly StatusUpdate[]): Promise<number> {
  let applied = 0;
  for (const update of statuses) {
    if (update.status === 'received') continue;
    const [row] = await db.sql<{ applied: number; to: string | null }>`
      WITH applied AS (
        UPDATE "Message" m SET status = ${update.status}::"MessageStatus", "errorCode" = COALESCE(${update.errorCode ?? null}, m."errorCode"), "updatedAt" = now()
         WHERE m.channel = ${update.channel}::"Channel" AND m."providerMessageId" = ${update.providerMessageId} AND m.direction = 'outbound'
           AND baton_status_rank(m.status) < baton_status_rank(${update.status}::"MessageStatus")
        RETURNING m."conversationId"
      ), early AS (
        INSERT INTO "EarlyStatus" (channel, "providerMessageId", status, "errorCode")
        SELECT ${update.channel}::"Channel", ${update.providerMessageId}, ${update.status}::"MessageStatus", ${update.errorCode ?? null}
         WHERE NOT EXISTS (SELECT 1 FROM "Message" WHERE channel = ${update.channel}::"Channel" AND "providerMessageId" = ${update.providerMessageId})
        ON CONFLICT (channel, "providerMessageId") DO UPDATE SET status = EXCLUDED.status, "errorCode" = COALESCE(EXCLUDED."errorCode", "EarlyStatus"."errorCode")
         WHERE baton_status_rank("EarlyStatus".status) < baton_status_rank(EXCLUDED.status)
      ), stale AS (
        DELETE FROM "EarlyStatus" WHERE "createdAt" < now() - interval '1 day'
      )
      SELECT (SELECT count(*)::int FROM applied) AS applied,
             (SELECT c."externalId" FROM applied a JOIN "Conversation" c ON c.id = a."conversationId" LIMIT 1) AS "to"`;
    applied += row?.applied ?? 0;
    // Twilio reports a send to a number that texted STOP to the carrier as 21610.
    if (row?.to && update.channel === 'sms' && update.errorCode === TWILIO_OPTED_OUT) await setOptedOut(db, 'sms', row.to, true);
  }
  return applied;
}
