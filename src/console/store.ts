// The console's state and everything it does, in one place: components read the store
// and call its actions; the store calls the API and tells its listeners to re-render.
import type { Suggestions } from '../workspace/assist.ts';
import type { z } from 'zod';
import type { ConversationSummary, ConversationView } from '../conversations/conversationView.ts';
import type { MessageView } from '../conversations/messageView.ts';
import type { InboxItem } from '../escalation/inbox.ts';
import type { Me as MeSchema } from '../http/routes/agentRoutes.ts';
import type { SearchHit } from '../workspace/search.ts';
import type { TeamMember } from '../workspace/agentDirectory.ts';
import type { ReadyReply } from '../workspace/cannedResponses.ts';
import type { NoteView } from '../workspace/notes.ts';
import { api, convPath, errorDetail, session } from './api.ts';
import { t } from './i18n.ts';
import { toTime } from './format.ts';

export type Me = z.infer<typeof MeSchema>;
export type Mode = 'preview' | 'agent' | 'readonly';
export type OpenConversation = { id: string; mode: Mode; conv: ConversationView | null; banner: string; early: MessageView[] };
export type Filters = { label: string; status: string; channel: string; locale: string; agent: string };
export type Found = { kind: 'filter'; items: ConversationSummary[] } | { kind: 'search'; items: SearchHit[] };

const TOKEN_KEY = 'baton.agentToken';
const NOTICE_MS = 7000;
export const NO_FILTERS: Filters = { label: '', status: '', channel: '', locale: '', agent: '' };

export class Store {
  me: Me | null = null;
  signInError = '';
  signingIn = false;
  connected = false;
  presence: 'available' | 'away' = 'away';
  inbox = new Map<string, InboxItem>();
  mine = new Map<string, ConversationSummary>();
  sla = new Map<string, string>();
  unread = new Set<string>();
  claiming = new Set<string>();
  open: OpenConversation | null = null;
  team: TeamMember[] = [];
  labels: string[] = [];
  replies: ReadyReply[] = [];
  filters: Filters = { ...NO_FILTERS };
  query = '';
  found: Found | null = null;
  foundCursor: string | null = null;
  notice: { text: string; kind: 'info' | 'error' } | null = null;
  replyStatus: { text: string; kind: 'info' | 'error' } | null = null;
  template: { note: string } | null = null;
  acting = false;

