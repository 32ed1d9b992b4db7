#!/usr/bin/env bash
# A real Hatchet on loopback for the end-to-end suite (tests/suite/real_hatchet.rs).
#
#   bash scripts/real-hatchet.sh up      install what is missing, start PostgreSQL, the engine
#                                        and a worker, seed the tenant, write the env file
#   bash scripts/real-hatchet.sh down    stop exactly the processes `up` started, by PID
#   bash scripts/real-hatchet.sh status  say what runs
#   bash scripts/real-hatchet.sh spec    write the engine's OpenAPI spec, bundled into one
#                                        file, to target/hatchet-openapi/openapi.json (the
#                                        contract checks read it when no other spec is given)
#
# Everything lives under target/real-hatchet/: the binaries, the Python venv, the database
# cluster, logs, PID files, `env` (shell lines a client sources: HATCHET_CLIENT_TOKEN and
# the rest) and `seed.json` (the ids of the objects the seed left; see worker.py's header).
#
# What it installs, each pinned:
# - PostgreSQL 15 from Debian's packages (if absent), run as a private cluster on
#   127.0.0.1:$PG_PORT as the `postgres` user, timezone UTC.
# - Hatchet's engine, the published Go module github.com/hatchet-dev/hatchet at
#   $HATCHET_VERSION, through the Go module proxy: hatchet-lite (engine and REST API in one
#   process), hatchet-migrate (the schema) and hatchet-admin (config, tenant, API token).
#   The proxy serves this version but no version list, so `go install pkg@version` (which
#   asks for the list) is refused: the binaries are installed with `go install` from a
#   throwaway module under target/ that requires exactly this version, with the checksums
#   the engine's own go.sum records. No source of Hatchet is kept outside Go's module cache.
# - hatchet-sdk $SDK_VERSION (the Python SDK released the same day) into a venv, for the
#   worker.
#
# Loopback: PostgreSQL and the engine's gRPC listen on 127.0.0.1, and every URL handed out
# is 127.0.0.1. hatchet-lite has no setting for the address of its HTTP listeners (the API,
# its proxy and the static file server listen on all addresses of the machine): on a shared
# host, firewall the ports below or run this in a network namespace.
#
# `up` on a running set-up does nothing; `up` after a partial start stops what is left and
# starts afresh, with a new database (so the seed is the same every time).
set -euo pipefail

HATCHET_VERSION=v0.105.0
SDK_VERSION=1.38.0
TENANT_ID=707d0855-80ab-4e1f-a156-f1c4546cbf52

PG_PORT=55432
API_PORT=18080      # the REST API itself
RUNTIME_PORT=18888  # hatchet-lite's front: /api goes to the API, the rest to the static site
FRONTEND_PORT=18889
GRPC_PORT=17077

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/target/real-hatchet"
BIN="$DIR/bin"
VENV="$DIR/venv"
PGDATA="$DIR/pg"
PG_BIN=/usr/lib/postgresql/15/bin
SERVER_URL="http://127.0.0.1:$RUNTIME_PORT"
DATABASE_URL="postgresql://hatchet@127.0.0.1:$PG_PORT/hatchet?sslmode=disable"

