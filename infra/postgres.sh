#!/usr/bin/env bash
# PostgreSQL for local runs and tests without Docker.
#
#   infra/postgres.sh start|stop|status|admin-url|provision|env
#
# Server: DATABASE_URL when set (an admin connection to an existing server); else the server on
# 127.0.0.1:5432 (PG_SHARED_PORT) when it answers; else a private cluster created with initdb in .local/postgres
# on port 5433 (PG_PRIVATE_PORT).
# provision: one database per service and one least-privilege login role per service (the
# tables and grants come from each service's migrations), plus the shared key-store database.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# PG_FORCE_PRIVATE=true always uses (and creates) the private cluster, e.g. for fault-injection
# runs that restart PostgreSQL; PG_INSTANCE names a separate private cluster directory.
PG_DIR="$LOCAL_DIR/postgres${PG_INSTANCE:+-$PG_INSTANCE}"
# As root, the cluster belongs to the 'postgres' user, which must be able to reach its directory:
# a checkout inside a private directory (mktemp -d is mode 0700) keeps its cluster under /var/tmp
# instead, in a directory named after the checkout, so every command finds the same one.
if [[ "$(id -u)" == "0" ]] && id postgres >/dev/null 2>&1 &&
  ! runuser -u postgres -- test -x "$LOCAL_DIR" 2>/dev/null; then
  PG_DIR="/var/tmp/placements-$(printf '%s' "$LOCAL_DIR" | sha256sum | cut -c1-12)/postgres${PG_INSTANCE:+-$PG_INSTANCE}"
fi
PRIVATE_PORT="${PG_PRIVATE_PORT:-5433}"
SHARED_PORT="${PG_SHARED_PORT:-5432}"
SERVICES=(referral matching notification monitoring)
KEYSTORE_DB="placements_keys"
# Development password for the service roles; production supplies its own secrets.
SERVICE_PASSWORD="${SERVICE_DB_PASSWORD:-placements-dev}"

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -n "$bin" ]] || infra_fail "no PostgreSQL server binaries found under /usr/lib/postgresql"
  echo "$bin"
}

