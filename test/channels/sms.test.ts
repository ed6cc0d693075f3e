import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  EMPTY_TWIML,
  TwilioInbound,
  TwilioSender,
  TwilioStatus,
  computeTwilioSignature,
  formToPairs,
  normalizeSms,
  normalizeSmsStatus,
  parseRetryAfter,
  urlCandidates,
  verifyTwilioSignature,
} from '../../src/channels/sms/index.ts';
import { ProviderError } from '../../src/shared/errors.ts';
import { FIXTURES } from '../support/fixtures.ts';


const Vector = z.object({
  name: z.string(),
  auth_token: z.string(),
  url_signed: z.string(),
  params: z.array(z.tuple([z.string(), z.string()])),
  expected_signature: z.string(),
  match: z.boolean().nullable().optional(),
  validate_against_url: z.string().optional(),
  note: z.string().optional(),
});
type Vector = z.infer<typeof Vector>;

const vectors = z
  .object({ vectors: z.array(Vector) })
  .parse(JSON.parse(readFileSync(path.join(FIXTURES, 'twilio/signature_vectors.json'), 'utf8'))).vectors;

// The JSON-webhook vectors name their bodies only in the notes; keyed by sha256 here.
const JSON_BODIES = ['{"property": "value", "boolean": true}', '{}'];
const bodyByHash = new Map(JSON_BODIES.map((body) => [sha256(body), Buffer.from(body)]));

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function rawBodyFor(url: string): Buffer | undefined {
  const hash = /[?&]bodySHA256=([0-9a-f]+)/.exec(url)?.[1];
  return hash === undefined ? undefined : bodyByHash.get(hash);
}

function vector(name: string): Vector {
  const found = vectors.find((v) => v.name === name);
  if (found === undefined) throw new Error(`fixture vector ${name} missing`);
  return found;
}

describe('Twilio signature vectors', () => {
  it('loads the fixture', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s behaves as the fixture says', (_name, v) => {
    // `match: false` would mean expected_signature is not the HMAC of these inputs.
    const valid = v.match !== false;
    const url = v.validate_against_url ?? v.url_signed;
    const accepted = verifyTwilioSignature({
      authTokens: [v.auth_token],
      url,
      params: v.params,
      header: v.expected_signature,
      rawBody: rawBodyFor(url),
    });
    expect(accepted).toBe(valid);
    expect(computeTwilioSignature(v.auth_token, v.url_signed, v.params) === v.expected_signature).toBe(valid);
  });

  it('JSON bodies of the bodySHA256 vectors hash to the signed value', () => {
    for (const v of vectors.filter((x) => x.url_signed.includes('bodySHA256='))) {
      expect(rawBodyFor(v.url_signed), v.name).toBeDefined();
    }
  });

  it('signs repeated keys with sorted, de-duplicated values', () => {
    const v = vector('repeated_keys_multidict');
    expect(verifyTwilioSignature({ authTokens: ['12345'], url: v.url_signed, params: v.params, header: 'tM//N+MVWOh7+ol2z8YCNxSY0Eg=' })).toBe(false);
    const reversed = [...v.params].reverse();
    expect(computeTwilioSignature('12345', v.url_signed, reversed)).toBe(v.expected_signature);
    const arrays = vector('array_param_values_sorted');
    expect(computeTwilioSignature('12345', arrays.url_signed, [...arrays.params].reverse())).toBe(arrays.expected_signature);
  });

  it('accepts the port-less HMAC of json_body_empty_object too', () => {
    const v = vector('json_body_empty_object');
    const url = v.validate_against_url ?? v.url_signed;
    expect(computeTwilioSignature('12345', url, [])).toBe('rw/jVviOgicj2+kHZULvebnA4ag=');
    expect(verifyTwilioSignature({ authTokens: ['12345'], url, params: [], header: 'rw/jVviOgicj2+kHZULvebnA4ag=', rawBody: Buffer.from('{}') })).toBe(true);
  });

  it('signs the query string byte for byte', () => {
    const v = vector('query_with_special_chars');
    const reencoded = v.url_signed.replace("It's", 'It%27s');
    expect(verifyTwilioSignature({ authTokens: ['12345'], url: reencoded, params: v.params, header: v.expected_signature })).toBe(false);
  });
});

