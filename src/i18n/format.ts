// Numbers, money and dates as people in each locale expect them: Indian digit
// grouping (₹2,49,900.00), the locale's month names, and its own digits where Intl
// uses them by default.
const tag = (locale: string) => (locale === 'en' ? 'en-IN' : `${locale}-IN`);

// Building an Intl formatter costs far more than using one, and a turn formats several
// amounts and dates: one of each kind per locale, kept for the life of the process.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let formatter = formatters.get(key) as F | undefined;
  if (!formatter) {
    formatter = make();
    formatters.set(key, formatter);
  }
  return formatter;
}

export function formatMoney(paise: number, locale: string): string {
  return cached(`money:${locale}`, () => new Intl.NumberFormat(tag(locale), { style: 'currency', currency: 'INR' })).format(paise / 100);
}

export function formatDate(date: Date, locale: string): string {
  return cached(`date:${locale}`, () => new Intl.DateTimeFormat(tag(locale), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Asia/Kolkata' })).format(date);
}

export function formatNumber(value: number, locale: string): string {
  return cached(`number:${locale}`, () => new Intl.NumberFormat(tag(locale))).format(value);
}

/** Whole days from now to `date`, at least 0. */
export function daysUntil(date: Date, now = new Date()): number {
  return Math.max(0, Math.round((date.getTime() - now.getTime()) / 86_400_000));
}
