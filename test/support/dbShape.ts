// Reads a PostgreSQL database's shape from pg_catalog, in the terms of prismaSchema.ts:
// enums, tables, columns (type, nullability, default), primary keys, unique and other
// indexes by column list, and foreign keys with their ON DELETE / ON UPDATE actions.
import pg from 'pg';
import type { ColumnDefault, DbShape, TableShape } from './prismaSchema.ts';

const ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** `'{}'::jsonb` → {}, `'bot'::"ConversationStatus"` → bot, `nextval(...)` → autoincrement. */
export function readDefault(expression: string | null): ColumnDefault | null {
  if (expression === null) return null;
  if (/^nextval\(/.test(expression)) return { kind: 'autoincrement' };
  if (/^(CURRENT_TIMESTAMP|now\(\))$/i.test(expression)) return { kind: 'now' };
  let value = expression;
  for (;;) {
    const cast = /^(.*)::(?:"[^"]+"|[\w ]+)(?:\(\d+(?:,\d+)?\))?(?:\[\])?$/s.exec(value);
    if (!cast) break;
    value = cast[1]!;
  }
  if (value.startsWith('(') && value.endsWith(')')) value = value.slice(1, -1);
  if (value.startsWith("'") && value.endsWith("'")) value = value.slice(1, -1).replaceAll("''", "'");
  return { kind: 'literal', value };
}

export async function readDbShape(databaseUrl: string): Promise<DbShape> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const enums = await client.query<{ name: string; values: string[] }>(`
      SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
      FROM pg_type t
      JOIN pg_enum e ON e.enumtypid = t.oid
      JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema()
      GROUP BY t.typname`);
    const columns = await client.query<{ table: string; column: string; type: string; notnull: boolean; default: string | null }>(`
      SELECT c.relname::text AS table, a.attname::text AS column, a.attnotnull AS notnull,
        CASE WHEN t.typtype = 'e' THEN 'enum:' || t.typname
             WHEN et.typtype = 'e' THEN 'enum:' || et.typname || '[]'
             ELSE format_type(a.atttypid, a.atttypmod) END AS type,
        pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname, a.attnum`);
    const indexes = await client.query<{ table: string; unique: boolean; primary: boolean; columns: string[]; method: string; partial: boolean; expression: boolean }>(`
      SELECT c.relname::text AS table, i.indisunique AS unique, i.indisprimary AS primary, am.amname::text AS method,
        i.indpred IS NOT NULL AS partial, i.indexprs IS NOT NULL AS expression,
        array(SELECT a.attname::text || CASE WHEN (i.indoption::int2[])[k.ord - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_am am ON am.oid = ic.relam
      WHERE n.nspname = current_schema() AND c.relname <> '_prisma_migrations'`);
    const foreignKeys = await client.query<{ table: string; ref_table: string; columns: string[]; ref_columns: string[]; on_delete: string; on_update: string }>(`
      SELECT c.relname::text AS table, rc.relname::text AS ref_table, con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
        array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
        array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns
      FROM pg_constraint con
      JOIN pg_class c ON c.oid = con.conrelid
      JOIN pg_class rc ON rc.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema()`);

    const tables: Record<string, TableShape> = {};
    const table = (name: string) => (tables[name] ??= { columns: {}, primaryKey: [], uniques: [], indexes: [], foreignKeys: [] });
    for (const c of columns.rows) {
      table(c.table).columns[c.column] = { type: c.type, nullable: !c.notnull, default: readDefault(c.default) };
    }
    for (const i of indexes.rows) {
      const t = table(i.table);
      const list = i.columns.join(', ') + (i.expression ? ' + expression' : '') + (i.partial ? ' WHERE ...' : '');
      if (i.primary) t.primaryKey = i.columns;
      else if (i.unique) t.uniques.push(list);
      else t.indexes.push(i.method === 'btree' ? list : `${list} (${i.method})`);
    }
    for (const f of foreignKeys.rows) {
      table(f.table).foreignKeys.push(
        `${f.columns.join(', ')} -> ${f.ref_table}(${f.ref_columns.join(', ')}) ON DELETE ${ACTIONS[f.on_delete]} ON UPDATE ${ACTIONS[f.on_update]}`,
      );
    }
    return { enums: Object.fromEntries(enums.rows.map((e) => [e.name, e.values])), tables };
  } finally {
    await client.end();
  }
}
