#!/usr/bin/env bash
# Rehearse the server release on this machine: build the game-server image, then run
# scripts/release/release.sh — the workflow's own steps — against edgegap-local (with NATS from
# the compose config: TLS and the gameserver user), deploying that image as a container. Catches
# a broken release before a tag is pushed. Needs a Docker engine (or root; see
# scripts/images/engine.mjs).
#
#   bash scripts/release/rehearse.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -b
node scripts/images/build.mjs gameserver
PLAYGAP_CONTAINER_TESTS=require npx vitest run --project containers containers/release.test.ts
