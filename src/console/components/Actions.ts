// Handing the conversation on: back to a bot or the queue (with a note for whoever takes
// it next), resolve, or transfer to a colleague picked by name (online, available,
// languages, load shown; those who speak the customer's language first).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ConversationView } from '../../conversations/conversationView.ts';
import type { TeamMember } from '../../workspace/agentDirectory.ts';
import { languageName } from '../format.ts';
import { t } from '../i18n.ts';
import type { Store } from '../store.ts';

const memberLine = (a: TeamMember) =>
  [a.name, a.online ? (a.presence === 'available' ? t('available') : t('away')) : t('agentOffline'), a.languages.map((l) => languageName(l) || l).join(', '), t('agentLoad', { n: a.load })].join(' · ');

export function Actions({ store, conv }: { store: Store; conv: ConversationView }) {
  const [note, setNote] = useState('');
  const [target, setTarget] = useState('');
  const speaks = (a: TeamMember) => (a.languages.includes(conv.locale) ? 0 : 1);
  const others = store.team.filter((a) => a.id !== store.me?.id).sort((a, b) => speaks(a) - speaks(b) || Number(b.online) - Number(a.online) || a.load - b.load);
  const transfer = () => {
    if (target) void store.transfer(target);
  };
  return html`
    <div id="actions" class="actions">
      <div class="action-row">
        <label for="release-note">${t('releaseNote')}</label>
        <input id="release-note" type="text" dir="auto" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} />
        <button id="release-bot" class="btn" type="button" disabled=${store.acting} onClick=${() => void store.release('bot', note.trim())}>${t('releaseBot')}</button>
        <button id="release-queue" class="btn" type="button" disabled=${store.acting} onClick=${() => void store.release('queue', note.trim())}>${t('releaseQueue')}</button>
        <button id="resolve" class="btn btn-good" type="button" disabled=${store.acting} onClick=${() => void store.resolve()}>${t('resolve')}</button>
      </div>
      <div class="action-row">
        <label for="transfer-agent">${t('transferLabel')}</label>
        <select id="transfer-agent" value=${target} onFocus=${() => void store.loadTeam()} onChange=${(e: Event) => setTarget((e.target as HTMLSelectElement).value)}>
          <option value="">${t('transferPick')}</option>
          ${others.map((a) => html`<option value=${a.id} data-online=${a.online ? 'true' : 'false'}>${memberLine(a)}</option>`)}
        </select>
        <button id="transfer" class="btn" type="button" disabled=${store.acting || !target} onClick=${transfer}>${t('transfer')}</button>
      </div>
    </div>`;
}
