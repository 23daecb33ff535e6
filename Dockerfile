# One image for every role of the MSO Platform:
#   docker run IMAGE                      all services and the gateway in one process (`mso start`)
#   docker run IMAGE gateway              the gateway alone (needs NATS_URL)
#   docker run IMAGE service helpdesk     one service alone (needs NATS_URL and DATABASE_URL)
#
# Build from the repository root: docker build -t mso-platform:local .
# Deployment guide: docs/deploy.md.

ARG NODE_IMAGE=node:24-bookworm-slim
ARG PNPM_VERSION=12.4.2

# ---------------------------------------------------------------------------------------------------
# pnpm on Node 24 LTS
FROM ${NODE_IMAGE} AS pnpm
ARG PNPM_VERSION
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1
RUN npm i -g pnpm@${PNPM_VERSION} && pnpm --version
WORKDIR /app

# ---------------------------------------------------------------------------------------------------
# Install every dependency, build every workspace package (turbo writes each package's dist/), then
# keep production dependencies only.
FROM pnpm AS build
# The lockfile alone is enough to fill the store, so this layer is reused until the lockfile changes.
# The store lives in this stage's layers (not a cache mount), so a layer cache restored elsewhere
# (e.g. --cache-from in CI) still has the packages the offline install below needs.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch --store-dir /pnpm/store
COPY . .
RUN pnpm install --frozen-lockfile --offline --store-dir /pnpm/store
RUN pnpm build
RUN pnpm prune --prod --store-dir /pnpm/store
# Sources, tests and build metadata stay behind: at run time Node resolves every workspace package to
# its dist/ (the package.json "default" export). Migrations (services/*/migrations, packages/kit/migrations) stay.
RUN rm -rf apps/*/src packages/*/src services/*/src packages/*/test services/*/test packages/*/bench \
      .turbo node_modules/.cache \
 && find apps packages services -name '*.tsbuildinfo' -delete \
 && test -f apps/cli/dist/main.js

# ---------------------------------------------------------------------------------------------------
# Runtime: Node and the built workspace, run as the unprivileged `node` user (uid 1000).
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="MSO Platform" \
      org.opencontainers.image.description="Back office services for MSOs: gateway, tenancy, billing, collections, HR, helpdesk, finance"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    MSO_DATA_DIR=/var/lib/mso/data
WORKDIR /app
# The embedded data folder for `start` without DATABASE_URL (PGlite; mount a volume on /var/lib/mso).
RUN mkdir -p /var/lib/mso/data && chown -R node:node /var/lib/mso
# The application stays owned by root: the process cannot change its own code.
COPY --from=build /app /app
USER node
VOLUME ["/var/lib/mso"]
EXPOSE 3000
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "apps/cli/dist/main.js"]
CMD ["start"]
