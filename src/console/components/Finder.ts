// Finding conversations: full-text search over messages and customers, or filters by
// label, status, channel, language and agent. Results open like any other card.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { channelName, clockTime, languageName, statusText } from '../format.ts';
import { t } from '../i18n.ts';
import { NO_FILTERS, type Filters, type Store } from '../store.ts';
import { ConversationCard, LocaleChip } from './Sidebar.ts';

const STATUSES = ['bot', 'waiting', 'agent', 'resolved'];
const CHANNELS = ['whatsapp', 'sms', 'webchat'];

export function Finder({ store }: { store: Store }) {
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>({ ...NO_FILTERS });
  const languages = [...new Set([...(store.me?.languages ?? []), ...store.team.flatMap((a) => a.languages)])];
  const select = (key: keyof Filters, label: string, options: Array<[string, string]>) => html`
    <label class="filter">
      <span>${label}</span>
      <select id=${`filter-${key}`} value=${filters[key]} onChange=${(e: Event) => {
        const next = { ...filters, [key]: (e.target as HTMLSelectElement).value };
        setFilters(next);
        void store.applyFilters(next);
      }}>
        <option value="">${t('anyOption')}</option>
        ${options.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
      </select>
    </label>`;
  const found = store.found;
  return html`
    <section class="list-section finder" aria-labelledby="finder-title">
      <h2 id="finder-title" class="sr-only">${t('searchPlaceholder')}</h2>
      <form id="search-form" class="search" role="search" onSubmit=${(e: Event) => {
        e.preventDefault();
        void store.search(query);
      }}>
                <input id="search-text" type="search" dir="auto" placeholder=${t('searchPlaceholder')} value=${query} onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} />
        <button id="search-go" class="btn btn-small" type="submit" aria-label=${t('searchPlaceholder')}>⌕</button>
      </form>
      <details class="filters">
        <summary>${t('filtersTitle')}</summary>
        ${select('label', t('filterLabel'), store.labels.map((l) => [l, l]))}
        ${select('status', t('filterStatus'), STATUSES.map((s) => [s, statusText(s)]))}
        ${select('channel', t('filterChannel'), CHANNELS.map((c) => [c, channelName(c)]))}
        ${select('locale', t('filterLanguage'), languages.map((l) => [l, languageName(l) || l]))}
        ${select('agent', t('filterAgent'), store.team.map((a) => [a.id, a.name]))}
      </details>
      ${
        found
          ? html`
              <div class="found-head">
                <span id="found-count" class="count">${found.items.length}</span>
                <button id="found-clear" class="btn btn-ghost btn-small" type="button" onClick=${() => {
                  setQuery('');
                  setFilters({ ...NO_FILTERS });
                  store.clearFound();
                }}>${t('clear')}</button>
              </div>
              ${found.items.length === 0 ? html`<p id="found-empty" class="empty">${t('noResults')}</p>` : null}
              <ul id="found" class="list">
                ${
                  found.kind === 'filter'
                    ? found.items.map((c) => html`<${ConversationCard} store=${store} conv=${c} cls="found-item" key=${c.id} />`)
                    : found.items.map(
                        (hit) => html`
                          <li class="found-item search-hit" data-conversation-id=${hit.conversationId} data-message-id=${hit.messageId ?? ''} tabindex="0" onClick=${() => void store.openConversation(hit.conversationId, true)}>
                            <div class="item-row">
                              <span class="item-title contact-name" dir="auto">${hit.contactName ?? t('customer')}</span>
                              <${LocaleChip} locale=${hit.locale} />
                            </div>
                            <div class="hit-text" lang=${hit.locale} dir="auto">${hit.text}</div>
                            <div class="detail">${channelName(hit.channel)} · ${statusText(hit.status)} · ${clockTime(hit.at)}</div>
                          </li>`,
                      )
                }
              </ul>
              ${store.foundCursor ? html`<button id="found-more" class="btn btn-small" type="button" onClick=${() => void (found.kind === 'search' ? store.search(store.query, true) : store.applyFilters(store.filters, true))}>${t('moreResults')}</button>` : null}
            `
          : null
      }
    </section>
  `;
}
