// Personal data leaves Baton only masked: in logs, in LLM prompts and in the ledger's
// copy of the envelope. Tagged slots are replaced whole; free text has emails and
// phone numbers masked.
import type { HandoffEnvelopeV1 } from './envelope.ts';

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.-]+/g;
// Ten or more digits, optionally with a country code and separators; not dates.
const PHONE = /(?<![\d-])(?:\+?\d{1,3}[\s-]?)?\d{5}[\s-]?\d{5}(?![\d-])/g;

export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, (m) => (/ORD|INV/i.test(m) ? m : '[phone]'));
}

export function redactEnvelope(envelope: HandoffEnvelopeV1): HandoffEnvelopeV1 {
  return {
    ...envelope,
    slots: Object.fromEntries(
      Object.entries(envelope.slots).map(([name, slot]) => [name, slot.pii ? { ...slot, value: `[redacted:${name}]` } : slot]),
    ),
    transcript: envelope.transcript.map((line) => ({ ...line, text: maskPersonalData(line.text) })),
    summary: maskPersonalData(envelope.summary),
    notes: envelope.notes.map((note) => ({ ...note, text: maskPersonalData(note.text) })),
  };
}
