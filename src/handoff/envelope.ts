// The context envelope, version 1: everything a receiving bot or person needs so the
// customer is never asked again. Served as JSON Schema at
// GET /schemas/handoff-envelope.v1.json; fields holding personal data are tagged
// (`pii`) and redacted whenever the envelope leaves Baton.
import { z } from 'zod';
import { ChannelName } from '../channels/channel.ts';

export const Party = z.object({
  /** `none` closes the conversation (resolve). */
  type: z.enum(['bot', 'agent', 'queue', 'none']),
  id: z.string(),
});
export type Party = z.infer<typeof Party>;

export const EnvelopeSlot = z.object({
  value: z.string(),
  pii: z.boolean().describe('personal data: redacted when the envelope leaves Baton'),
  source: z.string().optional(),
  at: z.string().optional(),
});
export type EnvelopeSlot = z.infer<typeof EnvelopeSlot>;

export const TranscriptLine = z.object({
  role: z.enum(['contact', 'bot', 'agent', 'system']),
  name: z.string().optional(),
  text: z.string().describe('personal data: may contain anything the customer wrote'),
  at: z.string(),
});
export type TranscriptLine = z.infer<typeof TranscriptLine>;

export const HandoffPattern = z.enum(['explicit', 'implicit', 'orchestrator', 'peer', 'escalation', 'agent']);
export type HandoffPattern = z.infer<typeof HandoffPattern>;

export const HandoffEnvelopeV1 = z
  .object({
    version: z.literal('v1'),
    handoffId: z.uuid(),
    conversationId: z.uuid(),
    contactId: z.uuid(),
    locale: z.string(),
    channel: ChannelName,
    from: Party,
    to: Party,
    pattern: HandoffPattern,
    reason: z.string().describe('reason code, e.g. new_topic, out_of_scope, customer_request, low_confidence'),
    slots: z.record(z.string(), EnvelopeSlot),
    intent: z.string().optional(),
    confidence: z.number().min(0).max(1).optional(),
    sentiment: z.number().min(-1).max(1).optional(),
    transcript: z.array(TranscriptLine).max(20).describe('the last messages, oldest first'),
    summary: z.string(),
    lineage: z.array(z.string()).describe('every owner the conversation passed through, oldest first, as type:id'),
    notes: z
      .array(z.object({ by: z.string(), text: z.string(), at: z.string() }))
      .default([])
      .describe('what people on the team noted (e.g. on release to a bot), oldest first'),
    hopCount: z.number().int().min(0),
    createdAt: z.iso.datetime(),
  })
  .meta({ title: 'Baton handoff envelope', description: 'Context passed with every handoff (version 1).' });
export type HandoffEnvelopeV1 = z.infer<typeof HandoffEnvelopeV1>;

export function envelopeJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://baton.dev/schemas/handoff-envelope.v1.json',
    ...z.toJSONSchema(HandoffEnvelopeV1, { target: 'draft-2020-12' }),
  };
}
