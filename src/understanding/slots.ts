// Slot extraction: the facts a customer states, in any script. Baton knows the generic
// ones (amounts, emails, phone numbers, dates); a pack declares its own (an order id, a
// booking reference) as patterns. Personal data is marked so it can be redacted
// whenever the context leaves Baton.
import type { SlotValue } from '../bots/bot.ts';

/** Native digits of Indian scripts (and Arabic-Indic for Urdu/Sindhi/Kashmiri) → ASCII. */
const DIGIT_ZEROS = [0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0660, 0x06f0, 0x1c50, 0xabf0];

export function asciiDigits(text: string): string {
  return text.replace(/[\u0966-\u096f\u09e6-\u09ef\u0a66-\u0a6f\u0ae6-\u0aef\u0b66-\u0b6f\u0be6-\u0bef\u0c66-\u0c6f\u0ce6-\u0cef\u0d66-\u0d6f\u0660-\u0669\u06f0-\u06f9\u1c50-\u1c59\uabf0-\uabf9]/g, (d) => {
    const code = d.charCodeAt(0);
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9)!;
    return String(code - zero);
  });
}

export type ExtractedSlots = Record<string, SlotValue>;

/** A pack's slot declaration, as the extractor needs it. */
export type SlotRule = { name: string; pattern?: string | undefined; value?: string | undefined; bare?: string | undefined; pii: boolean };

const AMOUNT = /(?:₹|rs\.?|inr|रु\.?|रुपये|rupees?)\s*([\d,]+(?:\.\d{1,2})?)|([\d,]+(?:\.\d{1,2})?)\s*(?:₹|rs\.?|inr|रुपये|रु|rupees?)/i;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;
const PHONE = /(?:\+?91[\s-]?)?\b[6-9]\d{9}\b/;
const ISO_DATE = /\b(20\d{2})-(\d{2})-(\d{2})\b/;

/** Slots every pack gets. */
export const CORE_SLOTS: readonly SlotRule[] = [
  { name: 'amountPaise', pii: false },
  { name: 'email', pii: true },
  { name: 'phone', pii: true },
  { name: 'date', pii: false },
];

export type SlotExtractor = {
  extract(text: string, at?: Date): ExtractedSlots;
  /** A bare answer ("1001") to a question for `slot`, if the pack says how to read one. */
  bare(slot: string, text: string, at?: Date): SlotValue | undefined;
  isPii(slot: string): boolean;
  /** Text with every pack slot value taken out (so "ORD-1001" is not read as a phone number). */
  strip(text: string): string;
};

const render = (rule: SlotRule, match: RegExpExecArray) => (rule.value ? rule.value.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? '') : (match[1] ?? match[0]));

export function createSlotExtractor(rules: readonly SlotRule[] = []): SlotExtractor {
  const compiled = rules.map((rule) => ({
    rule,
    pattern: rule.pattern ? new RegExp(rule.pattern, 'iu') : undefined,
    bare: rule.bare ? new RegExp(rule.bare, 'iu') : undefined,
  }));
  const pii = new Map([...CORE_SLOTS, ...rules].map((r) => [r.name, r.pii]));
  const strip = (text: string) => compiled.reduce((t, c) => (c.pattern ? t.replace(new RegExp(c.pattern.source, 'giu'), ' ') : t), text);
  return {
    isPii: (slot) => pii.get(slot) ?? false,
    strip: (text) => strip(asciiDigits(text)),
    extract(rawText, at = new Date()) {
      const text = asciiDigits(rawText);
      const slots: ExtractedSlots = {};
      const stamp = at.toISOString();
      const put = (name: string, value: string, isPii = false) => (slots[name] = { value, pii: isPii, source: 'customer', at: stamp });
      for (const { rule, pattern } of compiled) {
        const match = pattern?.exec(text);
        if (match) put(rule.name, render(rule, match), rule.pii);
      }
      const amount = AMOUNT.exec(text);
      const amountValue = amount?.[1] ?? amount?.[2];
      if (amountValue) put('amountPaise', String(Math.round(Number(amountValue.replace(/,/g, '')) * 100)));
      const email = EMAIL.exec(text);
      if (email) put('email', email[0].toLowerCase(), true);
      const phone = PHONE.exec(strip(text));
      if (phone) put('phone', phone[0].replace(/[\s-]/g, ''), true);
      const date = ISO_DATE.exec(text);
      if (date) put('date', date[0]);
      return slots;
    },
    bare(slot, rawText, at = new Date()) {
      const c = compiled.find((x) => x.rule.name === slot);
      const match = c?.bare?.exec(asciiDigits(rawText));
      return c && match ? { value: render(c.rule, match), pii: c.rule.pii, source: 'customer', at: at.toISOString() } : undefined;
    },
  };
}
