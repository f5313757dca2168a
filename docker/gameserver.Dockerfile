# syntax=docker/dockerfile:1
# Game-server image of the playgap templates: the arena server (server-template) supervised by the
# playgap sidecar. Build from the repository root:
#   docker build --platform linux/amd64 -f docker/gameserver.Dockerfile -t arena-server .
# Debian (glibc) because node-datachannel and the WebTransport quiche addon are glibc builds.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM --platform=linux/amd64 ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx tsc -b \
 && npm run build --workspace=@playgap/server-template --if-present
# Production dependencies only, for the two workspaces the image runs, plus the HTTP/3 addon of
# @fails-components/webtransport (it downloads a prebuilt binary: fine here, not in CI's sandbox).
RUN rm -rf node_modules \
 && npm ci --omit=dev --no-audit --no-fund --include-workspace-root=false \
      --workspace=@playgap/sidecar --workspace=@playgap/server-template \
 && npm install --omit=dev --no-save --no-audit --no-fund \
      @fails-components/webtransport-transport-http3-quiche@1.6.8

FROM --platform=linux/amd64 ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PLAYGAP_SIDECAR_PORT=7999 \
    PLAYGAP_CERT_DIR=/tmp/playgap-certs
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/protocol/package.json ./protocol/package.json
COPY --from=build /src/protocol/dist ./protocol/dist
COPY --from=build /src/edgegap/package.json ./edgegap/package.json
COPY --from=build /src/edgegap/dist ./edgegap/dist
COPY --from=build /src/server/package.json ./server/package.json
COPY --from=build /src/server/dist ./server/dist
COPY --from=build /src/sidecar/package.json ./sidecar/package.json
COPY --from=build /src/sidecar/dist ./sidecar/dist
COPY --from=build /src/server-template/package.json ./server-template/package.json
COPY --from=build /src/server-template/dist ./server-template/dist
USER node
# Port names as in the Edgegap app version (docker/edgegap-version.yaml):
# game = WebSocket + WebRTC signaling, rtc = WebRTC data (one UDP port), wt = WebTransport.
EXPOSE 4000/tcp 4001/udp 4002/tcp 4002/udp
# The sidecar is the ENTRYPOINT and `run -- <server>` the CMD, so an Edgegap version's
# `arguments` (which replace the CMD) can pass `--ca-contents '<pem>' run -- <server>`
# (`playgap version create --nats-ca-as argument`).
ENTRYPOINT ["node", "/app/sidecar/dist/main.js"]
CMD ["run", "--", "node", "/app/server-template/dist/main.js"]
