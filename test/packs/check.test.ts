// The pack checker: every problem a business developer can make in a pack is reported
// with its file and field, and a pack with any problem never runs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPack, DEFAULT_PACK_DIR, loadPack, PackInvalid, type PackProblem } from '../../src/packs/loadPack.ts';
import type { PackManifestInput } from '../../src/packs/packSchema.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'baton-packs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;

/** A copy of the demo pack with `change` applied to its pack.json (and files). */
function variant(change: (m: PackManifestInput) => void, files: Record<string, unknown> = {}): string {
  const dir = path.join(scratch, `pack-${n++}`);
  cpSync(DEFAULT_PACK_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8')) as PackManifestInput;
  change(manifest);
  writeFileSync(path.join(dir, 'pack.json'), JSON.stringify(manifest));
  for (const [file, content] of Object.entries(files)) {
    if (content === undefined) rmSync(path.join(dir, file));
    else writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const problems = (dir: string): PackProblem[] => checkPack(dir, {}).problems;
const bot = (m: PackManifestInput, id: string) => m.bots.find((b) => b.id === id)!;

describe('checkPack', () => {
  it('accepts the bundled demo pack', () => {
    expect(problems(DEFAULT_PACK_DIR)).toEqual([]);
  });

  it('names an intent whose owner is not a bot of the pack', () => {
    const dir = variant((m) => void (m.intents[0]!.owner = 'shipping'));
    expect(problems(dir)).toContainEqual({ file: 'pack.json', field: 'intents[0].owner', message: expect.stringMatching(/"shipping", which is not a bot/) });
  });

  it('names a handoff target that does not exist', () => {
    const dir = variant((m) => void bot(m, 'orders').handsTo!.push('returns'));
    expect(problems(dir)).toContainEqual(expect.objectContaining({ file: 'pack.json', field: 'bots[1].handsTo', message: expect.stringMatching(/"orders" may hand to "returns", which does not exist/) }));
  });

  it('refuses a handoff cycle that no bot in it can leave', () => {
    const dir = variant((m) => {
      for (const id of ['orders', 'billing']) bot(m, id).mayEscalate = false;
      bot(m, 'orders').handsTo = ['billing'];
      bot(m, 'billing').handsTo = ['orders'];
    });
    expect(problems(dir).map((p) => p.message)).toContainEqual(expect.stringMatching(/handoff cycle orders → billing → orders has no exit/));
  });

  it('names an intent without training phrases in a declared language, with the file', () => {
    const hi = JSON.parse(readFileSync(path.join(DEFAULT_PACK_DIR, 'training/hi.json'), 'utf8')) as Record<string, string[]>;
    delete hi['order.cancel'];
    const dir = variant(() => {}, { 'training/hi.json': hi });
    expect(problems(dir)).toContainEqual({ file: 'training/hi.json', field: 'order.cancel', message: 'intent "order.cancel" has no training phrases in "hi"' });
  });

  it('names a catalog key English has and another declared language lacks', () => {
    const ta = JSON.parse(readFileSync(path.join(DEFAULT_PACK_DIR, 'locales/ta/orders.json'), 'utf8')) as Record<string, unknown>;
    delete ta.notFound;
    const dir = variant(() => {}, { 'locales/ta/orders.json': ta });
    expect(problems(dir)).toContainEqual({ file: 'locales/ta/orders.json', field: 'notFound', message: 'missing catalog key "notFound"' });
  });

  it('names a bad action template and an env var the pack did not declare', () => {
    const dir = variant((m) => {
      m.actions![0]!.url = '{{env.STORE_URL}}/orders/{{slots.orderId}';
    });
    const found = problems(dir).filter((p) => p.field === 'actions[0]').map((p) => p.message);
    expect(found.join('\n')).toMatch(/STORE_URL/);
    expect(found.join('\n')).toMatch(/unbalanced/);
  });

  it('names a declared env var that is not set (unless a development service provides it)', () => {
    const dir = variant((m) => {
      m.env = [...(m.env ?? []), 'SHOPKART_API_KEY'];
    });
    expect(problems(dir)).toContainEqual({ file: 'pack.json', field: 'env', message: 'env var SHOPKART_API_KEY is not set' });
    expect(checkPack(dir, { SHOPKART_API_KEY: 'k' }).problems).toEqual([]);
  });

  it('names an llm bot that has no model to talk to', () => {
    const dir = variant((m) => {
      m.bots.push({ id: 'advisor', kind: 'llm', pattern: 'peer', instructions: 'Help with gifts.' });
      m.intents.push({ id: 'gift.advice', owner: 'advisor' });
    }, {});
    const found = checkPack(dir, {}).problems.filter((p) => p.field.startsWith('bots[4]'));
    expect(found.map((p) => p.message)).toEqual([
      'llm bot "advisor" has no model endpoint: set LLM_BASE_URL or give the bot a baseUrlEnv',
      'llm bot "advisor" has no model: set LLM_MODEL or give the bot a model',
    ]);
    expect(checkPack(dir, { LLM_BASE_URL: 'http://127.0.0.1:1/v1', LLM_MODEL: 'm' }).problems.filter((p) => p.field.startsWith('bots[4]'))).toEqual([]);
  });

  it('names an unknown field value with its path (zod at the edge)', () => {
    const dir = variant((m) => void ((bot(m, 'orders') as { pattern: string }).pattern = 'sideways'));
    expect(problems(dir)).toContainEqual(expect.objectContaining({ file: 'pack.json', field: 'bots.1.pattern' }));
  });

  it('reports every problem at once, not only the first', () => {
    const dir = variant((m) => {
      m.intents[0]!.owner = 'shipping';
      bot(m, 'support').handsTo = ['nowhere'];
      m.triage = 'reception';
    });
    expect(problems(dir).length).toBeGreaterThanOrEqual(3);
  });
});

describe('loadPack', () => {
  it('refuses an invalid pack with one line naming the file and the problem', async () => {
    const dir = variant((m) => void (m.intents[0]!.owner = 'shipping'));
    const err = await loadPack(dir, { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackInvalid);
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).toMatch(/pack\.json intents\[0\]\.owner: intent "order\.status" is owned by "shipping"/);
  });
});

describe('npm run pack:check', () => {
  const run = (dir: string) => spawnSync(process.execPath, ['--import', 'tsx', 'src/main/packCheck.ts', dir], { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8' });

  it('exits 0 on a valid pack and 1 listing each problem with file and field', () => {
    const ok = run(DEFAULT_PACK_DIR);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/ShopKart 2\.0\.0: ok/);
    const bad = run(variant((m) => {
      m.intents[0]!.owner = 'shipping';
      bot(m, 'support').handsTo = ['nowhere'];
    }));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/pack\.json intents\[0\]\.owner: /);
    expect(bad.stdout).toMatch(/pack\.json bots\[3\]\.handsTo: /);
  });
});
