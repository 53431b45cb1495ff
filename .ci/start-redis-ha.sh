# Sourced by .ci/run: starts the Redis servers of the fault tests (redissession's
# TestHA*): a 3-master Redis Cluster with one replica per master, and a
# master with one replica watched by 3 Sentinels (quorum 2). Exports
# AGENTSESSION_REDIS_HA_CLUSTER_ADDRS (all 6 nodes, comma-separated),
# AGENTSESSION_REDIS_HA_SENTINEL_ADDRS (the 3 Sentinels) and
# AGENTSESSION_REDIS_HA_SENTINEL_MASTER. The tests fail servers over, so these
# are not shared with any other test. When sourced for need_packages only, it
# defines that and returns.
#
# This file sorts before start-redis.sh, so it does not use that file's
# start_redis; ha_start is its own.
need_packages() {
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
}
[ -n "${work:-}" ] || return 0

# ha_start NAME ARGS...: starts redis-server ARGS on a free loopback port in
# the background, with no persistence, waits until it answers and sets ha_p to
# its port. ha_start_sentinel NAME MASTER_PORT does the same for a Sentinel
# watching the master on MASTER_PORT. Either tries another port when the one
# free_port gave was taken before redis-server could bind it (another
# program's listener or outgoing connection).
ha_start() { ha_launch "$1" server "${@:2}"; }
ha_start_sentinel() { ha_launch "$1" sentinel "$2"; }
ha_launch() {
  local name=$1 kind=$2 dir="$work/ha-$1" pid; shift 2
  mkdir -p "$dir"
  for _ in 1 2 3 4 5; do
    ha_port
    : >"$dir/log"
    if [ "$kind" = sentinel ]; then
      cat >"$dir/sentinel.conf" <<CONF
bind 127.0.0.1
port $ha_p
dir $dir
logfile $dir/log
sentinel monitor agentsession-ha 127.0.0.1 $1 2
sentinel down-after-milliseconds agentsession-ha 1000
sentinel failover-timeout agentsession-ha 5000
CONF
      redis-server "$dir/sentinel.conf" --sentinel &
    else
      redis-server --bind 127.0.0.1 --port "$ha_p" --save '' --appendonly no \
        --dir "$dir" --logfile "$dir/log" "$@" &
    fi
    pid=$!
    for _ in $(seq 100); do
      # Our process, not whatever else may listen there.
      if redis-cli -p "$ha_p" info server 2>/dev/null | grep -q "^process_id:$pid"; then
        pids+=("$pid")
        return
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    grep -q 'Address already in use' "$dir/log" || break
  done
  echo "redis-server $name did not start:" >&2
  cat "$dir/log" >&2
  exit 1
}
# ha_wait TRIES WHAT CMD...: runs CMD every 0.1 s until it succeeds, at most
# TRIES times; fails CI with WHAT otherwise.
ha_wait() {
  local tries=$1 what=$2; shift 2
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "$what" >&2
  exit 1
}

# ha_port sets ha_p to a free loopback port not handed out before by this file.
ha_ports=" "
ha_port() {
  local p
  while :; do
    p=$(free_port)
    case "$ha_ports" in *" $p "*) continue ;; esac
    ha_ports+="$p "
    ha_p=$p
    return
  done
}

log "starting the HA Redis servers: a 3x2 Cluster and a Sentinel trio"
ha_started=$SECONDS

# --- Sentinel: a master, its replica and 3 Sentinels -------------------------
ha_start sentinel-master
ha_master=$ha_p
ha_start sentinel-replica --replicaof 127.0.0.1 "$ha_master"
ha_replica=$ha_p
ha_sentinels=()
for i in 1 2 3; do
  ha_start_sentinel "sentinel$i" "$ha_master"
  ha_sentinels+=("127.0.0.1:$ha_p")
done

# --- Cluster: 3 masters, 1 replica each --------------------------------------
# (The Sentinels find the replica and each other meanwhile.)
ha_cluster_ports=()
ha_cluster_nodes=()
for i in 1 2 3 4 5 6; do
  ha_start "cluster$i" --cluster-enabled yes \
    --cluster-config-file "$work/ha-cluster$i/nodes.conf" --cluster-node-timeout 2000
  ha_cluster_ports+=("$ha_p")
  ha_cluster_nodes+=("127.0.0.1:$ha_p")
done
redis-cli --cluster create "${ha_cluster_nodes[@]}" --cluster-replicas 1 --cluster-yes \
  >"$work/ha-cluster1/create.log" 2>&1 || { cat "$work/ha-cluster1/create.log" >&2; exit 1; }

# Ready: every cluster node sees cluster_state:ok and every replica is in sync
# with its master; the Sentinel replica is in sync, and each Sentinel knows the
# replica and the 2 other Sentinels (SENTINEL FAILOVER needs the former, a
# quorum the latter).
ha_cluster_ready() {
  local port
  for port in "${ha_cluster_ports[@]}"; do
    redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' || return 1
    if redis-cli -p "$port" info replication | grep -q 'role:slave'; then
      redis-cli -p "$port" info replication | grep -q 'master_link_status:up' || return 1
    fi
  done
}
ha_sentinel_ready() {
  local s
  redis-cli -p "$ha_replica" info replication | grep -q 'master_link_status:up' || return 1
  for s in "${ha_sentinels[@]}"; do
    redis-cli -p "${s#*:}" sentinel master agentsession-ha | tr '\n' ' ' |
      grep -Eq 'num-slaves 1 .*num-other-sentinels 2 ' || return 1
  done
}
ha_wait 150 "the HA cluster did not come up" ha_cluster_ready
ha_wait 150 "the HA sentinels did not come up" ha_sentinel_ready

ha_join() { local IFS=,; echo "$*"; }
export AGENTSESSION_REDIS_HA_CLUSTER_ADDRS
AGENTSESSION_REDIS_HA_CLUSTER_ADDRS=$(ha_join "${ha_cluster_nodes[@]}")
export AGENTSESSION_REDIS_HA_SENTINEL_ADDRS
AGENTSESSION_REDIS_HA_SENTINEL_ADDRS=$(ha_join "${ha_sentinels[@]}")
export AGENTSESSION_REDIS_HA_SENTINEL_MASTER=agentsession-ha
echo "HA cluster $AGENTSESSION_REDIS_HA_CLUSTER_ADDRS, HA sentinels $AGENTSESSION_REDIS_HA_SENTINEL_ADDRS" \
  "(master 127.0.0.1:$ha_master), up in $((SECONDS - ha_started)) s"
