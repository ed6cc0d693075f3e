// Which languages are written right to left. A module of its own (no Node imports) so
// the server and the agent console, bundled for the browser, share the one list.
import type { Locale } from '../config/env.ts';

export const RTL_LOCALES: ReadonlySet<Locale> = new Set(['ur', 'ks', 'sd']);

/** `ur`, `ur-PK`, `UR_in` → rtl. */
export const isRtl = (locale: string | null | undefined): boolean =>
  !!locale && RTL_LOCALES.has(locale.toLowerCase().split(/[-_]/)[0] as Locale);
