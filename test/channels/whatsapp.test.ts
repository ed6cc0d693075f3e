import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseQuery } from 'node:querystring';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InboundBatch, type InboundMessage } from '../../src/channels/channel.ts';
import { ProviderError } from '../../src/shared/errors.ts';
import {
  normalizeWhatsApp,
  parseRetryAfter,
  signWhatsAppBody,
  verifyHandshake,
  verifyWhatsAppSignature,
  WhatsAppSender,
  whatsAppSendBody,
  WhatsAppWebhook,
} from '../../src/channels/whatsapp/index.ts';
import { FIXTURES } from '../support/fixtures.ts';

const WEBHOOKS = path.join(FIXTURES, 'whatsapp/webhooks');
const SIGNATURES = path.join(FIXTURES, 'whatsapp/signature');

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const normalizeFile = (name: string) => normalizeWhatsApp(WhatsAppWebhook.parse(readJson(path.join(WEBHOOKS, `${name}.json`))));
const at = (seconds: number) => new Date(seconds * 1000);

const pywaSender = { externalId: '972987654321', phone: '+972987654321', name: 'Test Name' };

/** Per fixture: the one message it must yield (statuses empty), or the statuses it must yield (messages empty). */
type Expectation = { message: Partial<InboundMessage> } | { statuses: { providerMessageId: string; status: string; errorCode?: string }[] };

