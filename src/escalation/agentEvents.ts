// Live events for the agent inbox over the event bus: `waiting` and `claimed` go to
// every agent connection (each filters by what its agent may take), `message` to the
// agent holding the conversation, `sla` to supervisors.
import type { EventBus } from '../realtime/eventBus.ts';
import type { AgentEventName } from './agentEventSchemas.ts';

export type AgentEvent = { event: AgentEventName; data: Record<string, unknown> };

export const AGENTS_TOPIC = 'agents';
export const SUPERVISORS_TOPIC = 'supervisors';
export const agentTopic = (agentId: string) => `agent:${agentId}`;

export function agentEvents(bus: EventBus) {
  const publish = (topic: string, event: AgentEvent) => bus.publish(topic, event).catch(() => {});
  return {
    waiting: (item: Record<string, unknown>) => publish(AGENTS_TOPIC, { event: 'waiting', data: item }),
    claimed: (conversationId: string, agentId: string) => publish(AGENTS_TOPIC, { event: 'claimed', data: { conversationId, agentId } }),
    toAgent: (agentId: string, event: AgentEvent) => publish(agentTopic(agentId), event),
    sla: (data: Record<string, unknown>) => publish(SUPERVISORS_TOPIC, { event: 'sla', data }),
  };
}
export type AgentEvents = ReturnType<typeof agentEvents>;
