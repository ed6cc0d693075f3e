// The S3 store's SigV4 signing, checked against AWS's published examples, and the store
// against a stand-in S3 that checks every request is signed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { S3Store, signS3 } from '../../src/media/s3Store.ts';
import { ConfigError } from '../../src/shared/errors.ts';
import { startHarness } from '../support/harness.ts';
import { ADMIN, createAgent } from '../escalation/helpers.ts';

const AWS_EXAMPLE = { region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('signS3', () => {
  it("matches AWS's example GET Object (Signature Version 4, single chunk)", () => {
    const authorization = signS3({
      ...AWS_EXAMPLE,
      method: 'GET',
      path: '/test.txt',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
      },
    });
    expect(authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
});

describe('MEDIA_S3_* settings', () => {
  const S3 = { MEDIA_S3_ENDPOINT: 'https://s3.example', MEDIA_S3_BUCKET: 'media', MEDIA_S3_ACCESS_KEY_ID: 'id', MEDIA_S3_SECRET_ACCESS_KEY: 'very-secret' };
  it('all four or none: half a setting stops start-up without echoing the secret', () => {
    expect(loadConfig({}).mediaS3).toBeUndefined();
    expect(loadConfig(S3).mediaS3).toEqual({ endpoint: 'https://s3.example', bucket: 'media', region: 'us-east-1', accessKeyId: 'id', secretAccessKey: 'very-secret' });
    const { MEDIA_S3_BUCKET: _bucket, ...half } = S3;
    expect(() => loadConfig(half)).toThrow(ConfigError);
    expect(() => loadConfig(half)).toThrow(/set all four or none/);
    expect(() => loadConfig(half)).not.toThrow(/very-secret/);
  });
});

describe('S3Store', () => {
  const objects = new Map<string, Buffer>();
  const seen: Array<{ method: string; url: string; authorization: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, authorization: String(req.headers.authorization ?? '') });
      if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential=key-id/')) return void res.writeHead(403).end();
      const url = req.url!;
      if (req.method === 'PUT') objects.set(url, Buffer.concat(chunks));
      if (req.method === 'DELETE') objects.delete(url);
      if (req.method === 'GET') {
        const body = objects.get(url);
        if (!body) return void res.writeHead(404).end();
        return void res.writeHead(200).end(body);
      }
      res.writeHead(req.method === 'DELETE' ? 204 : 200).end();
    });
  });
  let store: S3Store;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    store = new S3Store({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bucket: 'baton-media', region: 'auto', accessKeyId: 'key-id', secretAccessKey: 'secret' });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('keeps the files agents send when Baton is configured for it', async () => {
    const h = await startHarness({ env: { MEDIA_S3_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, MEDIA_S3_BUCKET: 'baton-media', MEDIA_S3_REGION: 'auto', MEDIA_S3_ACCESS_KEY_ID: 'key-id', MEDIA_S3_SECRET_ACCESS_KEY: 'secret' } });
    try {
      const session = (await h.http.post('/webchat/sessions').send({})).body as { sessionId: string; token: string };
      await h.http.post(`/webchat/sessions/${session.sessionId}/messages`).set('authorization', `Bearer ${session.token}`).send({ text: 'hi', clientMessageId: 'c-1' });
      const conversation = await h.rt.db.conversation.findFirstOrThrow({ where: { externalId: session.sessionId } });
      const agent = await createAgent(h);
      await h.rt.db.conversation.update({ where: { id: conversation.id }, data: { status: 'agent', ownerType: 'agent', ownerId: agent.id } });
      const sent = await h.http.post(`/api/conversations/${conversation.id}/attachments`).set(agent.auth).send({ data: Buffer.from('%PDF-1.4\n').toString('base64'), mimeType: 'application/pdf' });
      expect(sent.status).toBe(201);
      const fileId = sent.body.attachments[0].id as string;
      expect(objects.get(`/baton-media/${conversation.id}/${fileId}`)).toEqual(Buffer.from('%PDF-1.4\n'));
      const read = await h.http.get(`/api/media/${fileId}`).set(ADMIN);
      expect(read.status).toBe(200);
      expect(Buffer.from(read.body as Buffer).toString()).toBe('%PDF-1.4\n');
    } finally {
      await h.close();
    }
  }, 60_000);

  it('puts, gets and deletes objects path-style, every request signed', async () => {
    seen.length = 0;
    const key = 'c0ffee00-0000-4000-8000-000000000000/f00d0000-0000-4000-8000-000000000000';
    await store.put(key, Buffer.from('hello'));
    expect(await store.get(key)).toEqual(Buffer.from('hello'));
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    await store.delete(key);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([`PUT /baton-media/${key}`, `GET /baton-media/${key}`, `DELETE /baton-media/${key}`, `GET /baton-media/${key}`, `DELETE /baton-media/${key}`]);
    expect(seen[0]!.authorization).toMatch(/SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
  });
});