const EXPECTED: Record<string, Expectation> = {
  pywa__inbound_text: { message: { providerMessageId: 'wamid.xyzxyz', kind: 'text', text: 'Body Text', from: pywaSender, receivedAt: at(1697043223), providerType: 'text' } },
  pywa__inbound_text_reply_context: { message: { kind: 'text', text: 'replied text', inReplyTo: 'wamid.xyzxyz==' } },
  pywa__inbound_forwarded_many_times: { message: { kind: 'text', text: 'text forwarded many times' } },
  pywa__inbound_referral_click_to_whatsapp: { message: { providerMessageId: 'wamid.ID', kind: 'text', text: 'BODY' } },
  pywa__inbound_interactive_button_reply: {
    message: { kind: 'interactive', text: 'title', replyId: 'callback_data', inReplyTo: 'wamid.xyzxyz', providerType: 'interactive' },
  },
  pywa__inbound_interactive_list_reply: { message: { providerMessageId: 'wamid.zyzxyz', kind: 'interactive', text: 'title', replyId: 'callback_data' } },
  pywa__inbound_interactive_list_reply_with_description: { message: { kind: 'interactive', text: 'title', replyId: 'callback_data' } },
  // type 'interactive' with the interactive object missing (value-level error 131000).
  pywa__inbound_interactive_missing_body: {
    message: { providerMessageId: 'wamid.wegrchytvwcggt=', kind: 'unsupported', text: '', providerType: 'interactive', inReplyTo: 'wamid.gvwegfretge==' },
  },
  pywa__inbound_template_quick_reply_button: {
    message: { providerMessageId: 'wamid.xsidjw', kind: 'interactive', text: 'title', replyId: 'callback_data', inReplyTo: 'wamid.xyzxyz==', providerType: 'button' },
  },
  pywa__inbound_template_quick_reply_button_no_context: { message: { providerMessageId: 'wamid.xsidjx', kind: 'interactive', text: 'title', replyId: 'callback_data' } },
  pywa__inbound_image: {
    message: { kind: 'media', text: '', attachment: { kind: 'image', mediaId: '65463453', mimeType: 'image/jpeg', sha256: '4654+8g=' } },
  },
  pywa__inbound_image_with_url: {
    message: {
      kind: 'media',
      attachment: {
        kind: 'image',
        mediaId: '65463453',
        mimeType: 'image/jpeg',
        sha256: '4654+8g=',
        url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=65463453&source=webhook&ext=487r9re&hash=heiwchueowbcew-dnedcw',
      },
    },
  },
  pywa__inbound_audio: { message: { kind: 'media', text: '', attachment: { kind: 'audio', mediaId: '1234567890987654321', mimeType: 'audio/ogg; codecs=opus', sha256: 'E3dxS/PdYZE7ppA3pQ4mpCFaXBJ8pX4SRN/dsfvds/iPGA=' } } },
  pywa__inbound_voice: { message: { kind: 'media', providerType: 'audio', attachment: { kind: 'voice', mediaId: '1234567890987654321', mimeType: 'audio/ogg; codecs=opus', sha256: 'm04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=' } } },
  pywa__inbound_video_forwarded: {
    message: { kind: 'media', text: 'caption', attachment: { kind: 'video', mediaId: '765756756', mimeType: 'video/mp4', sha256: 'Jh+2ij6PzUv/J2y+grrtegr/ZMzRxkEPwc24Oyib4s03w9Jc=', caption: 'caption' } },
  },
  pywa__inbound_document: {
    message: {
      kind: 'media',
      text: 'caption',
      attachment: { kind: 'document', mediaId: '1234567890987654321', mimeType: 'application/pdf', sha256: 'grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=', caption: 'caption', filename: 'filename.pdf' },
    },
  },
  pywa__inbound_sticker: { message: { kind: 'media', text: '', attachment: { kind: 'sticker', mediaId: '1234567890987654321', mimeType: 'image/webp', sha256: 'OmT4nhjUhCMIPNmj7eeOZeCYjTXkLxoOv85OMCFwSuc=' } } },
  pywa__inbound_location_current: { message: { kind: 'location', text: '', location: { latitude: 12.25089, longitude: 43.90539 } } },
  pywa__inbound_location_named: {
    message: {
      kind: 'location',
      location: { latitude: 37.4611978, longitude: -122.2164385, name: 'Facebook HQ', address: '1 Hacker Way, Menlo Park, CA 94025', url: 'https://maps.google.com/?cid=2000000000000000000' },
    },
  },
  pywa__inbound_contacts: {
    message: {
      kind: 'contacts',
      text: '',
      contacts: [
        { name: 'Chandler Bing', phones: ['+1 555-555-5555'], emails: [] },
        { name: 'Monica', phones: ['+1 666-666-6666'], emails: [] },
        { name: 'Rachel Green', phones: ['+1 777-777-7777'], emails: [] },
      ],
    },
  },
  pywa__inbound_reaction: { message: { kind: 'reaction', text: '', reaction: '\u{1F62E}', inReplyTo: 'wamid.yzxyzx=' } },
  pywa__inbound_reaction_removed: { message: { kind: 'reaction', text: '', reaction: '', inReplyTo: 'wamid.yzxyzx=' } },
  pywa__inbound_order: { message: { kind: 'order', text: '', providerType: 'order' } },
  pywa__inbound_system_identity_change: { message: { kind: 'system', text: 'User identity changed', from: { externalId: '972987654321', phone: '+972987654321', name: 'User A' } } },
  // No value.contacts in this one, so no name.
  pywa__inbound_system_number_change: {
    message: { providerMessageId: 'wamid.xyzxyz==', kind: 'system', text: 'User A changed from 972987654321 to 972912345678', from: { externalId: '972987654321', phone: '+972987654321' } },
  },
  pywa__inbound_unsupported: { message: { kind: 'unsupported', text: '', providerType: 'unsupported' } },
  pywa__inbound_unsupported_with_type: { message: { kind: 'unsupported', text: '', providerType: 'unsupported' } },
  'whatsapp-api-js__v25_incoming': {
    message: { providerMessageId: 'ABGGFlA5Fpa', kind: 'text', text: 'this is a text message', from: { externalId: '16315551181', phone: '+16315551181', name: 'test user name' }, receivedAt: at(1504902988) },
  },
  pywa__status_sent: { statuses: [{ providerMessageId: 'wamid.xyzxyz', status: 'sent' }] },
  pywa__status_delivered: { statuses: [{ providerMessageId: 'wamid.xyzxyz', status: 'delivered' }] },
  pywa__status_read: { statuses: [{ providerMessageId: 'wamid.xyzxyz', status: 'read' }] },
  pywa__status_played: { statuses: [{ providerMessageId: 'wamid.xyzxyz', status: 'played' }] },
  pywa__status_failed: { statuses: [{ providerMessageId: 'wamid.xyzxyz', status: 'failed', errorCode: '130472' }] },
  pywa__status_group: { statuses: [{ providerMessageId: '<WHATSAPP_MESSAGE_ID>', status: 'read' }] },
  pywa__status_with_biz_opaque_callback_data: { statuses: [{ providerMessageId: 'wamid.xyzxyz', status: 'sent' }] },
  'whatsapp-api-js__v25_sent': { statuses: [{ providerMessageId: 'ABGGFlA5Fpa', status: 'sent' }] },
  'whatsapp-api-js__v25_delivered': { statuses: [{ providerMessageId: 'ABGGFlA5Fpa', status: 'delivered' }] },
  'whatsapp-api-js__v25_read': { statuses: [{ providerMessageId: 'ABGGFlA5Fpa', status: 'read' }] },
};

