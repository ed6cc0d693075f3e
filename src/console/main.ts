// The agent console (GET /agent): Preact components written with htm (no JSX, so no
// compiler beyond esbuild's bundling). Start at components/App.ts; the state and
// every action live in store.ts, the live events in events.ts, labels in i18n.ts.
//
// Safety: customer text, names, summaries and slot values are untrusted. They are
// only ever rendered as text (Preact escapes it); nothing here writes markup from strings
// (test/workspace checks these sources for it).
import { html, render } from 'htm/preact';
import { App } from './components/App.ts';

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
