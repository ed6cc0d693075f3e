// An S3-compatible media store (AWS S3, MinIO, R2, ...), path-style, signed with AWS
// Signature Version 4 over fetch: no SDK. Keys are Baton's own (conversation/file uuids).
import { createHash, createHmac } from 'node:crypto';
import type { MediaStore } from './store.ts';

export type S3Options = { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string; timeoutMs?: number };

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding per path segment, as SigV4 wants it. */
const encodePath = (path: string) => path.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

/**
 * The Authorization header for a request (SigV4, service s3, no query string). `headers`
 * must hold host, x-amz-date and x-amz-content-sha256; every header given is signed.
 */
export function signS3(input: { method: string; path: string; headers: Record<string, string>; region: string; accessKeyId: string; secretAccessKey: string }): string {
  const headers = Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const).sort(([a], [b]) => (a < b ? -1 : 1));
  const amzDate = input.headers['x-amz-date']!;
  const day = amzDate.slice(0, 8);
  const signedHeaders = headers.map(([k]) => k).join(';');
  const canonical = [input.method, encodePath(input.path), '', ...headers.map(([k, v]) => `${k}:${v}`), '', signedHeaders, input.headers['x-amz-content-sha256']!].join('\n');
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, day), input.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export class S3Store implements MediaStore {
  readonly #base: URL;
  constructor(readonly options: S3Options) {
    this.#base = new URL(options.endpoint);
  }

  async #request(method: 'PUT' | 'GET' | 'DELETE', key: string, body?: Buffer): Promise<Response> {
    const basePath = this.#base.pathname.replace(/\/+$/, '');
    const path = `${basePath}/${this.options.bucket}/${key}`;
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const headers: Record<string, string> = { host: this.#base.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': sha256(body ?? '') };
    const authorization = signS3({ method, path, headers, region: this.options.region, accessKeyId: this.options.accessKeyId, secretAccessKey: this.options.secretAccessKey });
    const { host: _host, ...sent } = headers;
    return fetch(new URL(encodePath(path), this.#base), {
      method,
      headers: { ...sent, authorization },
      ...(body && { body: new Uint8Array(body) }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const res = await this.#request('PUT', key, bytes);
    await res.body?.cancel();
    if (!res.ok) throw new Error(`media store PUT answered ${res.status}`);
  }

  async get(key: string): Promise<Buffer | undefined> {
    const res = await this.#request('GET', key);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`media store GET answered ${res.status}`);
    }
    return Buffer.from(await res.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    const res = await this.#request('DELETE', key);
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) throw new Error(`media store DELETE answered ${res.status}`);
  }
}