describe('WhatsApp webhook fixtures', () => {
  const files = readdirSync(WEBHOOKS).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length));

  it('finds the fixtures and has an expectation for each', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(files.filter((name) => !(name in EXPECTED))).toEqual([]);
  });

  it.each(files)('%s parses and normalizes to the contract', (name) => {
    const batch = normalizeFile(name);
    // The adapter's output must itself satisfy the channel contract.
    expect(InboundBatch.parse(batch)).toEqual(batch);
    const expected = EXPECTED[name];
    if (!expected) return;
    if ('message' in expected) {
      expect(batch.statuses).toEqual([]);
      expect(batch.messages).toHaveLength(1);
      expect(batch.messages[0]).toMatchObject({ channel: 'whatsapp', from: { externalId: expect.any(String) }, ...expected.message });
    } else {
      // Receipts are never messages.
      expect(batch.messages).toEqual([]);
      expect(batch.statuses).toMatchObject(expected.statuses.map((s) => ({ channel: 'whatsapp', ...s })));
    }
  });

  it('keeps the failed status error title and the receipt time', () => {
    const [status] = normalizeFile('pywa__status_failed').statuses;
    expect(status).toEqual({
      channel: 'whatsapp',
      providerMessageId: 'wamid.xyzxyz',
      status: 'failed',
      at: at(1689380458),
      errorCode: '130472',
      errorTitle: "User's number is part of an experiment",
    });
  });

  it('normalizes every entry and change of one body, skipping unknown statuses and other fields', () => {
    const text = readJson(path.join(WEBHOOKS, 'pywa__inbound_text.json')) as { entry: { changes: { value: Record<string, unknown> }[] }[] };
    const sent = readJson(path.join(WEBHOOKS, 'pywa__status_sent.json')) as typeof text;
    const value = text.entry[0]!.changes[0]!.value;
    const secondMessage = { from: '15550001111', id: 'wamid.second', timestamp: '1697043224', type: 'text', text: { body: 'again' } };
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        { id: '1', changes: [{ field: 'messages', value: { ...value, messages: [...(value.messages as unknown[]), secondMessage] } }] },
        {
          id: '2',
          changes: [
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } },
            sent.entry[0]!.changes[0],
            { field: 'messages', value: { statuses: [{ id: 'wamid.x', status: 'some_future_status', timestamp: '1' }] } },
          ],
        },
      ],
    };
    const batch = normalizeWhatsApp(WhatsAppWebhook.parse(body));
    expect(batch.messages.map((m) => [m.providerMessageId, m.text, m.from.name])).toEqual([
      ['wamid.xyzxyz', 'Body Text', 'Test Name'],
      ['wamid.second', 'again', undefined],
    ]);
    expect(batch.statuses.map((s) => s.status)).toEqual(['sent']);
  });

  it('turns message types it does not know into unsupported messages', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [{ from: '1555', id: 'wamid.n', timestamp: '5', type: 'hologram', hologram: {} }] } }] }],
    };
    expect(normalizeWhatsApp(WhatsAppWebhook.parse(body)).messages).toMatchObject([{ kind: 'unsupported', text: '', providerType: 'hologram' }]);
  });

  it('rejects bodies that are not WhatsApp payloads', () => {
    expect(WhatsAppWebhook.safeParse({ object: 'page', entry: [] }).success).toBe(false);
    expect(WhatsAppWebhook.safeParse({ object: 'whatsapp_business_account' }).success).toBe(false);
    expect(WhatsAppWebhook.safeParse('hello').success).toBe(false);
    // A malformed messages change must not pass as "some other field".
    const broken = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [{ id: 'x' }] } }] }] };
    expect(WhatsAppWebhook.safeParse(broken).success).toBe(false);
  });
});

