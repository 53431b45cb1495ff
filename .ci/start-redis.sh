# Sourced by .ci/run: starts a Redis single node, a one-node Redis Cluster and
# a Sentinel watching the single node, and exports their addresses. Also
# exports AGENTSESSION_PYTHON, a Python with redis-py, for the interoperability
# tests. When sourced for need_packages only, it defines that and returns.
need_packages() {
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  # Debian's own Python with redis-py (a python3 earlier on PATH, such as
  # pyenv's, may lack it).
  /usr/bin/python3 -c 'import redis' 2>/dev/null || missing+=(python3-redis)
}
[ -n "${work:-}" ] || return 0

# start_redis NAME PORT ARGS...: starts redis-server in the background with no
# persistence and waits until it answers.
start_redis() {
  local name=$1 port=$2; shift 2
  mkdir -p "$work/$name"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$work/$name" --logfile "$work/$name/log" "$@" &
  pids+=($!)
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "redis-server $name on port $port did not start:" >&2
  cat "$work/$name/log" >&2
  exit 1
}

log "starting redis-server ($(redis-server --version | cut -d' ' -f3))"
single=$(free_port)
start_redis single "$single"

cluster=$(free_port)
start_redis cluster "$cluster" --cluster-enabled yes --cluster-config-file "$work/cluster/nodes.conf"
redis-cli -p "$cluster" cluster addslotsrange 0 16383 >/dev/null
for _ in $(seq 100); do
  redis-cli -p "$cluster" cluster info | grep -q 'cluster_state:ok' && break
  sleep 0.1
done
redis-cli -p "$cluster" cluster info | grep -q 'cluster_state:ok' || { echo "cluster did not come up" >&2; exit 1; }

sentinel=$(free_port)
mkdir -p "$work/sentinel"
cat >"$work/sentinel/sentinel.conf" <<CONF
bind 127.0.0.1
port $sentinel
dir $work/sentinel
logfile $work/sentinel/log
sentinel monitor agentsession 127.0.0.1 $single 1
CONF
redis-server "$work/sentinel/sentinel.conf" --sentinel &
pids+=($!)
for _ in $(seq 100); do
  redis-cli -p "$sentinel" sentinel get-master-addr-by-name agentsession 2>/dev/null | grep -q "$single" && break
  sleep 0.1
done

export AGENTSESSION_REDIS_URL="redis://127.0.0.1:$single/0"
export AGENTSESSION_REDIS_CLUSTER_ADDRS="127.0.0.1:$cluster"
export AGENTSESSION_REDIS_SENTINEL_ADDRS="127.0.0.1:$sentinel"
export AGENTSESSION_REDIS_SENTINEL_MASTER="agentsession"
echo "single node $AGENTSESSION_REDIS_URL, cluster $AGENTSESSION_REDIS_CLUSTER_ADDRS, sentinel $AGENTSESSION_REDIS_SENTINEL_ADDRS"

export AGENTSESSION_PYTHON=/usr/bin/python3
# Tests that start redis-server themselves (TLS, chaos) use this binary.
export AGENTSESSION_REDIS_SERVER
AGENTSESSION_REDIS_SERVER=$(command -v redis-server)
