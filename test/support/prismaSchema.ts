// A small reader of schema.prisma (the parts Baton uses: models, enums, field and block
// attributes) and the PostgreSQL shape Prisma's conventions derive from it. The drift
// test compares that shape with a database built by the SQL migrations, so neither
// Prisma's schema engine nor a network connection is needed.

export type Attribute = { name: string; args: Arg[] };
export type Arg = { key?: string; value: string };
export type Field = { name: string; type: string; list: boolean; optional: boolean; attributes: Attribute[] };
export type Model = { name: string; fields: Field[]; attributes: Attribute[] };
export type PrismaSchema = { models: Model[]; enums: Map<string, string[]> };

/** Removes `//` comments (also `///` docs) outside string literals. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

/** Splits at top-level separators, respecting (), [], {} and strings. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Reads `@name(args) @other ...` from the rest of a line. */
function parseAttributes(text: string, prefix: '@' | '@@'): Attribute[] {
  const attributes: Attribute[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    if (!text.startsWith(prefix, i) || (prefix === '@' && text.startsWith('@@', i))) {
      throw new Error(`schema.prisma: unexpected text "${text.slice(i)}"`);
    }
    i += prefix.length;
    const name = /^[A-Za-z_][\w.]*/.exec(text.slice(i))?.[0];
    if (!name) throw new Error(`schema.prisma: attribute without a name in "${text}"`);
    i += name.length;
    let args: Arg[] = [];
    if (text[i] === '(') {
      let depth = 0;
      let inString = false;
      let j = i;
      for (; j < text.length; j++) {
        const c = text[j]!;
        if (inString) {
          if (c === '\\') j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '(') depth++;
        else if (c === ')' && --depth === 0) break;
      }
      args = splitTopLevel(text.slice(i + 1, j), ',').map((arg) => {
        const named = /^([A-Za-z_]\w*)\s*:\s*([\s\S]*)$/.exec(arg);
        return named ? { key: named[1]!, value: named[2]!.trim() } : { value: arg };
      });
      i = j + 1;
    }
    attributes.push({ name, args });
  }
  return attributes;
}

