// Slot extraction: the facts a customer states (order ids, amounts, dates, contact
// details), in any script. Personal data is marked so it can be redacted whenever
// the context leaves Baton.
import type { SlotValue } from '../conversations/context.ts';

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

const ORDER_LOOSE = /\bORD[-\s#:]?(\d{3,8})\b/i;
const INVOICE = /\bINV[-\s#:]?(\d{3,8})\b/i;
const AMOUNT = /(?:₹|rs\.?|inr|रु\.?|रुपये|rupees?)\s*([\d,]+(?:\.\d{1,2})?)|([\d,]+(?:\.\d{1,2})?)\s*(?:₹|rs\.?|inr|रुपये|रु|rupees?)/i;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/;
const PHONE = /(?:\+?91[\s-]?)?\b[6-9]\d{9}\b/;
const ISO_DATE = /\b(20\d{2})-(\d{2})-(\d{2})\b/;

export function extractSlots(rawText: string, at = new Date()): ExtractedSlots {
  const text = asciiDigits(rawText);
  const slots: ExtractedSlots = {};
  const stamp = at.toISOString();
  const put = (name: string, value: string, pii = false) => (slots[name] = { value, pii, source: 'customer', at: stamp });

  const order = ORDER_LOOSE.exec(text);
  if (order?.[1]) put('orderId', `ORD-${order[1]}`);
  const invoice = INVOICE.exec(text);
  if (invoice?.[1]) put('invoiceId', `INV-${invoice[1]}`);
  const amount = AMOUNT.exec(text);
  const amountValue = amount?.[1] ?? amount?.[2];
  if (amountValue) put('amountPaise', String(Math.round(Number(amountValue.replace(/,/g, '')) * 100)));
  const email = EMAIL.exec(text);
  if (email) put('email', email[0].toLowerCase(), true);
  const withoutOrders = text.replace(ORDER_LOOSE, ' ');
  const phone = PHONE.exec(withoutOrders);
  if (phone) put('phone', phone[0].replace(/[\s-]/g, ''), true);
  const date = ISO_DATE.exec(text);
  if (date) put('date', date[0]);
  return slots;
}

/** A bare number is an order id only when the bot just asked for one. */
export function orderIdFromBareNumber(rawText: string): string | undefined {
  const match = /^\s*#?\s*(\d{3,8})\s*$/.exec(asciiDigits(rawText));
  return match?.[1] ? `ORD-${match[1]}` : undefined;
}
