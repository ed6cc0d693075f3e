// The ledger's copy of an envelope: tagged slots are replaced whole; free text has
// emails and phone numbers masked.
import { maskPersonalData } from '../shared/personalData.ts';
import type { HandoffEnvelopeV1 } from './envelope.ts';

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
