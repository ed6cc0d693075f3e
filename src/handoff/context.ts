// The conversation context: what bots learned, kept as JSON on the conversation and
// parsed on every read so old or hand-edited rows cannot surprise a bot.
import { z } from 'zod';

export const SlotValue = z.object({
  value: z.string(),
  /** Personal data (email, phone) is redacted whenever the context leaves Baton. */
  pii: z.boolean().default(false),
  source: z.string().optional(),
  at: z.string().optional(),
});
export type SlotValue = z.infer<typeof SlotValue>;

export const ConversationContext = z.object({
  slots: z.record(z.string(), SlotValue).default({}),
  intent: z.string().optional(),
  confidence: z.number().optional(),
  sentiment: z.number().optional(),
  /** Every owner the conversation has passed through, oldest first. */
  lineage: z.array(z.string()).default([]),
  summary: z.string().optional(),
  /** Free state a bot keeps between its own turns (e.g. troubleshooting step). */
  botState: z.record(z.string(), z.unknown()).default({}),
  greeted: z.boolean().default(false),
  /** Clarifying questions asked since the last understood message. */
  clarifications: z.number().default(0),
  /** Customer messages answered so far; hops are dated by it. */
  turn: z.number().int().default(0),
  /** Recent handoffs, for the ping-pong and hop-limit guards. */
  hops: z
    .array(z.object({ from: z.string(), to: z.string(), turn: z.number(), topic: z.string(), pattern: z.string() }))
    .default([]),
  /** Automated fallbacks since the last accepted handoff. */
  fallbacks: z.number().int().default(0),
  /** What people on the team noted, carried back to the bots with the rest. */
  notes: z.array(z.object({ by: z.string(), text: z.string(), at: z.string() })).default([]),
  /** The handoff that brought the conversation to its bot, until that bot has answered once (it reads the envelope). */
  arrival: z.object({ handoffId: z.string(), bot: z.string() }).optional(),
  /** The options the last reply offered: a typed "2" or an option's title picks one (see choices.ts). */
  offered: z.array(z.object({ id: z.string(), title: z.string() })).optional(),
  /** The team or skill a person transferred the conversation to: only agents with it may take it. */
  queueSkill: z.string().optional(),
  /** A slot the owner asked for, and where to go once the customer gives it. */
  awaiting: z
    .object({
      slot: z.string(),
      intent: z.string(),
      route: z.object({ to: z.string(), pattern: z.string(), reason: z.string() }).optional(),
    })
    .optional(),
});
export type ConversationContext = z.infer<typeof ConversationContext>;

export function parseContext(raw: unknown): ConversationContext {
  const parsed = ConversationContext.safeParse(raw ?? {});
  return parsed.success ? parsed.data : ConversationContext.parse({});
}

/** Slots remembered on the contact, carried into its next conversation on any channel. */
export const ContactMemory = z.object({ slots: z.record(z.string(), SlotValue).default({}) });
export type ContactMemory = z.infer<typeof ContactMemory>;

export function parseMemory(raw: unknown): ContactMemory {
  const parsed = ContactMemory.safeParse(raw ?? {});
  return parsed.success ? parsed.data : { slots: {} };
}
