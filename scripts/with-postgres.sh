#!/usr/bin/env bash
# Runs a command next to a throwaway PostgreSQL server on 127.0.0.1 (Debian's
# postgresql package), with TLS on (a test CA made here), then stops it and deletes its
# data. The command sees:
#   KEYWARD_TEST_POSTGRES      postgres://keyward@127.0.0.1:PORT/postgres (superuser, trust auth)
#   KEYWARD_TEST_POSTGRES_CA   the CA certificate that signed the server's certificate
# Tests create and drop their own databases on it.
#
#   scripts/with-postgres.sh cargo test
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found; run scripts/bootstrap.sh" >&2
  exit 3
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/keyward-postgres.XXXXXX")
chmod 755 "$scratch"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root: the server runs as the `postgres` system user.
  chown postgres: "$scratch"
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$scratch/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"${as_owner[@]}" "$bin/initdb" -D "$scratch/data" -U keyward --auth=trust --no-sync -E UTF8 >/dev/null

# A test CA and a server certificate for 127.0.0.1 / localhost.
(
  cd "$scratch"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Keyward test CA" \
    -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout server.key -out server.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
    -out server.crt 2>/dev/null
  cp server.crt server.key data/
)
[ ${#as_owner[@]} -eq 0 ] || chown postgres: "$scratch/data/server.crt" "$scratch/data/server.key"
chmod 600 "$scratch/data/server.key"
cat >> "$scratch/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$scratch'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
fsync = off
max_connections = 60
CONF
"${as_owner[@]}" "$bin/pg_ctl" -D "$scratch/data" -l "$scratch/server.log" -w -t 30 start >/dev/null

export KEYWARD_TEST_POSTGRES="postgres://keyward@127.0.0.1:$port/postgres"
export KEYWARD_TEST_POSTGRES_CA="$scratch/ca.crt"
set +e
"$@"
status=$?
set -e
exit $status
