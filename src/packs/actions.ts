// The one client through which bots (code and llm) call a pack's back-end. A call is
// checked before anything leaves Baton (known action, params valid, within the bot's
// authority, every template value present), carries the verified contact identity the
// back-end checks ownership with, is signed when the action names a secret, and answers
// with the data and the slots the action's declaration extracts. Logs and spans name
// the action, status and duration only: never URLs, bodies, secrets or slot values.
import { httpExchange } from '../shared/httpExchange.ts';
import { z } from 'zod';
import { ActionFailed, AuthorityExceeded, type ActionPort, type ActionResult, type ContactIdentity, type SlotValue } from '../bots/bot.ts';
import { issuesOf, signBody } from '../bots/http.ts';
import type { LlmTool } from '../bots/llm/llmBot.ts';
import { metrics } from '../observability/metrics.ts';
import { inSpan } from '../observability/tracing.ts';
import type { ActionSpec } from './packSchema.ts';

export type ActionLog = { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };

export type ActionPortOptions = {
  actions: ActionSpec[];
  env: Record<string, string | undefined>;
  scope: { conversationId: string; contact: ContactIdentity; slots: Record<string, SlotValue> };
  /** The calling bot's authority: `{action: {param: max}}`; above it a person decides. */
  limits?: Record<string, Record<string, number>>;
  log?: ActionLog;
};

// ---------------------------------------------------------------------------------
// Templates: {{env.NAME}}, {{slots.name}}, {{params.name}}, {{contact.channel|address|id}}, {{conversation.id}}

const SCOPES: Record<string, readonly string[] | null> = {
  env: null,
  slots: null,
  params: null,
  contact: ['channel', 'address', 'id'],
  conversation: ['id'],
};
const BRACES = /\{\{(.*?)\}\}/g;
const REF = /^\s*([A-Za-z_]+)\.([A-Za-z0-9_]+)\s*$/;

export type TemplateRef = { scope: string; name: string };

/** The well-formed `{{scope.name}}` references in a template, in order (malformed ones are left to `checkTemplate`). */
export function templateRefs(template: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  for (const match of template.matchAll(BRACES)) {
    const ref = REF.exec(match[1]!);
    if (ref) refs.push({ scope: ref[1]!, name: ref[2]! });
  }
  return refs;
}

/** What a pack declares, so a template naming something else is reported. Unset lists are not checked. */
export type TemplateNames = { env?: readonly string[]; slots?: readonly string[]; params?: readonly string[] };

