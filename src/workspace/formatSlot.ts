// Slot values for people: `refundPaise 249900` reads "Refund ₹2,499.00", an ISO date a
// date in the reader's language. Pure (Intl only), shared by the server (placeholders
// in saved replies, in the customer's language) and the agent console (in the agent's).

/** "refundPaise" → "Refund", "orderId" → "Order id". */
export function slotLabel(key: string): string {
  const base = key.replace(/Paise$/, '') || key;
  const words = base.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Intl wants a region for Indian number grouping and the rupee sign (hi → hi-IN). */
const intlLocale = (locale: string) => (/[-_]/.test(locale) ? locale.replace('_', '-') : `${locale}-IN`);

export function formatSlotValue(key: string, value: string, locale: string): string {
  try {
    if (/Paise$/.test(key) && /^-?\d+$/.test(value.trim())) {
      return new Intl.NumberFormat(intlLocale(locale), { style: 'currency', currency: 'INR' }).format(Number(value) / 100);
    }
    if (ISO_DATE.test(value.trim())) {
      const date = new Date(value.trim());
      if (!Number.isNaN(date.getTime())) {
        const withTime = value.includes('T');
        return new Intl.DateTimeFormat(intlLocale(locale), withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }).format(date);
      }
    }
  } catch {
    // An engine without this locale's data: the raw value is still right.
  }
  return value;
}
