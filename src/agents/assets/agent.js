/*
 * Baton agent inbox. Served at GET /agent.js for the page at GET /agent.
 *
 * Plain ES2020, no dependencies, no build step. The page's CSP allows scripts and
 * connections to this origin only, so everything here talks to the same Baton.
 *
 * Safety: message text, names, summaries and slot values are untrusted; every one
 * is put in the page with textContent (never innerHTML).
 */
(function () {
  'use strict';

  // ------------------------------------------------------------------ strings
  // Every UI string of the console, in one place so it can be localized later.
  // `{name}` placeholders are filled by fmt().
  const LABELS = {
    consoleTitle: 'Agent inbox',
    signInTitle: 'Sign in',
    tokenLabel: 'Agent token',
    signIn: 'Sign in',
    signingIn: 'Signing in\u2026',
    signOut: 'Sign out',
    tokenMissing: 'Enter your agent token.',
    tokenRejected: 'That token was not accepted. Check it and sign in again.',
    sessionExpired: 'Your session is no longer valid. Please sign in again.',
    unreachable: 'Could not reach Baton ({detail}). Try again.',
    roleAgent: 'Agent',
    roleSupervisor: 'Supervisor',
    meLanguages: 'Languages: {list}',
    meSkills: 'Skills: {list}',
    none: 'none',
    online: 'Live updates on',
    offline: 'Reconnecting\u2026',
    inboxTitle: 'Waiting',
    inboxEmpty: 'No one is waiting.',
    mineTitle: 'My conversations',
    mineEmpty: 'You hold no conversations.',
    nothingOpen: 'Claim a waiting conversation, or open one of yours.',
    claim: 'Claim',
    claiming: 'Claiming\u2026',
    alreadyTaken: 'Already taken by another agent.',
    claimForbidden: 'You cannot take this conversation: {detail}',
    claimFailed: 'Could not claim the conversation ({detail}).',
    gone: 'That conversation is no longer available.',
    waitingFor: 'waiting {time}',
    justNow: 'just now',
    minutes: '{n} min',
    hoursMinutes: '{h} h {m} min',
    days: '{n} d',
    priority: 'priority {n}',
    slaBreached: 'SLA: {reason}',
    slaDefault: 'overdue',
    previewNote: 'Preview \u2014 claim this conversation to reply.',
    loading: 'Loading\u2026',
    customer: 'Customer',
    bot: 'Bot',
    agent: 'Agent',
    person: 'Person',
    system: 'System',
    you: 'you',
    customerLanguage: 'Customer language',
    statusLabel: 'status: {status}',
    heldBy: 'held by {who}',
    heldByQueue: 'in the queue',
    heldByBot: 'with the bot {id}',
    heldByAgent: 'agent {id}',
    replyLabel: 'Reply to the customer',
    replyPlaceholder: 'Type your reply (Enter sends, Shift+Enter for a new line)',
    send: 'Send',
    sending: 'Sending\u2026',
    sendFailed: 'Not sent ({detail}).',
    notHolder: 'You no longer hold this conversation.',
    templateRequired:
      'The customer has not written in the last 24 hours, so this channel only allows an approved template message.',
    templateName: 'Template name',
    templateLanguage: 'Language',
    templateParams: 'Parameters (one per line)',
    templateSend: 'Send template',
    templateNameMissing: 'Enter the template name.',
    releaseNote: 'Note',
    releaseBot: 'Back to bot',
    releaseQueue: 'Back to queue',
    resolve: 'Resolve',
    transferLabel: 'Transfer to agent id',
    transfer: 'Transfer',
    transferMissing: 'Enter the id of the agent to transfer to.',
    releasedToBot: 'Conversation handed back to the bot.',
    releasedToQueue: 'Conversation put back in the queue.',
    resolved: 'Conversation resolved.',
    transferred: 'Conversation transferred.',
    actionFailed: 'That did not work ({detail}).',
    takenByOther: 'This conversation is now held by another agent.',
    transferredToYou: 'A conversation was transferred to you.',
    releasedNoReply: 'This conversation went back to the queue: no reply in time.',
    releasedGeneric: 'This conversation is no longer yours.',
    contextTitle: 'Context',
    summary: 'Summary',
    slots: 'What the customer told us',
    noSlots: 'Nothing yet.',
    piiTag: 'personal',
    intent: 'Intent',
    confidence: '{n}% sure',
    escalationReason: 'Why a person is needed',
    lineage: 'Who has handled it',
    notes: 'Notes from agents',
    noteBy: '{by}, {time}',
    handoffs: 'Handoffs',
    noHandoffs: 'No handoffs.',
    handoffDetail: '{pattern} \u00b7 {reason} \u00b7 {status}',
    unknown: '\u2014',
    channels: { whatsapp: 'WhatsApp', sms: 'SMS', webchat: 'Web chat' },
    reasons: {
      customer_request: 'Customer asked for a person',
      low_confidence: 'Bots were not sure what the customer wants',
      authority: 'Needs someone with more authority',
      unresolved: 'Troubleshooting did not fix it',
      out_of_scope: 'Outside what the bots handle',
      hop_limit: 'Passed between bots too often',
      ping_pong: 'Bots kept handing it back and forth',
      oscillation: 'Bots kept handing it back and forth',
      fallbacks_exhausted: 'Bots could not be reached',
      sentiment: 'Customer seems upset',
      sla: 'Waiting too long',
      unclaimed: 'Not claimed in time',
      sla_no_reply: 'No reply in time',
      released: 'Put back by an agent',
    },
    messageStatus: { queued: 'queued', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'not delivered' },
  };

  // Names of languages are shown in this locale (the console is English for now).
  const UI_LOCALE = 'en';
  const TOKEN_KEY = 'baton.agentToken';
  // The contract's right-to-left languages (plus a few others a deployment may add).
  const RTL_LOCALES = ['ur', 'ks', 'sd', 'ar', 'fa', 'he', 'ps', 'dv', 'yi'];
  const INBOX_REFRESH_MS = 15000;
  const CLOCK_MS = 15000;
  const NOTICE_MS = 7000;
  const MAX_EVENT_BACKOFF_MS = 30000;

  // ------------------------------------------------------------------ helpers

  const $ = (id) => document.getElementById(id);

  function fmt(template, vars) {
    return String(template).replace(/\{(\w+)\}/g, (m, key) => (vars && vars[key] != null ? String(vars[key]) : m));
  }

  /** el('div', {class: 'x', 'data-y': 1}, 'text' | node | [..]) - strings become text nodes. */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const key of Object.keys(attrs)) {
        const value = attrs[key];
        if (value == null || value === false) continue;
        if (key === 'class') node.className = value;
        else if (key === 'text') node.textContent = String(value);
        else node.setAttribute(key, value === true ? '' : String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    if (children == null) return;
    if (!Array.isArray(children)) children = [children];
    for (const child of children) {
      if (child == null || child === false) continue;
      node.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
    }
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function baseLang(locale) {
    return typeof locale === 'string' && locale ? locale.toLowerCase().split(/[-_]/)[0] : '';
  }

  function isRtl(locale) {
    return RTL_LOCALES.indexOf(baseLang(locale)) !== -1;
  }

  let languageNames = null;
  function languageName(locale) {
    if (!locale) return '';
    try {
      if (!languageNames) languageNames = new Intl.DisplayNames([UI_LOCALE], { type: 'language' });
      const name = languageNames.of(locale);
      return name && name !== locale ? name : '';
    } catch (e) {
      return '';
    }
  }

  const nativeNames = new Map();
  function nativeLanguageName(locale) {
    if (!locale) return '';
    if (nativeNames.has(locale)) return nativeNames.get(locale);
    let name = '';
    try {
      name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale) || '';
      if (name === locale) name = '';
    } catch (e) {
      name = '';
    }
    nativeNames.set(locale, name);
    return name;
  }

  function channelName(channel) {
    return (channel && LABELS.channels[channel]) || channel || LABELS.unknown;
  }

  function reasonText(reason) {
    if (!reason) return '';
    return LABELS.reasons[reason] || String(reason).replace(/[_.]+/g, ' ');
  }

  function toTime(value) {
    if (value == null) return NaN;
    const t = typeof value === 'number' ? value : Date.parse(value);
    return Number.isFinite(t) ? t : NaN;
  }

  function waitedFor(since) {
    const t = toTime(since);
    if (!Number.isFinite(t)) return '';
    const mins = Math.max(0, Math.floor((Date.now() - t) / 60000));
    if (mins < 1) return LABELS.justNow;
    if (mins < 60) return fmt(LABELS.minutes, { n: mins });
    if (mins < 60 * 24) return fmt(LABELS.hoursMinutes, { h: Math.floor(mins / 60), m: mins % 60 });
    return fmt(LABELS.days, { n: Math.floor(mins / (60 * 24)) });
  }

  let timeFormat = null;
  function clockTime(value) {
    const t = toTime(value);
    if (!Number.isFinite(t)) return '';
    try {
      if (!timeFormat) timeFormat = new Intl.DateTimeFormat(UI_LOCALE, { dateStyle: 'short', timeStyle: 'short' });
      return timeFormat.format(new Date(t));
    } catch (e) {
      return new Date(t).toISOString();
    }
  }

  function errorDetail(r) {
    if (!r) return '';
    if (r.status === 0) return 'network';
    const d = r.data;
    const parts = [String(r.status)];
    if (d && typeof d === 'object') {
      if (typeof d.message === 'string' && d.message) parts.push(d.message);
      else if (typeof d.error === 'string' && d.error) parts.push(d.error);
    }
    return parts.join(': ');
  }

  // ------------------------------------------------------------------ state

  const state = {
    token: null,
    me: null,
    epoch: 0, // bumped on sign-out: answers to older requests are ignored
    inbox: new Map(), // conversationId -> inbox item
    inboxRank: new Map(), // conversationId -> position in the server's last answer
    sla: new Map(), // conversationId -> reason
    summaries: new Map(), // conversationId -> the summary the bots handed over (from the inbox)
    mine: new Map(), // conversationId -> conversation summary
    unread: new Set(),
    open: null, // { id, preview, conv, ids: Set, epoch }
    es: null,
    esDelay: 1000,
    esTimer: null,
    refreshTimer: null,
    clockTimer: null,
    noticeTimer: null,
  };

  // ------------------------------------------------------------------ API

  async function api(method, path, body, opts) {
    const epoch = state.epoch;
    const token = (opts?.token) || state.token;
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
      const res = await fetch(path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
      const text = await res.text();
      let data = null;
      if (text) {
        try {
          data = JSON.parse(text);
        } catch (e) {
          data = null;
        }
      }
      r = { ok: res.ok, status: res.status, data: data };
    } catch (e) {
      r = { ok: false, status: 0, data: null };
    }
    r.stale = epoch !== state.epoch;
    if (r.status === 401 && !(opts?.signingIn) && !r.stale && state.token) {
      signOut(LABELS.sessionExpired);
      r.stale = true;
    }
    return r;
  }

  const convPath = (id, tail) => '/api/conversations/' + encodeURIComponent(id) + (tail || '');

  // ------------------------------------------------------------------ notices

  function notice(text, kind) {
    const box = $('notice');
    box.textContent = text;
    box.setAttribute('data-kind', kind || 'info');
    box.hidden = false;
    clearTimeout(state.noticeTimer);
    state.noticeTimer = setTimeout(() => {
      box.hidden = true;
    }, NOTICE_MS);
  }

  // ------------------------------------------------------------------ sign in

  function applyLabels() {
    document.querySelectorAll('[data-label]').forEach((node) => {
      const key = node.getAttribute('data-label');
      if (typeof LABELS[key] === 'string') node.textContent = LABELS[key];
    });
    $('reply-text').placeholder = LABELS.replyPlaceholder;
  }

  function showSignIn(error) {
    document.body.setAttribute('data-state', 'signed-out');
    $('signin').hidden = false;
    $('workspace').hidden = true;
    $('agent-me').hidden = true;
    $('agent-signout').hidden = true;
    $('connection').hidden = true;
    const err = $('signin-error');
    err.textContent = error || '';
    err.hidden = !error;
    const btn = $('agent-signin');
    btn.disabled = false;
    btn.textContent = LABELS.signIn;
    $('agent-token').focus();
  }

  async function signIn(token, fromStorage) {
    const btn = $('agent-signin');
    btn.disabled = true;
    btn.textContent = LABELS.signingIn;
    $('signin-error').hidden = true;
    const r = await api('GET', '/api/me', undefined, { token: token, signingIn: true });
    if (r.ok && r.data && r.data.id != null) {
      try {
        sessionStorage.setItem(TOKEN_KEY, token);
      } catch (e) {
        /* storage blocked: the sign-in lasts as long as the page */
      }
      state.token = token;
      state.me = r.data;
      $('agent-token').value = '';
      start();
      return;
    }
    if (r.status === 401 || r.status === 403) {
      try {
        sessionStorage.removeItem(TOKEN_KEY);
      } catch (e) {
        /* ignore */
      }
      showSignIn(fromStorage ? LABELS.sessionExpired : LABELS.tokenRejected);
      return;
    }
    showSignIn(fmt(LABELS.unreachable, { detail: errorDetail(r) }));
    if (fromStorage) $('agent-token').value = token;
  }

  function signOut(message) {
    state.epoch++;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* ignore */
    }
    stopEvents();
    clearInterval(state.refreshTimer);
    clearInterval(state.clockTimer);
    state.refreshTimer = state.clockTimer = null;
    state.token = null;
    state.me = null;
    state.inbox.clear();
    state.inboxRank.clear();
    state.sla.clear();
    state.summaries.clear();
    state.mine.clear();
    state.unread.clear();
    closeConversation();
    clear($('inbox'));
    clear($('mine'));
    showSignIn(message);
  }

  function renderMe() {
    const me = state.me;
    const box = $('agent-me');
    clear(box);
    const role = me.role === 'supervisor' ? LABELS.roleSupervisor : LABELS.roleAgent;
    const langs = Array.isArray(me.languages) && me.languages.length ? me.languages.join(', ') : LABELS.none;
    const skills = Array.isArray(me.skills) && me.skills.length ? me.skills.join(', ') : LABELS.none;
    append(box, [
      el('span', { class: 'me-name', text: me.name || me.id }),
      el('span', { class: 'me-role me-extra', text: role }),
      el('span', { class: 'me-languages me-extra', text: fmt(LABELS.meLanguages, { list: langs }) }),
      el('span', { class: 'me-skills me-extra', text: fmt(LABELS.meSkills, { list: skills }) }),
    ]);
    box.setAttribute('data-agent-id', String(me.id));
    box.hidden = false;
  }

  function start() {
    document.body.setAttribute('data-state', 'signed-in');
    $('signin').hidden = true;
    $('workspace').hidden = false;
    $('agent-signout').hidden = false;
    $('connection').hidden = false;
    renderMe();
    renderInbox();
    renderMine();
    closeConversation();
    loadInbox();
    loadMine();
    startEvents();
    clearInterval(state.refreshTimer);
    state.refreshTimer = setInterval(() => {
      loadInbox();
      loadMine();
    }, INBOX_REFRESH_MS);
    clearInterval(state.clockTimer);
    state.clockTimer = setInterval(updateClocks, CLOCK_MS);
  }

  // ------------------------------------------------------------------ inbox

  async function loadInbox() {
    const r = await api('GET', '/api/inbox');
    if (r.stale || !r.ok) return;
    const list = Array.isArray(r.data) ? r.data : r.data && Array.isArray(r.data.items) ? r.data.items : [];
    const fresh = new Map();
    state.inboxRank.clear();
    list.forEach((item, i) => {
      if (!item || item.conversationId == null) return;
      const id = String(item.conversationId);
      fresh.set(id, item);
      state.inboxRank.set(id, i);
      if (item.summary) state.summaries.set(id, String(item.summary));
    });
    state.inbox = fresh;
    for (const id of Array.from(state.sla.keys())) {
      if (!fresh.has(id) && !state.mine.has(id)) state.sla.delete(id);
    }
    renderInbox();
  }

  function upsertInbox(item) {
    if (!item || item.conversationId == null) return;
    const id = String(item.conversationId);
    if (state.mine.has(id)) {
      // Back in the queue (released by us elsewhere, or by a supervisor).
      state.mine.delete(id);
      renderMine();
    }
    state.inbox.set(id, Object.assign({}, state.inbox.get(id) || {}, item));
    if (item.summary) state.summaries.set(id, String(item.summary));
    renderInbox();
  }

  function removeInbox(id) {
    if (state.inbox.delete(id)) renderInbox();
  }

  function inboxOrder() {
    const items = Array.from(state.inbox.values());
    const rank = (it) => {
      const r = state.inboxRank.get(String(it.conversationId));
      return r == null ? Infinity : r;
    };
    items.sort((a, b) => {
      const pa = Number(a.priority) || 0;
      const pb = Number(b.priority) || 0;
      if (pa !== pb) return pb - pa;
      const ta = toTime(a.waitingSince);
      const tb = toTime(b.waitingSince);
      const wa = Number.isFinite(ta) ? ta : Infinity;
      const wb = Number.isFinite(tb) ? tb : Infinity;
      if (wa !== wb) return wa - wb;
      return rank(a) - rank(b);
    });
    return items;
  }

  function reconcileList(list, entries, build) {
    const byId = new Map();
    for (const child of Array.from(list.children)) byId.set(child.getAttribute('data-conversation-id'), child);
    const keep = new Set();
    entries.forEach((entry, i) => {
      const id = entry.id;
      keep.add(id);
      const node = build(byId.get(id) || null, entry.value);
      const at = list.children[i];
      if (at !== node) list.insertBefore(node, at || null);
    });
    for (const [id, node] of byId) if (!keep.has(id) && node.parentNode === list) list.removeChild(node);
  }

  function renderInbox() {
    const items = inboxOrder();
    reconcileList(
      $('inbox'),
      items.map((it) => ({ id: String(it.conversationId), value: it })),
      buildInboxItem
    );
    $('inbox-count').textContent = String(items.length);
    $('inbox-empty').hidden = items.length > 0;
  }

  function localeChip(locale) {
    if (!locale) return null;
    const name = languageName(locale);
    return el('span', {
      class: 'chip locale',
      lang: 'en',
      title: name ? LABELS.customerLanguage + ': ' + name : LABELS.customerLanguage,
      text: name ? name + ' (' + locale + ')' : locale,
    });
  }

  function buildInboxItem(existing, item) {
    const id = String(item.conversationId);
    const li = existing || el('li', { class: 'inbox-item', 'data-conversation-id': id, tabindex: '0' });
    li.setAttribute('data-channel', item.channel || '');
    li.setAttribute('data-locale', item.locale || '');
    const sla = state.sla.get(id);
    li.classList.toggle('sla', sla != null);
    li.classList.toggle('active', !!(state.open && state.open.id === id));
    const pending = li.getAttribute('data-claiming') === 'true';
    clear(li);
    const since = item.waitingSince || '';
    const prio = Number(item.priority) || 0;
    append(li, [
      el('div', { class: 'item-row' }, [
        el('span', { class: 'item-title channel', text: channelName(item.channel) }),
        localeChip(item.locale),
        prio > 0 ? el('span', { class: 'chip priority', text: fmt(LABELS.priority, { n: prio }) }) : null,
      ]),
      el('div', { class: 'item-reason' }, [
        el('span', { class: 'reason', 'data-reason': item.reason || '', text: reasonText(item.reason) || LABELS.unknown }),
        ' \u00b7 ',
        el('span', { class: 'waiting', 'data-since': since, text: fmt(LABELS.waitingFor, { time: waitedFor(since) || LABELS.unknown }) }),
      ]),
      item.summary
        ? el('div', { class: 'item-summary summary', lang: item.locale || null, dir: 'auto', text: item.summary })
        : null,
      sla != null ? el('div', { class: 'item-sla', text: fmt(LABELS.slaBreached, { reason: reasonText(sla) || LABELS.slaDefault }) }) : null,
    ]);
    const btn = el('button', { class: 'btn btn-primary claim', type: 'button', text: pending ? LABELS.claiming : LABELS.claim });
    btn.disabled = pending;
    btn.addEventListener('click', (e) => {
      e.stopPropagation();
      claim(id);
    });
    li.appendChild(btn);
    if (!existing) {
      li.addEventListener('click', () => openConversation(li.getAttribute('data-conversation-id'), { preview: true }));
      li.addEventListener('keydown', (e) => {
        if (e.target === li && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          openConversation(li.getAttribute('data-conversation-id'), { preview: true });
        }
      });
    }
    return li;
  }

  function updateClocks() {
    document.querySelectorAll('.waiting[data-since]').forEach((node) => {
      const since = node.getAttribute('data-since');
      node.textContent = fmt(LABELS.waitingFor, { time: waitedFor(since) || LABELS.unknown });
    });
  }

  function setClaiming(id, on) {
    document.querySelectorAll('.inbox-item').forEach((li) => {
      if (li.getAttribute('data-conversation-id') !== id) return;
      li.setAttribute('data-claiming', on ? 'true' : 'false');
      const btn = li.querySelector('.claim');
      if (btn) {
        btn.disabled = on;
        btn.textContent = on ? LABELS.claiming : LABELS.claim;
      }
    });
    const pc = $('preview-claim');
    if (state.open && state.open.id === id) {
      pc.disabled = on;
      pc.textContent = on ? LABELS.claiming : LABELS.claim;
    }
  }

  async function claim(id) {
    setClaiming(id, true);
    const r = await api('POST', convPath(id, '/claim'), {});
    if (r.stale) return;
    setClaiming(id, false);
    if (r.ok) {
      removeInbox(id);
      const conv = r.data && r.data.id != null ? r.data : null;
      state.mine.set(id, conv ? summaryOf(conv) : state.mine.get(id) || { id: id });
      renderMine();
      await openConversation(id, { preview: false });
      loadMine();
      return;
    }
    if (r.status === 409) {
      notice(LABELS.alreadyTaken, 'error');
      removeInbox(id);
      if (state.open && state.open.id === id && state.open.preview) closeConversation();
      return;
    }
    if (r.status === 404) {
      notice(LABELS.gone, 'error');
      removeInbox(id);
      if (state.open && state.open.id === id) closeConversation();
      return;
    }
    if (r.status === 403) {
      notice(fmt(LABELS.claimForbidden, { detail: errorDetail(r) }), 'error');
      return;
    }
    notice(fmt(LABELS.claimFailed, { detail: errorDetail(r) }), 'error');
  }

  // ------------------------------------------------------------------ mine

  function summaryOf(conv) {
    const copy = Object.assign({}, conv);
    delete copy.messages;
    delete copy.handoffs;
    delete copy.context;
    return copy;
  }

  function heldByMe(conv) {
    return !!(conv?.owner && conv.owner.type === 'agent' && state.me && String(conv.owner.id) === String(state.me.id));
  }

  async function loadMine() {
    const r = await api('GET', '/api/conversations?status=agent&limit=200');
    if (r.stale || !r.ok) return;
    const list = r.data && Array.isArray(r.data.conversations) ? r.data.conversations : Array.isArray(r.data) ? r.data : [];
    const fresh = new Map();
    for (const c of list) if (c && c.id != null && heldByMe(c)) fresh.set(String(c.id), c);
    state.mine = fresh;
    for (const id of Array.from(state.unread)) if (!fresh.has(id)) state.unread.delete(id);
    renderMine();
  }

  function renderMine() {
    const items = Array.from(state.mine.values());
    reconcileList(
      $('mine'),
      items.map((c) => ({ id: String(c.id), value: c })),
      buildMineItem
    );
    $('mine-count').textContent = String(items.length);
    $('mine-empty').hidden = items.length > 0;
  }

  function contactLabel(conv) {
    const c = conv?.contact;
    if (c?.name) return String(c.name);
    if (c?.phone) return String(c.phone);
    return LABELS.customer;
  }

  function buildMineItem(existing, conv) {
    const id = String(conv.id);
    const li = existing || el('li', { class: 'mine-item', 'data-conversation-id': id, tabindex: '0' });
    li.setAttribute('data-channel', conv.channel || '');
    li.setAttribute('data-locale', conv.locale || '');
    li.classList.toggle('unread', state.unread.has(id));
    li.classList.toggle('sla', state.sla.has(id));
    li.classList.toggle('active', !!(state.open && state.open.id === id));
    clear(li);
    const sla = state.sla.get(id);
    append(li, [
      el('div', { class: 'item-row' }, [
        el('span', { class: 'item-title', dir: 'auto', text: contactLabel(conv) }),
        localeChip(conv.locale),
      ]),
      el('div', { class: 'item-reason' }, [
        el('span', { class: 'channel', text: channelName(conv.channel) }),
        conv.reason ? ' \u00b7 ' : null,
        conv.reason ? el('span', { class: 'reason', 'data-reason': conv.reason, text: reasonText(conv.reason) }) : null,
      ]),
      sla != null ? el('div', { class: 'item-sla', text: fmt(LABELS.slaBreached, { reason: reasonText(sla) || LABELS.slaDefault }) }) : null,
    ]);
    if (!existing) {
      const go = () => openConversation(li.getAttribute('data-conversation-id'), { preview: false });
      li.addEventListener('click', go);
      li.addEventListener('keydown', (e) => {
        if (e.target === li && (e.key === 'Enter' || e.key === ' ')) {
          e.preventDefault();
          go();
        }
      });
    }
    return li;
  }

  function markActive() {
    const id = state.open ? state.open.id : null;
    document.querySelectorAll('.inbox-item, .mine-item').forEach((li) => {
      li.classList.toggle('active', li.getAttribute('data-conversation-id') === id);
    });
  }

  // ------------------------------------------------------------------ conversation

  function closeConversation() {
    state.open = null;
    $('conversation').hidden = true;
    $('context').hidden = true;
    $('placeholder').hidden = false;
    $('template-box').hidden = true;
    clear($('transcript'));
    clear($('context-body'));
    setReplyStatus('');
    markActive();
  }

  async function openConversation(id, opts) {
    if (!id) return;
    const preview = !!(opts?.preview) && !state.mine.has(id);
    const same = state.open && state.open.id === id;
    // `early` holds live messages that arrive before the conversation has loaded.
    const open = { id: id, preview: preview, conv: null, ids: new Set(), early: [], epoch: state.epoch };
    state.open = open;
    state.unread.delete(id);
    if (!same) {
      $('reply-text').value = '';
      $('template-box').hidden = true;
      setReplyStatus('');
      clear($('transcript'));
      clear($('context-body'));
      $('conversation-title').textContent = LABELS.loading;
      clear($('conversation-meta'));
      clear($('conversation-locale'));
    }
    $('placeholder').hidden = true;
    $('conversation').hidden = false;
    $('context').hidden = false;
    $('conversation-banner').hidden = true;
    setMode(preview ? 'preview' : 'agent');
    markActive();
    renderMine();

    const r = await api('GET', convPath(id));
    if (r.stale || state.open !== open) return;
    if (!r.ok || !r.data) {
      notice(r.status === 404 || r.status === 403 ? LABELS.gone : fmt(LABELS.actionFailed, { detail: errorDetail(r) }), 'error');
      if (r.status === 404 || r.status === 403) {
        removeInbox(id);
        if (state.mine.delete(id)) renderMine();
      }
      closeConversation();
      return;
    }
    const conv = r.data;
    open.conv = conv;
    if (!preview && !heldByMe(conv)) {
      // Not ours (any more): show it read-only.
      open.preview = conv.status === 'waiting';
      setMode(open.preview ? 'preview' : 'readonly');
      if (!open.preview) banner(LABELS.takenByOther);
    }
    renderConversation(conv);
    for (const m of open.early.splice(0)) appendMessage(m);
  }

  function setMode(mode) {
    $('conversation').setAttribute('data-mode', mode);
    $('preview-bar').hidden = mode !== 'preview';
    $('reply-form').hidden = mode !== 'agent';
    $('actions').hidden = mode !== 'agent';
    const pc = $('preview-claim');
    pc.disabled = false;
    pc.textContent = LABELS.claim;
  }

  function banner(text) {
    const b = $('conversation-banner');
    b.textContent = text;
    b.hidden = !text;
  }

  function renderConversation(conv) {
    const section = $('conversation');
    section.setAttribute('data-conversation-id', String(conv.id));
    section.setAttribute('data-status', conv.status || '');
    section.setAttribute('data-locale', conv.locale || '');

    $('conversation-title').textContent = contactLabel(conv);
    const meta = $('conversation-meta');
    clear(meta);
    append(meta, [
      el('span', { class: 'chip channel', text: channelName(conv.channel) }),
      conv.contact?.phone && conv.contact.name ? el('span', { class: 'phone', text: conv.contact.phone }) : null,
      el('span', { class: 'status', text: fmt(LABELS.statusLabel, { status: conv.status || LABELS.unknown }) }),
      el('span', { class: 'owner', text: ownerText(conv.owner) }),
    ]);

    const badge = $('conversation-locale');
    clear(badge);
    const loc = conv.locale || '';
    const name = languageName(loc);
    const native = nativeLanguageName(loc);
    badge.setAttribute('data-locale', loc);
    badge.title = LABELS.customerLanguage;
    append(badge, [
      el('span', { class: 'locale-name', text: name || loc || LABELS.unknown }),
      el('small', {}, [
        // <bdi> keeps a right-to-left name from reordering the code beside it.
        native && native !== name ? el('bdi', { class: 'locale-native', lang: loc, text: native }) : null,
        native && native !== name ? ' \u00b7 ' : null,
        el('span', { class: 'locale-code', text: loc }),
      ]),
    ]);

    renderContext(conv);

    const transcript = $('transcript');
    clear(transcript);
    state.open.ids.clear();
    const messages = Array.isArray(conv.messages) ? conv.messages : [];
    for (const m of messages) appendMessage(m, { scroll: false });
    transcript.scrollTop = transcript.scrollHeight;

    $('template-language').value = loc;
  }

  function ownerText(owner) {
    if (!owner) return '';
    if (owner.type === 'queue') return LABELS.heldByQueue;
    if (owner.type === 'bot') return fmt(LABELS.heldBy, { who: fmt(LABELS.heldByBot, { id: owner.id || '' }).trim() });
    if (owner.type === 'agent') {
      if (state.me && String(owner.id) === String(state.me.id)) return fmt(LABELS.heldBy, { who: LABELS.you });
      return fmt(LABELS.heldBy, { who: fmt(LABELS.heldByAgent, { id: owner.id || '' }) });
    }
    return '';
  }

  function renderContext(conv) {
    const body = $('context-body');
    clear(body);
    const ctx = (conv?.context) || {};

    const summary = ctx.summary || state.summaries.get(String(conv.id));
    if (summary) {
      append(body, [
        el('h3', { text: LABELS.summary }),
        el('p', { class: 'summary', id: 'context-summary', dir: 'auto', text: summary }),
      ]);
    }

    append(body, el('h3', { text: LABELS.escalationReason }));
    append(
      body,
      el('p', { class: 'escalation-reason', id: 'context-reason', 'data-reason': conv.reason || '', text: reasonText(conv.reason) || LABELS.unknown })
    );

    if (ctx.intent) {
      append(body, el('h3', { text: LABELS.intent }));
      const conf = typeof ctx.confidence === 'number' ? fmt(LABELS.confidence, { n: Math.round(ctx.confidence * 100) }) : '';
      append(body, el('p', { class: 'intent', id: 'context-intent', text: conf ? ctx.intent + ' (' + conf + ')' : ctx.intent }));
    }

    append(body, el('h3', { text: LABELS.slots }));
    const slots = ctx.slots && typeof ctx.slots === 'object' ? Object.keys(ctx.slots) : [];
    if (!slots.length) {
      append(body, el('p', { class: 'empty', text: LABELS.noSlots }));
    } else {
      const table = el('table', { class: 'slots', id: 'context-slots' });
      const tbody = el('tbody');
      for (const key of slots) {
        const slot = ctx.slots[key];
        const value = slot && typeof slot === 'object' ? slot.value : slot;
        const pii = !!(slot && typeof slot === 'object' && slot.pii);
        // The agent is trusted with personal data: it is shown, but marked.
        tbody.appendChild(
          el('tr', { class: 'slot', 'data-slot': key, 'data-pii': pii ? 'true' : null }, [
            el('th', { scope: 'row', text: key }),
            el('td', {}, [
              el('span', { class: 'slot-value', dir: 'auto', text: value == null ? '' : String(value) }),
              pii ? el('span', { class: 'pii', text: LABELS.piiTag }) : null,
            ]),
          ])
        );
      }
      table.appendChild(tbody);
      append(body, table);
    }

    const lineage = Array.isArray(ctx.lineage) ? ctx.lineage.map(String) : [];
    if (lineage.length) {
      append(body, el('h3', { text: LABELS.lineage }));
      append(body, el('p', { class: 'lineage', id: 'context-lineage', text: lineage.join(' \u2192 ') }));
    }

    const notes = Array.isArray(ctx.notes) ? ctx.notes.filter((n) => n && n.text != null) : [];
    if (notes.length) {
      append(body, el('h3', { text: LABELS.notes }));
      const ul = el('ul', { class: 'notes', id: 'context-notes' });
      for (const n of notes) {
        ul.appendChild(
          el('li', { class: 'note' }, [
            el('div', { class: 'note-text', dir: 'auto', text: String(n.text) }),
            el('div', { class: 'detail', text: fmt(LABELS.noteBy, { by: n.by || LABELS.unknown, time: clockTime(n.at) || LABELS.unknown }) }),
          ])
        );
      }
      append(body, ul);
    }

    append(body, el('h3', { text: LABELS.handoffs }));
    const handoffs = Array.isArray(conv.handoffs) ? conv.handoffs : [];
    if (!handoffs.length) {
      append(body, el('p', { class: 'empty', text: LABELS.noHandoffs }));
    } else {
      const ol = el('ol', { class: 'handoffs', id: 'context-handoffs' });
      for (const h of handoffs) {
        ol.appendChild(
          el('li', { class: 'handoff', 'data-handoff-id': h.id || null, 'data-status': h.status || '' }, [
            el('div', { class: 'route', text: (h.from || '?') + ' \u2192 ' + (h.to || '?') }),
            el('div', {
              class: 'detail',
              text: fmt(LABELS.handoffDetail, {
                pattern: h.pattern || LABELS.unknown,
                reason: h.reason || LABELS.unknown,
                status: h.status || LABELS.unknown,
              }),
            }),
            el('time', { class: 'detail', datetime: h.createdAt || null, text: clockTime(h.createdAt) }),
          ])
        );
      }
      append(body, ol);
    }
  }

  function authorTypeOf(m) {
    const t = m.author && typeof m.author.type === 'string' ? m.author.type : null;
    if (t) return t;
    return m.direction === 'inbound' ? 'contact' : 'bot';
  }

  function whoLabel(type, m) {
    const name = m.author && m.author.name != null ? String(m.author.name) : '';
    if (type === 'bot') return { kind: 'bot', badge: LABELS.bot, name: name || (m.author?.id) || '' };
    if (type === 'agent') return { kind: 'person', badge: LABELS.agent, name: name };
    if (type === 'contact') return { kind: 'person', badge: LABELS.customer, name: name };
    return { kind: 'system', badge: LABELS.system, name: '' };
  }

  function messageFoot(m) {
    const parts = [clockTime(m.createdAt)];
    if (m.direction === 'outbound' && m.status) parts.push(LABELS.messageStatus[m.status] || String(m.status));
    return parts.filter(Boolean).join(' \u00b7 ');
  }

  function buildMessage(m) {
    const type = authorTypeOf(m);
    const who = whoLabel(type, m);
    const locale = state.open?.conv ? state.open.conv.locale : null;
    const node = el('div', {
      class: 'msg',
      'data-author-type': type,
      'data-message-id': m.id != null ? String(m.id) : '',
      'data-direction': m.direction || null,
      'data-status': m.status || null,
      'data-person': who.kind === 'person' ? 'true' : 'false',
    });
    const text = el('div', { class: 'text' });
    text.textContent = m.text == null ? '' : String(m.text);
    // What the customer and the bots write is in the customer's language; an agent
    // may write either, so the browser decides for the agent's own lines.
    if (type !== 'agent' && locale) text.setAttribute('lang', locale);
    text.setAttribute('dir', type !== 'agent' && isRtl(locale) ? 'rtl' : 'auto');
    const options = Array.isArray(m.options) && m.options.length
      ? el(
          'div',
          { class: 'options' },
          m.options.filter((o) => o && o.title != null).map((o) => el('span', { class: 'option', dir: 'auto', text: String(o.title) }))
        )
      : null;
    append(node, [
      el('div', { class: 'who' }, [
        el('span', { class: 'kind-badge ' + who.kind, text: who.badge }),
        who.name ? el('span', { class: 'author-name', dir: 'auto', text: who.name }) : null,
      ]),
      el('div', { class: 'bubble' }, [text, options]),
      el('div', { class: 'foot', text: messageFoot(m) }),
    ]);
    return node;
  }

  function appendMessage(m, opts) {
    if (!m || typeof m !== 'object' || !state.open) return;
    const transcript = $('transcript');
    const id = m.id != null ? String(m.id) : null;
    if (id && state.open.ids.has(id)) {
      // Already shown: only its delivery status can have changed.
      for (const node of transcript.querySelectorAll('.msg')) {
        if (node.getAttribute('data-message-id') === id) {
          if (m.status) node.setAttribute('data-status', String(m.status));
          const foot = node.querySelector('.foot');
          if (foot) foot.textContent = messageFoot(m);
        }
      }
      return;
    }
    const stick = (opts && opts.scroll === false) ? false : transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80 || (opts?.own);
    if (id) state.open.ids.add(id);
    transcript.appendChild(buildMessage(m));
    if (stick) transcript.scrollTop = transcript.scrollHeight;
  }

  // ------------------------------------------------------------------ reply

  function setReplyStatus(text, kind) {
    const s = $('reply-status');
    s.textContent = text || '';
    s.setAttribute('data-kind', kind || 'info');
  }

  function messageOf(data) {
    if (!data || typeof data !== 'object') return null;
    if (data.id != null && data.text !== undefined) return data;
    if (data.message && typeof data.message === 'object') return data.message;
    return data.id != null ? data : null;
  }

  async function postReply(body, onDone) {
    const open = state.open;
    if (!open || open.preview) return false;
    const send = $('reply-send');
    const tsend = $('template-send');
    send.disabled = tsend.disabled = true;
    setReplyStatus(LABELS.sending);
    const r = await api('POST', convPath(open.id, '/messages'), body);
    send.disabled = tsend.disabled = false;
    if (r.stale) return false;
    if (r.ok) {
      setReplyStatus('');
      if (state.open === open) {
        const m = messageOf(r.data);
        if (m) appendMessage(m, { own: true });
      }
      if (onDone) onDone();
      return true;
    }
    if (r.status === 422 && r.data && r.data.error === 'template_required') {
      setReplyStatus('');
      $('template-note').textContent = LABELS.templateRequired + (r.data.message ? ' (' + r.data.message + ')' : '');
      $('template-box').hidden = false;
      if (!$('template-language').value && open.conv) $('template-language').value = open.conv.locale || '';
      $('template-name').focus();
      return false;
    }
    if (r.status === 403) {
      setReplyStatus(LABELS.notHolder, 'error');
      lostConversation(open.id, LABELS.notHolder);
      return false;
    }
    setReplyStatus(fmt(LABELS.sendFailed, { detail: errorDetail(r) }), 'error');
    return false;
  }

  function sendReply() {
    const input = $('reply-text');
    const text = input.value.trim();
    if (!text) return;
    postReply({ text: text }, () => {
      if (input.value.trim() === text) input.value = '';
      input.focus();
    });
  }

  function sendTemplate() {
    const name = $('template-name').value.trim();
    if (!name) {
      setReplyStatus(LABELS.templateNameMissing, 'error');
      $('template-name').focus();
      return;
    }
    const language = $('template-language').value.trim() || (state.open?.conv?.locale) || 'en';
    const params = $('template-params')
      .value.split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    postReply({ template: { name: name, language: language, params: params } }, () => {
      $('template-box').hidden = true;
      $('template-params').value = '';
    });
  }

  // ------------------------------------------------------------------ actions

  function lostConversation(id, message) {
    if (state.mine.delete(id)) renderMine();
    state.unread.delete(id);
    if (state.open && state.open.id === id) {
      setMode('readonly');
      banner(message);
    }
    loadMine();
  }

  function leaveConversation(id, message) {
    if (state.mine.delete(id)) renderMine();
    state.unread.delete(id);
    state.sla.delete(id);
    if (state.open && state.open.id === id) closeConversation();
    $('release-note').value = '';
    $('transfer-agent').value = '';
    notice(message);
    loadInbox();
    loadMine();
  }

  async function act(tail, body, doneMessage, button) {
    const open = state.open;
    if (!open || open.preview) return;
    const buttons = document.querySelectorAll('#actions button');
    buttons.forEach((b) => {
      b.disabled = true;
    });
    const r = await api('POST', convPath(open.id, tail), body);
    buttons.forEach((b) => {
      b.disabled = false;
    });
    if (r.stale) return;
    if (r.ok) {
      leaveConversation(open.id, doneMessage);
      return;
    }
    if (r.status === 403) {
      lostConversation(open.id, LABELS.notHolder);
      return;
    }
    notice(fmt(LABELS.actionFailed, { detail: errorDetail(r) }), 'error');
    if (button) button.focus();
  }

  function release(to, button) {
    const note = $('release-note').value.trim();
    const body = { to: to };
    if (note) body.note = note;
    act('/release', body, to === 'bot' ? LABELS.releasedToBot : LABELS.releasedToQueue, button);
  }

  function transfer(button) {
    const agentId = $('transfer-agent').value.trim();
    if (!agentId) {
      notice(LABELS.transferMissing, 'error');
      $('transfer-agent').focus();
      return;
    }
    act('/transfer', { agentId: agentId }, LABELS.transferred, button);
  }

  // ------------------------------------------------------------------ events

  function setConnection(online) {
    const c = $('connection');
    c.setAttribute('data-connection', online ? 'online' : 'offline');
    c.title = online ? LABELS.online : LABELS.offline;
    c.setAttribute('aria-label', c.title);
  }

  function stopEvents() {
    clearTimeout(state.esTimer);
    state.esTimer = null;
    if (state.es) {
      state.es.close();
      state.es = null;
    }
  }

  function parseEvent(ev) {
    try {
      return JSON.parse(ev.data);
    } catch (e) {
      return null;
    }
  }

  function startEvents() {
    stopEvents();
    if (!state.token || typeof window.EventSource !== 'function') return;
    const epoch = state.epoch;
    const es = new EventSource('/api/events?token=' + encodeURIComponent(state.token));
    state.es = es;
    const live = (fn) => (ev) => {
      if (state.es !== es || state.epoch !== epoch) return;
      const data = parseEvent(ev);
      if (data && typeof data === 'object') fn(data);
    };

    es.addEventListener('open', () => {
      if (state.es !== es) return;
      state.esDelay = 1000;
      setConnection(true);
      // Catch up on whatever happened while we were not listening.
      loadInbox();
      loadMine();
      if (state.open?.conv) refreshOpen();
    });

    es.addEventListener(
      'waiting',
      live((data) => {
        const item = data.item?.conversationId ? data.item : data;
        if (item.transferredBy != null) {
          // Sent to this agent only: another agent transferred a conversation to it.
          notice(LABELS.transferredToYou);
          loadMine();
          return;
        }
        upsertInbox(item);
      })
    );

    es.addEventListener(
      'claimed',
      live((data) => {
        const id = data.conversationId != null ? String(data.conversationId) : null;
        if (!id) return;
        removeInbox(id);
        const mine = state.me && data.agentId != null && String(data.agentId) === String(state.me.id);
        if (mine) {
          if (!state.mine.has(id)) loadMine();
          return;
        }
        if (state.open && state.open.id === id) {
          if (state.open.preview) {
            setMode('readonly');
            banner(LABELS.takenByOther);
          } else {
            lostConversation(id, LABELS.takenByOther);
          }
        } else if (state.mine.has(id)) {
          lostConversation(id, LABELS.takenByOther);
        }
      })
    );

    es.addEventListener(
      'message',
      live((data) => {
        const m = data.message && typeof data.message === 'object' ? data.message : data.id != null ? data : null;
        const id = data.conversationId != null ? String(data.conversationId) : m && m.conversationId != null ? String(m.conversationId) : null;
        if (!m || !id) return;
        if (state.open && state.open.id === id) {
          if (state.open.conv) appendMessage(m);
          else state.open.early.push(m);
          return;
        }
        if (state.mine.has(id) && authorTypeOf(m) === 'contact') {
          state.unread.add(id);
          renderMine();
        }
      })
    );

    es.addEventListener(
      'sla',
      live((data) => {
        const id = data.conversationId != null ? String(data.conversationId) : null;
        if (!id) return;
        state.sla.set(id, data.slaReason || data.reason || 'sla');
        // Supervisors get the whole inbox item with it.
        if (data.channel && state.inbox.has(id)) upsertInbox(data);
        renderInbox();
        renderMine();
      })
    );

    es.addEventListener(
      'released',
      live((data) => {
        const id = data.conversationId != null ? String(data.conversationId) : null;
        if (!id) return;
        const message = data.reason === 'sla_no_reply' ? LABELS.releasedNoReply : LABELS.releasedGeneric;
        if (state.mine.has(id) || (state.open && state.open.id === id)) {
          notice(message, 'error');
          lostConversation(id, message);
        }
        loadInbox();
      })
    );

    es.addEventListener('error', () => {
      if (state.es !== es) return;
      setConnection(false);
      if (es.readyState === 2) {
        // The browser gave up (an HTTP error such as 401): find out why, then retry.
        es.close();
        state.es = null;
        recoverEvents(epoch);
      }
      // Otherwise the browser reconnects by itself.
    });
  }

  async function recoverEvents(epoch) {
    const delay = state.esDelay;
    state.esDelay = Math.min(delay * 2, MAX_EVENT_BACKOFF_MS);
    const r = await api('GET', '/api/me'); // a 401 here signs out
    if (r.stale || state.epoch !== epoch || !state.token) return;
    if (r.ok && r.data) {
      state.me = r.data;
      renderMe();
    }
    clearTimeout(state.esTimer);
    state.esTimer = setTimeout(() => {
      if (state.epoch === epoch && state.token && !state.es) startEvents();
    }, delay);
  }

  async function refreshOpen() {
    const open = state.open;
    if (!open) return;
    const r = await api('GET', convPath(open.id));
    if (r.stale || state.open !== open || !r.ok || !r.data) return;
    open.conv = r.data;
    renderContext(r.data);
    for (const m of Array.isArray(r.data.messages) ? r.data.messages : []) appendMessage(m);
  }

  // ------------------------------------------------------------------ wiring

  function wire() {
    $('signin-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('agent-token').value.trim();
      if (!token) {
        showSignIn(LABELS.tokenMissing);
        return;
      }
      signIn(token, false);
    });
    $('agent-signout').addEventListener('click', () => signOut(''));

    $('reply-form').addEventListener('submit', (e) => {
      e.preventDefault();
      sendReply();
    });
    $('reply-text').addEventListener('keydown', (e) => {
      // Enter sends, Shift+Enter is a new line; never interrupt an IME composition.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        sendReply();
      }
    });
    $('template-send').addEventListener('click', sendTemplate);
    $('preview-claim').addEventListener('click', () => {
      if (state.open) claim(state.open.id);
    });
    $('release-bot').addEventListener('click', (e) => release('bot', e.currentTarget));
    $('release-queue').addEventListener('click', (e) => release('queue', e.currentTarget));
    $('resolve').addEventListener('click', (e) => act('/resolve', {}, LABELS.resolved, e.currentTarget));
    $('transfer').addEventListener('click', (e) => transfer(e.currentTarget));
  }

  function boot() {
    applyLabels();
    wire();
    let stored = null;
    try {
      stored = sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      stored = null;
    }
    if (stored) signIn(stored, true);
    else showSignIn('');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
  else boot();
})();
