// Personal data leaves Baton only masked: free text has emails and phone numbers
// masked wherever it goes out (logs, model prompts, the ledger's copy of an envelope).
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/g;
// Ten or more digits, optionally with a country code and separators; not dates.
const PHONE = /(?<![\d-])(?:\+?\d{1,3}[\s-]?)?\d{5}[\s-]?\d{5}(?![\d-])/g;

export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}
