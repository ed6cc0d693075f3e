// The whole page: the top bar, a notice line, and either the sign-in form or the
// workspace (lists on the side, the open conversation, its context).
import { html } from 'htm/preact';
import { useEffect, useReducer, useState } from 'preact/hooks';
import { startEvents } from '../events.ts';
import { loadStrings, t } from '../i18n.ts';
import { Store } from '../store.ts';
import { ConversationPane } from './ConversationPane.ts';
import { ContextPanel } from './ContextPanel.ts';
import { Sidebar } from './Sidebar.ts';
import { SignIn } from './SignIn.ts';
import { TopBar } from './TopBar.ts';

const store = new Store();
const REFRESH_MS = 15_000;
const HEARTBEAT_MS = 60_000;

/** ?lang= wins; else the agent's first language; else the browser's. */
const chosenLocale = () => new URLSearchParams(location.search).get('lang');

export function App() {
  const [, bump] = useReducer((n: number, _: 0) => n + 1, 0);
  const [ready, setReady] = useState(false);
  useEffect(() => store.listen(() => bump(0)), []);

  useEffect(() => {
    const boot = async () => {
      await loadStrings(chosenLocale() ?? navigator.language.split('-')[0] ?? 'en').catch(() => loadStrings('en').catch(() => {}));
      setReady(true);
      const stored = store.storedToken();
      if (stored) await signedIn(await store.signIn(stored, true));
    };
    void boot();
  }, []);

  const me = store.me;
  useEffect(() => {
    if (!me) return;
    void store.loadInbox();
    void store.loadMine();
    void store.loadTeam();
    void store.loadLabels();
    const stop = startEvents(store);
    const refresh = setInterval(() => {
      void store.loadInbox();
      void store.loadMine();
      bump(0); // waiting times move on
    }, REFRESH_MS);
    const heartbeat = setInterval(() => void store.setPresence(store.presence), HEARTBEAT_MS);
    return () => {
      stop();
      clearInterval(refresh);
      clearInterval(heartbeat);
    };
  }, [me?.id]);

  if (!ready) return null;
  return html`
    <${TopBar} store=${store} />
    ${store.notice ? html`<div id="notice" class="notice" role="status" aria-live="polite" data-kind=${store.notice.kind}>${store.notice.text}</div>` : html`<div id="notice" class="notice" role="status" aria-live="polite" hidden></div>`}
    ${
      me
        ? html`<main id="workspace" class="workspace">
            <${Sidebar} store=${store} />
            ${store.open ? html`<${ConversationPane} store=${store} open=${store.open} key=${store.open.id} />` : html`<section id="placeholder" class="placeholder"><p>${t('nothingOpen')}</p></section>`}
            ${store.open?.conv ? html`<${ContextPanel} store=${store} conv=${store.open.conv} />` : null}
          </main>`
        : html`<${SignIn} store=${store} onSignedIn=${signedIn} />`
    }
  `;
}

/** The console speaks the agent's language unless the page asked for one. */
async function signedIn(me: { languages: string[] } | null): Promise<void> {
  if (!me || chosenLocale()) return;
  const first = me.languages[0];
  if (first && first !== document.documentElement.lang) {
    await loadStrings(first).catch(() => {});
    store.changed();
  }
}
