// Protocol step 2 (transmit): the envelope is built from the turn's live context and
// the stored transcript (read by the pause step, in the same round trip), and parsed
// against the v1 schema before it goes anywhere.
import type { TFunction } from 'i18next';
import type { ConversationContext } from './context.ts';
import { HandoffEnvelopeV1, type HandoffPattern, type Party } from './envelope.ts';

/** A transcript line as the pause step reads it (newest first). */
export type RecentMessage = { role: string; name: string | null; text: string; at: string | Date };

/** How many of the latest messages the envelope carries. */
export const TRANSCRIPT_WINDOW = 10;

export function buildEnvelope(
  conversation: { id: string; contactId: string; locale: string; channel: 'whatsapp' | 'sms' | 'webchat'; hopCount: number },
  request: { handoffId: string; from: Party; to: Party; pattern: HandoffPattern; reason: string; confidence?: number | undefined },
  context: ConversationContext,
  t: TFunction,
  newestFirst: readonly RecentMessage[],
): HandoffEnvelopeV1 {
  const transcript = [...newestFirst].reverse().map((m) => ({
    role: m.role,
    ...(m.name ? { name: m.name } : {}),
    text: m.text,
    at: new Date(m.at).toISOString(),
  }));
  const slotList = Object.entries(context.slots)
    .map(([k, v]) => `${k}=${v.pii ? '•••' : v.value}`)
    .join(', ');
  return HandoffEnvelopeV1.parse({
    version: 'v1',
    handoffId: request.handoffId,
    conversationId: conversation.id,
    contactId: conversation.contactId,
    locale: conversation.locale,
    channel: conversation.channel,
    from: request.from,
    to: request.to,
    pattern: request.pattern,
    reason: request.reason,
    slots: context.slots,
    ...(context.intent ? { intent: context.intent } : {}),
    ...(request.confidence !== undefined ? { confidence: Math.min(1, Math.max(0, request.confidence)) } : {}),
    ...(context.sentiment !== undefined ? { sentiment: context.sentiment } : {}),
    transcript,
    summary: t('handoff:summary', {
      intent: context.intent ?? '—',
      slots: slotList || '—',
      lineage: context.lineage.join(' → ') || '—',
      count: transcript.length,
      reason: request.reason,
    }),
    lineage: context.lineage,
    notes: context.notes,
    hopCount: conversation.hopCount,
    createdAt: new Date().toISOString(),
  });
}
