// Provisional action client (replaced by the full one on the kinds branch).
import { createHmac } from 'node:crypto';
import { ActionFailed, AuthorityExceeded, type ActionPort, type ContactIdentity, type SlotValue } from '../bots/bot.ts';
import type { ActionSpec } from './packSchema.ts';

const REF = /\{\{\s*([a-z]+)\.([A-Za-z0-9_]+)\s*\}\}/g;

export function templateRefs(template: string): Array<{ scope: string; name: string }> {
  return [...template.matchAll(REF)].map((m) => ({ scope: m[1]!, name: m[2]! }));
}

export function checkTemplate(template: string): string[] {
  const problems: string[] = [];
  if ((template.match(/\{\{/g) ?? []).length !== (template.match(/\}\}/g) ?? []).length) problems.push('unbalanced {{ }} in template');
  for (const ref of templateRefs(template)) if (!['env', 'slots', 'params', 'contact', 'conversation'].includes(ref.scope)) problems.push(`unknown template scope "${ref.scope}"`);
  return problems;
}

export function createActionPort(opts: {
  actions: ActionSpec[];
  env: Record<string, string | undefined>;
  scope: { conversationId: string; contact: ContactIdentity; slots: Record<string, SlotValue> };
  limits?: Record<string, Record<string, number>>;
  log?: { warn: (...a: never[]) => void };
}): ActionPort {
  return {
    async call(id, params = {}) {
      const action = opts.actions.find((a) => a.id === id);
      if (!action) throw new ActionFailed(id, 'unknown action');
      for (const [param, max] of Object.entries(opts.limits?.[id] ?? {})) {
        const asked = Number(params[param]);
        if (Number.isFinite(asked) && asked > max) throw new AuthorityExceeded(id, param, max, asked);
      }
      const value = (scope: string, name: string): string => {
        const v =
          scope === 'env' ? opts.env[name]
          : scope === 'slots' ? opts.scope.slots[name]?.value
          : scope === 'params' ? (params[name] === undefined ? undefined : String(params[name]))
          : scope === 'contact' ? (opts.scope.contact as Record<string, unknown>)[name]?.toString()
          : scope === 'conversation' && name === 'id' ? opts.scope.conversationId
          : undefined;
        if (v === undefined) throw new ActionFailed(id, `template needs ${scope}.${name}, which is not set`);
        return v;
      };
      const url = action.url.replace(REF, (_, scope: string, name: string, offset: number) => (scope === 'env' && offset === 0 ? value(scope, name) : encodeURIComponent(value(scope, name))));
      const render = (v: unknown): unknown => (typeof v === 'string' ? v.replace(REF, (_, s: string, n: string) => value(s, n)) : Array.isArray(v) ? v.map(render) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)])) : v);
      const body = action.method === 'GET' ? '' : JSON.stringify({ ...(render(action.body ?? {}) as object), contact: { channel: opts.scope.contact.channel, address: opts.scope.contact.address } });
      const headers: Record<string, string> = {
        'x-baton-contact-channel': opts.scope.contact.channel,
        'x-baton-contact-address': opts.scope.contact.address,
        'x-baton-conversation-id': opts.scope.conversationId,
      };
      if (body) headers['content-type'] = 'application/json';
      if (action.secretEnv) headers['x-baton-signature'] = `sha256=${createHmac('sha256', opts.env[action.secretEnv] ?? '').update(body).digest('hex')}`;
      let response: Response;
      try {
        response = await fetch(url, { method: action.method, headers, ...(body ? { body } : {}), signal: AbortSignal.timeout(action.timeoutMs) });
      } catch (err) {
        throw new ActionFailed(id, (err as Error).message);
      }
      if (!response.ok) throw new ActionFailed(id, `back-end answered ${response.status}`, response.status);
      let data: unknown;
      try {
        data = await response.json();
      } catch {
        throw new ActionFailed(id, 'back-end answered no JSON', response.status);
      }
      const slots: Record<string, string> = {};
      for (const [slot, pathText] of Object.entries(action.slots)) {
        const v = pathText.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), data);
        if (v !== undefined && v !== null) slots[slot] = String(v);
      }
      return { status: response.status, data, slots };
    },
  };
}
