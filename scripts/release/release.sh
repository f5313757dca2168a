#!/usr/bin/env bash
# The server release's Edgegap steps, as Edgegap's own deploy action does them: check the key,
# create (or patch) the app version for the image tag, deploy a smoke test of it, wait for
# READY, fail on a crash (with its logs), stop the smoke deployment, and — when PROMOTE_VERSION
# is set — point that stable version name at the new image too.
#
# .github/workflows/release-server.yml runs exactly this after pushing the image; the rehearsal
# (scripts/release/rehearse.sh) runs it against edgegap-local with the image just built, so a
# broken release is caught before a tag is pushed. Needs `npx tsc -b cli` (the CLI and the
# Edgegap client) and the environment docker/edgegap-version.yaml reads, plus EDGEGAP_API_KEY
# (and EDGEGAP_API_URL when not api.edgegap.com).
#
#   RELEASE_TAG=v1.2.0 PROMOTE_VERSION=stable bash scripts/release/release.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${RELEASE_TAG:?set RELEASE_TAG (the image tag and version name)}"
: "${EDGEGAP_APP:?set EDGEGAP_APP}"

echo "release: checking the Edgegap API key"
node cli/bin/playgap.js check-key --app "$EDGEGAP_APP"
echo "release: app version $EDGEGAP_APP/$RELEASE_TAG"
node cli/bin/playgap.js version create \
  --config docker/edgegap-version.yaml \
  --version "$RELEASE_TAG" \
  --update-existing
echo "release: smoke deployment of $RELEASE_TAG"
node scripts/release/smoke.mjs
if [ -n "${PROMOTE_VERSION:-}" ]; then
  echo "release: promoting $EDGEGAP_APP/$PROMOTE_VERSION to image tag $RELEASE_TAG"
  node cli/bin/playgap.js version create \
    --config docker/edgegap-version.yaml \
    --version "$PROMOTE_VERSION" \
    --update-existing
fi
echo "release: done"
