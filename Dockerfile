# Wijklijn for production: the service (src/main.ts) on Node 20. Everything is installed at build
# time (npm ci from the lock file, the Prisma clients generated with Prisma's JS engine, no
# Chromium download), so the container needs no network access when it starts.
# Build: docker build -t wijklijn .   Run with PostgreSQL: docker compose up (compose.yaml).
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    PUPPETEER_SKIP_DOWNLOAD=true \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data

COPY . .
RUN npm ci --omit=dev --no-audit --no-fund && mkdir -p /data && chown node:node /data

USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness: the process answers (/readyz, which also checks the database, is for the orchestrator's readiness).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts"]