describe('verifyTwilioSignature rejections', () => {
  const base = vector('docs_example_sdk_form');
  const ok = { authTokens: ['12345'], url: base.url_signed, params: base.params, header: base.expected_signature };

  it('accepts the untouched request', () => {
    expect(verifyTwilioSignature(ok)).toBe(true);
  });

  it('rejects a wrong token', () => {
    expect(verifyTwilioSignature({ ...ok, authTokens: ['54321'] })).toBe(false);
  });

  it('rejects a tampered, added or missing param', () => {
    const tampered = base.params.map(([k, v]): [string, string] => (k === 'Digits' ? [k, '9999'] : [k, v]));
    expect(verifyTwilioSignature({ ...ok, params: tampered })).toBe(false);
    expect(verifyTwilioSignature({ ...ok, params: [...base.params, ['Extra', '1']] })).toBe(false);
    expect(verifyTwilioSignature({ ...ok, params: base.params.slice(1) })).toBe(false);
  });

  it('rejects a different path, scheme or query', () => {
    expect(verifyTwilioSignature({ ...ok, url: ok.url.replace('/myapp.php', '/other.php') })).toBe(false);
    expect(verifyTwilioSignature({ ...ok, url: ok.url.replace('https:', 'http:') })).toBe(false);
    expect(verifyTwilioSignature({ ...ok, url: ok.url.replace('bar=2', 'bar=3') })).toBe(false);
  });

  it('rejects a missing, empty or malformed header', () => {
    expect(verifyTwilioSignature({ ...ok, header: undefined })).toBe(false);
    expect(verifyTwilioSignature({ ...ok, header: '' })).toBe(false);
    expect(verifyTwilioSignature({ ...ok, header: 'short' })).toBe(false);
    expect(verifyTwilioSignature({ ...ok, header: `${base.expected_signature} ` })).toBe(false);
  });

  it('never accepts with no token or an empty token', () => {
    expect(verifyTwilioSignature({ ...ok, authTokens: [] })).toBe(false);
    const signedWithEmpty = computeTwilioSignature('', ok.url, ok.params);
    expect(verifyTwilioSignature({ ...ok, authTokens: [''], header: signedWithEmpty })).toBe(false);
  });

  it('accepts any token during rotation', () => {
    const header = computeTwilioSignature('old-token', ok.url, ok.params);
    expect(verifyTwilioSignature({ ...ok, header, authTokens: ['new-token', 'old-token'] })).toBe(true);
    expect(verifyTwilioSignature({ ...ok, header, authTokens: ['new-token'] })).toBe(false);
  });

  it('checks the raw body of a JSON webhook against bodySHA256', () => {
    const v = vector('json_body_bodySHA256');
    const opts = { authTokens: ['12345'], url: v.url_signed, params: [] as Array<[string, string]>, header: v.expected_signature };
    expect(verifyTwilioSignature({ ...opts, rawBody: Buffer.from('{"property": "value", "boolean": true}') })).toBe(true);
    expect(verifyTwilioSignature({ ...opts, rawBody: Buffer.from('{"property": "value", "boolean": false}') })).toBe(false);
    expect(verifyTwilioSignature(opts)).toBe(false);
    // Only the URL is signed; stray form params must not change the outcome.
    expect(verifyTwilioSignature({ ...opts, params: [['a', 'b']], rawBody: Buffer.from('{"property": "value", "boolean": true}') })).toBe(true);
  });
});

describe('urlCandidates', () => {
  it('toggles the port without re-encoding anything', () => {
    expect(urlCandidates("https://h.example/p?q=It's+ok")).toEqual(["https://h.example/p?q=It's+ok", "https://h.example:443/p?q=It's+ok"]);
    expect(urlCandidates('http://u:p@h.example:8080/p')).toEqual(['http://u:p@h.example:8080/p', 'http://u:p@h.example/p']);
    expect(urlCandidates('http://[::1]:3000/webhooks/sms')).toEqual(['http://[::1]:3000/webhooks/sms', 'http://[::1]/webhooks/sms']);
    expect(urlCandidates('http://[::1]/x')).toEqual(['http://[::1]/x', 'http://[::1]:80/x']);
    expect(urlCandidates('not a url')).toEqual(['not a url']);
  });
});

