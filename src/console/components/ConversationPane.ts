// The open conversation: who and in which language, its labels, the thread (messages
// and the team's private notes, in time order), and — when this agent holds it — the
// reply box, the note box and the hand-on actions.
import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../conversations/conversationView.ts';
import type { MessageView } from '../../conversations/messageView.ts';
import type { NoteView } from '../../workspace/notes.ts';
import { isRtl } from '../../i18n/direction.ts';
import { channelName, clockTime, languageName, statusText, toTime } from '../format.ts';
import { has, t } from '../i18n.ts';
import { fetchFile } from '../api.ts';
import type { OpenConversation, Store } from '../store.ts';
import { Actions } from './Actions.ts';
import { Composer } from './Composer.ts';

function ownerText(store: Store, conv: ConversationView): string {
  const o = conv.owner;
  if (o.type === 'queue') return t('heldByQueue');
  if (o.type === 'bot') return t('heldByBot', { name: o.id ?? '' });
  if (o.type === 'agent') return store.me && o.id === store.me.id ? t('heldByYou') : t('heldByAgent', { name: store.agentName(o.id) ?? t('agent') });
  return '';
}

type Attachment = NonNullable<MessageView['attachments']>[number];

/**
 * A file the message carries. Media need the agent's token, which an <img src> cannot
 * send: the file is fetched with it and shown from a blob: URL (the CSP allows blob:
 * images). A file still downloading (409) is tried again a few seconds later.
 */
function AttachmentView({ a }: { a: Attachment }) {
  const [src, setSrc] = useState<string | null>(null);
  const isImage = (a.mimeType ?? '').startsWith('image/');
  useEffect(() => {
    if (!isImage) return;
    let url: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const load = async () => {
      const file = await fetchFile(a.url);
      if (!live) return;
      if (file === 'later') timer = setTimeout(() => void load(), 3000);
      else if (file) setSrc((url = URL.createObjectURL(file)));
    };
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
      if (url) URL.revokeObjectURL(url);
    };
  }, [a.url, isImage]);
  const name = a.filename ?? a.mimeType ?? a.kind;
  return html`<div class="attachment" data-attachment-id=${a.id} data-kind=${a.kind}>
    ${isImage && src ? html`<img class="attachment-image" src=${src} alt=${name} />` : html`<span class="attachment-name" dir="auto">${name}</span>`}
  </div>`;
}

function Message({ m, locale }: { m: MessageView; locale: string }) {
  const type = m.author.type;
  const kind = type === 'bot' ? 'bot' : type === 'system' ? 'system' : 'person';
  const badge = type === 'bot' ? t('bot') : type === 'agent' ? t('agent') : type === 'contact' ? t('customer') : t('bot');
  // Customers and bots write in the customer's language; an agent may write either.
  const theirs = type !== 'agent';
  const foot = [clockTime(m.createdAt), m.direction === 'outbound' ? (has(`messageStatus.${m.status}`) ? t(`messageStatus.${m.status}`) : m.status) : ''].filter(Boolean).join(' · ');
  return html`
    <div class="msg" data-author-type=${type} data-message-id=${m.id} data-direction=${m.direction} data-status=${m.status} data-person=${kind === 'person' ? 'true' : 'false'}>
      <div class="who"><span class=${`kind-badge ${kind}`}>${badge}</span>${m.author.name ? html`<span class="author-name" dir="auto">${m.author.name}</span>` : null}</div>
      <div class="bubble">
        <div class="text" lang=${theirs ? locale : undefined} dir=${theirs && isRtl(locale) ? 'rtl' : 'auto'}>${m.text}</div>
        ${m.attachments?.length ? html`<div class="attachments">${m.attachments.map((a) => html`<${AttachmentView} a=${a} key=${a.id} />`)}</div>` : null}
        ${m.options?.length ? html`<div class="options">${m.options.map((o) => html`<span class="option" dir="auto">${o.title}</span>`)}</div>` : null}
      </div>
      <div class="foot">${foot}</div>
    </div>`;
}

const Note = ({ n }: { n: NoteView }) => html`
  <div class="msg note" data-author-type="note">
    <div class="who"><span class="kind-badge note">${t('privateNote')}</span><span class="author-name" dir="auto">${n.by}</span></div>
    <div class="bubble"><div class="text" dir="auto">${n.text}</div></div>
    <div class="foot">${clockTime(n.at)}</div>
  </div>`;

