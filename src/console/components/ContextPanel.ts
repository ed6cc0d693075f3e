// What the bots handed over, for people: a one-sentence summary, why a person is
// needed, the intent, what the customer told us (money and dates formatted), who has
// handled it (agents by name), the team's notes and the handoffs.
import { html } from 'htm/preact';
import type { ConversationView } from '../../conversations/conversationView.ts';
import { clockTime, reasonText, slotForPeople } from '../format.ts';
import { t } from '../i18n.ts';
import type { Store } from '../store.ts';

/** "agent:<id>" → the agent's name; bots and the queue by their own words. */
function step(store: Store, entry: string): string {
  const [type, id] = entry.split(':', 2) as [string, string | undefined];
  if (type === 'agent') return store.agentName(id) ?? t('agent');
  if (type === 'queue') return t('heldByQueue');
  return entry;
}

export function ContextPanel({ store, conv }: { store: Store; conv: ConversationView }) {
  const ctx = conv.context;
  const summary = ctx.summary ?? store.inbox.get(conv.id)?.summary;
  const slots = Object.entries(ctx.slots);
  return html`
    <aside id="context" class="context" aria-labelledby="context-title">
      <h2 id="context-title">${t('contextTitle')}</h2>
      ${summary ? html`<h3>${t('summary')}</h3><p class="summary" id="context-summary" lang=${conv.locale} dir="auto">${summary}</p>` : null}
      <h3>${t('escalationReason')}</h3>
      <p class="escalation-reason" id="context-reason" data-reason=${conv.reason ?? ''}>${reasonText(conv.reason) || '—'}</p>
      ${
        ctx.intent
          ? html`<h3>${t('intent')}</h3><p class="intent" id="context-intent">${ctx.intent}${typeof ctx.confidence === 'number' ? ` (${t('confidence', { n: Math.round(ctx.confidence * 100) })})` : ''}</p>`
          : null
      }
      <h3>${t('slots')}</h3>
      ${
        slots.length === 0
          ? html`<p class="empty">${t('noSlots')}</p>`
          : html`<table class="slots" id="context-slots"><tbody>
              ${slots.map(([key, slot]) => {
                const shown = slotForPeople(key, slot.value);
                return html`<tr class="slot" data-slot=${key} data-pii=${slot.pii ? 'true' : undefined}>
                  <th scope="row" title=${key}>${shown.label}</th>
                  <td><span class="slot-value" dir="auto" title=${slot.value}>${shown.text}</span>${slot.pii ? html`<span class="pii">${t('piiTag')}</span>` : null}</td>
                </tr>`;
              })}
            </tbody></table>`
      }
      ${ctx.lineage.length ? html`<h3>${t('lineage')}</h3><p class="lineage" id="context-lineage" dir="auto">${ctx.lineage.map((e) => step(store, e)).join(' → ')}</p>` : null}
      ${
        ctx.notes.length
          ? html`<h3>${t('notes')}</h3><ul class="notes" id="context-notes">
              ${ctx.notes.map((n) => html`<li class="note"><div class="note-text" dir="auto">${n.text}</div><div class="detail">${t('noteBy', { by: n.by, time: clockTime(n.at) })}</div></li>`)}
            </ul>`
          : null
      }
      <h3>${t('handoffs')}</h3>
      ${
        conv.handoffs.length === 0
          ? html`<p class="empty">${t('noHandoffs')}</p>`
          : html`<ol class="handoffs" id="context-handoffs">
              ${conv.handoffs.map(
                (h) => html`<li class="handoff" data-handoff-id=${h.id} data-status=${h.status}>
                  <div class="route" dir="auto">${step(store, h.from)} → ${step(store, h.to)}</div>
                  <div class="detail">${reasonText(h.reason) || h.reason} · ${h.status}</div>
                  <time class="detail" datetime=${h.createdAt}>${clockTime(h.createdAt)}</time>
                </li>`,
              )}
            </ol>`
      }
    </aside>`;
}