/** Problems with one template, as sentences for the pack checker: malformed or unknown references, unbalanced braces. */
export function checkTemplate(template: string, known: TemplateNames = {}): string[] {
  const problems: string[] = [];
  for (const match of template.matchAll(BRACES)) {
    const ref = REF.exec(match[1]!);
    if (!ref) {
      problems.push(`"${match[0]}" is not a {{scope.name}} reference`);
      continue;
    }
    const [, scope, name] = ref as unknown as [string, string, string];
    if (!(scope in SCOPES)) {
      problems.push(`"${match[0]}": unknown scope "${scope}" (one of ${Object.keys(SCOPES).join(', ')})`);
      continue;
    }
    const fixed = SCOPES[scope];
    const declared = fixed ?? known[scope as keyof TemplateNames];
    if (declared && !declared.includes(name)) {
      const what = scope === 'env' ? 'environment variable not declared in the pack' : scope === 'slots' ? 'slot not declared in the pack' : scope === 'params' ? 'param not declared by the action' : `field of ${scope} (one of ${fixed!.join(', ')})`;
      problems.push(`"${match[0]}": unknown ${what}`);
    }
  }
  const rest = template.replace(BRACES, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('unbalanced "{{" / "}}"');
  return problems;
}

/** Problems with an action's templates (url and body strings) and declaration, for the pack checker. */
export function checkAction(action: ActionSpec, known: Omit<TemplateNames, 'params'>): string[] {
  const names = { ...known, params: Object.keys(action.params) };
  const problems = checkTemplate(action.url, names).map((p) => `url: ${p}`);
  if (!/^(https?:\/\/|\{\{\s*env\.)/.test(action.url)) problems.push('url: must start with http(s):// or {{env.NAME}}');
  for (const [path, text] of bodyStrings(action.body ?? {}, 'body')) problems.push(...checkTemplate(text, names).map((p) => `${path}: ${p}`));
  if (action.body && action.method === 'GET') problems.push('body: a GET action sends no body');
  for (const name of action.required) if (!(name in action.params)) problems.push(`required: "${name}" is not one of its params`);
  return problems.map((p) => `action "${action.id}": ${p}`);
}

/**
 * Problems with a bot's limits: each must name an action and one of its number/integer
 * params. A typo there would silently leave the bot without a limit.
 */
export function checkLimits(botId: string, limits: Record<string, Record<string, number>>, actions: readonly ActionSpec[]): string[] {
  const problems: string[] = [];
  for (const [actionId, params] of Object.entries(limits)) {
    const action = actions.find((a) => a.id === actionId);
    if (!action) {
      problems.push(`bot "${botId}": limits name "${actionId}", which is not an action of the pack`);
      continue;
    }
    for (const param of Object.keys(params)) {
      const type = action.params[param]?.type;
      if (type !== 'number' && type !== 'integer') problems.push(`bot "${botId}": limits.${actionId}.${param} must name a number or integer param of the action`);
    }
  }
  return problems;
}

function* bodyStrings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* bodyStrings(v, `${path}[${i}]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* bodyStrings(v, `${path}.${k}`);
}

/** A template names a value this call does not have: the call is refused before anything is sent. */
class Unfillable extends Error {}

type Values = { env: Record<string, string | undefined>; slots: Record<string, SlotValue>; params: Record<string, unknown>; contact: ContactIdentity; conversationId: string };

function lookup(values: Values, scope: string, name: string): unknown {
  const value =
    scope === 'env' ? values.env[name] || undefined
    : scope === 'slots' ? values.slots[name]?.value
    : scope === 'params' ? values.params[name]
    : scope === 'contact' && (name === 'channel' || name === 'address' || name === 'id') ? values.contact[name]
    : scope === 'conversation' && name === 'id' ? values.conversationId
    : undefined;
  if (value !== undefined && value !== null) return value;
  const what =
    scope === 'env' ? `environment variable ${name} is not set`
    : scope === 'slots' ? `slot "${name}" is not known in this conversation`
    : scope === 'params' ? `param "${name}" was not given`
    : `{{${scope}.${name}}} is not a known value`;
  throw new Unfillable(`cannot be called: ${what}`);
}

/** A URL template: inserted values are URL-encoded, except an env value the URL starts with (its base). */
function renderUrl(template: string, values: Values): string {
  return template.replace(BRACES, (whole, inner: string, offset: number) => {
    const ref = REF.exec(inner);
    if (!ref) throw new Unfillable(`cannot be called: "${whole}" in its url is not a {{scope.name}} reference`);
    const value = String(lookup(values, ref[1]!, ref[2]!));
    return offset === 0 && ref[1] === 'env' ? value : encodeURIComponent(value);
  });
}

/** A body value: string values are templates; a string that is exactly one {{params.x}} keeps the param's type. */
function renderBody(value: unknown, values: Values): unknown {
  if (typeof value === 'string') {
    const only = /^\{\{(.*?)\}\}$/.exec(value);
    const ref = only && REF.exec(only[1]!);
    if (ref?.[1] === 'params') return lookup(values, 'params', ref[2]!);
    return value.replace(BRACES, (whole, inner: string) => {
      const r = REF.exec(inner);
      if (!r) throw new Unfillable(`cannot be called: "${whole}" in its body is not a {{scope.name}} reference`);
      return String(lookup(values, r[1]!, r[2]!));
    });
  }
  if (Array.isArray(value)) return value.map((v) => renderBody(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderBody(v, values)]));
  return value;
}

// ---------------------------------------------------------------------------------
// Params

const NUMERIC = /^-?\d+(\.\d+)?$/;
const numeric = (v: unknown) => (typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : v);

// A pack's actions do not change while it is loaded (a reload brings new specs): each
// one's schema is built once, not for every call of every turn.
const schemas = new WeakMap<ActionSpec, z.ZodType>();
function paramsSchema(action: ActionSpec): z.ZodType {
  let schema = schemas.get(action);
  if (!schema) {
    schema = buildParamsSchema(action);
    schemas.set(action, schema);
  }
  return schema;
}

function buildParamsSchema(action: ActionSpec) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, param] of Object.entries(action.params)) {
    const type =
      param.type === 'string' ? z.string()
      : param.type === 'boolean' ? z.boolean()
      : z.preprocess(numeric, param.type === 'integer' ? z.number().int() : z.number());
    shape[name] = action.required.includes(name) ? type : type.optional();
  }
  return z.strictObject(shape);
}

// ---------------------------------------------------------------------------------
// The port

type Outcome = 'ok' | 'unknown' | 'invalid' | 'authority' | 'timeout' | 'unreachable' | 'not_found' | 'rejected' | 'bad_answer';

/** Header values must be visible ASCII; anything else is sent URL-encoded. */
const headerValue = (v: string) => (/^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v));

function valueAt(data: unknown, path: string): string | undefined {
  let at: unknown = data;
  for (const key of path.split('.')) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  if (at === undefined || at === null) return undefined;
  return typeof at === 'string' ? at : typeof at === 'object' ? JSON.stringify(at) : String(at);
}

export function createActionPort(opts: ActionPortOptions): ActionPort {
  const actions = new Map(opts.actions.map((a) => [a.id, { spec: a, params: paramsSchema(a) }]));
  const { conversationId, contact, slots } = opts.scope;

  async function send(spec: ActionSpec, params: Record<string, unknown>, fail: (outcome: Outcome, message: string, status?: number) => never): Promise<ActionResult> {
    const values: Values = { env: opts.env, slots, params, contact, conversationId };
    const hasBody = spec.method !== 'GET' && (spec.body !== undefined || spec.method !== 'DELETE');
    let url: string;
    let raw: string;
    try {
      url = renderUrl(spec.url, values);
      raw = hasBody ? JSON.stringify({ ...(renderBody(spec.body ?? {}, values) as object), contact: { channel: contact.channel, address: contact.address } }) : '';
    } catch (err) {
      if (err instanceof Unfillable) fail('invalid', err.message);
      throw err;
    }
    if (!URL.canParse(url)) fail('invalid', 'cannot be called: its url is not a valid URL once filled in');
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-baton-contact-channel': headerValue(contact.channel),
      'x-baton-contact-address': headerValue(contact.address),
      'x-baton-conversation-id': headerValue(conversationId),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    };
    if (spec.secretEnv) {
      const secret = opts.env[spec.secretEnv];
      if (!secret) fail('invalid', `cannot be called: environment variable ${spec.secretEnv} is not set`);
      headers['x-baton-signature'] = signBody(secret, raw);
    }

    const started = performance.now();
    let status: number;
    let text: string;
    try {
      const response = await httpExchange(url, { method: spec.method, headers, timeoutMs: spec.timeoutMs, ...(hasBody ? { body: raw } : {}) });
      status = response.status;
      text = response.text;
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      fail(timedOut ? 'timeout' : 'unreachable', timedOut ? `timed out after ${spec.timeoutMs}ms` : 'the back-end could not be reached');
    } finally {
      metrics.actionLatency.observe({ action: spec.id }, (performance.now() - started) / 1000);
    }
    const ms = Math.round(performance.now() - started);
    if (status < 200 || status > 299) fail(status === 404 ? 'not_found' : 'rejected', `the back-end answered ${status}`, status);
    let data: unknown = null;
    if (status !== 204 || text.trim() !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        fail('bad_answer', `the back-end answered ${status} with a body that is not JSON`, status);
      }
    }
    const extracted: Record<string, string> = {};
    for (const [slot, path] of Object.entries(spec.slots)) {
      const value = valueAt(data, path);
      if (value !== undefined) extracted[slot] = value;
    }
    metrics.actionCalls.inc({ action: spec.id, outcome: 'ok' });
    opts.log?.info({ action: spec.id, status, ms }, 'action answered');
    return { status, data, slots: extracted };
  }

  return {
    async call(id, given = {}) {
      const entry = actions.get(id);
      if (!entry) {
        metrics.actionCalls.inc({ action: '(unknown)', outcome: 'unknown' });
        throw new ActionFailed(id, 'is not an action of this pack');
      }
      const { spec } = entry;
      const started = performance.now();
      const fail = (outcome: Outcome, message: string, status?: number): never => {
        metrics.actionCalls.inc({ action: id, outcome });
        opts.log?.warn({ action: id, outcome, ...(status ? { status } : {}), ms: Math.round(performance.now() - started) }, 'action failed');
        throw new ActionFailed(id, message, status);
      };
      return inSpan('action', { 'baton.action': id, 'baton.conversation_id': conversationId }, async (span) => {
        const parsed = entry.params.safeParse(given);
        if (!parsed.success) fail('invalid', `bad params: ${issuesOf(parsed.error)}`);
        const params = parsed.data as Record<string, unknown>;
        for (const [param, limit] of Object.entries(opts.limits?.[id] ?? {})) {
          const asked = params[param];
          if (typeof asked === 'number' && asked > limit) {
            metrics.actionCalls.inc({ action: id, outcome: 'authority' });
            opts.log?.info({ action: id, param, outcome: 'authority' }, 'action over the bot authority');
            throw new AuthorityExceeded(id, param, limit, asked);
          }
        }
        const result = await send(spec, params, fail);
        span.setAttribute('http.response.status_code', result.status);
        return result;
      });
    },
  };
}

/** An action as a function tool for llm bots: named by its id, its params as a JSON Schema object. */
export function actionTool(action: ActionSpec): LlmTool {
  return {
    name: action.id,
    description: action.description || action.id,
    parameters: {
      type: 'object',
      properties: Object.fromEntries(Object.entries(action.params).map(([name, p]) => [name, { type: p.type, ...(p.description ? { description: p.description } : {}) }])),
      required: action.required,
      additionalProperties: false,
    },
  };
}
