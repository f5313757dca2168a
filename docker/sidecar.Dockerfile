# syntax=docker/dockerfile:1
# The playgap sidecar on its own, to drop into an existing game-server image of any language.
# Everything lives under /opt/playgap (its own Node binary included), so two lines add it:
#   COPY --from=ghcr.io/<owner>/playgap-sidecar:<tag> /opt/playgap /opt/playgap
#   ENTRYPOINT ["/opt/playgap/bin/playgap-sidecar", "run", "--"]
# The target image must be glibc-based (Debian, Ubuntu, RHEL...) and have /bin/sh.
# Guide: docs/sidecar-drop-in.md. Build from the repository root:
#   docker build --platform linux/amd64 -f docker/sidecar.Dockerfile -t playgap-sidecar .
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM --platform=linux/amd64 ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npx tsc -b
RUN rm -rf node_modules \
 && npm ci --omit=dev --no-audit --no-fund --include-workspace-root=false \
      --workspace=@playgap/sidecar
RUN mkdir -p /opt/playgap/app /opt/playgap/node/bin /opt/playgap/bin \
 && cp "$(command -v node)" /opt/playgap/node/bin/node \
 && cp -r package.json node_modules /opt/playgap/app/ \
 && for pkg in protocol edgegap sidecar; do \
      mkdir -p "/opt/playgap/app/$pkg" && cp -r "$pkg/package.json" "$pkg/dist" "/opt/playgap/app/$pkg/"; \
    done \
 && cp docker/sidecar/playgap-sidecar /opt/playgap/bin/playgap-sidecar \
 && chmod 0755 /opt/playgap/bin/playgap-sidecar

# The stage other images copy from; also runnable on its own (wraps any command given).
FROM --platform=linux/amd64 ${NODE_IMAGE} AS sidecar
COPY --from=build /opt/playgap /opt/playgap
ENV PLAYGAP_SIDECAR_PORT=7999
USER node
EXPOSE 7999/tcp
ENTRYPOINT ["/opt/playgap/bin/playgap-sidecar", "run", "--"]
CMD ["sleep", "infinity"]
