#!/bin/sh
# Entrypoint of the NATS container (compose.yaml): renders nats.conf.template for $PLAYGAP_APP,
# then runs nats-server with it. Extra arguments go to nats-server (tests add -a/-p/-m).
set -eu
: "${PLAYGAP_APP:?PLAYGAP_APP is required (letters, digits, _ or -)}"
case "$PLAYGAP_APP" in
  *[!A-Za-z0-9_-]*) echo "PLAYGAP_APP must use only letters, digits, _ or -" >&2; exit 2 ;;
esac
: "${NATS_MATCHMAKER_PASSWORD:?NATS_MATCHMAKER_PASSWORD is required}"
: "${NATS_FRONT_PASSWORD:?NATS_FRONT_PASSWORD is required}"
: "${NATS_GAMESERVER_PASSWORD:?NATS_GAMESERVER_PASSWORD is required}"
NATS_CONF_DIR="${NATS_CONF_DIR:-/etc/nats}"
NATS_RUN_DIR="${NATS_RUN_DIR:-/tmp}"
export NATS_STORE_DIR="${NATS_STORE_DIR:-/data}"
export NATS_TLS_CERT="${NATS_TLS_CERT:-/etc/nats/certs/server.crt}"
export NATS_TLS_KEY="${NATS_TLS_KEY:-/etc/nats/certs/server.key}"
sed "s/__PLAYGAP_APP__/$PLAYGAP_APP/g" "$NATS_CONF_DIR/nats.conf.template" > "$NATS_RUN_DIR/nats.conf"
exec "${NATS_SERVER_BIN:-nats-server}" -c "$NATS_RUN_DIR/nats.conf" "$@"
