# syntax=docker/dockerfile:1
# One image for both components: `metallb-ts controller` and `metallb-ts speaker` (docs/deploy.md).
# Build: docker build -t <registry>/metallb-ts:<version> .   then: metallb-ts manifests --image <registry>/metallb-ts:<version>

# Build stage: the native addon (node-gyp, so python3, make and g++) and the TypeScript.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# .npmrc points node-gyp at Debian's headers (/usr); this image keeps Node's headers under /usr/local.
ENV npm_config_nodedir=/usr/local
WORKDIR /src
COPY . .
# npm ci runs the package's install script (the addon) and prepare (tsc into dist/).
RUN npm ci \
 && test -f native/build/Release/metallb_native.node \
 && test -f dist/src/cmd/main.js \
 && find dist -name '*.test.js' -delete -o -name '*.test.js.map' -delete

# Runtime stage: production dependencies only, no compilers.
FROM node:20-bookworm-slim
# tini as PID 1 forwards SIGTERM and reaps children (Node as PID 1 does neither by default).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: the addon comes ready-built from the build stage.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/native/build/Release/metallb_native.node ./native/build/Release/metallb_native.node
# Non-root by default (the controller). The speaker's pod runs it as uid 0 with only NET_RAW, NET_ADMIN and
# NET_BIND_SERVICE: Kubernetes gives added capabilities to root processes only (see docs/deploy.md).
USER 65534:65534
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/src/cmd/main.js"]
CMD ["--help"]