// Shaped like express.urlencoded({ extended: false }) output of a real Twilio inbound SMS.
const smsForm: Record<string, string | string[]> = {
  ToCountry: 'US',
  ToState: 'CA',
  SmsMessageSid: 'SM5d8f2c0c5a4c4d3e9b6f1a2b3c4d5e6f',
  NumMedia: '0',
  ToCity: 'SAN FRANCISCO',
  FromZip: '94107',
  SmsSid: 'SM5d8f2c0c5a4c4d3e9b6f1a2b3c4d5e6f',
  FromState: 'CA',
  SmsStatus: 'received',
  FromCity: 'SAN FRANCISCO',
  Body: 'Where is my order ORD-1001?',
  FromCountry: 'US',
  To: '+14155550100',
  MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
  ToZip: '94105',
  NumSegments: '1',
  MessageSid: 'SM5d8f2c0c5a4c4d3e9b6f1a2b3c4d5e6f',
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+14155550199',
  ApiVersion: '2010-04-01',
};
const at = new Date('2025-01-02T03:04:05Z');

describe('TwilioInbound + normalizeSms', () => {
  it('signs and verifies all params of an express body, unknown ones included', () => {
    const url = 'https://baton.example/webhooks/sms';
    const pairs = formToPairs(smsForm);
    expect(pairs).toHaveLength(Object.keys(smsForm).length);
    const header = computeTwilioSignature('tok', url, pairs);
    expect(verifyTwilioSignature({ authTokens: ['tok'], url, params: formToPairs(smsForm), header })).toBe(true);
    const { FromCity: _dropped, ...withoutUnknown } = smsForm;
    expect(verifyTwilioSignature({ authTokens: ['tok'], url, params: formToPairs(withoutUnknown), header })).toBe(false);
  });

  it('flattens repeated keys', () => {
    expect(formToPairs({ a: ['2', '1'], b: 'x' })).toEqual([['a', '2'], ['a', '1'], ['b', 'x']]);
  });

  it('normalizes a text SMS', () => {
    expect(normalizeSms(TwilioInbound.parse(smsForm), at)).toEqual({
      channel: 'sms',
      providerMessageId: 'SM5d8f2c0c5a4c4d3e9b6f1a2b3c4d5e6f',
      from: { externalId: '+14155550199', phone: '+14155550199' },
      receivedAt: at,
      kind: 'text',
      text: 'Where is my order ORD-1001?',
      providerType: 'sms',
    });
  });

  it('normalizes an MMS with a caption', () => {
    const form = TwilioInbound.parse({
      ...smsForm,
      NumMedia: '2',
      Body: 'the box arrived broken',
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2',
      MediaContentType1: 'image/png',
    });
    const message = normalizeSms(form, at);
    expect(message.kind).toBe('media');
    expect(message.text).toBe('the box arrived broken');
    expect(message.providerType).toBe('mms');
    expect(message.attachment).toEqual({
      kind: 'image',
      url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      mimeType: 'image/jpeg',
      caption: 'the box arrived broken',
    });
  });

  it.each([
    ['audio/ogg', 'audio'],
    ['video/mp4', 'video'],
    ['application/pdf', 'document'],
    ['text/vcard', 'document'],
    ['IMAGE/GIF', 'image'],
  ])('maps media type %s to %s; media-only MMS has no caption', (contentType, kind) => {
    const form = TwilioInbound.parse({ ...smsForm, Body: '', NumMedia: '1', MediaUrl0: 'https://m.example/1', MediaContentType0: contentType });
    const message = normalizeSms(form, at);
    expect(message.attachment?.kind).toBe(kind);
    expect(message.attachment?.caption).toBeUndefined();
    expect(message.text).toBe('');
  });

  it('normalizes WhatsApp-via-Twilio: the address keeps the prefix (replies go back on WhatsApp), the phone does not', () => {
    const form = TwilioInbound.parse({
      ...smsForm,
      From: 'whatsapp:+919876543210',
      To: 'whatsapp:+14155238886',
      ProfileName: 'Asha',
      WaId: '919876543210',
      Body: 'hi',
    });
    const message = normalizeSms(form, at);
    expect(message.channel).toBe('sms');
    expect(message.from).toEqual({ externalId: 'whatsapp:+919876543210', phone: '+919876543210', name: 'Asha' });
    expect(message.providerType).toBe('whatsapp');
    expect(message.kind).toBe('text');
  });

  it('normalizes WhatsApp-via-Twilio button replies and locations', () => {
    const wa = { ...smsForm, From: 'whatsapp:+919876543210', To: 'whatsapp:+14155238886' };
    const button = normalizeSms(TwilioInbound.parse({ ...wa, Body: 'Track order', ButtonText: 'Track order', ButtonPayload: 'track', OriginalRepliedMessageSid: 'SM0ld' }), at);
    expect(button).toMatchObject({ kind: 'interactive', replyId: 'track', text: 'Track order', inReplyTo: 'SM0ld' });
    const location = normalizeSms(TwilioInbound.parse({ ...wa, Body: '', Latitude: '12.9716', Longitude: '77.5946', Label: 'Home' }), at);
    expect(location).toMatchObject({ kind: 'location', location: { latitude: 12.9716, longitude: 77.5946, name: 'Home' } });
    const blank = normalizeSms(TwilioInbound.parse({ ...wa, Latitude: '', Longitude: '' }), at);
    expect(blank.kind).toBe('text');
  });

  it('keeps a non-E.164 sender as the address but not as a phone', () => {
    const message = normalizeSms(TwilioInbound.parse({ ...smsForm, From: '72345' }), at);
    expect(message.from).toEqual({ externalId: '72345' });
  });

  it('takes the first value of a repeated key and rejects what is not an inbound message', () => {
    expect(TwilioInbound.parse({ ...smsForm, MessageSid: ['SM1', 'SM2'] }).MessageSid).toBe('SM1');
    const { MessageSid: _sid, ...noSid } = smsForm;
    expect(TwilioInbound.safeParse(noSid).success).toBe(false);
    expect(TwilioInbound.safeParse({ ...smsForm, NumMedia: 'lots' }).success).toBe(false);
    // A status callback has no Body: it must not pass as an inbound message.
    expect(TwilioInbound.safeParse(statusForm('delivered')).success).toBe(false);
  });
});

