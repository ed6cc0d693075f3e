// Use case: CSAT per agent and per bot — how many ratings and their average — for
// supervisors (the same counts are exported as baton_csat_ratings_total).
import { z } from 'zod';
import type { Db } from '../db/client.ts';

const Row = z.object({ id: z.string(), ratings: z.number().int(), average: z.number() });
export const CsatSummary = z.object({
  agents: z.array(Row.extend({ name: z.string().nullable() })),
  bots: z.array(Row),
});
export type CsatSummary = z.infer<typeof CsatSummary>;

export async function csatSummary(db: Db): Promise<CsatSummary> {
  const agents = await db.$queryRaw<Array<{ id: string; name: string | null; ratings: number; average: number }>>`
    SELECT r."agentId"::text AS id, a.name, count(*)::int AS ratings, round(avg(r.rating), 2)::float AS average
      FROM "CsatRating" r LEFT JOIN "Agent" a ON a.id = r."agentId"
     WHERE r."agentId" IS NOT NULL GROUP BY r."agentId", a.name ORDER BY ratings DESC`;
  const bots = await db.$queryRaw<Array<{ id: string; ratings: number; average: number }>>`
    SELECT "botId" AS id, count(*)::int AS ratings, round(avg(rating), 2)::float AS average
      FROM "CsatRating" WHERE "botId" IS NOT NULL GROUP BY "botId" ORDER BY ratings DESC`;
  return { agents, bots };
}
