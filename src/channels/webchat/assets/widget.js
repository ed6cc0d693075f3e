/*
 * Baton web chat widget.
 *
 * Plain ES2020, no dependencies, no build step. Served at GET /widget.js.
 *
 *   <script src="https://baton.example/widget.js" data-baton-locale="hi" async></script>
 *   window.Baton.open({ locale: "hi", name: "Asha", container: "#chat" })
 *
 * Safety: every piece of message text, author name and option title is put in
 * the page with textContent, never innerHTML; message text is untrusted.
 * This file is kept ASCII-only so it works whatever charset it is served with.
 */
(function () {
  'use strict';

  if (window.Baton?.__batonWidget) return; // loaded twice

  var STORAGE_KEY = 'baton.session';
  var STYLE_ID = 'baton-chat-style';
  var RTL_LOCALES = ['ur', 'ks', 'sd', 'ar', 'fa', 'he', 'ps', 'dv', 'yi'];
  var SEND_TRIES = 5;
  var REQUEST_TIMEOUT_MS = 15000;
  var MAX_BACKOFF_MS = 30000;

  // UI strings. English defaults only; every one is overridable with the
  // data- attribute beside it or with Baton.open({ labels: { key: "..." } }).
  var LABELS = {
    title: ['data-baton-title', 'Chat'],
    placeholder: ['data-baton-placeholder', 'Type a message'],
    inputLabel: ['data-baton-input-label', ''], // empty: use the placeholder
    send: ['data-baton-send-label', 'Send'],
    bot: ['data-baton-bot-label', ''], // empty: the bot's own name, else "Bot"
    sending: ['data-baton-sending-label', 'Sending\u2026'],
    failed: ['data-baton-failed-label', 'Not sent'],
    retry: ['data-baton-retry-label', 'Retry'],
    minimize: ['data-baton-minimize-label', 'Minimize'],
    offline: ['data-baton-offline-label', 'Reconnecting\u2026'],
    attachment: ['data-baton-attachment-label', 'Attachment'],
  };
  var FALLBACK_BOT_LABEL = 'Bot';

  // ---------------------------------------------------------------- script tag

  var script = document.currentScript || findOwnScript();

  function findOwnScript() {
    var list = document.querySelectorAll('script[src]');
    for (var i = list.length - 1; i >= 0; i--) {
      if (/(^|\/)widget\.js(\?|#|$)/.test(list[i].getAttribute('src') || '')) return list[i];
    }
    return null;
  }

  function attr(name) {
    return script?.hasAttribute(name) ? script.getAttribute(name) : null;
  }

  function defaultApiBase() {
    var explicit = attr('data-baton-api');
    if (explicit) return explicit.trim().replace(/\/+$/, '');
    if (script?.src) {
      try {
        return new URL(script.src, location.href).origin;
      } catch (e) {
        /* fall through */
      }
    }
    return location.origin;
  }

  var config = {
    api: defaultApiBase(),
    locale: attr('data-baton-locale'),
    name: attr('data-baton-name'),
    container: attr('data-baton-container'),
    auto: attr('data-baton-auto') !== 'false',
    demo: script ? script.hasAttribute('data-baton-demo') : false,
    nonce: script ? script.nonce || script.getAttribute('nonce') || '' : '',
  };

  // ---------------------------------------------------------------- helpers

  function el(tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  function normLocale(value) {
    if (typeof value !== 'string') return null;
    var v = value.trim().replace(/_/g, '-');
    return /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/.test(v) ? v : null;
  }

  function isRtl(locale) {
    if (!locale) return false;
    return RTL_LOCALES.indexOf(locale.toLowerCase().split(/[-_]/)[0]) !== -1;
  }

  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try {
        return c.randomUUID();
      } catch (e) {
        /* not a secure context: fall through */
      }
    }
    var b = new Uint8Array(16);
    if (c?.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function parseRetryAfter(value) {
    if (!value) return 0;
    var secs = Number(value);
    if (isFinite(secs)) return Math.max(0, secs * 1000);
    var at = Date.parse(value);
    return isFinite(at) ? Math.max(0, at - Date.now()) : 0;
  }

  function retryable(status) {
    return status === 0 || status === 408 || status === 429 || status >= 500;
  }

  function whenDomReady(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn, { once: true });
    } else {
      fn();
    }
  }

  // ---------------------------------------------------------------- storage

  function readStored() {
    try {
      var raw = window.localStorage.getItem(STORAGE_KEY);
      if (!raw) return null;
      var s = JSON.parse(raw);
      if (s && typeof s.sessionId === 'string' && typeof s.token === 'string') return s;
    } catch (e) {
      /* storage blocked or corrupt */
    }
    return null;
  }

  function writeStored(s) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    } catch (e) {
      /* storage blocked: the session lasts as long as the page */
    }
  }

  function clearStored(onlySessionId) {
    try {
      if (onlySessionId) {
        var s = readStored();
        if (s && s.sessionId !== onlySessionId) return;
      }
      window.localStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* ignore */
    }
  }

  // ---------------------------------------------------------------- CSS

  var FONT_STACK =
    '"Noto Sans", "Noto Sans Devanagari", "Noto Sans Bengali", "Noto Sans Gurmukhi", ' +
    '"Noto Sans Gujarati", "Noto Sans Oriya", "Noto Sans Tamil", "Noto Sans Telugu", ' +
    '"Noto Sans Kannada", "Noto Sans Malayalam", "Noto Sans Ol Chiki", "Noto Sans Meetei Mayek", ' +
    '"Noto Sans Arabic", "Nirmala UI", "Segoe UI", Roboto, system-ui, sans-serif';
  var NASTALIQ_STACK =
    '"Noto Nastaliq Urdu", "Jameel Noori Nastaleeq", "Urdu Typesetting", "Noto Naskh Arabic", ' +
    '"Noto Sans Arabic", "Nirmala UI", system-ui, sans-serif';
  var NASKH_STACK = '"Noto Naskh Arabic", "Noto Sans Arabic", "Segoe UI", "Nirmala UI", system-ui, sans-serif';

  var CSS = [
    '#baton-chat{--baton-accent:#0b5cad;--baton-accent-fg:#fff;--baton-bg:#fff;--baton-fg:#1b1f24;' +
      '--baton-muted:#5b6470;--baton-other-bg:#eef1f5;--baton-border:#d6dbe1;--baton-warn-bg:#fff4d6;' +
      '--baton-error-bg:#fde8e8;--baton-error-fg:#8a1c1c;' +
      'box-sizing:border-box;display:flex;flex-direction:column;background:var(--baton-bg);color:var(--baton-fg);' +
      'font-family:' + FONT_STACK + ';font-size:16px;line-height:1.6;text-align:start;' +
      '-webkit-text-size-adjust:100%;text-size-adjust:100%}',
    '#baton-chat:lang(ur),#baton-chat:lang(ks){font-family:' + NASTALIQ_STACK + ';line-height:2.2}',
    '#baton-chat:lang(sd){font-family:' + NASKH_STACK + ';line-height:1.9}',
    '#baton-chat *,#baton-chat *::before,#baton-chat *::after{box-sizing:border-box}',
    '#baton-chat [hidden]{display:none!important}',
    '#baton-chat.baton-floating{position:fixed;bottom:16px;inset-inline-end:16px;z-index:2147483000;' +
      'width:min(380px,calc(100vw - 32px));height:min(600px,calc(100vh - 32px));' +
      'border:1px solid var(--baton-border);border-radius:14px;overflow:hidden;box-shadow:0 10px 32px rgba(0,0,0,.18)}',
    '#baton-chat.baton-floating.baton-collapsed{height:auto}',
    '#baton-chat.baton-embedded{position:relative;width:100%;height:100%;min-height:420px;' +
      'border:1px solid var(--baton-border);border-radius:14px;overflow:hidden}',
    '@media (max-width:480px){#baton-chat.baton-floating{top:0;bottom:0;left:0;right:0;width:auto;height:auto;' +
      'border:0;border-radius:0;box-shadow:none}#baton-chat.baton-floating.baton-collapsed{top:auto}}',
    '#baton-chat .baton-header{display:flex;align-items:center;gap:8px;padding:10px 14px;' +
      'background:var(--baton-accent);color:var(--baton-accent-fg)}',
    '#baton-chat .baton-title{flex:1;margin:0;font:inherit;font-weight:600;font-size:1rem;' +
      'overflow:hidden;text-overflow:ellipsis;white-space:nowrap}',
    '#baton-chat .baton-min{flex:none;width:32px;height:32px;padding:0;border:0;border-radius:8px;' +
      'background:transparent;color:inherit;font:inherit;font-size:1.25rem;line-height:1;cursor:pointer}',
    '#baton-chat .baton-min:hover{background:rgba(255,255,255,.18)}',
    '#baton-chat .baton-body{flex:1;display:flex;flex-direction:column;min-height:0}',
    '#baton-chat .baton-log{flex:1;min-height:0;overflow-y:auto;overscroll-behavior:contain;' +
      'display:flex;flex-direction:column;gap:10px;padding:14px 12px}',
    '#baton-chat .baton-msg{display:flex;flex-direction:column;align-items:flex-start;max-width:100%}',
    '#baton-chat .baton-msg[data-author-type="contact"]{align-items:flex-end}',
    '#baton-chat .baton-msg[data-author-type="system"]{align-items:center}',
    '#baton-chat .baton-bubble{max-width:85%;padding:8px 12px;border-radius:16px;' +
      'background:var(--baton-other-bg);color:var(--baton-fg);border-end-start-radius:4px}',
    '#baton-chat .baton-msg[data-author-type="contact"] .baton-bubble{background:var(--baton-accent);' +
      'color:var(--baton-accent-fg);border-end-start-radius:16px;border-end-end-radius:4px}',
    '#baton-chat .baton-msg[data-author-type="system"] .baton-bubble{background:transparent;' +
      'color:var(--baton-muted);font-size:.85rem}',
    '#baton-chat .baton-msg[data-state="failed"] .baton-bubble{background:var(--baton-error-bg);color:var(--baton-error-fg)}',
    '#baton-chat .baton-text{white-space:pre-wrap;overflow-wrap:anywhere;word-break:normal}',
    '#baton-chat .baton-image{display:block;max-width:100%;border-radius:8px;margin-top:4px}',
    '#baton-chat .baton-file{display:block;margin-top:4px;color:inherit;text-decoration:underline}',
    '#baton-chat .baton-meta{margin-bottom:2px}',
    '#baton-chat .baton-badge{display:inline-block;padding:0 7px;border-radius:999px;font-size:.72rem;' +
      'font-weight:600;line-height:1.6;background:var(--baton-accent);color:var(--baton-accent-fg)}',
    '#baton-chat .baton-author{font-size:.78rem;font-weight:600;color:var(--baton-muted)}',
    '#baton-chat .baton-foot{display:flex;flex-wrap:wrap;align-items:center;justify-content:flex-end;gap:6px;' +
      'margin-top:2px;font-size:.72rem;line-height:1.4;opacity:.8}',
    '#baton-chat .baton-foot:empty{display:none}',
    '#baton-chat .baton-msg[data-state="failed"] .baton-foot{opacity:1}',
    '#baton-chat .baton-retry{padding:0;border:0;background:none;color:inherit;font:inherit;font-weight:600;' +
      'text-decoration:underline;cursor:pointer}',
    '#baton-chat .baton-options{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px;max-width:85%}',
    '#baton-chat .baton-option{padding:6px 14px;border:1px solid var(--baton-accent);border-radius:999px;' +
      'background:var(--baton-bg);color:var(--baton-accent);font:inherit;font-size:.9rem;line-height:1.5;' +
      'text-align:start;cursor:pointer}',
    '#baton-chat .baton-option:hover:not(:disabled){background:var(--baton-accent);color:var(--baton-accent-fg)}',
    '#baton-chat .baton-option:disabled{opacity:.5;cursor:default}',
    '#baton-chat .baton-option.baton-chosen{opacity:1;background:var(--baton-accent);color:var(--baton-accent-fg)}',
    '#baton-chat .baton-status{padding:4px 12px;background:var(--baton-warn-bg);color:var(--baton-fg);' +
      'font-size:.8rem;text-align:center}',
    '#baton-chat .baton-form{display:flex;align-items:flex-end;gap:8px;margin:0;padding:10px;' +
      'border-top:1px solid var(--baton-border);background:var(--baton-bg)}',
    '#baton-chat #baton-input{flex:1;min-width:0;min-height:44px;max-height:140px;margin:0;padding:9px 14px;' +
      'border:1px solid var(--baton-border);border-radius:22px;background:var(--baton-bg);color:var(--baton-fg);' +
      'font:inherit;font-size:16px;line-height:1.5;resize:none;overflow-y:auto}',
    '#baton-chat #baton-input:focus{border-color:var(--baton-accent);outline:none}',
    '#baton-chat #baton-send{flex:none;min-height:44px;margin:0;padding:8px 18px;border:0;border-radius:22px;' +
      'background:var(--baton-accent);color:var(--baton-accent-fg);font:inherit;font-weight:600;line-height:1.4;cursor:pointer}',
    '#baton-chat #baton-send:hover{filter:brightness(1.1)}',
    '#baton-chat :focus-visible{outline:2px solid var(--baton-accent);outline-offset:2px}',
    '#baton-chat .baton-header :focus-visible{outline-color:var(--baton-accent-fg)}',
    '#baton-chat .baton-sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;' +
      'overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}',
  ].join('\n');

  function injectCss() {
    if (document.getElementById(STYLE_ID)) return;
    var style = el('style');
    style.id = STYLE_ID;
    if (config.nonce) style.nonce = config.nonce;
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  // ---------------------------------------------------------------- instance

  var current = null; // the open widget, at most one

  // Order of precedence: Baton.open({labels}), then data- attributes, then the
  // server's catalog for the customer's language (GET /webchat/strings), then defaults.
  function resolveLabels(overrides, fromServer) {
    var out = {};
    Object.keys(LABELS).forEach(function (key) {
      var fromOpts = overrides && typeof overrides[key] === 'string' ? overrides[key] : null;
      var fromAttr = attr(LABELS[key][0]);
      var served = fromServer && typeof fromServer[key] === 'string' && fromServer[key] ? fromServer[key] : null;
      out[key] = fromOpts !== null ? fromOpts : fromAttr !== null ? fromAttr : served !== null ? served : LABELS[key][1];
    });
    return out;
  }

  function loadStrings(inst, overrides) {
    var url = inst.api + '/webchat/strings' + (inst.locale ? '?locale=' + encodeURIComponent(inst.locale) : '');
    return fetch(url)
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (strings) {
        if (strings) inst.labels = resolveLabels(overrides, strings);
      });
  }

  function resolveContainer(value) {
    if (!value) return null;
    if (typeof value === 'string') return document.querySelector(value);
    if (value.nodeType === 1) return value;
    return null;
  }

  function later(inst, ms, fn) {
    var t = setTimeout(function () {
      inst.timers.delete(t);
      if (!inst.destroyed) fn();
    }, ms);
    inst.timers.add(t);
  }

  function sleep(inst, ms) {
    return new Promise(function (resolve) {
      later(inst, ms, resolve); // never resolves once the widget is closed
    });
  }

  function request(inst, method, path, body, token) {
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (ctrl) ctrl.abort();
    }, REQUEST_TIMEOUT_MS);
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch(inst.api + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      signal: ctrl ? ctrl.signal : undefined,
    })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          if (text) {
            try {
              data = JSON.parse(text);
            } catch (e) {
              data = null;
            }
          }
          return { ok: res.ok, status: res.status, data: data, retryAfter: parseRetryAfter(res.headers.get('Retry-After')) };
        });
      })
      .catch(function () {
        return { ok: false, status: 0, data: null, retryAfter: 0 };
      })
      .then(function (r) {
        clearTimeout(timer);
        return r;
      });
  }

  function sessionPath(s, tail) {
    return '/webchat/sessions/' + encodeURIComponent(s.sessionId) + tail;
  }

  // -------------------------------------------------------- session lifecycle

  function ensureSession(inst) {
    if (inst.session) return Promise.resolve(inst.session);
    if (!inst.sessionPromise) {
      inst.sessionPromise = createSession(inst).then(function (s) {
        inst.sessionPromise = null;
        return s;
      });
    }
    return inst.sessionPromise;
  }

  async function createSession(inst) {
    var delay = 1000;
    for (;;) {
      var body = {};
      if (inst.locale) body.locale = inst.locale;
      if (inst.name) body.name = inst.name;
      var r = await request(inst, 'POST', '/webchat/sessions', body);
      if (inst.destroyed) return new Promise(function () {});
      if (r.ok && r.data && r.data.sessionId != null && r.data.token != null) {
        var s = { sessionId: String(r.data.sessionId), token: String(r.data.token), locale: inst.locale, api: inst.api };
        inst.session = s;
        writeStored(s);
        return s;
      }
      setConnection(inst, 'offline');
      await sleep(inst, Math.max(delay, r.retryAfter));
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  }

  // The server no longer accepts `stale` (401): start a new conversation.
  async function renewSession(inst, stale) {
    if (inst.session && stale && inst.session.sessionId !== stale.sessionId) return inst.session;
    if (inst.session) {
      clearStored(inst.session.sessionId);
      inst.session = null;
    }
    stopEvents(inst);
    var s = await ensureSession(inst);
    startEvents(inst);
    return s;
  }

  // ------------------------------------------------------------------ history

  function loadHistory(inst) {
    if (inst.historyPromise) {
      inst.historyAgain = true;
      return inst.historyPromise;
    }
    var done = function () {
      inst.historyPromise = null;
      if (inst.historyAgain && !inst.destroyed) {
        inst.historyAgain = false;
        return loadHistory(inst);
      }
    };
    inst.historyPromise = fetchHistory(inst).then(done, done);
    return inst.historyPromise;
  }

  async function fetchHistory(inst) {
    var delay = 1000;
    var renewed = false;
    for (var attempt = 0; attempt < 6; attempt++) {
      var s = await ensureSession(inst);
      var r = await request(inst, 'GET', sessionPath(s, '/messages'), undefined, s.token);
      if (inst.destroyed) return;
      if ((r.status === 401 || r.status === 404) && !renewed) {
        renewed = true;
        await renewSession(inst, s);
        continue;
      }
      if (r.ok) {
        var list = r.data && Array.isArray(r.data.messages) ? r.data.messages : Array.isArray(r.data) ? r.data : [];
        ingestMany(inst, list);
        inst.historyLoaded = true;
        return;
      }
      await sleep(inst, Math.max(delay, r.retryAfter));
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    }
  }

  // ------------------------------------------------------------------- events

  function stopEvents(inst) {
    if (inst.es) {
      inst.es.close();
      inst.es = null;
    }
    if (inst.pollTimer) {
      clearInterval(inst.pollTimer);
      inst.pollTimer = null;
    }
  }

  function startEvents(inst) {
    var s = inst.session;
    if (!s || inst.destroyed) return;
    if (typeof window.EventSource !== 'function') {
      // Very old browser: poll the history instead.
      if (!inst.pollTimer) {
        inst.pollTimer = setInterval(function () {
          if (!inst.destroyed) loadHistory(inst);
        }, 4000);
      }
      return;
    }
    if (inst.es) {
      if (inst.esSessionId === s.sessionId && inst.es.readyState !== 2) return;
      inst.es.close();
    }
    var url = inst.api + sessionPath(s, '/events') + '?token=' + encodeURIComponent(s.token);
    var es = new EventSource(url);
    inst.es = es;
    inst.esSessionId = s.sessionId;
    es.addEventListener('open', function () {
      if (inst.es !== es) return;
      inst.esDelay = 1000;
      setConnection(inst, 'online');
      // Catch up on anything sent while we were not listening; ids de-duplicate.
      loadHistory(inst);
    });
    es.addEventListener('message', function (ev) {
      if (inst.es !== es) return;
      var data;
      try {
        data = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (data?.message && data.id == null) data = data.message;
      ingestMany(inst, [data]);
    });
    es.addEventListener('error', function () {
      if (inst.es !== es) return;
      setConnection(inst, 'offline');
      if (es.readyState === 2) {
        // The browser gave up (HTTP error such as 401): find out why.
        es.close();
        inst.es = null;
        recoverEvents(inst, s);
      }
      // Otherwise the browser is reconnecting by itself.
    });
  }

  async function recoverEvents(inst, s) {
    var r = await request(inst, 'GET', sessionPath(s, '/messages'), undefined, s.token);
    if (inst.destroyed || inst.es) return;
    if (r.status === 401 || r.status === 404) {
      await renewSession(inst, s);
      return;
    }
    if (r.ok && r.data && Array.isArray(r.data.messages)) ingestMany(inst, r.data.messages);
    var delay = inst.esDelay || 1000;
    inst.esDelay = Math.min(delay * 2, MAX_BACKOFF_MS);
    later(inst, delay, function () {
      if (!inst.es) startEvents(inst);
    });
  }

  function setConnection(inst, state) {
    inst.root.setAttribute('data-connection', state);
    inst.els.status.hidden = state !== 'offline';
  }

  // ------------------------------------------------------------------ drawing

  function authorType(m) {
    var t = m.author && typeof m.author.type === 'string' ? m.author.type : null;
    if (t) return t;
    return m.direction === 'inbound' ? 'contact' : 'bot';
  }

  function timestamp(value) {
    if (value == null) return NaN;
    var t = typeof value === 'number' ? value : Date.parse(value);
    return isFinite(t) ? t : NaN;
  }

  function formatTime(inst, t) {
    if (!inst.timeFormat) {
      try {
        inst.timeFormat = new Intl.DateTimeFormat(inst.locale || undefined, { hour: 'numeric', minute: '2-digit' });
      } catch (e) {
        inst.timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
      }
    }
    try {
      return inst.timeFormat.format(new Date(t));
    } catch (e) {
      return '';
    }
  }

  function setTime(inst, node, t) {
    if (!isFinite(t)) return;
    node.setAttribute('data-ts', String(t));
    var time = node.querySelector('.baton-time');
    if (!time) {
      time = el('time', 'baton-time');
      var foot = node.querySelector('.baton-foot');
      foot.insertBefore(time, foot.firstChild);
    }
    time.setAttribute('datetime', new Date(t).toISOString());
    time.textContent = formatTime(inst, t);
  }

  function buildBubble(inst, m, type) {
    var node = el('div', 'baton-msg');
    node.setAttribute('data-author-type', type);
    node.setAttribute('data-message-id', m.id != null ? String(m.id) : '');
    if (m.direction) node.setAttribute('data-direction', String(m.direction));
    if (m.status) node.setAttribute('data-status', String(m.status));

    var bubble = el('div', 'baton-bubble');
    var name = m.author && m.author.name != null ? String(m.author.name) : '';
    if (type === 'bot') {
      var meta = el('div', 'baton-meta');
      var badge = el('span', 'baton-badge');
      badge.textContent = inst.labels.bot || name || FALLBACK_BOT_LABEL;
      meta.appendChild(badge);
      bubble.appendChild(meta);
    } else if (type === 'agent' && name) {
      var who = el('div', 'baton-meta');
      var author = el('span', 'baton-author');
      author.textContent = name;
      who.appendChild(author);
      bubble.appendChild(who);
    }
    var text = el('div', 'baton-text');
    text.setAttribute('dir', 'auto');
    text.textContent = m.text == null ? '' : String(m.text);
    bubble.appendChild(text);
    renderAttachments(inst, bubble, m.attachments);
    bubble.appendChild(el('div', 'baton-foot'));
    node.appendChild(bubble);

    renderOptions(inst, node, m.options);
    setTime(inst, node, timestamp(m.createdAt));
    return node;
  }

  // Files are fetched with the session token (GET /api/media/:id): images are shown,
  // anything else is a link that opens the file.
  function renderAttachments(inst, bubble, attachments) {
    if (!Array.isArray(attachments)) return;
    attachments.forEach(function (a) {
      if (!a || typeof a.url !== 'string') return;
      var link = el('a', 'baton-file');
      link.href = '#';
      link.textContent = (typeof a.filename === 'string' && a.filename) || inst.labels.attachment || LABELS.attachment[1];
      bubble.appendChild(link);
      var load = function () {
        var s = inst.session;
        if (!s) return Promise.reject(new Error('no session'));
        return fetch(inst.api + a.url, { headers: { Authorization: 'Bearer ' + s.token } }).then(function (r) {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.blob();
        });
      };
      if (a.kind === 'image' || (typeof a.mimeType === 'string' && a.mimeType.indexOf('image/') === 0)) {
        load()
          .then(function (blob) {
            var img = el('img', 'baton-image');
            img.alt = link.textContent;
            img.src = URL.createObjectURL(blob);
            link.replaceWith(img);
          })
          .catch(function () {});
      }
      link.addEventListener('click', function (event) {
        event.preventDefault();
        load()
          .then(function (blob) {
            window.open(URL.createObjectURL(blob), '_blank', 'noopener');
          })
          .catch(function () {});
      });
    });
  }

  function renderOptions(inst, node, options) {
    if (!Array.isArray(options) || !options.length || node.querySelector('.baton-options')) return;
    var group = el('div', 'baton-options');
    group.setAttribute('role', 'group');
    options.forEach(function (opt) {
      if (!opt || opt.title == null || String(opt.title).trim() === '') return;
      var title = String(opt.title);
      var b = el('button', 'baton-option');
      b.type = 'button';
      if (opt.id != null) b.setAttribute('data-option-id', String(opt.id));
      b.textContent = title;
      b.addEventListener('click', function () {
        if (b.disabled) return;
        b.classList.add('baton-chosen');
        group.setAttribute('data-chosen', 'true');
        // The option's id is what the bot understands; the title is what the customer sees.
        send(inst, title, opt.id != null ? String(opt.id) : null);
      });
      group.appendChild(b);
    });
    if (group.firstChild) node.appendChild(group);
  }

  // Quick replies stay usable only until the customer answers after them.
  function refreshOptions(inst) {
    var nodes = inst.els.log.querySelectorAll('.baton-msg');
    var lastContact = -1;
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].getAttribute('data-author-type') === 'contact') lastContact = i;
    }
    for (var j = 0; j < nodes.length; j++) {
      var group = nodes[j].querySelector('.baton-options');
      if (!group) continue;
      var off = j < lastContact || group.getAttribute('data-chosen') === 'true';
      var buttons = group.querySelectorAll('button');
      for (var k = 0; k < buttons.length; k++) buttons[k].disabled = off;
    }
  }

  // Sort key: server time; a message not yet accepted by the server goes last.
  function sortKey(node) {
    if (!node.getAttribute('data-message-id')) return Infinity;
    var t = Number(node.getAttribute('data-ts'));
    return isFinite(t) ? t : Infinity;
  }

  function insertSorted(inst, node) {
    var key = sortKey(node);
    var log = inst.els.log;
    for (var c = log.firstElementChild; c; c = c.nextElementSibling) {
      if (c !== node && sortKey(c) > key) {
        log.insertBefore(node, c);
        return;
      }
    }
    log.appendChild(node);
  }

  function nearBottom(log) {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  function scrollToEnd(inst) {
    var log = inst.els.log;
    log.scrollTop = log.scrollHeight;
  }

  function ingestMany(inst, list) {
    if (inst.destroyed) return;
    var stick = nearBottom(inst.els.log) || !inst.historyLoaded;
    for (var i = 0; i < list.length; i++) {
      try {
        ingest(inst, list[i]);
      } catch (e) {
        /* one malformed message must not stop the others */
      }
    }
    refreshOptions(inst);
    if (stick) scrollToEnd(inst);
  }

  function ingest(inst, m) {
    if (!m || typeof m !== 'object' || m.id == null) return;
    var id = String(m.id);
    var t = timestamp(m.createdAt);
    if (isFinite(t) && t > inst.maxTs) inst.maxTs = t;

    var known = inst.byId.get(id);
    if (known) {
      if (m.status) known.setAttribute('data-status', String(m.status));
      if (isFinite(t) && known.getAttribute('data-ts-source') !== 'server') {
        known.setAttribute('data-ts-source', 'server');
        setTime(inst, known, t);
      }
      renderOptions(inst, known, m.options);
      return;
    }

    var type = authorType(m);
    if (type === 'contact') {
      var rec = matchPending(inst, m);
      if (rec) {
        acknowledge(inst, rec, id);
        if (m.status) rec.node.setAttribute('data-status', String(m.status));
        if (isFinite(t)) {
          rec.node.setAttribute('data-ts-source', 'server');
          setTime(inst, rec.node, t);
        }
        return;
      }
    }

    var node = buildBubble(inst, m, type);
    if (isFinite(t)) node.setAttribute('data-ts-source', 'server');
    inst.byId.set(id, node);
    insertSorted(inst, node);
  }

  // An echo of a message we sent whose POST has not answered yet.
  function matchPending(inst, m) {
    var i;
    if (m.clientMessageId != null) {
      for (i = 0; i < inst.pending.length; i++) {
        if (inst.pending[i].clientMessageId === String(m.clientMessageId)) return inst.pending[i];
      }
    }
    var text = m.text == null ? '' : String(m.text);
    for (i = 0; i < inst.pending.length; i++) {
      if (!inst.pending[i].id && inst.pending[i].text === text) return inst.pending[i];
    }
    return null;
  }

  // ------------------------------------------------------------------ sending

  function setState(inst, rec, state) {
    rec.state = state;
    var node = rec.node;
    node.setAttribute('data-state', state);
    var foot = node.querySelector('.baton-foot');
    var old = foot.querySelector('.baton-state');
    if (old) foot.removeChild(old);
    if (state === 'sent') return;
    var box = el('span', 'baton-state');
    // "Sending" is transient and would be read out for every message; "not sent" matters.
    if (state !== 'failed') box.setAttribute('aria-hidden', 'true');
    var label = el('span', 'baton-state-text');
    label.textContent = state === 'failed' ? inst.labels.failed : inst.labels.sending;
    box.appendChild(label);
    if (state === 'failed') {
      box.appendChild(document.createTextNode(' \u2014 '));
      var retry = el('button', 'baton-retry');
      retry.type = 'button';
      retry.textContent = inst.labels.retry;
      retry.addEventListener('click', function () {
        if (rec.state !== 'failed') return;
        queueDelivery(inst, rec);
      });
      box.appendChild(retry);
    }
    foot.appendChild(box);
  }

  // The server knows this message as `id` (from the POST answer or its echo).
  function acknowledge(inst, rec, id) {
    if (id != null) {
      id = String(id);
      var other = inst.byId.get(id);
      if (other && other !== rec.node) {
        // Already drawn from the server's copy: keep that one.
        if (rec.node.parentNode) rec.node.parentNode.removeChild(rec.node);
        rec.node = other;
      } else {
        rec.node.setAttribute('data-message-id', id);
        inst.byId.set(id, rec.node);
        if (rec.node.getAttribute('data-ts-source') !== 'server') {
          setTime(inst, rec.node, Math.max(Date.now(), inst.maxTs + 1));
        }
      }
      rec.id = id;
    }
    rec.acked = true;
    var i = inst.pending.indexOf(rec);
    if (i !== -1 && rec.id) inst.pending.splice(i, 1);
    if (rec.state !== 'sent') setState(inst, rec, 'sent');
  }

  function send(inst, text, replyId) {
    text = String(text).trim();
    if (!text || inst.destroyed) return null;
    var rec = { clientMessageId: uuid(), text: text, replyId: replyId || null, id: null, acked: false, state: 'sending', node: null };
    rec.node = buildBubble(inst, { text: text, direction: 'inbound', author: { type: 'contact' } }, 'contact');
    rec.node.setAttribute('data-client-message-id', rec.clientMessageId);
    setTime(inst, rec.node, Date.now());
    inst.pending.push(rec);
    inst.els.log.appendChild(rec.node);
    refreshOptions(inst);
    scrollToEnd(inst);
    queueDelivery(inst, rec);
    return rec.clientMessageId;
  }

  // One message at a time, in the order typed.
  function queueDelivery(inst, rec) {
    setState(inst, rec, 'sending');
    inst.sendChain = inst.sendChain.then(function () {
      return deliver(inst, rec);
    });
  }

  async function deliver(inst, rec) {
    var delay = 1000;
    var renewed = false;
    var tries = 0;
    while (tries < SEND_TRIES) {
      if (rec.id) break; // its echo arrived meanwhile
      tries++;
      var s = await ensureSession(inst);
      var r = await request(
        inst,
        'POST',
        sessionPath(s, '/messages'),
        rec.replyId ? { text: rec.text, clientMessageId: rec.clientMessageId, replyId: rec.replyId } : { text: rec.text, clientMessageId: rec.clientMessageId },
        s.token
      );
      if (inst.destroyed) return;
      if (r.ok) {
        acknowledge(inst, rec, r.data && r.data.messageId != null ? r.data.messageId : null);
        return;
      }
      if ((r.status === 401 || r.status === 404) && !renewed) {
        renewed = true;
        tries--;
        await renewSession(inst, s);
        continue;
      }
      if (!retryable(r.status)) break;
      if (tries < SEND_TRIES) {
        await sleep(inst, Math.max(delay, r.retryAfter));
        delay *= 2;
      }
    }
    if (rec.id) {
      acknowledge(inst, rec, rec.id);
      return;
    }
    setState(inst, rec, 'failed');
  }

  // -------------------------------------------------------------------- mount

  function buildUi(inst, floating) {
    var root = el('section', floating ? 'baton-floating' : 'baton-embedded');
    root.id = 'baton-chat';
    root.setAttribute('aria-labelledby', 'baton-title');
    if (inst.lang) root.setAttribute('lang', inst.lang);
    root.setAttribute('dir', isRtl(inst.lang) ? 'rtl' : 'ltr');
    root.setAttribute('data-connection', 'connecting');

    var header = el('div', 'baton-header');
    var title = el('h2', 'baton-title');
    title.id = 'baton-title';
    title.textContent = inst.labels.title;
    header.appendChild(title);

    var body = el('div', 'baton-body');
    body.id = 'baton-body';

    if (floating) {
      var min = el('button', 'baton-min');
      min.type = 'button';
      min.setAttribute('aria-controls', 'baton-body');
      min.setAttribute('aria-expanded', 'true');
      min.setAttribute('aria-label', inst.labels.minimize);
      min.title = inst.labels.minimize;
      min.textContent = '\u2013';
      min.addEventListener('click', function () {
        var collapsed = !root.classList.contains('baton-collapsed');
        root.classList.toggle('baton-collapsed', collapsed);
        body.hidden = collapsed;
        min.setAttribute('aria-expanded', collapsed ? 'false' : 'true');
        min.textContent = collapsed ? '+' : '\u2013';
        if (!collapsed) {
          scrollToEnd(inst);
          input.focus();
        }
      });
      header.appendChild(min);
    }

    var log = el('div', 'baton-log');
    log.id = 'baton-log';
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-relevant', 'additions');
    log.setAttribute('aria-labelledby', 'baton-title');
    log.tabIndex = 0;

    var status = el('div', 'baton-status');
    status.setAttribute('role', 'status');
    status.textContent = inst.labels.offline;
    status.hidden = true;

    var form = el('form', 'baton-form');
    form.noValidate = true;
    form.setAttribute('autocomplete', 'off');
    var label = el('label', 'baton-sr');
    label.htmlFor = 'baton-input';
    label.textContent = inst.labels.inputLabel || inst.labels.placeholder;
    var input = el('textarea');
    input.id = 'baton-input';
    input.name = 'message';
    input.rows = 1;
    input.placeholder = inst.labels.placeholder;
    input.setAttribute('dir', 'auto');
    input.setAttribute('enterkeyhint', 'send');
    if (inst.lang) input.setAttribute('lang', inst.lang);
    var sendBtn = el('button');
    sendBtn.id = 'baton-send';
    sendBtn.type = 'submit';
    sendBtn.textContent = inst.labels.send;
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(sendBtn);

    function grow() {
      input.style.height = 'auto';
      input.style.height = Math.min(input.scrollHeight + 2, 140) + 'px';
    }
    function submit() {
      var text = input.value;
      if (!text.trim()) return;
      input.value = '';
      grow();
      send(inst, text);
      input.focus();
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      submit();
    });
    input.addEventListener('input', grow);
    input.addEventListener('keydown', function (e) {
      // Enter sends, Shift+Enter is a new line; never interrupt an IME composition.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submit();
      }
    });

    body.appendChild(log);
    body.appendChild(status);
    body.appendChild(form);
    root.appendChild(header);
    root.appendChild(body);

    inst.root = root;
    inst.els = { log: log, input: input, send: sendBtn, status: status, form: form };
  }

  function destroy(inst) {
    if (!inst || inst.destroyed) return;
    inst.destroyed = true;
    stopEvents(inst);
    inst.timers.forEach(clearTimeout);
    inst.timers.clear();
    if (inst.root?.parentNode) inst.root.parentNode.removeChild(inst.root);
    if (current === inst) current = null;
  }

  function open(options) {
    var opts = options || {};
    if (current) destroy(current);

    var locale = normLocale(opts.locale != null ? opts.locale : config.locale);
    var labels = Object.assign({}, opts.labels || {});
    ['title', 'placeholder'].forEach(function (k) {
      if (typeof opts[k] === 'string' && labels[k] == null) labels[k] = opts[k];
    });
    if (typeof opts.sendLabel === 'string' && labels.send == null) labels.send = opts.sendLabel;
    if (typeof opts.botLabel === 'string' && labels.bot == null) labels.bot = opts.botLabel;

    var inst = {
      api: typeof opts.api === 'string' && opts.api ? opts.api.replace(/\/+$/, '') : config.api,
      locale: locale,
      lang: locale || normLocale(document.documentElement.getAttribute('lang')),
      name: typeof opts.name === 'string' && opts.name.trim() ? opts.name.trim() : config.name,
      labels: resolveLabels(labels),
      destroyed: false,
      session: null,
      sessionPromise: null,
      historyPromise: null,
      historyAgain: false,
      historyLoaded: false,
      es: null,
      esSessionId: null,
      esDelay: 1000,
      pollTimer: null,
      timers: new Set(),
      byId: new Map(),
      pending: [],
      maxTs: 0,
      sendChain: Promise.resolve(),
      timeFormat: null,
      root: null,
      els: null,
    };
    current = inst;

    if (opts.fresh) clearStored();
    var stored = readStored();
    if (
      stored &&
      (!stored.api || stored.api === inst.api) &&
      (!inst.locale || !stored.locale || stored.locale === inst.locale)
    ) {
      inst.session = { sessionId: stored.sessionId, token: stored.token, locale: stored.locale || inst.locale, api: inst.api };
    }

    return new Promise(function (resolve) {
      whenDomReady(function () {
        if (inst.destroyed) return;
        loadStrings(inst, labels)
          .then(function () {
            if (inst.destroyed) return;
            injectCss();
            var container = resolveContainer(opts.container) || resolveContainer(config.container);
            buildUi(inst, !container);
            (container || document.body).appendChild(inst.root);
            return ensureSession(inst);
          })
          .then(function () {
            if (inst.destroyed) return;
            startEvents(inst);
            return loadHistory(inst);
          })
          .then(function () {
            if (!inst.destroyed) resolve(sessionInfo());
          });
      });
    });
  }

  function sessionInfo() {
    var s = current?.session;
    return s ? { sessionId: s.sessionId, token: s.token, locale: s.locale || null } : null;
  }

  function close() {
    destroy(current);
  }

  // --------------------------------------------------------------- demo page

  function startDemo() {
    var select = document.getElementById('baton-locale');
    var container = document.getElementById('baton-demo') || config.container || null;
    var params = new URLSearchParams(location.search);
    var wanted = normLocale(params.get('locale'));
    var known = function (code) {
      if (!code) return false;
      if (!select) return true;
      return Array.prototype.some.call(select.options, function (o) {
        return o.value === code;
      });
    };
    var locale = known(wanted) ? wanted : known(config.locale) ? config.locale : select ? select.value : null;
    if (select) {
      select.value = locale;
      select.addEventListener('change', function () {
        var next = select.value;
        params.set('locale', next);
        try {
          history.replaceState(history.state, '', location.pathname + '?' + params.toString() + location.hash);
        } catch (e) {
          /* ignore */
        }
        open({ locale: next, container: container, fresh: true });
      });
    }
    open({ locale: locale, container: container });
  }

  // ---------------------------------------------------------------- exports

  window.Baton = {
    __batonWidget: true,
    open: open,
    session: sessionInfo,
    close: close,
    send: function (text) {
      return current ? send(current, text) : null;
    },
  };

  if (script && config.demo) whenDomReady(startDemo);
  else if (script && config.auto) open({});
})();
