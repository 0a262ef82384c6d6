# taskwire — one container beside your tools, configured by one YAML file.
#   build:  docker build -t taskwire .
#   run:    docker run -v taskwire-data:/data -v ./config:/config:ro --env-file taskwire.env taskwire
# Node 24 LTS; better-sqlite3 compiles in the build stage, so the runtime stage needs no compiler.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Native addons (better-sqlite3) build against the headers shipped in the image, not a download.
ENV npm_config_nodedir=/usr/local
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Behind a TLS-intercepting proxy, pass its CA bundle: `--secret id=ca,src=/path/to/ca.pem`.
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    TASKWIRE_CONFIG=/config/taskwire.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config/taskwire.example.yaml config/taskwire.schema.json ./config/
RUN mkdir -p /data /config && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# No curl in the image: node itself asks the daemon whether it is alive.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/taskwire.js"]
CMD ["run"]
