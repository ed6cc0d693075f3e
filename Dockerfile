# Production image: one image, two roles (API and worker), chosen by the command.
# Stage 1 compiles TypeScript to dist/; the runtime stage has production dependencies
# and compiled JavaScript only (no tsx, no TypeScript, no Prisma CLI).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# postinstall generates the Prisma client into src/generated (needs the dev CLI).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The bundled packs: their TypeScript modules are bundled into dist/pack-modules.
COPY packs ./packs
RUN npm run build

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: postinstall needs the Prisma CLI (a dev dependency), and the
# generated client is already compiled into dist/.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY prisma ./prisma
COPY locales ./locales
# pack.json, training phrases and catalogs of the bundled packs (BATON_PACK may name another folder).
COPY packs ./packs
COPY --from=build /app/dist ./dist
# The worker caches its trained intent model under .data/cache.
RUN mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations run at start (advisory-locked, safe with many replicas).
# Workers: `node dist/main/worker.js`.
CMD ["node", "dist/main/api.js"]
