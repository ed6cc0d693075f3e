// One place that turns errors into responses: the caller's fault → 4xx with a reason,
// a dependency down → 503 with Retry-After, anything else → 500 without details.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { isUnavailable, isUnstorableValue } from '../../db/dbErrors.ts';
import { ClientError, Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated, Unprocessable } from '../../shared/errors.ts';

/** The HTTP status of each kind of use-case refusal; the code and message pass through. */
const STATUS_OF_DOMAIN_ERROR = new Map<abstract new (...args: never[]) => DomainError, number>([
  [InvalidInput, 400],
  [Unauthenticated, 401],
  [Forbidden, 403],
  [NotFound, 404],
  [Conflict, 409],
  [Unprocessable, 422],
]);

export function sendError(res: Parameters<RequestHandler>[1], status: number, error: string, message: string) {
  res.status(status).json({ error, message });
}

export const notFound: RequestHandler = (req, res) => sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`);

export { isUnavailable };

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof ClientError) {
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    return sendError(res, err.status, err.code, err.message);
  }
  if (err instanceof DomainError) {
    return sendError(res, STATUS_OF_DOMAIN_ERROR.get(err.constructor as abstract new (...args: never[]) => DomainError) ?? 400, err.code, err.message);
  }
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    return sendError(res, 400, 'invalid_request', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  // body-parser's errors carry a status and a type.
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return sendError(res, 413, 'payload_too_large', 'request bodies are limited to 1 MiB');
  if (type === 'entity.parse.failed') return sendError(res, 400, 'invalid_body', 'the body is not valid for its content type');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendError(res, 415, 'unsupported_encoding', String(err.message));
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return sendError(res, status, 'bad_request', String(err.message));
  if (isUnstorableValue(err)) return sendError(res, 400, 'invalid_request', 'a value cannot be stored: it holds a NUL character or is too long');
  if (isUnavailable(err)) {
    res.setHeader('Retry-After', '5');
    return sendError(res, 503, 'unavailable', 'a backing service is unavailable; retry shortly');
  }
  req.log?.error({ err }, 'unhandled error');
  return sendError(res, 500, 'internal', 'internal error');
};
