// Values we validated with zod go into JSON columns as they are; Prisma's JSON input
// type cannot see that a zod-parsed object is JSON-safe.
import type { Prisma } from '../generated/prisma/client.ts';

export const asJson = (value: unknown): Prisma.InputJsonValue => value as Prisma.InputJsonValue;
