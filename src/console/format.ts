// Turning what the API says into what a person reads, in the console's language:
// waiting times, clock times, language names, escalation reasons, channels, slots.
import { formatSlotValue, slotLabel } from '../workspace/formatSlot.ts';
import { consoleLocale, has, t } from './i18n.ts';

export const toTime = (value: string | number | null | undefined): number => {
  if (value == null) return Number.NaN;
  return typeof value === 'number' ? value : Date.parse(value);
};

export function waitedFor(since: string | null | undefined): string {
  const at = toTime(since);
  if (!Number.isFinite(at)) return '—';
  const mins = Math.max(0, Math.floor((Date.now() - at) / 60_000));
  if (mins < 1) return t('justNow');
  if (mins < 60) return t('minutes', { n: mins });
  if (mins < 60 * 24) return t('hoursMinutes', { h: Math.floor(mins / 60), m: mins % 60 });
  return t('days', { n: Math.floor(mins / (60 * 24)) });
}

export function clockTime(value: string | null | undefined): string {
  const at = toTime(value);
  if (!Number.isFinite(at)) return '';
  try {
    return new Intl.DateTimeFormat(consoleLocale(), { dateStyle: 'short', timeStyle: 'short' }).format(new Date(at));
  } catch {
    return new Date(at).toISOString();
  }
}

/** "Urdu" (in the console's language), or '' when the engine does not know it. */
export function languageName(locale: string | null | undefined, inLocale = consoleLocale()): string {
  if (!locale) return '';
  try {
    const name = new Intl.DisplayNames([inLocale], { type: 'language' }).of(locale);
    return name && name !== locale ? name : '';
  } catch {
    return '';
  }
}

export const reasonText = (reason: string | null | undefined): string =>
  !reason ? '' : has(`reasons.${reason}`) ? t(`reasons.${reason}`) : reason.replace(/[_.]+/g, ' ');

const BRANDS: Record<string, string> = { whatsapp: 'WhatsApp', sms: 'SMS' };
export const channelName = (channel: string | null | undefined): string =>
  !channel ? '—' : (BRANDS[channel] ?? (has(`channels.${channel}`) ? t(`channels.${channel}`) : channel));

export const statusText = (status: string | null | undefined): string => (status && has(`statuses.${status}`) ? t(`statuses.${status}`) : (status ?? '—'));

/** A slot as a person reads it: its name and its value (money and dates formatted for the agent). */
export const slotForPeople = (key: string, value: string) => ({ label: slotLabel(key), text: formatSlotValue(key, value, consoleLocale()) });
