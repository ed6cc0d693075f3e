// "Roughly when" a person will answer: the queue ahead shared by the agents who were
// active recently, at a few minutes each. An estimate for the customer, not a promise.
import type { Db } from '../db/client.ts';

const MINUTES_PER_CONVERSATION = 3;

export async function estimateWaitMinutes(db: Db): Promise<number> {
  const [waiting, agents] = await Promise.all([
    db.conversation.count({ where: { status: 'waiting' } }),
    db.agent.count({ where: { active: true, lastSeenAt: { gte: new Date(Date.now() - 15 * 60_000) } } }),
  ]);
  return Math.max(2, Math.ceil((waiting * MINUTES_PER_CONVERSATION) / Math.max(1, agents)));
}
