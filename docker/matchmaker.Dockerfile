# syntax=docker/dockerfile:1
# Matchmaker image: the placement service and its browser front. One command each, or both:
#   docker run IMAGE --all-in-one        (default; what compose.yaml runs)
#   docker run IMAGE                     (placement service on NATS only, no HTTP)
#   docker run IMAGE --front-only --listen 0.0.0.0:8080   (WebSocket front only)
# Build from the repository root:
#   docker build -f docker/matchmaker.Dockerfile -t playgap-matchmaker .
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

FROM --platform=linux/amd64 ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npx tsc -b
RUN rm -rf node_modules \
 && npm ci --omit=dev --no-audit --no-fund --include-workspace-root=false \
      --workspace=@playgap/matchmaker

FROM --platform=linux/amd64 ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/protocol/package.json ./protocol/package.json
COPY --from=build /src/protocol/dist ./protocol/dist
COPY --from=build /src/edgegap/package.json ./edgegap/package.json
COPY --from=build /src/edgegap/dist ./edgegap/dist
COPY --from=build /src/matchmaker/package.json ./matchmaker/package.json
COPY --from=build /src/matchmaker/dist ./matchmaker/dist
USER node
EXPOSE 8080/tcp
ENTRYPOINT ["node", "/app/matchmaker/dist/main.js"]
CMD ["--all-in-one", "--listen", "0.0.0.0:8080"]
