// Refuses bodies of a type a route does not read (415) instead of parsing nothing.
import type { RequestHandler } from 'express';
import { ClientError } from '../../shared/errors.ts';

export function requireContentType(...types: string[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.is(types)) {
      throw new ClientError(415, 'unsupported_media_type', `expected Content-Type ${types.join(' or ')}`);
    }
    next();
  };
}
