#!/usr/bin/env bash
# A private Docker engine for machines that have none running (CI sandboxes, these dev VMs):
# Debian's dockerd with the vfs storage driver, no iptables, no bridge (containers use
# --network host), its data under a cache folder that outlives the run so base images and
# layers are reused. Root only.
#
#   eval "$(bash scripts/images/dockerd.sh start)"   # prints export DOCKER_HOST=...
#   bash scripts/images/dockerd.sh stop
#
# PLAYGAP_DOCKER_ROOT (default /var/cache/playgap/docker) holds data, exec root, socket, log.
set -euo pipefail
root=${PLAYGAP_DOCKER_ROOT:-/var/cache/playgap/docker}
sock="$root/docker.sock"

case "${1:-}" in
  start)
    if [ "$(id -u)" != 0 ]; then
      echo "dockerd.sh: a private Docker engine needs root (or start Docker yourself and set DOCKER_HOST)" >&2
      exit 1
    fi
    # docker-compose (v1): Debian's docker.io has no compose plugin; the compose stack test needs one.
    wanted=()
    command -v dockerd >/dev/null 2>&1 || wanted+=(docker.io)
    docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || wanted+=(docker-compose)
    if [ ${#wanted[@]} -gt 0 ]; then
      if command -v apt-get >/dev/null 2>&1; then
        echo "dockerd.sh: installing ${wanted[*]} with apt-get (system-wide)..." >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
      else
        echo "dockerd.sh: missing ${wanted[*]}; install Docker and docker compose (docker.io and docker-compose on Debian/Ubuntu)" >&2
        exit 1
      fi
    fi
    mkdir -p "$root/data" "$root/exec"
    if [ -S "$sock" ] && docker -H "unix://$sock" version >/dev/null 2>&1; then
      echo "export DOCKER_HOST=unix://$sock"
      exit 0
    fi
    dockerd --storage-driver vfs --iptables=false --bridge=none \
      --data-root "$root/data" --exec-root "$root/exec" -H "unix://$sock" \
      --pidfile "$root/docker.pid" >"$root/dockerd.log" 2>&1 &
    for _ in $(seq 1 100); do
      if docker -H "unix://$sock" version >/dev/null 2>&1; then
        echo "export DOCKER_HOST=unix://$sock"
        exit 0
      fi
      sleep 0.2
    done
    echo "dockerd.sh: dockerd did not answer in 20 s; see $root/dockerd.log" >&2
    tail -5 "$root/dockerd.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$root/docker.pid" ]; then
      kill "$(cat "$root/docker.pid")" 2>/dev/null || true
      for _ in $(seq 1 50); do [ -f "$root/docker.pid" ] || break; sleep 0.2; done
    fi
    ;;
  *)
    echo "usage: dockerd.sh start|stop" >&2
    exit 2
    ;;
esac
