// Use case: a private note on a conversation. Kept in the conversation context's
// `notes` (never a message, so never sent to the customer): the next agent sees it, and
// on release it travels to the bot in the handoff envelope's `notes` field.
import { z } from 'zod';
import type { Actor } from '../agents/authenticate.ts';
import type { EscalationDeps } from '../escalation/deps.ts';
import { heldBy } from '../escalation/handOn.ts';
import { Conflict } from '../shared/errors.ts';

export const NoteBody = z.object({ text: z.string().trim().min(1).max(2000) });
export const NoteView = z.object({ by: z.string(), text: z.string(), at: z.iso.datetime() });
export type NoteView = z.infer<typeof NoteView>;

export async function addNote(deps: EscalationDeps, actor: Actor, conversationId: string, text: string): Promise<NoteView> {
  const conversation = await heldBy(deps, actor, conversationId);
  const note: NoteView = { by: actor.name, text, at: new Date().toISOString() };
  // Appended in one statement (no read-modify-write of the context), and only while
  // the conversation is still with the same person.
  const changed = await deps.db.$executeRaw`
    UPDATE "Conversation"
       SET context = jsonb_set(context, '{notes}', COALESCE(context -> 'notes', '[]'::jsonb) || jsonb_build_array(${JSON.stringify(note)}::jsonb)),
           "updatedAt" = now()
     WHERE id = ${conversationId}::uuid AND status = 'agent' AND "ownerType" = 'agent' AND "ownerId" = ${conversation.ownerId}`;
  if (changed === 0) throw new Conflict('not_held', 'the conversation changed hands; the note was not added');
  if (conversation.ownerId && conversation.ownerId !== actor.id) {
    await deps.events.toAgent(conversation.ownerId, { event: 'note', data: { conversationId, note } });
  }
  return note;
}