export function parsePrismaSchema(source: string): PrismaSchema {
  const models: Model[] = [];
  const enums = new Map<string, string[]>();
  let block: { kind: string; name: string; lines: string[] } | undefined;
  for (const raw of source.split(/\r?\n/)) {
    const line = stripComment(raw).trim();
    if (line === '') continue;
    if (!block) {
      const open = /^(model|enum|view|type|generator|datasource)\s+(\w+)\s*\{$/.exec(line);
      if (!open) throw new Error(`schema.prisma: cannot read "${line}"`);
      block = { kind: open[1]!, name: open[2]!, lines: [] };
      continue;
    }
    if (line === '}') {
      if (block.kind === 'enum') {
        enums.set(block.name, block.lines.map((l) => l.split(/\s+/)[0]!).filter((v) => !v.startsWith('@@')));
      } else if (block.kind === 'model') {
        const fields: Field[] = [];
        const attributes: Attribute[] = [];
        for (const l of block.lines) {
          if (l.startsWith('@@')) {
            attributes.push(...parseAttributes(l, '@@'));
            continue;
          }
          const m = /^(\w+)\s+(Unsupported\("[^"]+"\)|\w+)(\[\])?(\?)?\s*(.*)$/.exec(l);
          if (!m) throw new Error(`schema.prisma: cannot read field "${l}" in ${block.name}`);
          fields.push({ name: m[1]!, type: m[2]!, list: m[3] === '[]', optional: m[4] === '?', attributes: parseAttributes(m[5]!, '@') });
        }
        models.push({ name: block.name, fields, attributes });
      } else if (block.kind === 'view' || block.kind === 'type') {
        throw new Error(`schema.prisma: ${block.kind} blocks are not supported by this reader`);
      }
      block = undefined;
      continue;
    }
    block.lines.push(line);
  }
  if (block) throw new Error(`schema.prisma: block ${block.name} is not closed`);
  return { models, enums };
}

// ---------------------------------------------------------------------------------------
// The database shape: what Prisma's PostgreSQL conventions make of a schema, and what the
// drift test reads back from pg_catalog. Both sides use these types.

export type ColumnDefault =
  | { kind: 'autoincrement' }
  | { kind: 'now' }
  | { kind: 'dbgenerated' }
  | { kind: 'literal'; value: string };

export type ColumnShape = { type: string; nullable: boolean; default: ColumnDefault | null };

export type TableShape = {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** Column lists of unique indexes other than the primary key, e.g. "channel, externalId". */
  uniques: string[];
  /** Column lists of the other indexes ("(hash)" appended for non-btree ones). */
  indexes: string[];
  /** "contactId -> Contact(id) ON DELETE CASCADE ON UPDATE CASCADE" */
  foreignKeys: string[];
};

export type DbShape = { enums: Record<string, string[]>; tables: Record<string, TableShape> };

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** Native type attributes (`@db.X(args)`) as format_type() prints them. */
function nativeType(name: string, args: string[]): string {
  const n = args[0];
  switch (name) {
    case 'Uuid': return 'uuid';
    case 'Text': return 'text';
    case 'VarChar': return n ? `character varying(${n})` : 'character varying';
    case 'Char': return n ? `character(${n})` : 'character(1)';
    case 'Citext': return 'citext';
    case 'SmallInt': return 'smallint';
    case 'Integer': return 'integer';
    case 'BigInt': return 'bigint';
    case 'Real': return 'real';
    case 'DoublePrecision': return 'double precision';
    case 'Decimal': return `numeric(${args.join(',')})`;
    case 'Money': return 'money';
    case 'Boolean': return 'boolean';
    case 'Date': return 'date';
    case 'Time': return `time(${n ?? 6}) without time zone`;
    case 'Timetz': return `time(${n ?? 6}) with time zone`;
    case 'Timestamp': return `timestamp(${n ?? 6}) without time zone`;
    case 'Timestamptz': return `timestamp(${n ?? 6}) with time zone`;
    case 'Json': return 'json';
    case 'JsonB': return 'jsonb';
    case 'ByteA': return 'bytea';
    case 'Inet': return 'inet';
    case 'Xml': return 'xml';
    default: throw new Error(`schema.prisma: native type @db.${name} is not supported by this reader`);
  }
}

const unquote = (value: string) => (value.startsWith('"') ? (JSON.parse(value) as string) : value);
const listOf = (value: string) =>
  value.startsWith('[') ? splitTopLevel(value.slice(1, -1), ',').map((v) => v.replace(/\(.*\)$/, '').trim()) : [value];
const attr = (field: Field | Model, name: string) => field.attributes.find((a) => a.name === name);
const arg = (a: Attribute | undefined, key: string, position?: number) =>
  a?.args.find((x) => x.key === key)?.value ?? (position === undefined ? undefined : a?.args.filter((x) => !x.key)[position]?.value);

const ACTIONS: Record<string, string> = { Cascade: 'CASCADE', Restrict: 'RESTRICT', NoAction: 'NO ACTION', SetNull: 'SET NULL', SetDefault: 'SET DEFAULT' };

function defaultOf(field: Field, enums: Map<string, string[]>): ColumnDefault | null {
  const value = arg(attr(field, 'default'), 'value', 0);
  if (value === undefined) return null;
  if (/^(uuid|cuid|nanoid|ulid)\(.*\)$/.test(value)) return null; // generated by Prisma Client, not the database
  if (value === 'autoincrement()') return { kind: 'autoincrement' };
  if (value === 'now()') return { kind: 'now' };
  if (value.startsWith('dbgenerated(')) return { kind: 'dbgenerated' };
  if (value.startsWith('[')) return { kind: 'literal', value: `{${listOf(value).map(unquote).join(',')}}` };
  if (enums.has(field.type) || value.startsWith('"')) return { kind: 'literal', value: unquote(value) };
  return { kind: 'literal', value };
}

/** The tables, columns, indexes, keys and enums `prisma migrate` would create for a schema. */
export function expectedShape(schema: PrismaSchema): DbShape {
  const byName = new Map(schema.models.map((m) => [m.name, m]));
  const tableOf = (m: Model) => unquote(arg(attr(m, 'map'), 'name', 0) ?? m.name);
  const columnOf = (m: Model, fieldName: string) => {
    const f = m.fields.find((x) => x.name === fieldName);
    if (!f) throw new Error(`schema.prisma: ${m.name} has no field ${fieldName}`);
    return unquote(arg(attr(f, 'map'), 'name', 0) ?? f.name);
  };
  const tables: Record<string, TableShape> = {};
  for (const model of schema.models) {
    const table: TableShape = { columns: {}, primaryKey: [], uniques: [], indexes: [], foreignKeys: [] };
    for (const field of model.fields) {
      const target = byName.get(field.type);
      if (target) {
        // A relation field: the side with `fields:` holds the foreign key.
        const relation = attr(field, 'relation');
        const fields = arg(relation, 'fields');
        if (!fields) continue;
        const local = listOf(fields).map((f) => columnOf(model, f));
        const references = listOf(arg(relation, 'references') ?? '[]').map((f) => columnOf(target, f));
        const anyOptional = listOf(fields).some((f) => model.fields.find((x) => x.name === f)?.optional);
        const onDelete = ACTIONS[arg(relation, 'onDelete') ?? (anyOptional ? 'SetNull' : 'Restrict')];
        const onUpdate = ACTIONS[arg(relation, 'onUpdate') ?? 'Cascade'];
        table.foreignKeys.push(`${local.join(', ')} -> ${tableOf(target)}(${references.join(', ')}) ON DELETE ${onDelete} ON UPDATE ${onUpdate}`);
        continue;
      }
      const column = columnOf(model, field.name);
      const native = field.attributes.find((a) => a.name.startsWith('db.'));
      let type: string;
      if (schema.enums.has(field.type)) type = `enum:${field.type}`;
      else if (native) type = nativeType(native.name.slice(3), native.args.map((a) => a.value));
      else if (SCALAR_TYPES[field.type]) type = SCALAR_TYPES[field.type]!;
      // A database type Prisma has no scalar for (e.g. tsvector): the name as PostgreSQL prints it.
      else if (/^Unsupported\("(.+)"\)$/.test(field.type)) type = /^Unsupported\("(.+)"\)$/.exec(field.type)![1]!;
      else throw new Error(`schema.prisma: unknown type ${field.type} of ${model.name}.${field.name}`);
      if (field.list) type += '[]';
      // Prisma creates scalar-list columns without NOT NULL.
      table.columns[column] = { type, nullable: field.optional || field.list, default: defaultOf(field, schema.enums) };
      if (attr(field, 'id')) table.primaryKey = [column];
      if (attr(field, 'unique')) table.uniques.push(column);
    }
    for (const a of model.attributes) {
      // Index columns keep their direction: `priority(sort: Desc)` → "priority DESC".
      const raw = arg(a, 'fields', 0) ?? '[]';
      const entries = raw.startsWith('[') ? splitTopLevel(raw.slice(1, -1), ',').map((v) => v.trim()) : [raw];
      const columns = () =>
        entries.map((e) => `${columnOf(model, e.replace(/\(.*\)$/, '').trim())}${/sort:\s*Desc/.test(e) ? ' DESC' : ''}`).join(', ');
      if (a.name === 'id') table.primaryKey = columns().split(', ');
      else if (a.name === 'unique') table.uniques.push(columns());
      else if (a.name === 'index') {
        const method = arg(a, 'type');
        table.indexes.push(method && method !== 'BTree' ? `${columns()} (${method.toLowerCase()})` : columns());
      }
    }
    tables[tableOf(model)] = table;
  }
  return { enums: Object.fromEntries(schema.enums), tables };
}

/** Every difference between two shapes, as sentences naming the table and column. */
export function diffShapes(expected: DbShape, actual: DbShape): string[] {
  const out: string[] = [];
  const bothWays = (what: string, want: readonly string[], have: readonly string[]) => {
    for (const x of want) if (!have.includes(x)) out.push(`${what} ${x}: in schema.prisma, not in the migrations`);
    for (const x of have) if (!want.includes(x)) out.push(`${what} ${x}: in the migrations, not in schema.prisma`);
  };
  bothWays('enum', Object.keys(expected.enums), Object.keys(actual.enums));
  for (const [name, values] of Object.entries(expected.enums)) {
    const have = actual.enums[name];
    if (have && values.join(',') !== have.join(',')) out.push(`enum ${name}: schema.prisma has [${values.join(', ')}], the migrations [${have.join(', ')}]`);
  }
  bothWays('table', Object.keys(expected.tables), Object.keys(actual.tables));
  for (const [name, want] of Object.entries(expected.tables)) {
    const have = actual.tables[name];
    if (!have) continue;
    bothWays(`column`, Object.keys(want.columns).map((c) => `${name}.${c}`), Object.keys(have.columns).map((c) => `${name}.${c}`));
    for (const [column, w] of Object.entries(want.columns)) {
      const h = have.columns[column];
      if (!h) continue;
      const where = `${name}.${column}`;
      if (w.type !== h.type) out.push(`${where}: type ${w.type} in schema.prisma, ${h.type} in the migrations`);
      if (w.nullable !== h.nullable) out.push(`${where}: ${w.nullable ? 'nullable' : 'NOT NULL'} in schema.prisma, ${h.nullable ? 'nullable' : 'NOT NULL'} in the migrations`);
      const describe = (d: ColumnDefault | null) => (d === null ? 'no default' : d.kind === 'literal' ? `default ${JSON.stringify(d.value)}` : `default ${d.kind}`);
      const sameDefault =
        (w.default === null) === (h.default === null) &&
        (w.default === null || w.default.kind === 'dbgenerated' || describe(w.default) === describe(h.default));
      if (!sameDefault) out.push(`${where}: ${describe(w.default)} in schema.prisma, ${describe(h.default)} in the migrations`);
    }
    if (want.primaryKey.join(', ') !== have.primaryKey.join(', ')) {
      out.push(`${name}: primary key (${want.primaryKey.join(', ')}) in schema.prisma, (${have.primaryKey.join(', ')}) in the migrations`);
    }
    bothWays(`${name}: unique index on`, want.uniques.map((u) => `(${u})`), have.uniques.map((u) => `(${u})`));
    bothWays(`${name}: index on`, want.indexes.map((u) => `(${u})`), have.indexes.map((u) => `(${u})`));
    bothWays(`${name}: foreign key`, want.foreignKeys, have.foreignKeys);
  }
  return out;
}
