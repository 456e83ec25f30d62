# syntax=docker/dockerfile:1
# One image recipe for the four services: docker build --build-arg SERVICE=referral .
#
# Node.js 24 runs the TypeScript sources directly (type stripping). Node refuses to strip types
# from files under node_modules, so the image keeps the workspace layout (shared packages are
# linked from packages/, not copied into node_modules as `pnpm deploy` would) and installs only
# the production dependencies of the chosen service and the packages it uses.

FROM node:24-bookworm-slim AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=<referral|matching|notification|monitoring>" && exit 1)
ENV CI=true
RUN npm install -g pnpm@10.34.9
WORKDIR /app
COPY . .
RUN find services -mindepth 1 -maxdepth 1 -type d ! -name "$SERVICE" -exec rm -rf {} + \
 && rm -rf bench scripts e2e docs \
 && pnpm install --frozen-lockfile --prod --ignore-scripts --filter "@placements/${SERVICE}..."
# Node's compile cache, written here so the service never strips or compiles its modules at start
# (packages/service-kit/src/runtime.ts, COMPILE_CACHE_ENV): both stages run the same Node.
RUN NODE_COMPILE_CACHE=/app/.cache/node-compile node services/${SERVICE}/src/server.ts --compile-only

FROM node:24-bookworm-slim AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    NODE_COMPILE_CACHE=/app/.cache/node-compile \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# V8 heap settings and malloc arenas as in packages/service-kit/src/runtime.ts (serviceNodeFlags,
# SERVICE_ENV); docker-compose.yml sets each service's own heap settings.
ENV NODE_HEAP_FLAGS="--max-semi-space-size=2 --max-old-space-size=192" \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=65536
CMD ["sh", "-c", "exec node ${NODE_HEAP_FLAGS} services/${SERVICE}/src/server.ts"]
