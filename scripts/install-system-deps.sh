#!/usr/bin/env bash
# Install the system packages playgap needs (nats-server, Chromium) when they are missing.
# As root on Debian/Ubuntu it uses apt-get; elsewhere it says exactly what to install.
set -euo pipefail

missing=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "Installed ${missing[*]}."
else
  echo "playgap needs these system packages: ${missing[*]}" >&2
  echo "On Debian/Ubuntu run: sudo apt-get install ${missing[*]}" >&2
  echo "Elsewhere install nats-server (https://nats.io) and Chromium at /usr/bin/chromium." >&2
  exit 1
fi
