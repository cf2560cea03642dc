#!/usr/bin/env bash
# Installs (when missing) and starts a PostgreSQL server on 127.0.0.1:5432
# with a role and a database convene/convene, for the storage tests.
# Runs as root on Debian or Ubuntu; safe to run again while it is up.
# Progress goes to stderr; stdout is one line to evaluate:
#
#   eval "$(bash .ci/postgres.sh)"
#   go test ./storage/postgres/...
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root (it installs packages and starts the server as user postgres)"
	exit 1
fi

PORT=5432
HOST=127.0.0.1

as_postgres() { runuser -u postgres -- "$@"; }

server_version() {
	ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(server_version)" ] || [ ! -x "/usr/lib/postgresql/$(server_version)/bin/postgres" ]; then
	log "installing PostgreSQL with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update >&2
	apt-get install -y --no-install-recommends postgresql postgresql-contrib >&2
fi
VERSION="$(server_version)"
BIN="/usr/lib/postgresql/$VERSION/bin"
log "PostgreSQL $VERSION"

if command -v pg_ctlcluster >/dev/null 2>&1; then
	# Debian's cluster tools: use (or create) the cluster "main".
	if ! pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
		log "creating cluster $VERSION/main on port $PORT"
		pg_createcluster --port "$PORT" "$VERSION" main >&2
	fi
	CLUSTER_PORT="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')"
	if [ "$CLUSTER_PORT" != "$PORT" ]; then
		log "cluster $VERSION/main listens on port $CLUSTER_PORT, not $PORT; stop the other server or fix the port"
		exit 1
	fi
	if pg_ctlcluster "$VERSION" main status >/dev/null 2>&1; then
		log "cluster $VERSION/main already running"
	else
		log "starting cluster $VERSION/main"
		pg_ctlcluster "$VERSION" main start >&2
	fi
else
	# No cluster tools: a data directory of our own, started with pg_ctl.
	DATA=/var/lib/postgresql/convene-ci
	mkdir -p "$DATA"
	chown postgres:postgres "$DATA"
	chmod 700 "$DATA"
	if [ ! -f "$DATA/PG_VERSION" ]; then
		log "initdb $DATA"
		as_postgres "$BIN/initdb" -D "$DATA" --auth-local=peer --auth-host=scram-sha-256 >&2
	fi
	if as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
		log "server already running"
	else
		log "starting the server"
		as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
			-o "-c listen_addresses=$HOST -c port=$PORT -c unix_socket_directories=/var/run/postgresql" start >&2
	fi
fi

for _ in $(seq 1 60); do
	if "$BIN/pg_isready" -q -h "$HOST" -p "$PORT"; then
		break
	fi
	sleep 0.5
done
"$BIN/pg_isready" -h "$HOST" -p "$PORT" >&2

psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p "$PORT" "$@"; }

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'convene'")" != "1" ]; then
	log "creating role convene"
	psql_admin -c "CREATE ROLE convene LOGIN PASSWORD 'convene'"
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'convene'")" != "1" ]; then
	log "creating database convene"
	psql_admin -c "CREATE DATABASE convene OWNER convene"
fi

echo "export CONVENE_TEST_POSTGRES_URL=postgres://convene:convene@$HOST:$PORT/convene?sslmode=disable"
