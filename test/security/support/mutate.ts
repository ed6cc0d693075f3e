// Seeded mutations of real payloads for the fuzz test: the same seed gives the same
// thousands of requests, so a failure can be replayed (FUZZ_SEED=<n>).
export type Rng = {
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
};

/** mulberry32: tiny, fast, and good enough to spread mutations. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

const UNICODE = [
  '😀👩‍👩‍👧‍👦🇮🇳',
  'नमस्ते दुनिया',
  'مرحبا بالعالم',
  '\u202Eevil\u202C',
  'zero\u200Bwidth\u200D',
  'NUL\u0000byte',
  'Ａｂｃ',
  '\uFEFFbom',
  '<script>alert(1)</script>',
  "'; DROP TABLE \"Message\"; --",
  '${7*7}{{7*7}}',
  '../../etc/passwd',
  '%00%ff',
  'ORD-1001',
  '\r\n\r\nX-Injected: 1',
];

/** A value of a random type, sometimes pathological. */
export function randomValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 7 : 10)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 123456789012345]);
    case 2:
      return r.chance(0.5);
    case 3:
      return '';
    case 4:
      return r.pick(UNICODE);
    case 5:
      return 'x'.repeat(r.pick([1, 255, 4097, 70_000]));
    case 6:
      return String(r.int(1e9));
    case 7:
      return [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    case 8:
      return { [r.pick(['id', 'type', 'text', 'from', '__proto__', 'constructor'])]: randomValue(r, depth + 1) };
    default:
      return deep(r, 10 + r.int(3000));
  }
}

function deep(r: Rng, depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = r.chance(0.5) ? [value] : { a: value };
  return value;
}

type Container = Record<string, unknown> | unknown[];
type Slot = { parent: Container; key: string | number };

/** Every place a value sits, breadth first, no deeper than 40 levels (trees may be pathological). */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  let level: unknown[] = [root];
  for (let depth = 0; depth < 40 && level.length; depth++) {
    const nextLevel: unknown[] = [];
    for (const value of level) {
      if (Array.isArray(value)) {
        value.forEach((v, i) => {
          out.push({ parent: value, key: i });
          nextLevel.push(v);
        });
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          out.push({ parent: value as Record<string, unknown>, key: k });
          nextLevel.push(v);
        }
      }
    }
    level = nextLevel;
  }
  return out;
}

const get = (s: Slot) => (s.parent as Record<string | number, unknown>)[s.key];
const set = (s: Slot, v: unknown) => ((s.parent as Record<string | number, unknown>)[s.key] = v);

/** One structural mutation somewhere in a parsed JSON value (mutates it in place). */
export function mutateTree(r: Rng, root: unknown): unknown {
  const all = slots(root);
  if (all.length === 0) return randomValue(r);
  const slot = r.pick(all);
  const current = get(slot);
  switch (r.int(9)) {
    case 0: // drop the field
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
      else delete slot.parent[slot.key as string];
      break;
    case 1: // duplicate it (arrays: twice; objects: again under a near-identical key)
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 0, current);
      else slot.parent[`${String(slot.key)}${r.pick(['', '_', ' ', 'Ⅰ'])}`] = current;
      break;
    case 2: // retype
      set(slot, randomValue(r));
      break;
    case 3: // null
      set(slot, null);
      break;
    case 4: // array ↔ object
      if (Array.isArray(current)) set(slot, Object.fromEntries(current.map((v, i) => [String(i), v])));
      else if (current && typeof current === 'object') set(slot, Object.values(current));
      else set(slot, [current]);
      break;
    case 5: // huge string
      set(slot, r.pick(['A', 'é', '😀', 'ह']).repeat(r.pick([1000, 60_000, 300_000])));
      break;
    case 6: // unicode
      set(slot, typeof current === 'string' ? current + r.pick(UNICODE) : r.pick(UNICODE));
      break;
    case 7: // deep nesting
      set(slot, deep(r, 50 + r.int(5000)));
      break;
    default: // a number where a string was, or the reverse
      set(slot, typeof current === 'number' ? String(current) : typeof current === 'string' && /^\d+$/.test(current) ? Number(current) : r.int(1e6));
  }
  return root;
}

/** Mutations of the serialized text: truncation, stray bytes, a BOM, broken escapes. */
export function mutateText(r: Rng, text: string): Buffer {
  switch (r.int(7)) {
    case 0:
      return Buffer.from(text.slice(0, r.int(text.length)));
    case 1: {
      const at = r.int(text.length);
      return Buffer.from(text.slice(0, at) + r.pick(['{', '}', '"', ',', '\\', '\\u12', ']', '\u0000']) + text.slice(at));
    }
    case 2:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    case 3: {
      const bytes = Buffer.from(text);
      if (bytes.length) bytes[r.int(bytes.length)] = r.pick([0xff, 0xc3, 0x80, 0x00]);
      return bytes;
    }
    case 4:
      return Buffer.from(text.replace(/"([^"]*)"/, '"$1", "$1": "$1"')); // a duplicated key
    case 5:
      return Buffer.from(r.pick(['', 'null', '[]', '"just a string"', '123', 'true', '{"a":']));
    default:
      return Buffer.from(text + text); // two documents back to back
  }
}

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=x-unknown',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  '',
  'application/vnd.api+json',
  'application/json, text/plain',
];
