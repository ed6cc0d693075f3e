// /admin/queues: the BullMQ dashboard (bull-board) over the inbound, outbound and
// escalation queues, behind the admin token. A browser cannot send a bearer header
// with the dashboard's own asset and API requests, so opening `?token=<ADMIN_TOKEN>`
// once trades the token for a short-lived HttpOnly, SameSite=Strict cookie (an HMAC
// of its expiry keyed by the admin token, never the token itself) and redirects to
// the URL without the token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Request, RequestHandler, Response } from 'express';
import { authenticate, requireAdmin } from '../../agents/authenticate.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import { ClientError } from '../../shared/errors.ts';
import { route, type RouteDef } from '../route.ts';
import { opsRateLimit } from './operationsRoutes.ts';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
/** The cookie /admin/queues sets after `?token=`. */
export const QUEUE_DASHBOARD_COOKIE = 'baton_queues';
const COOKIE_TTL_SECONDS = 60 * 60;

/**
 * The app-wide CSP (src/http/app.ts) with what the dashboard's page needs on top: its
 * stylesheet from Google Fonts and the fonts themselves. Scripts stay 'self' only (the
 * page's one inline <script> is a JSON data block, which CSP does not execute).
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' https://fonts.gstatic.com data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const QUEUE_DESCRIPTIONS: Record<string, string> = {
  inbound: 'Bot turns for pending inbound messages',
  outbound: 'Deliveries to WhatsApp, SMS and web chat',
  escalation: 'Human escalation: routing and SLA timers',
};

function queueDashboard(rt: Runtime): RequestHandler[] {
  const adminToken = rt.config.adminToken;
  const secureCookie = rt.config.publicBaseUrl.startsWith('https:');

  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  const { inbound, outbound, escalation } = rt.producer.queues;
  createBullBoard({
    queues: [inbound, outbound, escalation].map((queue) => new BullMQAdapter(queue, { description: QUEUE_DESCRIPTIONS[queue.name] ?? '' })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Baton queues' } },
  });
  const board = serverAdapter.getRouter() as { disable(setting: string): unknown } & RequestHandler;
  board.disable('x-powered-by');

  const sign = (expires: number) => createHmac('sha256', adminToken).update(`baton-queue-dashboard:${expires}`).digest('base64url');
  const cookieIsValid = (req: Request) => {
    const value = readCookie(req, QUEUE_DASHBOARD_COOKIE);
    const [expires, mac] = value?.split('.') ?? [];
    if (!expires || !mac || !/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < Date.now()) return false;
    const expected = Buffer.from(sign(Number(expires)));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  };
  const setCookie = (req: Request, res: Response) => {
    const expires = Math.floor(Date.now() / 1000) + COOKIE_TTL_SECONDS;
    res.cookie(QUEUE_DASHBOARD_COOKIE, `${expires}.${sign(expires)}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookie || req.secure,
      path: QUEUE_DASHBOARD_PATH,
      maxAge: COOKIE_TTL_SECONDS * 1000,
    });
  };

  const authorize: RequestHandler = async (req, res, next) => {
    const header = req.get('authorization');
    if (header !== undefined) {
      // A header, when sent, decides alone: a wrong one is not rescued by a cookie.
      const bearer = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      requireAdmin(await authenticate(rt.db, adminToken, bearer || undefined));
      return next();
    }
    const queryToken = req.query.token;
    if (typeof queryToken === 'string') {
      requireAdmin(await authenticate(rt.db, adminToken, queryToken));
      setCookie(req, res);
      // Off the URL (history, logs) as soon as it has done its job.
      const url = new URL(req.originalUrl, 'http://localhost');
      url.searchParams.delete('token');
      return void res.redirect(302, url.pathname + url.search);
    }
    if (cookieIsValid(req)) return next();
    throw new ClientError(
      401,
      'unauthorized',
      `the queue dashboard needs the admin token: send Authorization: Bearer <ADMIN_TOKEN>, or open ${QUEUE_DASHBOARD_PATH}?token=<ADMIN_TOKEN> once in the browser`,
    );
  };

  const headers: RequestHandler = (req, res, next) => {
    res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
    if (!req.path.startsWith('/static/')) res.setHeader('Cache-Control', 'no-store');
    next();
  };

  return [headers, authorize, board];
}

export const queueDashboardRoutes: RouteDef[] = [
  route({
    method: 'get',
    path: QUEUE_DASHBOARD_PATH,
    operationId: 'queueDashboard',
    tag: 'Operations',
    summary: 'BullMQ queue dashboard (inbound, outbound, escalation)',
    description:
      'Admin token only. A browser opens `/admin/queues?token=<ADMIN_TOKEN>` once: that sets a short-lived HttpOnly, SameSite=Strict cookie ' +
      `(\`${QUEUE_DASHBOARD_COOKIE}\`, path /admin/queues) and redirects to the clean URL, so the dashboard's own assets and API calls under ` +
      '`/admin/queues/` are authorized too. Those sub-routes belong to the dashboard and are not part of this API.',
    auth: 'queueDashboard',
    noBackingServices: true,
    prefix: true,
    responses: {
      200: { description: 'The dashboard page.', type: 'text/html' },
      302: {
        description: '`?token=` was valid: the cookie is set and the browser is sent to the URL without the token.',
        headers: { 'Set-Cookie': { schema: { type: 'string' } }, Location: { schema: { type: 'string' } } },
      },
    },
    errors: ['Unauthorized', 'Forbidden'],
    before: (rt) => [opsRateLimit(rt, 'queue-dashboard')],
    bespoke: queueDashboard,
  }),
];

function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
