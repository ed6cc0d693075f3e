// Prisma CLI configuration. The URL is only needed by `migrate deploy` (e.g. in the
// Docker image); Baton itself applies migrations with src/db/migrate.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/baton' },
});
