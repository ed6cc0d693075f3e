// SQL run again and again is parsed and planned once per connection (a named prepared
// statement); one-off SQL is not, and the number of names a process keeps is bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, preparedStatementNames, type Db } from '../../src/db/client.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';

let scratch: ScratchDatabase;
let db: Db;

beforeAll(async () => {
  scratch = await createScratchDatabase('prepared', { migrated: false });
  db = createDb(scratch.url, 1); // one connection: what it prepared is what pg_prepared_statements shows
});
afterAll(async () => {
  await db.$disconnect();
  await scratch.drop();
});

const prepared = async () =>
  (await db.$queryRaw<Array<{ statement: string }>>`SELECT statement FROM pg_prepared_statements`).map((r) => r.statement);

describe('prepared statements', () => {
  it('prepares a statement from its third run on, and answers it the same', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [row] = await db.$queryRaw<Array<{ n: number }>>`SELECT ${i}::int + 40 AS n`;
      answers.push(row!.n);
    }
    expect(answers).toEqual([40, 41, 42, 43, 44]);
    const [once] = await db.$queryRaw<Array<{ v: string }>>`SELECT 'only once' AS v`;
    expect(once!.v).toBe('only once');
    const statements = await prepared();
    expect(statements.some((s) => s.includes('+ 40 AS n'))).toBe(true);
    expect(statements.some((s) => s.includes('only once'))).toBe(false);
  });

  it('plans a hot statement (db.sql) once: every run after the first uses the same generic plan', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) {
      const [row] = await db.sql<{ v: string }>`SELECT ${`hot-${i}`}::text || ' path' AS v`;
      answers.push(row!.v);
    }
    expect(answers).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `hot-${i} path`));
    // Its connection's view (the hot statements have their own connections).
    const [plans] = await db.sql<{ generic: string; custom: string }>`
      SELECT generic_plans::text AS generic, custom_plans::text AS custom FROM pg_prepared_statements WHERE statement LIKE '%'' path'' AS v%'`;
    expect(plans).toEqual({ generic: '6', custom: '0' }); // prepared from the third run on
  });

  it('keeps at most the given number of names; later texts run unnamed', () => {
    const nameOf = preparedStatementNames(2, 2);
    const runs = (sql: string) => [nameOf(sql), nameOf(sql), nameOf(sql)];
    expect(runs('a')).toEqual(['', 'baton_1', 'baton_1']);
    expect(runs('b')).toEqual(['', 'baton_2', 'baton_2']);
    expect(runs('c')).toEqual(['', '', '']);
    expect(nameOf('a')).toBe('baton_1');
  });
});
