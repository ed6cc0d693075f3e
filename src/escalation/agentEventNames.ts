// The names of the agent stream's events (see agentEventSchemas.ts for their payloads).
export const AGENT_EVENT_NAMES = ['waiting', 'claimed', 'message', 'sla', 'released', 'note', 'csat'] as const;
