// A bot that lives in the business's own service: each turn is POSTed to its URL, signed
// with the shared secret, and its answer is checked strictly at the edge. Anything but a
// valid 200 answer in time is a thrown Error: the turn fails and the protocol's fallback
// applies, so a broken webhook never says something half-formed to a customer.
import { z } from 'zod';
import type { Bot, BotAnswer, BotTurn, SlotValue } from '../bot.ts';
import { issuesOf, jsonAnswer, postJson, signBody } from '../http.ts';

export type WebhookBotConfig = {
  id: string;
  url: string;
  secret: string;
  timeoutMs: number;
  /** Whether a slot holds personal data (the pack's slot declarations); returned slots are tagged with it. */
  isPii?: (slot: string) => boolean;
  fetch?: typeof fetch;
};

/** What the webhook must answer with (HTTP 200). Unknown keys are an error: a typo must not be ignored silently. */
export const WebhookAnswer = z.strictObject({
  replies: z
    .array(
      z.strictObject({
        text: z.string().trim().min(1).max(4096),
        options: z.array(z.strictObject({ id: z.string().min(1), title: z.string().min(1) })).max(10).optional(),
      }),
    )
    .max(10),
  slots: z.record(z.string().min(1), z.string()).optional(),
  handoff: z.strictObject({ to: z.string().min(1), reason: z.string().min(1) }).optional(),
  escalate: z.strictObject({ reason: z.string().min(1) }).optional(),
});
export type WebhookAnswer = z.infer<typeof WebhookAnswer>;

/** The body Baton POSTs, version "1". Slot values are sent as they are: the webhook is the business's own back-end. */
export function webhookRequest(id: string, turn: BotTurn) {
  return {
    version: '1',
    conversationId: turn.conversationId,
    channel: turn.channel,
    locale: turn.locale,
    bot: id,
    message: {
      id: turn.message.id,
      text: turn.message.text,
      kind: turn.message.kind,
      ...(turn.message.location && { location: turn.message.location }),
      ...(turn.message.contacts && { contacts: turn.message.contacts }),
      ...(turn.message.attachment && { attachment: turn.message.attachment }),
    },
    intent: { name: turn.intent.name, confidence: turn.intent.confidence },
    slots: Object.fromEntries(Object.entries(turn.slots).map(([name, slot]) => [name, slot.value])),
    envelope: turn.envelope ?? null,
  };
}

export function createWebhookBot(cfg: WebhookBotConfig): Bot {
  const who = `webhook bot "${cfg.id}"`;
  const isPii = cfg.isPii ?? (() => false);
  return {
    id: cfg.id,
    remote: true,
    async answer(turn) {
      const raw = JSON.stringify(webhookRequest(cfg.id, turn));
      const exchanged = await postJson(cfg.fetch ?? fetch, who, cfg.url, raw, { 'x-baton-signature': signBody(cfg.secret, raw) }, cfg.timeoutMs);
      const parsed = WebhookAnswer.safeParse(jsonAnswer(who, exchanged, 200));
      if (!parsed.success) throw new Error(`${who}: invalid answer: ${issuesOf(parsed.error)}`);
      const { replies, slots, handoff, escalate } = parsed.data;
      const answer: BotAnswer = { replies: replies.map((r) => ({ text: r.text, ...(r.options ? { options: r.options } : {}) })) };
      if (slots) answer.slots = Object.fromEntries(Object.entries(slots).map(([name, value]): [string, SlotValue] => [name, { value, pii: isPii(name), source: cfg.id }]));
      if (handoff) answer.handoff = handoff;
      if (escalate) answer.escalate = escalate;
      return answer;
    },
  };
}
