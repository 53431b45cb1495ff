# Sourced by .ci/run: starts a throwaway PostgreSQL server on a free loopback
# port, with a database and a password user for the tests, and exports its URL
# as AGENTSESSION_POSTGRES_URL. When sourced for need_packages only, it defines
# that and returns.

# pg_bindir prints the directory that holds initdb and pg_ctl: Debian's
# /usr/lib/postgresql/{version}/bin (the newest), else wherever PATH finds
# them. It fails when there is none.
pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null || return 1
  dirname "$(command -v initdb)"
}

need_packages() {
  pg_bindir >/dev/null || missing+=(postgresql)
}
[ -n "${work:-}" ] || return 0

pg_bin=$(pg_bindir)
pg_dir="$work/postgres"    # data directory, log and unix socket
pg_port=$(free_port)
pg_user=agentsession
pg_password=agentsession-test
pg_db=agentsession

# PostgreSQL refuses to run as root: under root (as in CI) the server runs as
# the postgres user that Debian's package makes, which must be able to reach
# its directory under $work (mktemp made $work 0700).
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
  chmod a+x "$work"
fi
mkdir -p "$pg_dir/data" "$pg_dir/socket"
[ ${#as_pg[@]} -eq 0 ] || chown -R postgres: "$pg_dir"

log "starting postgres ($("$pg_bin/postgres" --version))"
# Trust over the unix socket only, to create the user below; TCP needs the
# password.
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -E UTF8 --no-locale \
  --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$pg_dir/initdb.log" 2>&1 || {
  echo "initdb failed:" >&2; cat "$pg_dir/initdb.log" >&2; exit 1
}
# Durability is not wanted here, speed is: fsync=off and friends.
"${as_pg[@]}" "$pg_bin/pg_ctl" start -D "$pg_dir/data" -l "$pg_dir/log" -w -t 30 -o \
  "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  >/dev/null || {
  echo "postgres on port $pg_port did not start:" >&2; cat "$pg_dir/log" >&2; exit 1
}
# pg_ctl has returned; the postmaster's pid is the first line of its pid
# file. .ci/run's cleanup stops it with SIGTERM (a smart shutdown: by then
# the tests, its only clients, have ended) and waits for it.
pids+=("$(head -n 1 "$pg_dir/data/postmaster.pid")")
for _ in $(seq 100); do
  "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break
  sleep 0.1
done
"$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" || {
  echo "postgres on port $pg_port does not answer:" >&2; cat "$pg_dir/log" >&2; exit 1
}
"${as_pg[@]}" "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_dir/socket" -p "$pg_port" -U postgres -d postgres <<SQL
CREATE ROLE $pg_user LOGIN PASSWORD '$pg_password';
CREATE DATABASE $pg_db OWNER $pg_user;
SQL

export AGENTSESSION_POSTGRES_URL="postgres://$pg_user:$pg_password@127.0.0.1:$pg_port/$pg_db?sslmode=disable"
echo "postgres postgres://$pg_user:xxxxx@127.0.0.1:$pg_port/$pg_db?sslmode=disable"
