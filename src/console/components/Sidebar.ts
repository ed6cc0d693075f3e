// The left column: find conversations (search, filters), the waiting inbox (claim or
// take the next), and the conversations this agent holds.
import { html } from 'htm/preact';
import type { ConversationSummary } from '../../conversations/conversationView.ts';
import type { InboxItem } from '../../escalation/inbox.ts';
import { channelName, languageName, reasonText, statusText, waitedFor } from '../format.ts';
import { t } from '../i18n.ts';
import type { Store } from '../store.ts';
import { Finder } from './Finder.ts';

const keyActivate = (go: () => void) => (e: KeyboardEvent) => {
  if (e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ')) {
    e.preventDefault();
    go();
  }
};

export function LocaleChip({ locale }: { locale: string }) {
  const name = languageName(locale);
  return html`<span class="chip locale" title=${t('customerLanguage')}>${name ? `${name} (${locale})` : locale}</span>`;
}

export const Labels = ({ labels }: { labels: string[] }) =>
  labels.length ? html`<span class="labels">${labels.map((l) => html`<span class="chip label" data-label=${l} dir="auto">${l}</span>`)}</span>` : null;

function InboxCard({ store, item }: { store: Store; item: InboxItem }) {
  const id = item.conversationId;
  const sla = store.sla.get(id);
  const claiming = store.claiming.has(id);
  const open = () => void store.openConversation(id, true);
  return html`
    <li class=${`inbox-item${sla != null ? ' sla' : ''}${store.open?.id === id ? ' active' : ''}`} data-conversation-id=${id} data-channel=${item.channel} data-locale=${item.locale} tabindex="0" onClick=${open} onKeyDown=${keyActivate(open)}>
      <div class="item-row">
        <span class="item-title contact-name" dir="auto">${item.contactName ?? t('customer')}</span>
        <${LocaleChip} locale=${item.locale} />
        ${item.priority > 0 ? html`<span class="chip priority">${t('priority', { n: item.priority })}</span>` : null}
      </div>
      <div class="item-reason">
        <span class="channel">${channelName(item.channel)}</span>${' · '}
        <span class="reason" data-reason=${item.reason ?? ''}>${reasonText(item.reason) || '—'}</span>${' · '}
        <span class="waiting" data-since=${item.waitingSince ?? ''}>${t('waitingFor', { time: waitedFor(item.waitingSince) })}</span>
      </div>
      ${item.summary ? html`<div class="item-summary summary" lang=${item.locale} dir="auto">${item.summary}</div>` : null}
      <${Labels} labels=${item.labels ?? []} />
      ${sla != null ? html`<div class="item-sla">${t('slaBreached', { reason: reasonText(sla) || reasonText('sla') })}</div>` : null}
      <button class="btn btn-primary claim" type="button" disabled=${claiming} onClick=${(e: Event) => {
        e.stopPropagation();
        void store.claim(id);
      }}>${claiming ? t('claim') : t('claim')}</button>
    </li>
  `;
}

export function ConversationCard({ store, conv, cls }: { store: Store; conv: ConversationSummary; cls: string }) {
  const open = () => void store.openConversation(conv.id, !store.heldByMe(conv));
  const holder = conv.owner.type === 'agent' ? store.agentName(conv.owner.id) : null;
  return html`
    <li class=${`${cls}${store.unread.has(conv.id) ? ' unread' : ''}${store.sla.has(conv.id) ? ' sla' : ''}${store.open?.id === conv.id ? ' active' : ''}`} data-conversation-id=${conv.id} data-channel=${conv.channel} data-locale=${conv.locale} data-status=${conv.status} tabindex="0" onClick=${open} onKeyDown=${keyActivate(open)}>
      <div class="item-row">
        <span class="item-title contact-name" dir="auto">${conv.contact.name ?? conv.contact.phone ?? t('customer')}</span>
        <${LocaleChip} locale=${conv.locale} />
      </div>
      <div class="item-reason">
        <span class="channel">${channelName(conv.channel)}</span>${' · '}<span class="status">${statusText(conv.status)}</span>
        ${holder ? html`${' · '}<span class="holder" dir="auto">${holder}</span>` : null}
        ${conv.reason ? html`${' · '}<span class="reason" data-reason=${conv.reason}>${reasonText(conv.reason)}</span>` : null}
      </div>
      <${Labels} labels=${conv.labels ?? []} />
    </li>
  `;
}

export function Sidebar({ store }: { store: Store }) {
  const waiting = store.inboxOrder();
  const mine = [...store.mine.values()];
  return html`
    <nav class="sidebar" aria-label=${t('consoleTitle')}>
      <${Finder} store=${store} />
      <section class="list-section" aria-labelledby="inbox-title">
        <h2 id="inbox-title">${t('inboxTitle')} <span id="inbox-count" class="count">${waiting.length}</span>
          <button id="take-next" class="btn btn-small" type="button" onClick=${() => void store.takeNext()}>${t('takeNext')}</button>
        </h2>
        ${waiting.length ? null : html`<p id="inbox-empty" class="empty">${t('inboxEmpty')}</p>`}
        <ul id="inbox" class="list" aria-live="polite">${waiting.map((item) => html`<${InboxCard} store=${store} item=${item} key=${item.conversationId} />`)}</ul>
      </section>
      <section class="list-section" aria-labelledby="mine-title">
        <h2 id="mine-title">${t('mineTitle')} <span id="mine-count" class="count">${mine.length}</span></h2>
        ${mine.length ? null : html`<p id="mine-empty" class="empty">${t('mineEmpty')}</p>`}
        <ul id="mine" class="list">${mine.map((c) => html`<${ConversationCard} store=${store} conv=${c} cls="mine-item" key=${c.id} />`)}</ul>
      </section>
    </nav>
  `;
}
