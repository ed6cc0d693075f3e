// The sign-in form: an agent token (kept in sessionStorage for reloads of this tab).
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import type { Me, Store } from '../store.ts';

export function SignIn({ store, onSignedIn }: { store: Store; onSignedIn: (me: Me | null) => void }) {
  const [token, setToken] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [store.signInError]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      store.signInError = t('tokenRejected');
      return store.changed();
    }
    const me = await store.signIn(value, false);
    if (me) setToken('');
    onSignedIn(me);
  };
  return html`
    <section id="signin" class="signin" aria-labelledby="signin-title">
      <form id="signin-form" class="signin-card" autocomplete="off" novalidate onSubmit=${submit}>
        <h2 id="signin-title">${t('signIn')}</h2>
        <label for="agent-token">${t('tokenLabel')}</label>
        <input id="agent-token" ref=${input} name="token" type="password" spellcheck="false" autocapitalize="off" required value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} />
        <button id="agent-signin" class="btn btn-primary" type="submit" disabled=${store.signingIn}>${store.signingIn ? t('signIn') : t('signIn')}</button>
        ${store.signInError ? html`<p id="signin-error" class="error" role="alert">${store.signInError}</p>` : null}
      </form>
    </section>
  `;
}