log() { printf 'real-hatchet: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The PID in a file, if that process is alive and is the program we started.
live_pid() {
  local file="$1" program="$2" pid
  [[ -f "$file" ]] || return 1
  pid="$(head -n1 "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$program" || return 1
  echo "$pid"
}

pg_pid() { [[ -f "$PGDATA/postmaster.pid" ]] && live_pid "$PGDATA/postmaster.pid" postgres; }
lite_pid() { live_pid "$DIR/lite.pid" "$BIN/hatchet-lite"; }
worker_pid() { live_pid "$DIR/worker.pid" "worker.py work"; }

# Stops one process we started (and its process group: the worker's runner processes) by
# PID: SIGTERM, then SIGKILL after 15 s.
stop_pid() {
  local name="$1" pid="$2"
  log "stopping $name (pid $pid)"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

down() {
  local pid
  if pid="$(worker_pid)"; then stop_pid worker "$pid"; fi
  rm -f "$DIR/worker.pid"
  if pid="$(lite_pid)"; then stop_pid hatchet-lite "$pid"; fi
  rm -f "$DIR/lite.pid"
  if pg_pid >/dev/null; then
    log "stopping PostgreSQL"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  rm -f "$DIR/env"
}

status() {
  local up=0 pid
  if pid="$(pg_pid)"; then echo "postgresql   running (pid $pid, 127.0.0.1:$PG_PORT)"; else echo "postgresql   stopped"; up=1; fi
  if pid="$(lite_pid)"; then echo "hatchet-lite running (pid $pid, $SERVER_URL, $HATCHET_VERSION)"; else echo "hatchet-lite stopped"; up=1; fi
  if pid="$(worker_pid)"; then echo "worker       running (pid $pid)"; else echo "worker       stopped"; up=1; fi
  if [[ -f "$DIR/env" && -f "$DIR/seed.json" ]]; then echo "env          $DIR/env"; else echo "env          not written"; up=1; fi
  return "$up"
}

install_postgres() {
  [[ -x "$PG_BIN/initdb" ]] && return 0
  log "installing PostgreSQL 15 from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
}

install_engine() {
  local stamp="$BIN/.version"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$HATCHET_VERSION" && -x "$BIN/hatchet-lite" ]]; then
    return 0
  fi
  command -v go >/dev/null || die "go is not on PATH: the engine is built with go install"
  log "installing Hatchet $HATCHET_VERSION with go install (a few minutes on 2 cores)"
  local module="$DIR/gomodule"
  rm -rf "$module" && mkdir -p "$module" "$BIN"
  (
    cd "$module"
    export GOFLAGS="-mod=mod -buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
    go mod download github.com/hatchet-dev/hatchet@"$HATCHET_VERSION"
    printf 'module real-hatchet-engine\n\ngo 1.26\n\nrequire github.com/hatchet-dev/hatchet %s\n' \
      "$HATCHET_VERSION" >go.mod
    # Checksums of the engine's dependencies as the engine itself pinned them: some are not
    # in the public checksum database.
    install -m 0644 "$(go env GOMODCACHE)/github.com/hatchet-dev/hatchet@$HATCHET_VERSION/go.sum" go.sum
    printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "github.com/hatchet-dev/hatchet/cmd/hatchet-admin"\n\t_ "github.com/hatchet-dev/hatchet/cmd/hatchet-lite"\n\t_ "github.com/hatchet-dev/hatchet/cmd/hatchet-migrate"\n)\n' >tools.go
    go mod tidy
    GOBIN="$BIN" go install \
      github.com/hatchet-dev/hatchet/cmd/hatchet-lite \
      github.com/hatchet-dev/hatchet/cmd/hatchet-migrate \
      github.com/hatchet-dev/hatchet/cmd/hatchet-admin
  )
  echo "$HATCHET_VERSION" >"$stamp"
}

install_sdk() {
  local stamp="$VENV/.version"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$SDK_VERSION" ]]; then return 0; fi
  log "installing hatchet-sdk $SDK_VERSION into a venv"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "hatchet-sdk==$SDK_VERSION"
  echo "$SDK_VERSION" >"$stamp"
}

random_hex() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

port_free() {
  local port="$1"
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is taken by another program: stop it, or change the ports at the top of $0"
  fi
}

start_postgres() {
  rm -rf "$PGDATA"
  install -d -o postgres -m 0700 "$PGDATA"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDATA" -U hatchet --auth=trust -E UTF8 \
    --no-locale >"$DIR/initdb.log"
  cat >>"$PGDATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = ''
timezone = 'UTC'
max_connections = 200
# A throwaway database: durability is not needed, speed is.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start >/dev/null
  psql -q "postgresql://hatchet@127.0.0.1:$PG_PORT/postgres" -c 'CREATE DATABASE hatchet'
}

# The engine's settings, for hatchet-admin and hatchet-lite alike.
engine_env() {
  export DATABASE_URL
  export DATABASE_POSTGRES_HOST=127.0.0.1 DATABASE_POSTGRES_PORT="$PG_PORT"
  export DATABASE_POSTGRES_USERNAME=hatchet DATABASE_POSTGRES_DB_NAME=hatchet
  export DATABASE_POSTGRES_SSL_MODE=disable
  export SERVER_URL SERVER_PORT="$API_PORT"
  export SERVER_GRPC_PORT="$GRPC_PORT" SERVER_GRPC_BIND_ADDRESS=127.0.0.1
  export SERVER_GRPC_BROADCAST_ADDRESS="127.0.0.1:$GRPC_PORT" SERVER_GRPC_INSECURE=t
  export SERVER_MSGQUEUE_KIND=postgres
  # Without a real version the Python SDK falls back to its legacy registration.
  export SERVER_VERSION_OVERRIDE="$HATCHET_VERSION"
  export SERVER_AUTH_COOKIE_DOMAIN=127.0.0.1 SERVER_AUTH_COOKIE_INSECURE=t
  SERVER_AUTH_COOKIE_SECRETS="$(cat "$DIR/cookie-secrets")"
  export SERVER_AUTH_COOKIE_SECRETS
  export SERVER_AUTH_SET_EMAIL_VERIFIED=t
  export LITE_STATIC_ASSET_DIR="$DIR/static" LITE_FRONTEND_PORT="$FRONTEND_PORT"
  export LITE_RUNTIME_PORT="$RUNTIME_PORT"
}

worker_env() {
  export HATCHET_CLIENT_TOKEN="$1"
  export HATCHET_CLIENT_TLS_STRATEGY=none
  export HATCHET_CLIENT_HOST_PORT="127.0.0.1:$GRPC_PORT"
  export HATCHET_CLIENT_SERVER_URL="$SERVER_URL"
  export REAL_HATCHET_DIR="$DIR"
}

wait_for_api() {
  for _ in $(seq 1 120); do
    if curl -fsS "$SERVER_URL/api/v1/version" >/dev/null 2>&1; then return 0; fi
    lite_pid >/dev/null || die "hatchet-lite exited while starting; see $DIR/lite.log"
    sleep 0.5
  done
  die "the engine's API did not answer within 60 s; see $DIR/lite.log"
}

up() {
  mkdir -p "$DIR"
  if status >/dev/null; then
    log "already up; $DIR/env"
    return 0
  fi
  down
  rm -f "$DIR/seed.json"
  install_postgres
  install_engine
  install_sdk
  for port in "$PG_PORT" "$API_PORT" "$RUNTIME_PORT" "$FRONTEND_PORT" "$GRPC_PORT"; do
    port_free "$port"
  done

  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  start_postgres

  rm -rf "$DIR/config" && mkdir -p "$DIR/config" "$DIR/static"
  echo '<!doctype html><title>Hatchet (end-to-end tests)</title>' >"$DIR/static/index.html"
  # Two session-cookie keys of 32 characters (the engine wants 16, 24 or 32 bytes each).
  (umask 077 && echo "$(random_hex) $(random_hex)" >"$DIR/cookie-secrets")
  engine_env
  log "migrating the schema"
  "$BIN/hatchet-migrate" >"$DIR/migrate.log" 2>&1 || die "hatchet-migrate failed; see $DIR/migrate.log"
  "$BIN/hatchet-admin" quickstart --skip certs --generated-config-dir "$DIR/config" \
    --config "$DIR/config" >"$DIR/quickstart.log" 2>&1 \
    || die "hatchet-admin quickstart failed; see $DIR/quickstart.log"
  local token
  token="$("$BIN/hatchet-admin" token create --config "$DIR/config" --tenant-id "$TENANT_ID" \
    --name real-hatchet 2>"$DIR/token.log" | tail -n1)" || true
  [[ "$token" == *.*.* ]] || die "hatchet-admin token create printed no token; see $DIR/token.log"

  log "starting hatchet-lite on $SERVER_URL"
  setsid "$BIN/hatchet-lite" --config "$DIR/config" >"$DIR/lite.log" 2>&1 </dev/null &
  echo $! >"$DIR/lite.pid"
  wait_for_api

  log "starting the worker (hatchet-sdk $SDK_VERSION)"
  worker_env "$token"
  setsid "$VENV/bin/python" "$ROOT/scripts/real-hatchet/worker.py" work >"$DIR/worker.log" 2>&1 </dev/null &
  echo $! >"$DIR/worker.pid"
  log "seeding the tenant"
  "$VENV/bin/python" -W ignore::DeprecationWarning "$ROOT/scripts/real-hatchet/worker.py" seed \
    >"$DIR/seed.log" 2>&1 || die "the seed failed; see $DIR/seed.log and $DIR/worker.log"

  (
    umask 077
    cat >"$DIR/env" <<EOF
HATCHET_CLIENT_TOKEN=$token
HATCHET_CLIENT_SERVER_URL=$SERVER_URL
HATCHET_CLIENT_TENANT_ID=$TENANT_ID
HATCHET_CLIENT_TLS_STRATEGY=none
HATCHET_CLIENT_HOST_PORT=127.0.0.1:$GRPC_PORT
REAL_HATCHET_VERSION=$HATCHET_VERSION
REAL_HATCHET_SDK_VERSION=$SDK_VERSION
REAL_HATCHET_SEED=$DIR/seed.json
REAL_HATCHET_DATABASE_URL=$DATABASE_URL
EOF
  )
  log "up: $DIR/env"
}

# Hatchet's OpenAPI spec as the engine of $HATCHET_VERSION ships it (the module holds the
# multi-file source under api-contracts/openapi/), bundled into one JSON file with the
# command Hatchet's own repository uses (@redocly/cli bundle), pinned.
spec() {
  local out="$ROOT/target/hatchet-openapi/openapi.json"
  command -v go >/dev/null || die "go is not on PATH: the spec comes from the engine's Go module"
  command -v npx >/dev/null || die "npx is not on PATH: the spec is bundled with @redocly/cli from npm"
  local source
  source="$(cd "$ROOT" && GOFLAGS=-mod=mod go mod download -json \
    github.com/hatchet-dev/hatchet@"$HATCHET_VERSION" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  mkdir -p "$(dirname "$out")"
  npx -y @redocly/cli@2.77.0 bundle "$source/api-contracts/openapi/openapi.yaml" \
    --output "$out" --ext json >&2
  log "spec: $out (Hatchet $HATCHET_VERSION)"
}

case "${1:-}" in
  up) up ;;
  down) down; log "down" ;;
  status) status ;;
  spec) spec ;;
  *) echo "usage: $0 up|down|status|spec" >&2; exit 2 ;;
esac
