// Who is signed in, whether live updates are on, available/away, sign out.
import { html } from 'htm/preact';
import { languageName } from '../format.ts';
import { t } from '../i18n.ts';
import type { Store } from '../store.ts';

export function TopBar({ store }: { store: Store }) {
  const me = store.me;
  return html`
    <header class="topbar">
      <h1 class="brand">Baton <span class="brand-sub">${t('consoleTitle')}</span></h1>
      ${
        me
          ? html`
              <div id="agent-me" class="me" data-agent-id=${me.id}>
                <span class="me-name" dir="auto">${me.name}</span>
                <span class="me-role me-extra">${me.role === 'supervisor' ? t('supervisor') : t('agent')}</span>
                <span class="me-languages me-extra">${me.languages.map((l) => languageName(l) || l).join(', ')}</span>
              </div>
              <label class="presence">
                <span class="sr-only">${t('available')} / ${t('away')}</span>
                <select id="presence" value=${store.presence} onChange=${(e: Event) => void store.setPresence((e.target as HTMLSelectElement).value as 'available' | 'away')}>
                  <option value="available">${t('available')}</option>
                  <option value="away">${t('away')}</option>
                </select>
              </label>
              <span id="connection" class="connection" data-connection=${store.connected ? 'online' : 'offline'} title=${store.connected ? t('online') : t('offline')} aria-label=${store.connected ? t('online') : t('offline')}></span>
              <button id="agent-signout" class="btn btn-ghost" type="button" onClick=${() => store.signOut('')}>${t('signOut')}</button>
            `
          : null
      }
    </header>
  `;
}