function Transcript({ conv }: { conv: ConversationView }) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const items = [
    ...conv.messages.map((m) => ({ at: toTime(m.createdAt), node: html`<${Message} m=${m} locale=${conv.locale} key=${m.id} />` })),
    ...conv.context.notes.map((n, i) => ({ at: toTime(n.at), node: html`<${Note} n=${n} key=${`note-${i}`} />` })),
  ].sort((a, b) => a.at - b.at);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });
  const onScroll = () => {
    const el = box.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  return html`<div id="transcript" class="transcript" role="log" aria-live="polite" tabindex="0" ref=${box} onScroll=${onScroll}>${items.map((i) => i.node)}</div>`;
}

function LabelEditor({ store, conv }: { store: Store; conv: ConversationView }) {
  const [label, setLabel] = useState('');
  const add = (e: Event) => {
    e.preventDefault();
    const value = label.trim();
    if (!value) return;
    void store.changeLabels({ add: [value] });
    setLabel('');
  };
  return html`
    <form id="labels" class="label-editor" onSubmit=${add}>
      <span class="sr-only">${t('addLabel')}</span>
      ${(conv.labels ?? []).map(
        (l) => html`<span class="chip label" data-label=${l} dir="auto">${l}<button type="button" class="chip-x" aria-label=${t('removeLabel', { label: l })} onClick=${() => void store.changeLabels({ remove: [l] })}>×</button></span>`,
      )}
      <input id="label-new" list="label-options" dir="auto" placeholder=${t('addLabel')} value=${label} onInput=${(e: Event) => setLabel((e.target as HTMLInputElement).value)} />
      <datalist id="label-options">${store.labels.map((l) => html`<option value=${l} />`)}</datalist>
    </form>`;
}

export function ConversationPane({ store, open }: { store: Store; open: OpenConversation }) {
  const conv = open.conv;
  if (!conv) return html`<section id="conversation" class="conversation" data-conversation-id=${open.id} data-mode=${open.mode}><h2 id="conversation-title">${t('loading')}</h2></section>`;
  const name = languageName(conv.locale);
  const native = languageName(conv.locale, conv.locale);
  const claiming = store.claiming.has(conv.id);
  return html`
    <section id="conversation" class="conversation" aria-labelledby="conversation-title" data-conversation-id=${conv.id} data-status=${conv.status} data-locale=${conv.locale} data-mode=${open.mode}>
      <div class="conv-head">
        <div class="conv-who">
          <h2 id="conversation-title" dir="auto">${conv.contact.name ?? conv.contact.phone ?? t('customer')}</h2>
          <div id="conversation-meta" class="conv-meta">
            <span class="chip channel">${channelName(conv.channel)}</span>
            ${conv.contact.phone && conv.contact.name ? html`<span class="phone" dir="ltr">${conv.contact.phone}</span>` : null}
            <span class="status">${statusText(conv.status)}</span>
            <span class="owner" dir="auto">${ownerText(store, conv)}</span>
          </div>
          <${LabelEditor} store=${store} conv=${conv} />
        </div>
        <div id="conversation-locale" class="locale-badge" data-locale=${conv.locale} title=${t('customerLanguage')}>
          <span class="locale-name">${name || conv.locale}</span>
          <small>${native && native !== name ? html`<bdi class="locale-native" lang=${conv.locale}>${native}</bdi> · ` : null}<span class="locale-code">${conv.locale}</span></small>
        </div>
      </div>
      ${open.banner ? html`<div id="conversation-banner" class="banner">${open.banner}</div>` : null}
      <${Transcript} conv=${conv} />
      ${
        open.mode === 'preview'
          ? html`<div id="preview-bar" class="preview-bar"><span>${t('previewNote')}</span>
              <button id="preview-claim" class="btn btn-primary" type="button" disabled=${claiming} onClick=${() => void store.claim(conv.id)}>${claiming ? t('claim') : t('claim')}</button></div>`
          : null
      }
      ${open.mode === 'agent' ? html`<${Composer} store=${store} conv=${conv} /><${Actions} store=${store} conv=${conv} />` : null}
    </section>`;
}