  private listeners = new Set<() => void>();
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    session.onUnauthorized = () => this.signOut(t('sessionExpired'));
  }

  listen(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }
  changed(): void {
    for (const fn of this.listeners) fn();
  }

  say(text: string, kind: 'info' | 'error' = 'info'): void {
    this.notice = { text, kind };
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice = null;
      this.changed();
    }, NOTICE_MS);
    this.changed();
  }

  // ---------------------------------------------------------------- session

  storedToken(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  /** Signs in; returns the agent, or null with signInError set. */
  async signIn(token: string, fromStorage: boolean): Promise<Me | null> {
    this.signingIn = true;
    this.signInError = '';
    this.changed();
    const r = await api<Me>('GET', '/api/me', undefined, { token, signingIn: true });
    this.signingIn = false;
    if (r.ok && r.data?.id) {
      try {
        sessionStorage.setItem(TOKEN_KEY, token);
      } catch {
        // storage blocked: the sign-in lasts as long as the page
      }
      session.token = token;
      this.me = r.data;
      this.changed();
      return r.data;
    }
    if (r.status === 401 || r.status === 403) {
      try {
        sessionStorage.removeItem(TOKEN_KEY);
      } catch {
        // ignore
      }
      this.signInError = fromStorage ? t('sessionExpired') : t('tokenRejected');
    } else {
      this.signInError = t('unreachable', { detail: errorDetail(r) });
    }
    this.changed();
    return null;
  }

  signOut(message = ''): void {
    session.epoch++;
    session.token = null;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // ignore
    }
    this.me = null;
    this.inbox.clear();
    this.mine.clear();
    this.sla.clear();
    this.unread.clear();
    this.open = null;
    this.found = null;
    this.signInError = message;
    this.changed();
  }

  // ---------------------------------------------------------------- lists

  inboxOrder(): InboxItem[] {
    return [...this.inbox.values()].sort((a, b) => {
      if (a.priority !== b.priority) return b.priority - a.priority;
      const wa = toTime(a.waitingSince);
      const wb = toTime(b.waitingSince);
      return (Number.isFinite(wa) ? wa : Infinity) - (Number.isFinite(wb) ? wb : Infinity);
    });
  }

  async loadInbox(): Promise<void> {
    const r = await api<InboxItem[]>('GET', '/api/inbox');
    if (r.stale || !r.ok || !Array.isArray(r.data)) return;
    this.inbox = new Map(r.data.map((item) => [item.conversationId, item]));
    for (const id of [...this.sla.keys()]) if (!this.inbox.has(id) && !this.mine.has(id)) this.sla.delete(id);
    this.changed();
  }

  upsertInbox(item: InboxItem): void {
    if (this.mine.delete(item.conversationId)) this.unread.delete(item.conversationId);
    this.inbox.set(item.conversationId, { ...this.inbox.get(item.conversationId), ...item });
    this.changed();
  }

  heldByMe(c: { owner: { type: string; id: string | null } } | null | undefined): boolean {
    return !!c && c.owner.type === 'agent' && !!this.me && c.owner.id === this.me.id;
  }

  async loadMine(): Promise<void> {
    if (!this.me) return;
    const r = await api<{ conversations: ConversationSummary[] }>('GET', `/api/conversations?status=agent&agent=${encodeURIComponent(this.me.id)}&limit=200`);
    if (r.stale || !r.ok || !r.data) return;
    this.mine = new Map(r.data.conversations.filter((c) => this.heldByMe(c)).map((c) => [c.id, c]));
    for (const id of [...this.unread]) if (!this.mine.has(id)) this.unread.delete(id);
    this.changed();
  }

  async loadTeam(): Promise<void> {
    const r = await api<TeamMember[]>('GET', '/api/agents');
    if (r.stale || !r.ok || !Array.isArray(r.data)) return;
    this.team = r.data;
    const self = this.me ? r.data.find((a) => a.id === this.me?.id) : undefined;
    if (self) this.presence = self.presence;
    this.changed();
  }

  async loadLabels(): Promise<void> {
    const r = await api<{ labels: string[] }>('GET', '/api/labels');
    if (r.stale || !r.ok || !r.data) return;
    this.labels = r.data.labels;
    this.changed();
  }

  agentName(id: string | null | undefined): string | null {
    if (!id) return null;
    if (this.me && id === this.me.id) return this.me.name;
    return this.team.find((a) => a.id === id)?.name ?? null;
  }

  // ---------------------------------------------------------------- presence and assignment

  async setPresence(presence: 'available' | 'away'): Promise<void> {
    const r = await api<{ presence: 'available' | 'away'; assigned: string[] }>('POST', '/api/me/presence', { presence });
    if (r.stale || !r.ok || !r.data) return;
    this.presence = r.data.presence;
    this.changed();
    if (r.data.assigned.length) {
      await this.loadMine();
      await this.loadInbox();
    }
  }

  async takeNext(): Promise<void> {
    const r = await api<{ conversationId: string | null }>('POST', '/api/inbox/next', {});
    if (r.stale) return;
    if (!r.ok || !r.data) return this.say(t('actionFailed', { detail: errorDetail(r) }), 'error');
    if (!r.data.conversationId) return this.say(t('nothingToTake'));
    this.inbox.delete(r.data.conversationId);
    await this.loadMine();
    await this.openConversation(r.data.conversationId, false);
  }

  // ---------------------------------------------------------------- finding

  async applyFilters(filters: Filters, more = false): Promise<void> {
    this.filters = filters;
    this.query = '';
    const q = new URLSearchParams({ limit: '30' });
    for (const [key, value] of Object.entries(filters)) if (value) q.set(key, value);
    if (more && this.foundCursor) q.set('cursor', this.foundCursor);
    const r = await api<{ conversations: ConversationSummary[]; nextCursor: string | null }>('GET', `/api/conversations?${q}`);
    if (r.stale) return;
    if (!r.ok || !r.data) return this.say(t('actionFailed', { detail: errorDetail(r) }), 'error');
    const before = more && this.found?.kind === 'filter' ? this.found.items : [];
    this.found = { kind: 'filter', items: [...before, ...r.data.conversations] };
    this.foundCursor = r.data.nextCursor;
    this.changed();
  }

  async search(query: string, more = false): Promise<void> {
    this.query = query;
    if (!query.trim()) {
      this.found = null;
      return this.changed();
    }
    const q = new URLSearchParams({ q: query, limit: '20' });
    if (more && this.foundCursor) q.set('cursor', this.foundCursor);
    const r = await api<{ hits: SearchHit[]; nextCursor: string | null }>('GET', `/api/search?${q}`);
    if (r.stale) return;
    if (!r.ok || !r.data) return this.say(t('actionFailed', { detail: errorDetail(r) }), 'error');
    const before = more && this.found?.kind === 'search' ? this.found.items : [];
    this.found = { kind: 'search', items: [...before, ...r.data.hits] };
    this.foundCursor = r.data.nextCursor;
    this.changed();
  }

  clearFound(): void {
    this.found = null;
    this.query = '';
    this.filters = { ...NO_FILTERS };
    this.changed();
  }

  // ---------------------------------------------------------------- claiming and opening

  async claim(id: string): Promise<void> {
    this.claiming.add(id);
    this.changed();
    const r = await api<ConversationView>('POST', convPath(id, '/claim'), {});
    if (r.stale) return;
    this.claiming.delete(id);
    if (r.ok && r.data) {
      this.inbox.delete(id);
      this.mine.set(id, r.data);
      await this.openConversation(id, false);
      void this.loadMine();
      return;
    }
    if (r.status === 409 || r.status === 404) {
      this.inbox.delete(id);
      if (this.open?.id === id && this.open.mode === 'preview') this.open = null;
      return this.say(r.status === 409 ? t('alreadyTaken') : t('gone'), 'error');
    }
    this.say(r.status === 403 ? t('actionFailed', { detail: errorDetail(r) }) : t('actionFailed', { detail: errorDetail(r) }), 'error');
  }

  async openConversation(id: string, preview: boolean): Promise<void> {
    const same = this.open?.id === id;
    const open: OpenConversation = { id, mode: preview && !this.mine.has(id) ? 'preview' : 'agent', conv: same ? (this.open?.conv ?? null) : null, banner: '', early: [] };
    this.open = open;
    this.unread.delete(id);
    if (!same) {
      this.replies = [];
      this.template = null;
      this.replyStatus = null;
    }
    this.changed();
    const r = await api<ConversationView>('GET', convPath(id));
    if (r.stale || this.open !== open) return;
    if (!r.ok || !r.data) {
      if (r.status === 404 || r.status === 403) {
        this.inbox.delete(id);
        this.mine.delete(id);
      }
      this.open = null;
      return this.say(r.status === 404 || r.status === 403 ? t('gone') : t('actionFailed', { detail: errorDetail(r) }), 'error');
    }
    open.conv = r.data;
    if (open.mode === 'agent' && !this.heldByMe(r.data)) {
      open.mode = r.data.status === 'waiting' ? 'preview' : 'readonly';
      if (open.mode === 'readonly') open.banner = t('takenByOther');
    }
    for (const m of open.early.splice(0)) this.addMessage(m);
    this.changed();
    if (open.mode === 'agent') void this.loadReplies(id);
  }

  close(): void {
    this.open = null;
    this.changed();
  }

  async refreshOpen(): Promise<void> {
    const open = this.open;
    if (!open?.conv) return;
    const r = await api<ConversationView>('GET', convPath(open.id));
    if (r.stale || this.open !== open || !r.ok || !r.data) return;
    open.conv = r.data;
    this.changed();
  }

  /** A message for the open conversation (live or just sent); a known id updates its status. */
  addMessage(m: MessageView): void {
    const open = this.open;
    if (!open) return;
    if (!open.conv) {
      open.early.push(m);
      return;
    }
    const at = open.conv.messages.findIndex((x) => x.id === m.id);
    if (at >= 0) open.conv.messages[at] = { ...open.conv.messages[at]!, ...m };
    else open.conv.messages.push(m);
    this.changed();
  }

  addNoteToOpen(conversationId: string, note: NoteView): void {
    if (this.open?.id !== conversationId || !this.open.conv) return;
    this.open.conv.context.notes.push(note);
    this.changed();
  }

  /** The conversation is no longer ours: read-only, with a banner. */
  lost(id: string, message: string): void {
    this.mine.delete(id);
    this.unread.delete(id);
    if (this.open?.id === id) {
      this.open.mode = 'readonly';
      this.open.banner = message;
    }
    this.changed();
    void this.loadMine();
  }

  // ---------------------------------------------------------------- replying

  async loadReplies(id: string): Promise<void> {
    const r = await api<ReadyReply[]>('GET', convPath(id, '/canned-responses'));
    if (r.stale || this.open?.id !== id || !r.ok || !Array.isArray(r.data)) return;
    this.replies = r.data;
    this.changed();
  }

  async saveReply(input: { shortcut: string; text: string; team: boolean }): Promise<boolean> {
    const r = await api('POST', '/api/canned-responses', input);
    if (r.stale) return false;
    if (!r.ok) {
      this.say(t('actionFailed', { detail: errorDetail(r) }), 'error');
      return false;
    }
    this.say(t('cannedSaved'));
    if (this.open) await this.loadReplies(this.open.id);
    return true;
  }

  /** Sends a reply or a template; true when it was stored. */
  async send(body: { text: string } | { template: { name: string; language: string; params: string[] } }): Promise<boolean> {
    const open = this.open;
    if (open?.mode !== 'agent') return false;
    this.replyStatus = { text: '…', kind: 'info' };
    this.changed();
    const r = await api<MessageView>('POST', convPath(open.id, '/messages'), body);
    if (r.stale) return false;
    this.replyStatus = null;
    if (r.ok && r.data) {
      if (this.open === open) this.addMessage(r.data);
      this.template = null;
      this.changed();
      return true;
    }
    const data = r.data as { error?: string; message?: string } | null;
    if (r.status === 422 && data?.error === 'template_required') {
      this.template = { note: t('templateRequired') + (data.message ? ` (${data.message})` : '') };
    } else if (r.status === 403) {
      this.replyStatus = { text: t('notHolder'), kind: 'error' };
      this.lost(open.id, t('notHolder'));
    } else {
      this.replyStatus = { text: t('actionFailed', { detail: errorDetail(r) }), kind: 'error' };
    }
    this.changed();
    return false;
  }

  /** Agent assist: what the last intent's bot would say now, to edit before sending. */
  async suggestion(): Promise<string | undefined> {
    const open = this.open;
    if (open?.mode !== 'agent') return undefined;
    const r = await api<Suggestions>('GET', convPath(open.id, '/suggestions'));
    if (r.stale || this.open !== open) return undefined;
    const text = r.ok ? r.data?.suggestions[0]?.text : undefined;
    this.replyStatus = text ? null : { text: r.ok ? t('noSuggestion') : t('actionFailed', { detail: errorDetail(r) }), kind: r.ok ? 'info' : 'error' };
    this.changed();
    return text;
  }

  async addNote(text: string): Promise<boolean> {
    const open = this.open;
    if (!open) return false;
    const r = await api<NoteView>('POST', convPath(open.id, '/notes'), { text });
    if (r.stale) return false;
    if (r.ok && r.data) {
      this.addNoteToOpen(open.id, r.data);
      return true;
    }
    this.say(t('actionFailed', { detail: errorDetail(r) }), 'error');
    return false;
  }

  async changeLabels(change: { add?: string[]; remove?: string[] }): Promise<void> {
    const open = this.open;
    if (!open?.conv) return;
    const r = await api<{ labels: string[] }>('POST', convPath(open.id, '/labels'), { add: change.add ?? [], remove: change.remove ?? [] });
    if (r.stale) return;
    if (!r.ok || !r.data) return this.say(t('actionFailed', { detail: errorDetail(r) }), 'error');
    if (this.open === open && open.conv) open.conv.labels = r.data.labels;
    const mine = this.mine.get(open.id);
    if (mine) mine.labels = r.data.labels;
    this.changed();
    void this.loadLabels();
  }

  // ---------------------------------------------------------------- handing on

  private async act(tail: string, body: unknown, done: string): Promise<void> {
    const open = this.open;
    if (open?.mode !== 'agent') return;
    this.acting = true;
    this.changed();
    const r = await api('POST', convPath(open.id, tail), body);
    this.acting = false;
    if (r.stale) return;
    if (r.ok) {
      this.mine.delete(open.id);
      this.unread.delete(open.id);
      this.sla.delete(open.id);
      if (this.open === open) this.open = null;
      this.say(done);
      void this.loadInbox();
      void this.loadMine();
      return;
    }
    if (r.status === 403) return this.lost(open.id, t('notHolder'));
    this.say(t('actionFailed', { detail: errorDetail(r) }), 'error');
  }

  release(to: 'bot' | 'queue', note: string): Promise<void> {
    return this.act('/release', { to, ...(note ? { note } : {}) }, to === 'bot' ? t('releasedToBot') : t('releasedToQueue'));
  }
  resolve(): Promise<void> {
    return this.act('/resolve', {}, t('resolved'));
  }
  transfer(agentId: string): Promise<void> {
    return this.act('/transfer', { agentId }, t('transferred', { name: this.agentName(agentId) ?? '' }));
  }
}
