// Calls to Baton's API with the agent's token. Every answer comes back as a value (never
// a throw): `stale` says the agent signed out meanwhile, so the caller drops it.
export type ApiResult<T> = { ok: boolean; status: number; data: T | null; stale: boolean };

type Session = { token: string | null; epoch: number; onUnauthorized: () => void };
export const session: Session = { token: null, epoch: 0, onUnauthorized: () => {} };

export async function api<T = unknown>(method: string, path: string, body?: unknown, opts: { token?: string; signingIn?: boolean } = {}): Promise<ApiResult<T>> {
  const epoch = session.epoch;
  const token = opts.token ?? session.token;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let result: ApiResult<T>;
  try {
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
    const text = await res.text();
    let data: T | null = null;
    try {
      data = text ? (JSON.parse(text) as T) : null;
    } catch {
      data = null;
    }
    result = { ok: res.ok, status: res.status, data, stale: false };
  } catch {
    result = { ok: false, status: 0, data: null, stale: false };
  }
  result.stale = epoch !== session.epoch;
  if (result.status === 401 && !opts.signingIn && !result.stale && session.token) {
    session.onUnauthorized();
    result.stale = true;
  }
  return result;
}

export const convPath = (id: string, tail = '') => `/api/conversations/${encodeURIComponent(id)}${tail}`;

/** "409: someone else acted first" — for notices. */
export function errorDetail(r: ApiResult<unknown>): string {
  if (r.status === 0) return 'network';
  const d = r.data as { message?: unknown; error?: unknown } | null;
  const why = typeof d?.message === 'string' ? d.message : typeof d?.error === 'string' ? d.error : '';
  return why ? `${r.status}: ${why}` : String(r.status);
}

/** A file behind the agent's token (media); `later` when it is still downloading (409) or the network failed. */
export async function fetchFile(path: string): Promise<Blob | 'later' | null> {
  if (!session.token) return null;
  try {
    const res = await fetch(path, { headers: { Authorization: `Bearer ${session.token}` }, cache: 'no-store', credentials: 'omit' });
    if (res.status === 409) return 'later';
    return res.ok ? await res.blob() : null;
  } catch {
    return 'later';
  }
}
