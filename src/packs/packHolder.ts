// The running pack, swappable without a restart: a reload loads and validates the new
// pack first, and only a valid one takes over. A turn reads the pack once at its start,
// so a turn in flight finishes with the pack it began with.
import { installPackCatalogs } from '../i18n/i18n.ts';
import { loadPack, type Pack, type PackLoadOptions } from './loadPack.ts';

export type PackHolder = {
  readonly dir: string;
  current(): Pack;
  /** Loads the pack folder again; throws PackInvalid (and keeps the old pack) when it does not validate. */
  reload(): Promise<Pack>;
  /** Called after every swap, e.g. to retrain the classifier on the new phrases. */
  onSwap(listener: (pack: Pack) => Promise<void> | void): void;
  close(): Promise<void>;
};

export async function createPackHolder(dir: string, opts: PackLoadOptions, initial?: Pack): Promise<PackHolder> {
  let pack = initial ?? (await loadPack(dir, opts));
  installPackCatalogs(pack.catalogs);
  const listeners: Array<(pack: Pack) => Promise<void> | void> = [];
  const retired: Pack[] = [];
  return {
    dir,
    current: () => pack,
    async reload() {
      const next = await loadPack(dir, opts);
      for (const listener of listeners) await listener(next);
      retired.push(pack);
      pack = next;
      installPackCatalogs(next.catalogs);
      return next;
    },
    onSwap: (listener) => void listeners.push(listener),
    async close() {
      for (const p of [...retired, pack]) await p.close();
    },
  };
}
