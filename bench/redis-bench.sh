#!/usr/bin/env bash
# Benchmarks the Redis backend against raw go-redis (redissession/bench_test.go)
# on a redis-server of its own: starts one on a free loopback port with no
# persistence, runs the benchmarks into a file, prints benchstat's summary, a
# side-by-side comparison of each library/raw pair and the ratios, and stops
# the server by pid.
#
# Usage: bash bench/redis-bench.sh [extra go test flags]
# Environment (all optional):
#   COUNT=10         -count: runs of each benchmark
#   BENCHTIME=       -benchtime, e.g. 500ms or 2000x (default: go test's 1s)
#   BENCH=.          -bench: which benchmarks, e.g. 'Add1|Pop'
#   PIN=1            1: run redis-server and go test on one CPU (taskset), which
#                    takes the cross-CPU wake-ups of a virtual machine out of
#                    each round trip and makes the figures steady; 0: let the
#                    scheduler place them (on a 2-core VM each round trip then
#                    varies from about 25 to 90 µs)
#   PIN_CPU=         the CPU for PIN=1 (default: the last one)
#   ROUNDS=1         runs the whole go test command this many times, appending
#                    to one file; ROUNDS=10 COUNT=1 interleaves the samples of
#                    the two sides of each pair in time, which a noisy machine
#                    needs more than back-to-back runs
#   BENCH_ARGS=      more go test flags, split on spaces (as are "$@")
#   OUT=             file for the raw results (default: a new file in /tmp,
#                    kept, its name printed)
# A whole default run takes about 3.5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

# benchstat, pinned to a version known to work with this script.
BENCHSTAT_PKG=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

COUNT=${COUNT:-10}
BENCHTIME=${BENCHTIME:-}
BENCH=${BENCH:-.}
ROUNDS=${ROUNDS:-1}
PIN=${PIN:-1}
PIN_CPU=${PIN_CPU:-$(($(nproc) - 1))}
BENCH_ARGS=${BENCH_ARGS:-}
OUT=${OUT:-$(mktemp /tmp/agentsession-redis-bench.XXXXXX)}

command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
command -v redis-cli >/dev/null || { echo "redis-cli not found (apt-get install redis-tools)" >&2; exit 1; }

pin=()
if [ "$PIN" != 0 ]; then
  command -v taskset >/dev/null || { echo "PIN=1 needs taskset (util-linux); PIN=0 runs without it" >&2; exit 1; }
  pin=(taskset -c "$PIN_CPU")
fi

work=$(mktemp -d /tmp/agentsession-bench.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building benchstat ($BENCHSTAT_PKG)"
GOBIN="$work" GOFLAGS= go install "$BENCHSTAT_PKG"
benchstat="$work/benchstat"

# free_port prints a loopback TCP port that nothing listens on.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

port=$(free_port)
echo "== starting $(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$port${pin[*]:+ (${pin[*]})}"
"${pin[@]}" redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
  --dir "$work" --logfile "$work/redis.log" &
pid=$!
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null 2>&1 || { echo "redis-server did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }
export AGENTSESSION_REDIS_URL="redis://127.0.0.1:$port/0"

args=(-run '^$' -bench "$BENCH" -benchmem -count "$COUNT")
[ -n "$BENCHTIME" ] && args+=(-benchtime "$BENCHTIME")
# shellcheck disable=SC2206 # split on purpose
args+=($BENCH_ARGS "$@")

: >"$OUT"
for round in $(seq "$ROUNDS"); do
  echo "== round $round/$ROUNDS: ${pin[*]:+${pin[*]} }go test ${args[*]} ./redissession >> $OUT"
  "${pin[@]}" go test "${args[@]}" ./redissession | tee -a "$OUT"
done

if ! grep -q '^Benchmark' "$OUT"; then
  echo "no benchmark results in $OUT" >&2
  exit 1
fi

echo
echo "== benchstat $OUT"
"$benchstat" "$OUT"

# The pairs side by side: the last part of each name, "session" or
# "raw-{command}", becomes impl=session or impl=raw so benchstat can make them
# columns, raw first (the base).
pairs="$work/pairs.txt"
sed -E 's#^(Benchmark[^[:space:]]*)/session(-[0-9]+)?([[:space:]])#\1/impl=session\2\3#;
        s#^(Benchmark[^[:space:]]*)/raw-[a-z]+(-[0-9]+)?([[:space:]])#\1/impl=raw\2\3#' "$OUT" >"$pairs"
echo
echo "== library (session) against raw go-redis (base)"
"$benchstat" -col '/impl@(raw session)' "$pairs"

# Ratios of medians: library ops/s ÷ raw ops/s = raw ns/op ÷ library ns/op.
echo
echo "== ratios of median ns/op"
awk '/^Benchmark/ { name = $1; sub(/-[0-9]+$/, "", name); print name, $3 }' "$OUT" |
  sort -k1,1 -k2,2g |
  awk '
    function flush() {
      if (n == 0) return
      med[prev] = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      names[++k] = prev
      n = 0
    }
    $1 != prev { flush(); prev = $1 }
    { v[++n] = $2 }
    END {
      flush()
      printf "%-46s %12s %12s %8s\n", "pair", "session ns", "raw ns", "lib/raw"
      for (i = 1; i <= k; i++) {
        s = names[i]
        if (s !~ /\/session$/) continue
        parent = substr(s, 1, length(s) - length("/session"))
        for (j = 1; j <= k; j++) {
          r = names[j]
          if (index(r, parent "/raw-") == 1 && index(substr(r, length(parent) + 2), "/") == 0) {
            printf "%-46s %12.0f %12.0f %8.3f\n", parent " (vs " substr(r, length(parent) + 2) ")", med[s], med[r], med[r] / med[s]
          }
        }
      }
      a = "BenchmarkGetItems10/len=10/session"
      b = "BenchmarkGetItems10/len=1000000/session"
      if ((a in med) && (b in med)) {
        printf "\n%-46s %12s %12s %8s\n", "scaling (library)", "1M ns", "10 ns", "1M/10"
        printf "%-46s %12.0f %12.0f %8.3f\n", "GetItems(limit=10), 1,000,000 vs 10 items", med[b], med[a], med[a] / med[b]
      }
      print "\nlib/raw and 1M/10 are ops/s ratios (1 = same speed; below 1 = slower)"
    }'
echo
echo "raw results kept in $OUT"
