// The live stream (GET /api/events) feeding the store. Event names and payload types
// are the server's (src/escalation/agentEventSchemas.ts); the browser reconnects by
// itself, and after an HTTP error this retries with a growing delay.
import type { AgentEventName, AgentEventPayload } from '../escalation/agentEventSchemas.ts';
import { AGENT_EVENT_NAMES } from '../escalation/agentEventNames.ts';
import type { InboxItem } from '../escalation/inbox.ts';
import type { MessageView } from '../conversations/messageView.ts';
import { api, session } from './api.ts';
import { t } from './i18n.ts';
import type { Store } from './store.ts';

const MAX_BACKOFF_MS = 30_000;

type Handlers = { [E in AgentEventName]: (data: AgentEventPayload<E>) => void };

function handlers(store: Store): Handlers {
  return {
    waiting: (data) => {
      if (data.transferredBy) {
        store.say(t('transferredToYou'));
        void store.loadMine();
        return;
      }
      store.upsertInbox(data as unknown as InboxItem);
    },
    claimed: ({ conversationId: id, agentId }) => {
      store.inbox.delete(id);
      if (store.me && agentId === store.me.id) {
        if (!store.mine.has(id)) void store.loadMine();
      } else if (store.open?.id === id || store.mine.has(id)) {
        store.lost(id, t('takenByOther'));
      }
      store.changed();
    },
    message: ({ conversationId: id, message }) => {
      const m = message as unknown as MessageView;
      if (store.open?.id === id) return store.addMessage(m);
      if (store.mine.has(id) && m.author.type === 'contact') {
        store.unread.add(id);
        store.changed();
      }
    },
    sla: (data) => {
      store.sla.set(data.conversationId, data.slaReason ?? 'sla');
      if ('channel' in data && store.inbox.has(data.conversationId)) store.upsertInbox(data as unknown as InboxItem);
      store.changed();
    },
    released: ({ conversationId: id, reason }) => {
      const message = reason === 'sla_no_reply' ? t('releasedNoReply') : t('releasedGeneric');
      if (store.mine.has(id) || store.open?.id === id) {
        store.say(message, 'error');
        store.lost(id, message);
      }
      void store.loadInbox();
    },
    note: ({ conversationId, note }) => store.addNoteToOpen(conversationId, note),
    csat: ({ rating }) => store.say(t('csatArrived', { rating })),
  };
}

export function startEvents(store: Store): () => void {
  const epoch = session.epoch;
  let es: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay = 1000;
  const on = handlers(store);

  const connect = () => {
    if (!session.token || session.epoch !== epoch) return;
    const source = new EventSource(`/api/events?token=${encodeURIComponent(session.token)}`);
    es = source;
    source.addEventListener('open', () => {
      delay = 1000;
      store.connected = true;
      // Catch up on whatever happened while not listening.
      void store.loadInbox();
      void store.loadMine();
      void store.refreshOpen();
    });
    for (const name of AGENT_EVENT_NAMES) {
      source.addEventListener(name, (ev) => {
        if (es !== source || session.epoch !== epoch) return;
        try {
          (on[name] as (d: unknown) => void)(JSON.parse((ev as MessageEvent<string>).data));
        } catch {
          // a malformed event is dropped
        }
      });
    }
    source.addEventListener('error', () => {
      if (es !== source) return;
      store.connected = false;
      store.changed();
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        es = null;
        void recover();
      }
    });
  };

  const recover = async () => {
    const wait = delay;
    delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    const r = await api('GET', '/api/me'); // a 401 here signs out
    if (r.stale || session.epoch !== epoch) return;
    timer = setTimeout(connect, wait);
  };

  connect();
  return () => {
    clearTimeout(timer);
    es?.close();
    es = null;
  };
}