function statusForm(status: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SmsSid: 'SMabc',
    SmsStatus: status,
    MessageStatus: status,
    To: '+14155550199',
    MessageSid: 'SMabc',
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    From: '+14155550100',
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

describe('TwilioStatus + normalizeSmsStatus', () => {
  it('normalizes delivery receipts', () => {
    expect(normalizeSmsStatus(TwilioStatus.parse(statusForm('delivered')), at)).toEqual({
      channel: 'sms',
      providerMessageId: 'SMabc',
      status: 'delivered',
      at,
    });
    expect(normalizeSmsStatus(TwilioStatus.parse(statusForm('undelivered', { ErrorCode: '30003' })), at)).toMatchObject({
      status: 'undelivered',
      errorCode: '30003',
    });
  });

  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'sending'],
    ['sent', 'sent'],
    ['read', 'read'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
    ['receiving', null],
    ['received', null],
    ['partially_delivered', null],
  ])('maps %s to %s', (twilio, baton) => {
    expect(normalizeSmsStatus(TwilioStatus.parse(statusForm(twilio)), at)?.status ?? null).toBe(baton);
  });

  it('rejects an unknown status and a missing sid', () => {
    expect(TwilioStatus.safeParse(statusForm('exploded')).success).toBe(false);
    expect(TwilioStatus.safeParse({ MessageStatus: 'sent' }).success).toBe(false);
  });
});

describe('EMPTY_TWIML', () => {
  it('is an empty Response document', () => {
    expect(EMPTY_TWIML).toMatch(/<Response><\/Response>$/);
  });
});

type Recorded = { method: string; url: string; headers: IncomingHttpHeaders; body: string };
type Reply = (res: ServerResponse) => void;

