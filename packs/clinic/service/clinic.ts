// CityCare Clinic's own service, the example of a business back-end that a pack talks
// to: it answers the appointments bot's turns (a webhook bot: signed JSON in, replies
// out) and the actions the assistant bot calls (free slots, lab reports). It is written
// against the pack contract only — no Baton code — as it would be in any language.
// Run it: CLINIC_WEBHOOK_SECRET=… tsx packs/clinic/service/clinic.ts
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What Baton sends a webhook bot for each turn (pack contract, version "1"). */
export type Turn = {
  version: '1';
  conversationId: string;
  channel: string;
  locale: string;
  bot: string;
  message: { id: string; text: string };
  intent: { name: string; confidence: number };
  slots: Record<string, string>;
  envelope: Record<string, unknown> | null;
};

const TEXT = {
  en: {
    booked: (dept: string, at: string, id: string) => `You are booked with ${dept} on ${at}. Your booking reference is ${id}.`,
    cancelled: (id: string) => `Booking ${id} is cancelled. We hope to see you another time.`,
    unknownBooking: (id: string) => `I couldn't find booking ${id}. Please check the reference.`,
  },
  hi: {
    booked: (dept: string, at: string, id: string) => `आपका अपॉइंटमेंट ${dept} में ${at} को बुक हो गया है। आपकी बुकिंग संख्या ${id} है।`,
    cancelled: (id: string) => `बुकिंग ${id} रद्द कर दी गई है।`,
    unknownBooking: (id: string) => `बुकिंग ${id} नहीं मिली। कृपया संख्या जाँच लें।`,
  },
};

const DEPARTMENTS = ['cardiology', 'dermatology', 'general', 'pediatrics'];
const HINDI_DEPARTMENTS: Record<string, string> = { त्वचा: 'dermatology', दिल: 'cardiology', हृदय: 'cardiology', बच्च: 'pediatrics' };

/** The clinic's answer to one appointments turn. */
export function answerAppointmentsTurn(turn: Turn, bookings: Map<string, { department: string; at: string }>) {
  const text = TEXT[turn.locale === 'hi' ? 'hi' : 'en'];
  if (turn.intent.name === 'appointment.cancel') {
    const id = turn.slots.bookingId;
    if (!id || !bookings.has(id)) return { replies: [{ text: text.unknownBooking(id ?? '—') }] };
    bookings.delete(id);
    return { replies: [{ text: text.cancelled(id) }] };
  }
  // The department from this message, else from what the customer said before the handoff.
  const said = [turn.message.text, ...transcriptOf(turn.envelope)];
  const department =
    said.map((text) => DEPARTMENTS.find((d) => text.toLowerCase().includes(d.slice(0, 5))) ?? Object.entries(HINDI_DEPARTMENTS).find(([word]) => text.includes(word))?.[1]).find(Boolean) ??
    'general';
  const id = `APT-${2001 + bookings.size}`;
  const at = '2026-12-08 10:30';
  bookings.set(id, { department, at });
  return { replies: [{ text: text.booked(department, at, id) }], slots: { bookingId: id } };
}

function transcriptOf(envelope: Record<string, unknown> | null): string[] {
  const lines = envelope?.transcript;
  return Array.isArray(lines) ? lines.map((l) => String((l as { text?: unknown }).text ?? '')).reverse() : [];
}

function verified(secret: string, raw: Buffer, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startClinicService(opts: { secret: string; port?: number }) {
  const bookings = new Map<string, { department: string; at: string }>([['APT-2000', { department: 'general', at: '2026-12-05 09:00' }]]);
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await read(req);
      const url = new URL(req.url ?? '/', 'http://clinic');
      if (req.method === 'POST' && url.pathname === '/baton/appointments') {
        if (!verified(opts.secret, raw, req.headers['x-baton-signature'] as string | undefined)) return json(res, 401, { error: 'bad signature' });
        return json(res, 200, answerAppointmentsTurn(JSON.parse(raw.toString('utf8')) as Turn, bookings));
      }
      if (req.method === 'GET' && url.pathname === '/slots') {
        const department = url.searchParams.get('department') ?? 'general';
        if (!DEPARTMENTS.includes(department)) return json(res, 404, { error: 'no such department' });
        return json(res, 200, { department, free: ['2026-12-08 10:30', '2026-12-08 16:00', '2026-12-09 11:15'] });
      }
      if (req.method === 'GET' && url.pathname === '/lab-reports') {
        // The verified phone number Baton passes decides whose report this is.
        return json(res, 200, { phone: url.searchParams.get('phone'), status: 'ready', collectFrom: 'Counter 3' });
      }
      json(res, 404, { error: 'no route' });
    })().catch(() => json(res, 500, { error: 'clinic service failed' }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bookings,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const service = await startClinicService({ secret: process.env.CLINIC_WEBHOOK_SECRET ?? 'change-me', port: Number(process.env.PORT ?? 3400) });
  process.stdout.write(`CityCare Clinic service on ${service.url}\n`);
}
