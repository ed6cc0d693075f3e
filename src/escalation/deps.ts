// What the escalation use cases need, wired once in the runtime.
import type { BotRegistry } from '../packs/registry.ts';
import type { Dispatcher } from '../queues/dispatcher.ts';
import type { Db } from '../db/client.ts';
import type { Locks } from '../db/locks.ts';
import type { Producer } from '../queues/producer.ts';
import type { Logger } from '../shared/logger.ts';
import type { AgentEvents } from './agentEvents.ts';

export type EscalationDeps = {
  db: Db;
  locks: Locks;
  bots: BotRegistry;
  packVersion: string;
  log: Logger;
  dispatcher: Dispatcher;
  producer: Producer;
  events: AgentEvents;
  sla: { unclaimedMs: number; replyMs: number };
};
