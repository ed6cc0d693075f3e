// Shared by the reliability tests: a Baton without background workers (each test runs
// the piece it is about), a customer message stored through the real webhook, the turn
// dependencies with a classifier the test controls, and a database that can "go away".
import type { Db } from '../../src/db/client.ts';
import type { TurnDeps } from '../../src/turn/runBotTurn.ts';
import { LanguageDetector } from '../../src/i18n/detectLanguage.ts';
import { languageSamples } from '../../src/i18n/languageSamples.ts';
import type { Classifier } from '../../src/understanding/classifier.ts';
import { afterAll, beforeAll } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratchDatabase.ts';
import { postWhatsAppText } from '../support/whatsappFlow.ts';

/**
 * A Baton without workers on a database of its own (no other file's sweeper takes its
 * outbox rows), started before the file's tests and closed after them.
 */
export function useHarness(name: string, env: Record<string, string> = {}): Harness {
  let scratch: ScratchDatabase | undefined;
  let started: Harness | undefined;
  beforeAll(async () => {
    scratch = await createScratchDatabase(name);
    started = await startHarness({ workers: false, databaseUrl: scratch.url, env });
  }, 120_000);
  afterAll(async () => {
    await started?.close();
    await scratch?.drop();
  });
  // Usable at the top of the file; its fields exist once beforeAll has run.
  return new Proxy({} as Harness, { get: (_, prop) => Reflect.get(started ?? {}, prop) });
}

let counter = 0;
/** The customer writes over WhatsApp; returns the stored inbound message. */
export async function customerWrites(h: Harness, waId: string, text: string) {
  const id = `wamid.rel-${waId}-${++counter}-${Date.now()}`;
  const res = await postWhatsAppText(h, { from: waId, id, text });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  return h.rt.db.message.findUniqueOrThrow({ where: { channel_providerMessageId: { channel: 'whatsapp', providerMessageId: id } } });
}

/** Every text is a greeting, except that `classify` may be replaced by the test. */
export function stubClassifier(classify?: Classifier['classify']): Classifier {
  return { classify: classify ?? (async () => ({ intent: 'greeting', confidence: 0.99, alternatives: [], source: 'rule' })) };
}

let detector: LanguageDetector | undefined;
export function turnDeps(h: Harness, classifier: Classifier, db: Db = h.rt.db): TurnDeps {
  const pack = h.rt.packs.current();
  detector ??= new LanguageDetector(languageSamples({ examples: pack.examples, catalogs: pack.catalogs }));
  return { db, locks: h.rt.locks, dispatcher: h.rt.dispatcher, log: h.rt.log, events: h.rt.events, pack, bots: pack.bots, packVersion: pack.version, classifier, detector };
}

/** An error as a dropped PostgreSQL connection gives. */
export const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/**
 * `db` with a switch: while `down` is set, every query fails as if PostgreSQL were
 * stopped. `afterRaw` runs after each successful raw statement, with its text (each is
 * its own transaction: committed by then), to interleave work.
 */
export function switchableDb(real: Db, hooks: { afterRaw?: (sql: string) => Promise<void> } = {}) {
  const state = { down: false };
  const fail = () => Promise.reject(connectionRefused());
  const wrap = (target: object): unknown =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value = Reflect.get(t, prop, receiver) as unknown;
        if ((prop === '$queryRaw' || prop === 'sql') && hooks.afterRaw) {
          return async (strings: TemplateStringsArray, ...values: unknown[]) => {
            if (state.down) return fail();
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(t, [strings, ...values]);
            await hooks.afterRaw?.(strings.join('$'));
            return result;
          };
        }
        if (typeof value === 'function') return (...args: unknown[]) => (state.down ? fail() : (value as (...a: unknown[]) => unknown).apply(t, args));
        if (value && typeof value === 'object' && typeof prop === 'string' && !prop.startsWith('_')) return wrap(value);
        return value;
      },
    });
  return { db: wrap(real) as Db, state };
}
