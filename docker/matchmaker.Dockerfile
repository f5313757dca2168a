# Matchmaker image: the placement service and its browser front. One command each, or both:
#   docker run IMAGE --all-in-one        (default; what compose.yaml runs)
#   docker run IMAGE                     (placement service on NATS only, no HTTP)
#   docker run IMAGE --front-only --listen 0.0.0.0:8080   (WebSocket front only)
# Build from the repository root:
#   docker build -f docker/matchmaker.Dockerfile -t playgap-matchmaker .
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
 && for pkg in protocol edgegap matchmaker; do \
      mkdir -p "/out/$pkg" && cp -r "$pkg/package.json" "$pkg/dist" "/out/$pkg/"; \
    done

# Production dependencies only, for the workspaces the image runs; cached until a manifest changes.
FROM --platform=linux/amd64 ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund --include-workspace-root=false \
      --workspace=@playgap/matchmaker

FROM --platform=linux/amd64 ${NODE_IMAGE} AS runtime
# Metadata first, files last: with the vfs storage driver every instruction copies the whole
# tree, so these stay cached on the bare base and only the two COPY layers redo on a rebuild.
ENV NODE_ENV=production
WORKDIR /app
USER node
EXPOSE 8080/tcp
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/matchmaker/dist/main.js"]
CMD ["--all-in-one", "--listen", "0.0.0.0:8080"]
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=bundle /out/ ./
