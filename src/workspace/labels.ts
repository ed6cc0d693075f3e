// Use cases: labels on conversations (e.g. "refund", "vip"), changed by anyone who may
// see the conversation, and the labels in use (for the console's filter).
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import { visibleTo } from './readSide.ts';
import type { Db } from '../db/client.ts';
import { NotFound } from '../shared/errors.ts';

export const Label = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}][\p{L}\p{M}\p{N} _-]{0,39}$/u, 'a label is 1–40 letters, digits, spaces, _ or -');
export const LabelsBody = z.object({ add: z.array(Label).max(20).default([]), remove: z.array(Label).max(20).default([]) });
export type LabelsBody = z.infer<typeof LabelsBody>;
export const LabelList = z.object({ labels: z.array(z.string()) });

export async function changeLabels(db: Db, actor: Actor, conversationId: string, change: LabelsBody): Promise<string[]> {
  const visible = await db.conversation.findFirst({ where: { AND: [{ id: conversationId }, visibleTo(actor)] }, select: { id: true } });
  if (!visible) throw new NotFound('not_found', 'no such conversation, or not one you may see');
  // One statement, so two agents labelling at once both keep their labels.
  const rows = await db.$queryRaw<Array<{ labels: string[] }>>`
    UPDATE "Conversation"
       SET labels = ARRAY(SELECT DISTINCT l FROM unnest(COALESCE(labels, '{}') || ${change.add}::text[]) AS l WHERE NOT (l = ANY(${change.remove}::text[])) ORDER BY l),
           "updatedAt" = now()
     WHERE id = ${conversationId}::uuid
 RETURNING labels`;
  return rows[0]?.labels ?? [];
}

export async function labelsInUse(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ label: string }>>`
    SELECT DISTINCT unnest(labels) AS label FROM "Conversation" WHERE labels <> '{}' ORDER BY label LIMIT 500`;
  return rows.map((r) => r.label);
}
