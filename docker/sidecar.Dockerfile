# The playgap sidecar on its own, to drop into an existing game-server image of any language.
# Everything lives under /opt/playgap (its own Node binary included), so two lines add it:
#   COPY --from=ghcr.io/<owner>/playgap-sidecar:<tag> /opt/playgap /opt/playgap
#   ENTRYPOINT ["/opt/playgap/bin/playgap-sidecar", "run", "--"]
# The target image must be glibc-based (Debian, Ubuntu, RHEL...) and have /bin/sh.
# Guide: docs/sidecar-drop-in.md. Build from the repository root:
#   docker build --platform linux/amd64 -f docker/sidecar.Dockerfile -t playgap-sidecar .
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

# Production dependencies only, for the workspaces the image runs; cached until a manifest changes.
FROM --platform=linux/amd64 ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund --include-workspace-root=false \
      --workspace=@playgap/sidecar

# /opt/playgap: Node, the production node_modules, the three workspaces and the launcher.
FROM build AS bundle
COPY --from=prod-deps /src/node_modules /opt/playgap/app/node_modules
RUN mkdir -p /opt/playgap/node/bin /opt/playgap/bin \
 && cp "$(command -v node)" /opt/playgap/node/bin/node \
 && cp package.json /opt/playgap/app/ \
 && for pkg in protocol edgegap sidecar; do \
      mkdir -p "/opt/playgap/app/$pkg" && cp -r "$pkg/package.json" "$pkg/dist" "/opt/playgap/app/$pkg/"; \
    done \
 && cp docker/sidecar/playgap-sidecar /opt/playgap/bin/playgap-sidecar \
 && chmod 0755 /opt/playgap/bin/playgap-sidecar

# The stage other images copy from; also runnable on its own (wraps any command given).
FROM --platform=linux/amd64 ${NODE_IMAGE} AS sidecar
# Metadata first, files last: with the vfs storage driver every instruction copies the whole
# tree, so these stay cached on the bare base and only the two COPY layers redo on a rebuild.
ENV PLAYGAP_SIDECAR_PORT=7999
USER node
EXPOSE 7999/tcp
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/opt/playgap/node/bin/node", "-e", "fetch('http://127.0.0.1:'+(process.env.PLAYGAP_SIDECAR_PORT||7999)+'/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/opt/playgap/bin/playgap-sidecar", "run", "--"]
CMD ["sleep", "infinity"]
COPY --from=bundle /opt/playgap /opt/playgap
