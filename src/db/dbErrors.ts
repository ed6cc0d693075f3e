// Telling database errors apart: PostgreSQL or Redis cannot be reached right now (the
// HTTP layer answers 503, the workers wait it out), or a request carried a value
// PostgreSQL cannot store (the caller's fault: 400), or anything else (a bug: 500).
import { Prisma } from '../generated/prisma/client.ts';
import { UnavailableError } from '../shared/errors.ts';

/** SQLSTATEs of a server that is away, not of a bad query: 08 connection, 57P0x shutdown/startup, 53300 too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08\w{3}|57P0[1-3]|53300)$/;

/** Errors that mean PostgreSQL or Redis cannot be reached right now. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof UnavailableError) return true;
  if (err instanceof Prisma.PrismaClientInitializationError) return true;
  if (err instanceof Prisma.PrismaClientKnownRequestError && ['P1001', 'P1002', 'P1008', 'P1017', 'P2024'].includes(err.code)) return true;
  if (err instanceof Prisma.PrismaClientUnknownRequestError || err instanceof Prisma.PrismaClientRustPanicError) return true;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  // Prisma's driver adapter reports PostgreSQL going away (shutting down, starting up,
  // a dropped connection) as a request error whose cause carries the real reason.
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } } })?.meta?.driverAdapterError?.cause;
  if (cause) {
    if (typeof cause.kind === 'string' && ['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections'].includes(cause.kind)) return true;
    for (const c of [cause.code, cause.originalCode]) if (typeof c === 'string' && UNAVAILABLE_SQLSTATE.test(c)) return true;
  }
  const message = err instanceof Error ? err.message : '';
  return /Connection is closed|Stream isn't writeable|ECONNREFUSED|Connection terminated|connect ECONN|not queryable|database system is (shutting down|starting up|in recovery)|terminating connection due to administrator command|timeout exceeded when trying to connect/.test(
    message,
  );
}

/**
 * SQLSTATEs raised by a value itself: a NUL character or bytes PostgreSQL cannot encode
 * (22021, 22P05), a value too long for its column (22001) or for a unique index (54000).
 */
const UNSTORABLE_SQLSTATE = new Set(['22021', '22P05', '22001', '54000']);

export function isUnstorableValue(err: unknown): boolean {
  const cause = (err as { meta?: { driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown } } } })?.meta?.driverAdapterError?.cause;
  const codes = [(err as { code?: unknown })?.code, cause?.code, cause?.originalCode];
  return codes.some((c) => typeof c === 'string' && UNSTORABLE_SQLSTATE.has(c));
}

/** A unique key refused the write: someone stored the same thing first. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

/**
 * An error that looks like an outage, confirmed: Prisma reports many unrelated failures
 * as "unknown request errors", so for those the database is asked whether it answers.
 * A message that fails every time while PostgreSQL is up must spend its tries (and end
 * failed) instead of waiting forever as if the database were away.
 */
export async function isOutage(db: { $queryRaw: (q: TemplateStringsArray) => Promise<unknown> }, err: unknown): Promise<boolean> {
  if (!isUnavailable(err)) return false;
  if (!(err instanceof Prisma.PrismaClientUnknownRequestError || err instanceof Prisma.PrismaClientRustPanicError)) return true;
  return db.$queryRaw`SELECT 1`.then(
    () => false,
    () => true,
  );
}
