#!/usr/bin/env bash
# Install the system packages playgap needs when they are missing: the ones named as arguments
# (nats-server, chromium), or both when none is named. As root on Debian/Ubuntu it says what it
# installs and then uses apt-get; elsewhere it says exactly what to install.
#
#   bash scripts/install-system-deps.sh                  # nats-server and chromium (CI)
#   bash scripts/install-system-deps.sh nats-server      # what `npm start` needs
set -euo pipefail

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(nats-server chromium)

missing=()
for package in "${wanted[@]}"; do
  case "$package" in
    nats-server)
      [ -x "${NATS_SERVER_BIN:-}" ] || command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] ||
        missing+=(nats-server) ;;
    chromium)
      [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    *)
      echo "install-system-deps.sh: unknown package $package (known: nats-server, chromium)" >&2
      exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "playgap: installing ${missing[*]} system-wide with apt-get (Debian packages)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "playgap: installed ${missing[*]}."
else
  echo "playgap needs these system packages: ${missing[*]}" >&2
  echo "On Debian/Ubuntu run: sudo apt-get install ${missing[*]}" >&2
  echo "Elsewhere install nats-server (https://nats.io) and Chromium at /usr/bin/chromium." >&2
  exit 1
fi
