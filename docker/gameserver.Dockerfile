# Game-server image of the playgap templates: the arena server (server-template) supervised by the
# playgap sidecar. Build from the repository root:
#   docker build --platform linux/amd64 -f docker/gameserver.Dockerfile -t arena-server .
# Debian (glibc) because node-datachannel and the WebTransport quiche addon are glibc builds.
# WEBTRANSPORT_HTTP3=0 leaves out the HTTP/3 addon of @fails-components/webtransport (it downloads
# a prebuilt binary from GitHub; `npm run images` turns it off where that is unreachable, and the
# server then offers WebRTC and WebSocket only).
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# The three playgap Dockerfiles (gameserver, matchmaker, sidecar) begin with the same three
# stages, so `npm run images` builds them once for all three, and a rebuild after a source change
# reruns only `tsc -b`: `manifests` keeps just the package.json files and the lock, so `npm ci`
# (in `deps` and in the production install below) reruns only when a dependency changes.
# Few layers on purpose: engines with the vfs storage driver copy the whole tree per layer.
FROM --platform=linux/amd64 ${NODE_IMAGE} AS manifests
COPY . /src
# Only what `npm ci` reads: the lock and each package.json without its scripts (other than
# install hooks) and description, so editing a script or a text does not reinstall everything.
RUN mkdir /manifests && cd /src && cp package-lock.json /manifests/ && node -e ' \
      const fs = require("node:fs"); \
      const keep = new Set(["preinstall", "install", "postinstall", "prepare"]); \
      for (const dir of [".", ...fs.readdirSync(".")]) { \
        const file = dir + "/package.json"; \
        if (!fs.existsSync(file)) continue; \
        const pkg = JSON.parse(fs.readFileSync(file, "utf8")); \
        delete pkg.description; \
        if (pkg.scripts) pkg.scripts = Object.fromEntries(Object.entries(pkg.scripts).filter(([k]) => keep.has(k))); \
        fs.mkdirSync("/manifests/" + dir, { recursive: true }); \
        fs.writeFileSync("/manifests/" + file, JSON.stringify(pkg, null, 2)); \
      }'

FROM --platform=linux/amd64 ${NODE_IMAGE} AS deps
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npx tsc -b

# What the image runs: each workspace's package.json and dist, in one layer.
FROM build AS bundle
RUN mkdir -p /out && cp package.json /out/ \
 && for pkg in protocol edgegap server sidecar server-template; do \
      mkdir -p "/out/$pkg" && cp -r "$pkg/package.json" "$pkg/dist" "/out/$pkg/"; \
    done

# Production dependencies only, for the workspaces the image runs; cached until a manifest changes.
FROM --platform=linux/amd64 ${NODE_IMAGE} AS prod-deps
ARG WEBTRANSPORT_HTTP3=1
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund --include-workspace-root=false \
      --workspace=@playgap/sidecar --workspace=@playgap/server-template \
 && if [ "$WEBTRANSPORT_HTTP3" = 1 ]; then \
      npm install --omit=dev --no-save --no-audit --no-fund \
        @fails-components/webtransport-transport-http3-quiche@1.6.8; \
    fi

FROM --platform=linux/amd64 ${NODE_IMAGE} AS runtime
# Metadata first, files last: with the vfs storage driver every instruction copies the whole
# tree, so these stay cached on the bare base and only the two COPY layers redo on a rebuild.
ENV NODE_ENV=production \
    PLAYGAP_SIDECAR_PORT=7999 \
    PLAYGAP_CERT_DIR=/tmp/playgap-certs
WORKDIR /app
USER node
# Port names as in the Edgegap app version (docker/edgegap-version.yaml):
# game = WebSocket + WebRTC signaling, rtc = WebRTC data (one UDP port), wt = WebTransport.
EXPOSE 4000/tcp 4001/udp 4002/tcp 4002/udp
# Healthy once the sidecar answers (it reports NATS and the game server's own heartbeat).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PLAYGAP_SIDECAR_PORT||7999)+'/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The sidecar is the ENTRYPOINT and `run -- <server>` the CMD, so an Edgegap version's
# `arguments` (which replace the CMD) can pass `--ca-contents '<pem>' run -- <server>`
# (`playgap version create --nats-ca-as argument`).
ENTRYPOINT ["node", "/app/sidecar/dist/main.js"]
CMD ["run", "--", "node", "/app/server-template/dist/main.js"]
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=bundle /out/ ./