describe('TwilioSender against a local HTTP server', () => {
  let server: Server;
  let apiBase = '';
  let recorded: Recorded[] = [];
  let reply: Reply = (res) => res.end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        reply(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    recorded = [];
    reply = json(201, { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' });
  });

  function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
    return (res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
  }

  function sender(extra: { statusCallbackUrl?: string; timeoutMs?: number; apiBase?: string; messagingServiceSid?: string } = {}): TwilioSender {
    return new TwilioSender({ apiBase, accountSid: 'AC123', authToken: 'secret', from: '+14155550100', ...extra });
  }

  const request = { to: '+14155550199', text: 'Your order ORD-1001 ships today & arrives in 2 days.', idempotencyKey: 'turn-42:reply' };

  async function sendError(s: TwilioSender, req = request): Promise<ProviderError> {
    const error: unknown = await s.send(req).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }

  it('posts the exact form with basic auth and idempotency headers', async () => {
    const s = sender({ statusCallbackUrl: 'https://baton.example/webhooks/sms/status' });
    expect(s.channel).toBe('sms');
    await expect(s.send(request)).resolves.toEqual({ providerMessageId: 'SM0123456789abcdef0123456789abcdef' });

    expect(recorded).toHaveLength(1);
    const [sent] = recorded;
    expect(sent?.method).toBe('POST');
    expect(sent?.url).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(sent?.headers.authorization).toBe(`Basic ${Buffer.from('AC123:secret').toString('base64')}`);
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent?.headers['i-twilio-idempotency-token']).toBe('turn-42:reply');
    expect(sent?.headers['idempotency-key']).toBe('turn-42:reply');
    expect([...new URLSearchParams(sent?.body)]).toEqual([
      ['To', '+14155550199'],
      ['From', '+14155550100'],
      ['Body', 'Your order ORD-1001 ships today & arrives in 2 days.'],
      ['StatusCallback', 'https://baton.example/webhooks/sms/status'],
    ]);
  });

  it('appends quick replies as numbered lines and omits an unset StatusCallback', async () => {
    await sender({ apiBase: `${apiBase}/` }).send({
      ...request,
      text: 'What do you need?',
      options: [
        { id: 'track', title: 'Track an order' },
        { id: 'refund', title: 'Refund' },
      ],
    });
    const form = new URLSearchParams(recorded[0]?.body);
    expect(recorded[0]?.url).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(form.get('Body')).toBe('What do you need?\n\n1. Track an order\n2. Refund');
    expect(form.has('StatusCallback')).toBe(false);
  });

  it('answers WhatsApp-via-Twilio from whatsapp: + our number, and names a Messaging Service instead of From when set', async () => {
    await sender().send({ ...request, to: 'whatsapp:+919876543210' });
    expect(new URLSearchParams(recorded[0]?.body).get('From')).toBe('whatsapp:+14155550100');
    expect(new URLSearchParams(recorded[0]?.body).get('To')).toBe('whatsapp:+919876543210');
    await sender({ messagingServiceSid: 'MG0123' }).send(request);
    const form = new URLSearchParams(recorded[1]?.body);
    expect(form.get('MessagingServiceSid')).toBe('MG0123');
    expect(form.has('From')).toBe(false);
  });

    it('refuses an empty body without calling Twilio', async () => {
    const error = await sendError(sender(), { ...request, text: '' });
    expect(error.retryable).toBe(false);
    expect(recorded).toHaveLength(0);
  });

  it('500 is retryable', async () => {
    reply = json(500, { code: 20500, message: 'Internal Server Error', status: 500 });
    const error = await sendError(sender());
    expect(error).toMatchObject({ provider: 'sms', retryable: true, status: 500, providerCode: '20500' });
  });

  it('429 with Retry-After: 2 is retryable after 2000 ms', async () => {
    reply = json(429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'retry-after': '2' });
    const error = await sendError(sender());
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 2000 });
  });

  it('503 with an HTTP-date Retry-After', async () => {
    reply = json(503, {}, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() });
    const error = await sendError(sender());
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(25_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('400 with a Twilio error is not retryable and carries the code, not the number', async () => {
    reply = json(400, {
      code: 21211,
      message: "Invalid 'To' Phone Number: +14155550199",
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    const error = await sendError(sender());
    expect(error).toMatchObject({ retryable: false, status: 400, providerCode: '21211', retryAfterMs: undefined });
    expect(error.message).toContain('21211');
    expect(error.message).not.toContain('+14155550199');
  });

  it('401 without a JSON body is not retryable', async () => {
    reply = (res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('nope');
    };
    const error = await sendError(sender());
    expect(error).toMatchObject({ retryable: false, status: 401, providerCode: undefined });
  });

  it('a 2xx without a sid is not retried (the SMS may be on its way)', async () => {
    reply = json(201, { status: 'queued' });
    const error = await sendError(sender());
    expect(error).toMatchObject({ retryable: false, status: 201 });
  });

  it('a 2xx whose body is cut short is not retried (Twilio took the message)', async () => {
    reply = (res) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"sid":"SM'); // and never ends
    };
    const error = await sendError(sender({ timeoutMs: 200 }));
    expect(error).toMatchObject({ retryable: false, status: 201 });
    expect(error.message).toContain('could not be read');
  });

  it('a timeout is retryable', async () => {
    reply = () => undefined; // never answers
    const error = await sendError(sender({ timeoutMs: 100 }));
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(error.message).toContain('timed out');
  });

  it('a refused connection is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await sendError(sender({ apiBase: `http://127.0.0.1:${port}` }));
    expect(error.retryable).toBe(true);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds and HTTP-dates', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