describe('verifyWhatsAppSignature', () => {
  const pywa = readJson(path.join(SIGNATURES, 'pywa_vector.json')) as { app_secret: string; header_value: string; body_file: string };
  const pywaBody = readFileSync(path.join(SIGNATURES, pywa.body_file));
  const unicode = readJson(path.join(SIGNATURES, 'whatsapp-api-js_unicode_vector.json')) as {
    app_secret: string;
    header_value: string;
    hmac_over_raw_utf8_bytes_would_be: string;
  };
  const unicodeBody = readFileSync(path.join(SIGNATURES, 'whatsapp-api-js_unicode_vector.body.txt'));

  it('accepts the Meta-signed pywa vector over the exact raw bytes', () => {
    expect(pywaBody.length).toBe(511);
    expect(verifyWhatsAppSignature(pywaBody, pywa.header_value, [pywa.app_secret])).toBe(true);
    expect(signWhatsAppBody(pywaBody, pywa.app_secret)).toBe(pywa.header_value);
  });

  it('the pywa body is itself a payload the adapter accepts', () => {
    const batch = normalizeWhatsApp(WhatsAppWebhook.parse(JSON.parse(pywaBody.toString('utf8'))));
    expect(batch.messages).toMatchObject([{ kind: 'text', text: 'Hey there! I am using PyWa.', from: { externalId: '972544401243', name: 'PyWa Tests' } }]);
  });

  it('rejects re-serialized JSON, tampered bytes and wrong secrets', () => {
    const parsed: unknown = JSON.parse(pywaBody.toString('utf8'));
    const check = (body: Buffer | string) => verifyWhatsAppSignature(Buffer.from(body), pywa.header_value, [pywa.app_secret]);
    expect(check(JSON.stringify(parsed, null, 2))).toBe(false);
    expect(check(Buffer.concat([pywaBody, Buffer.from('\n')]))).toBe(false);
    const tampered = Buffer.from(pywaBody);
    const flip = tampered.length - 10;
    tampered.writeUInt8(tampered.readUInt8(flip) ^ 1, flip);
    expect(check(tampered)).toBe(false);
    expect(verifyWhatsAppSignature(pywaBody, pywa.header_value, ['not-the-secret'])).toBe(false);
    expect(verifyWhatsAppSignature(pywaBody, pywa.header_value, [])).toBe(false);
    expect(verifyWhatsAppSignature(pywaBody, pywa.header_value, [''])).toBe(false);
  });

  it('rejects missing and malformed headers', () => {
    const hex = pywa.header_value.slice('sha256='.length);
    for (const header of [undefined, '', 'sha256=', hex, `sha1=${hex}`, `sha256=${hex.slice(2)}`, `sha256=${hex}00`, `sha256=${'z'.repeat(64)}`, `sha256=${hex},sha256=${hex}`]) {
      expect(verifyWhatsAppSignature(pywaBody, header, [pywa.app_secret]), String(header)).toBe(false);
    }
  });

  it('accepts any configured secret, so the app secret can be rotated', () => {
    const header = signWhatsAppBody(pywaBody, 'new-secret');
    expect(verifyWhatsAppSignature(pywaBody, header, ['old-secret', 'new-secret'])).toBe(true);
    expect(verifyWhatsAppSignature(pywaBody, pywa.header_value, ['new-secret', pywa.app_secret])).toBe(true);
    expect(verifyWhatsAppSignature(pywaBody, header, ['old-secret'])).toBe(false);
  });

  it('accepts the unicode vector both as Meta escapes it and over raw UTF-8 bytes', () => {
    expect(verifyWhatsAppSignature(unicodeBody, unicode.header_value, [unicode.app_secret])).toBe(true);
    expect(verifyWhatsAppSignature(unicodeBody, `sha256=${unicode.hmac_over_raw_utf8_bytes_would_be}`, [unicode.app_secret])).toBe(true);
    expect(verifyWhatsAppSignature(unicodeBody, unicode.header_value, ['YOUR_OTHER_SECRET'])).toBe(false);
  });
});