# Runs a command as the owner of the private cluster (initdb refuses to run as root).
as_owner() {
  if [[ "$(id -u)" == "0" ]]; then
    id postgres >/dev/null 2>&1 || infra_fail "running as root needs the 'postgres' user to own a private cluster"
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

admin_url() {
  if [[ -n "${DATABASE_URL:-}" ]]; then echo "$DATABASE_URL"; return 0; fi
  if [[ "${PG_FORCE_PRIVATE:-false}" == "true" ]]; then
    if [[ -f "$PG_DIR/data/PG_VERSION" ]] && port_open 127.0.0.1 "$PRIVATE_PORT"; then
      echo "postgres://postgres@127.0.0.1:$PRIVATE_PORT/postgres"; return 0
    fi
    return 1
  fi
  if [[ -f "$PG_DIR/data/PG_VERSION" ]] && port_open 127.0.0.1 "$PRIVATE_PORT"; then
    echo "postgres://postgres@127.0.0.1:$PRIVATE_PORT/postgres"; return 0
  fi
  if port_open 127.0.0.1 "$SHARED_PORT"; then echo "postgres://postgres@127.0.0.1:$SHARED_PORT/postgres"; return 0; fi
  return 1
}

start() {
  if url="$(admin_url)"; then
    psql "$url" -Atqc 'select 1' >/dev/null || infra_fail "PostgreSQL at $url does not accept connections"
    infra_log "PostgreSQL ready at ${url%%\?*}"
    return 0
  fi
  local bin; bin="$(pg_bin)"
  if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    infra_log "creating a private PostgreSQL cluster in $PG_DIR/data (port $PRIVATE_PORT)"
    mkdir -p "$PG_DIR"
    if [[ "$(id -u)" == "0" ]]; then chown postgres "$PG_DIR"; fi
    as_owner "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PRIVATE_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  wait_for_port 127.0.0.1 "$PRIVATE_PORT" 30 || infra_fail "private PostgreSQL did not start (see $PG_DIR/server.log)"
  infra_log "PostgreSQL ready at postgres://postgres@127.0.0.1:$PRIVATE_PORT/postgres"
}

stop() {
  if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
    as_owner "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null
    infra_log "private PostgreSQL stopped"
  else
    infra_log "no private PostgreSQL cluster is running (a shared server is left alone)"
  fi
}

# postgres://user@host:port/db?x -> same server, another database.
url_for_db() { # <url> <db>
  local url="$1" db="$2" base query=""
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; url="${url%%\?*}"; fi
  base="${url%/*}"
  echo "$base/$db$query"
}

# The same server as the service's login role.
url_for_role() { # <url> <role> <password> <db>
  local url; url="$(url_for_db "$1" "$4")"
  local scheme="${url%%://*}" rest="${url#*://}"
  local hostpart="${rest#*@}"
  [[ "$rest" == *@* ]] || hostpart="$rest"
  echo "$scheme://$2:$3@$hostpart"
}

provision() {
  local url; url="$(admin_url)" || infra_fail "PostgreSQL is not running (infra/postgres.sh start)"
  for db in "${SERVICES[@]/#/placements_}" "$KEYSTORE_DB"; do
    if [[ "$(psql "$url" -Atqc "select 1 from pg_database where datname = '$db'")" != "1" ]]; then
      psql "$url" -qc "create database \"$db\"" >/dev/null
      infra_log "created database $db"
    fi
  done
  for svc in "${SERVICES[@]}"; do
    local role="placements_${svc}_svc"
    psql "$url" -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
do \$\$ begin
  if not exists (select 1 from pg_roles where rolname = '$role') then
    create role "$role" login nosuperuser nocreatedb nocreaterole noinherit password '$SERVICE_PASSWORD';
  end if;
end \$\$;
revoke all on database "placements_$svc" from public;
grant connect on database "placements_$svc" to "$role";
grant connect on database "$KEYSTORE_DB" to "$role";
-- Lets the event store's read horizon tell other databases' transactions from its own.
grant pg_read_all_stats to "$role";
SQL
  done
}

env_lines() {
  local url; url="$(admin_url)" || infra_fail "PostgreSQL is not running (infra/postgres.sh start)"
  echo "export PG_ADMIN_URL='$url'"
  echo "export KEYSTORE_MIGRATION_DATABASE_URL='$(url_for_db "$url" "$KEYSTORE_DB")'"
  for svc in "${SERVICES[@]}"; do
    local upper; upper="$(echo "$svc" | tr '[:lower:]' '[:upper:]')"
    echo "export ${upper}_DATABASE_URL='$(url_for_role "$url" "placements_${svc}_svc" "$SERVICE_PASSWORD" "placements_$svc")'"
    echo "export ${upper}_MIGRATION_DATABASE_URL='$(url_for_db "$url" "placements_$svc")'"
    echo "export ${upper}_KEYSTORE_DATABASE_URL='$(url_for_role "$url" "placements_${svc}_svc" "$SERVICE_PASSWORD" "$KEYSTORE_DB")'"
  done
}

restart() {
  [[ -f "$PG_DIR/data/PG_VERSION" ]] || infra_fail "only a private cluster can be restarted here"
  as_owner "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w \
    -o "-p $PRIVATE_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" restart >/dev/null
  infra_log "private PostgreSQL restarted"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  status) if url="$(admin_url)"; then echo "running: ${url%%\?*}"; else echo "stopped"; exit 3; fi ;;
  admin-url) admin_url || infra_fail "PostgreSQL is not running" ;;
  provision) provision ;;
  env) env_lines ;;
  *) echo "usage: $0 start|stop|restart|status|admin-url|provision|env" >&2; exit 2 ;;
esac
