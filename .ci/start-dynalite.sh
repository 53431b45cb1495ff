# Sourced by .ci/run: starts dynalite, a DynamoDB-compatible server in
# Node.js, in memory, and exports AGENTSESSION_DYNAMODB_ENDPOINT. dynalite is
# installed with npm, pinned, into a cache directory outside the repository
# that later runs reuse. When sourced for need_packages only, it defines that
# and returns.
need_packages() {
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
}
[ -n "${work:-}" ] || return 0

dynalite_version=4.0.0
dynalite_dir=${AGENTSESSION_CI_CACHE:-/var/cache/agentsession-ci}/dynalite-$dynalite_version
dynalite_bin=$dynalite_dir/node_modules/.bin/dynalite
if ! [ -x "$dynalite_bin" ]; then
  log "installing dynalite $dynalite_version into $dynalite_dir"
  mkdir -p "$dynalite_dir" || { echo "cannot create $dynalite_dir for dynalite" >&2; exit 1; }
  if ! npm install --prefix "$dynalite_dir" --no-audit --no-fund --no-save --loglevel=error \
      "dynalite@$dynalite_version" >"$work/dynalite-npm.log" 2>&1 || ! [ -x "$dynalite_bin" ]; then
    echo "npm install dynalite@$dynalite_version failed; the DynamoDB tests need it:" >&2
    cat "$work/dynalite-npm.log" >&2
    exit 1
  fi
fi

log "starting dynalite $dynalite_version (node $(node --version))"
dynalite_port=$(free_port)
# In memory (no --path); tables are ACTIVE at once, so tests wait less.
"$dynalite_bin" --host 127.0.0.1 --port "$dynalite_port" \
  --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$work/dynalite.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$dynalite_port") 2>/dev/null && break
  sleep 0.1
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$dynalite_port") 2>/dev/null; then
  echo "dynalite on port $dynalite_port did not start:" >&2
  cat "$work/dynalite.log" >&2
  exit 1
fi

export AGENTSESSION_DYNAMODB_ENDPOINT="http://127.0.0.1:$dynalite_port"
echo "dynalite $AGENTSESSION_DYNAMODB_ENDPOINT"