describe('verifyHandshake', () => {
  const handshake = readJson(path.join(FIXTURES, 'whatsapp/verification_handshake.json')) as {
    configured_verify_token: string;
    cases: { name: string; query: string; configured_verify_token?: string; expect_status?: number; expect_body_exact?: string; expect_body_not?: string }[];
  };

  it.each(handshake.cases)('$name', (c) => {
    // node:querystring is what Express 5's 'simple' query parser uses.
    const result = verifyHandshake(parseQuery(c.query), c.configured_verify_token ?? handshake.configured_verify_token);
    if (c.expect_status === 200) {
      expect(result).toEqual({ ok: true, challenge: c.expect_body_exact });
    } else {
      expect(result).toEqual({ ok: false });
    }
  });

  it('refuses when no verify token is configured, and repeated parameters', () => {
    expect(verifyHandshake(parseQuery('hub.mode=subscribe&hub.challenge=1&hub.verify_token='), undefined)).toEqual({ ok: false });
    expect(verifyHandshake(parseQuery('hub.mode=subscribe&hub.challenge=1&hub.verify_token='), '')).toEqual({ ok: false });
    expect(verifyHandshake(parseQuery('hub.mode=subscribe&hub.challenge=1&hub.verify_token=t&hub.verify_token=t'), 't')).toEqual({ ok: false });
  });

  it('returns the challenge verbatim', () => {
    expect(verifyHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 't', 'hub.challenge': '007 x' }, 't')).toEqual({ ok: true, challenge: '007 x' });
  });
});

type Recorded = { method: string | undefined; url: string | undefined; headers: IncomingHttpHeaders; body: unknown };
type Responder = (req: IncomingMessage, res: ServerResponse) => void;

