// The agent event stream's contract (GET /api/events), shared by the server, which
// publishes these, and the agent console, which imports the names and the types (the
// console bundle carries no zod: it imports types only, and the names from here).
import { z } from 'zod';
import { AGENT_EVENT_NAMES } from './agentEventNames.ts';

export { AGENT_EVENT_NAMES };

const Id = z.string();
export const AgentEventData = {
  /** A conversation this agent may take; or, with `transferredBy`, one given to this agent. */
  waiting: z.looseObject({ conversationId: Id, transferredBy: z.string().optional() }),
  claimed: z.object({ conversationId: Id, agentId: z.string() }),
  /** A message on a conversation the agent holds. */
  message: z.looseObject({ conversationId: Id, message: z.looseObject({ id: Id }) }),
  sla: z.looseObject({ conversationId: Id, slaReason: z.string().optional() }),
  released: z.looseObject({ conversationId: Id, reason: z.string().optional() }),
  /** A private note added to a conversation the agent holds (by a supervisor, say). */
  note: z.object({ conversationId: Id, note: z.object({ by: z.string(), text: z.string(), at: z.string() }) }),
  /** The customer's 1–5 rating of a conversation this agent resolved. */
  csat: z.object({ conversationId: Id, rating: z.number().int().min(1).max(5) }),
} satisfies Record<(typeof AGENT_EVENT_NAMES)[number], z.ZodType>;

export type AgentEventName = (typeof AGENT_EVENT_NAMES)[number];
export type AgentEventPayload<E extends AgentEventName> = z.infer<(typeof AgentEventData)[E]>;
