// An automatic notice to the customer (an agent joined, a transfer, back to the bot,
// closed). Inside the WhatsApp 24-hour window, and on every other channel, it is the
// translated text. Outside it, Meta takes only approved templates: the notice goes as
// the template registered for it, or not at all — never as free text — and a skipped
// notice is recorded (a failed message `no_template`, a log line and a metric).
import type { Dispatcher } from '../queues/dispatcher.ts';
import { queueOutbound, type OutboundDraft } from '../conversations/queueOutbound.ts';
import type { Db } from '../db/client.ts';
import { isUniqueViolation } from '../db/dbErrors.ts';
import { outsideWhatsAppWindow } from '../channels/whatsapp/window.ts';
import type { Conversation } from '../generated/prisma/client.ts';
import { translator } from '../i18n/i18n.ts';
import { metrics } from '../observability/metrics.ts';
import type { Logger } from '../shared/logger.ts';
import { templateForNotice } from './templates.ts';

export type NoticeDeps = { db: Db; dispatcher: Dispatcher; log: Logger };

export async function queueNotice(deps: NoticeDeps, conversation: Conversation, notice: { key: string; vars: Record<string, string> }, draft: OutboundDraft) {
  if (!outsideWhatsAppWindow(conversation)) return queueOutbound(deps.db, deps.dispatcher, draft);
  const template = await templateForNotice(deps.db, notice.key, conversation.locale);
  if (template) {
    const business = translator(conversation.locale)('common:business', { defaultValue: '' });
    const params = template.parameters.map((p) => (p === 'business' ? business : (notice.vars[p] ?? '')));
    metrics.notices.inc({ notice: notice.key, outcome: 'template' });
    return queueOutbound(deps.db, deps.dispatcher, { ...draft, payload: { ...draft.payload, template: { name: template.name, language: template.language, params } } });
  }
  metrics.notices.inc({ notice: notice.key, outcome: 'skipped' });
  deps.log.warn({ conversationId: conversation.id, notice: notice.key, locale: conversation.locale }, 'notice not sent: outside the WhatsApp window and no template registered for it');
  try {
    await deps.db.message.create({
      data: {
        conversationId: conversation.id,
        direction: 'outbound',
        authorType: draft.author.type,
        authorId: draft.author.id,
        authorName: draft.author.name,
        channel: conversation.channel,
        text: draft.text,
        payload: { notice: notice.key },
        idempotencyKey: draft.idempotencyKey,
        status: 'failed',
        errorCode: 'no_template',
        locale: conversation.locale,
      },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
  return undefined;
}