describe('WhatsAppSender against a local HTTP server', () => {
  let server: Server;
  let apiBase: string;
  let recorded: Recorded[] = [];
  let respond: Responder;
  const ok: Responder = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: '15551234567', wa_id: '15551234567' }], messages: [{ id: 'wamid.OUT1' }] }));
  };
  const graphError = (status: number, code: number, headers: Record<string, string> = {}): Responder => (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message: `(#${code}) failure`, type: 'OAuthException', code, fbtrace_id: 'A' } }));
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        recorded.push({ method: req.method, url: req.url, headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
        respond(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v21.0`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    recorded = [];
    respond = ok;
  });

  const sender = (timeoutMs?: number) => new WhatsAppSender({ apiBase, phoneNumberId: '106540352242922', accessToken: 'EAAG-token', ...(timeoutMs && { timeoutMs }) });
  const failure = async (promise: Promise<unknown>): Promise<ProviderError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  };

  it('posts a text message with auth and idempotency headers', async () => {
    const result = await sender().send({ to: '15551234567', text: 'Your order ORD-1001 ships today.', idempotencyKey: 'turn-42' });
    expect(result).toEqual({ providerMessageId: 'wamid.OUT1' });
    expect(recorded).toHaveLength(1);
    const [request] = recorded;
    expect(request).toMatchObject({ method: 'POST', url: '/v21.0/106540352242922/messages' });
    expect(request!.headers).toMatchObject({ authorization: 'Bearer EAAG-token', 'idempotency-key': 'turn-42', 'content-type': 'application/json' });
    expect(request!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '15551234567',
      type: 'text',
      text: { body: 'Your order ORD-1001 ships today.', preview_url: false },
    });
  });

  it('sends up to three options as reply buttons with titles cut to 20 characters', async () => {
    await sender().send({
      to: '15551234567',
      text: 'What do you need?',
      idempotencyKey: 'k',
      options: [
        { id: 'track', title: 'Track my order' },
        { id: 'refund', title: 'A refund for a double charge' },
        { id: 'human', title: 'Talk to a person' },
      ],
    });
    expect(recorded[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '15551234567',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'What do you need?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'track', title: 'Track my order' } },
            { type: 'reply', reply: { id: 'refund', title: 'A refund for a doubl' } },
            { type: 'reply', reply: { id: 'human', title: 'Talk to a person' } },
          ],
        },
      },
    });
  });

  it('sends four to ten options as a list message, long titles cut to 24 characters and shown whole underneath', async () => {
    const options = ['One', 'Two', 'Three', 'A title far longer than twenty-four'].map((title, i) => ({ id: `o${i}`, title }));
    await sender().send({ to: '15551234567', text: 'Pick one:', idempotencyKey: 'k', options });
    expect(recorded[0]!.body).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick one:' },
        action: {
          button: 'Choose',
          sections: [
            {
              rows: [
                { id: 'o0', title: 'One' },
                { id: 'o1', title: 'Two' },
                { id: 'o2', title: 'Three' },
                { id: 'o3', title: 'A title far longer than', description: 'A title far longer than twenty-four' },
              ],
            },
          ],
        },
      },
    });
  });

  it('labels the list button in the reply language and answers a specific message with context.message_id', () => {
    const options = ['a', 'b', 'c', 'd'].map((title) => ({ id: title, title }));
    const body = whatsAppSendBody({ to: '1', text: 'चुनें:', idempotencyKey: 'k', options, replyTo: 'wamid.IN' }, 'Choose one of these, please');
    expect(body).toMatchObject({ context: { message_id: 'wamid.IN' }, interactive: { action: { button: 'Choose one of these,' } } });
  });

  it('sends more than ten options as numbered lines of text', async () => {
    const options = Array.from({ length: 11 }, (_, i) => ({ id: `o${i}`, title: `Option ${i + 1}` }));
    await sender().send({ to: '15551234567', text: 'Pick one:', idempotencyKey: 'k', options });
    const body = (recorded[0]!.body as { type: string; text: { body: string } });
    expect(body.type).toBe('text');
    expect(body.text.body).toMatch(/^Pick one:\n1\. Option 1\n2\. Option 2\n[\s\S]*\n11\. Option 11$/);
  });

  it('sends a template with its body parameters', async () => {
    await sender().send({ to: '15551234567', text: '', idempotencyKey: 'k', template: { name: 'order_update', language: 'en_US', params: ['ORD-1001', 'tomorrow'] } });
    expect(recorded[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '15551234567',
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'ORD-1001' }, { type: 'text', text: 'tomorrow' }] }],
      },
    });
  });

  it('500 is retryable', async () => {
    respond = graphError(500, 2);
    const error = await failure(sender().send({ to: '1', text: 'x', idempotencyKey: 'k' }));
    expect(error).toMatchObject({ provider: 'whatsapp', retryable: true, status: 500, providerCode: '2' });
  });

  it('429 with Retry-After: 3 is retryable after 3000 ms', async () => {
    respond = graphError(429, 130429, { 'retry-after': '3' });
    const error = await failure(sender().send({ to: '1', text: 'x', idempotencyKey: 'k' }));
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 3000, providerCode: '130429' });
  });

  it('400 is not retryable and carries the Graph error code', async () => {
    respond = graphError(400, 131047);
    const error = await failure(sender().send({ to: '1', text: 'x', idempotencyKey: 'k' }));
    expect(error).toMatchObject({ retryable: false, status: 400, providerCode: '131047' });
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('400 carrying a rate-limit code (131056 pair rate) is retryable', async () => {
    respond = graphError(400, 131056);
    expect(await failure(sender().send({ to: '1', text: 'x', idempotencyKey: 'k' }))).toMatchObject({ retryable: true, status: 400 });
  });

  it('a success without a message id is not retried', async () => {
    respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"messaging_product":"whatsapp","messages":[]}');
    };
    expect(await failure(sender().send({ to: '1', text: 'x', idempotencyKey: 'k' }))).toMatchObject({ retryable: false, status: 200 });
  });

  it('a 2xx whose body is cut short is not retried (Meta took the message)', async () => {
    respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"messaging_product":"whatsapp","messages":[{"id":"wamid.'); // and never ends
    };
    const error = await failure(sender(150).send({ to: '1', text: 'x', idempotencyKey: 'k' }));
    expect(error).toMatchObject({ retryable: false, status: 200 });
    expect(error.message).toContain('could not be read');
  });

  it('a timeout is retryable', async () => {
    respond = () => {}; // never answers
    const started = Date.now();
    const error = await failure(sender(150).send({ to: '1', text: 'x', idempotencyKey: 'k' }));
    expect(error).toMatchObject({ retryable: true, status: undefined });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a refused connection is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = new WhatsAppSender({ apiBase: `http://127.0.0.1:${port}`, phoneNumberId: '1', accessToken: 't' });
    expect(await failure(unreachable.send({ to: '1', text: 'x', idempotencyKey: 'k' }))).toMatchObject({ retryable: true });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
