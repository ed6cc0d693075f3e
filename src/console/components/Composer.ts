// Writing to the customer: the reply box (Enter sends; `/shortcut` offers saved replies,
// ready in the customer's language with the placeholders filled), the WhatsApp template
// fallback, saving a new saved reply, and the private note box.
import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../conversations/conversationView.ts';
import type { ReadyReply } from '../../workspace/cannedResponses.ts';
import { t } from '../i18n.ts';
import type { Store } from '../store.ts';

/** The `/word` being typed at the end of the text, if any. */
const slashWord = (text: string) => /(?:^|\s)\/([\p{L}\p{M}\p{N}_-]*)$/u.exec(text);

function Template({ store, conv }: { store: Store; conv: ConversationView }) {
  const [name, setName] = useState('');
  const [language, setLanguage] = useState(conv.locale);
  const [params, setParams] = useState('');
  const send = async () => {
    if (!name.trim()) return;
    const ok = await store.send({ template: { name: name.trim(), language: language.trim() || conv.locale, params: params.split('\n').map((s) => s.trim()).filter(Boolean) } });
    if (ok) setParams('');
  };
  return html`
    <div id="template-box" class="template-box">
      <p id="template-note" class="warn" role="alert">${store.template?.note}</p>
      <div class="template-row">
        <label for="template-name">${t('templateName')}</label>
        <input id="template-name" type="text" spellcheck="false" value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} />
        <label for="template-language">${t('filterLanguage')}</label>
        <input id="template-language" type="text" size="6" spellcheck="false" value=${language} onInput=${(e: Event) => setLanguage((e.target as HTMLInputElement).value)} />
      </div>
      <label for="template-params">${t('templateParams')}</label>
      <textarea id="template-params" rows="2" value=${params} onInput=${(e: Event) => setParams((e.target as HTMLTextAreaElement).value)}></textarea>
      <button id="template-send" class="btn" type="button" onClick=${send}>${t('templateSend')}</button>
    </div>`;
}

function SaveReply({ store }: { store: Store }) {
  const [shortcut, setShortcut] = useState('');
  const [text, setText] = useState('');
  const [team, setTeam] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    if (await store.saveReply({ shortcut: shortcut.replace(/^\//, ''), text, team })) {
      setShortcut('');
      setText('');
    }
  };
  return html`
    <details class="save-reply">
      <summary>${t('cannedNew')}</summary>
      <form id="canned-form" onSubmit=${save}>
        <label for="canned-shortcut">${t('cannedShortcut')}</label>
        <input id="canned-shortcut" type="text" spellcheck="false" value=${shortcut} onInput=${(e: Event) => setShortcut((e.target as HTMLInputElement).value)} />
        <label for="canned-text">${t('cannedText', { placeholder: '{{name}}' })}</label>
        <textarea id="canned-text" rows="2" dir="auto" value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}></textarea>
        ${store.me?.role === 'supervisor' ? html`<label><input id="canned-team" type="checkbox" checked=${team} onChange=${(e: Event) => setTeam((e.target as HTMLInputElement).checked)} /> ${t('cannedForTeam')}</label>` : null}
        <button id="canned-save" class="btn btn-small" type="submit">${t('save')}</button>
      </form>
    </details>`;
}

function NoteBox({ store }: { store: Store }) {
  const [text, setText] = useState('');
  const add = async (e: Event) => {
    e.preventDefault();
    if (text.trim() && (await store.addNote(text.trim()))) setText('');
  };
  return html`
    <form id="note-form" class="note-form" onSubmit=${add}>
      <label for="note-text">${t('noteLabel')}</label>
      <div class="reply-row">
        <input id="note-text" type="text" dir="auto" value=${text} onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} />
        <button id="note-add" class="btn" type="submit">${t('addNote')}</button>
      </div>
    </form>`;
}

export function Composer({ store, conv }: { store: Store; conv: ConversationView }) {
  const [text, setText] = useState('');
  const [pick, setPick] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const slash = slashWord(text);
  const matches: ReadyReply[] = slash ? store.replies.filter((r) => r.shortcut.startsWith(slash[1]!.toLowerCase())).slice(0, 8) : [];

  const insert = (r: ReadyReply) => {
    const at = slash ? text.length - slash[1]!.length - 1 : text.length;
    setText(text.slice(0, at) + r.text);
    setPick(0);
    input.current?.focus();
  };
  const send = async () => {
    const value = text.trim();
    if (!value) return;
    if (await store.send({ text: value })) setText((now) => (now.trim() === value ? '' : now));
    input.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    if (matches.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
      return;
    }
    // Enter sends (or picks a saved reply), Shift+Enter is a new line; never interrupt an IME.
    if ((e.key === 'Enter' || (e.key === 'Tab' && matches.length)) && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (matches.length) insert(matches[Math.min(pick, matches.length - 1)]!);
      else void send();
    }
  };
  return html`
    <form id="reply-form" class="reply" autocomplete="off" novalidate onSubmit=${(e: Event) => {
      e.preventDefault();
      void send();
    }}>
      <label for="reply-text" class="sr-only">${t('replyPlaceholder')}</label>
      <textarea id="reply-text" ref=${input} rows="3" dir="auto" placeholder=${t('replyPlaceholder')} value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)} onKeyDown=${onKey}></textarea>
      ${
        slash
          ? html`<ul id="canned-suggestions" class="suggestions" role="listbox" aria-label=${t('cannedNew')}>
              ${matches.length === 0 ? html`<li class="empty">${t('cannedNone')}</li>` : null}
              ${matches.map(
                (r, i) => html`<li role="option" class=${i === pick ? 'picked' : ''} aria-selected=${i === pick} data-shortcut=${r.shortcut} onMouseDown=${(e: Event) => {
                  e.preventDefault();
                  insert(r);
                }}>
                  <strong>/${r.shortcut}</strong> <span class="chip">${r.team ? t('cannedTeam') : t('cannedMine')}</span> <span class="suggestion-text" lang=${r.language ?? undefined} dir="auto">${r.text}</span>
                </li>`,
              )}
            </ul>`
          : null
      }
      <div class="reply-row">
        <span id="reply-status" class="reply-status" role="status" data-kind=${store.replyStatus?.kind ?? 'info'}>${store.replyStatus?.text ?? ''}</span>
        <button id="reply-suggest" class="btn" type="button" onClick=${async () => {
          const suggested = await store.suggestion();
          if (suggested) setText(suggested);
          input.current?.focus();
        }}>${t('suggest')}</button>
        <button id="reply-send" class="btn btn-primary" type="submit">${t('send')}</button>
      </div>
      ${store.template ? html`<${Template} store=${store} conv=${conv} />` : null}
    </form>
    <${SaveReply} store=${store} />
    <${NoteBox} store=${store} />`;
}
