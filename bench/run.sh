#!/usr/bin/env bash
# bench/run.sh: Runnel side by side with its peers, in one run, printing one
# table with the ratios Runnel/peer.
#
#   bench/run.sh [--smoke] [--build-dir DIR] [--servers runnel,centrifuge,ws]
#                [--scenarios fanout,idle,capacity,runstream,streams,push,
#                             cluster-fanout,cluster-scale]
#                [--out DIR] [--keep]
#
# Servers:
#   runnel      build/host/runnel with the testdata plugin; the publisher is
#               the plugin's bench/<N>hz stream (plugin -> gRPC -> host ->
#               client). Its CPU and memory figures are host + plugin
#               processes together.
#   centrifuge  bench/peers/centrifuge: Centrifuge 0.15 (Debian's Go package),
#               protocol v1 JSON, publisher in-process.
#   ws          bench/peers/ws: a Node `ws` broadcast server, publisher
#               in-process.
# Scenarios (issue 5): fan-out 1,000 and 10,000 subscribers x 20 and 200
# msg/s; idle memory at 10,000 and 50,000 subscribed connections (channel
# bench/1hz on every server); connection capacity up to 100,000 and
# connects/s; RunStream frames/s (bench/runstream, Runnel only); concurrent
# RunStreams (issue 10): 1, 100, 1,000 and 10,000 channels at 1 Hz on one
# plugin, with host and plugin threads, RSS and CPU and a 20 Hz control
# stream's p99 (bench/streams, Runnel only); push (issue 11): Grafana
# Live's HTTP push, bodies of 1,000 Influx lines posted over 4 keep-alive
# connections, paced by the slowest subscriber (at most 2 bodies per
# connection ahead of delivery), each converted into one frame published to
# 100 subscribers of 1/stream/bench/bench: lines/s delivered to every
# subscriber, frames delivered, disconnects, push-to-client latency, server
# CPU per million lines, load-generator CPU (Runnel and Centrifuge), each
# server run twice: pinned (the server on CPU 0, the load generator on CPU 1,
# with taskset: both servers get the same one core, and the load generator
# cannot take CPU from them) and shared (all processes on all cores);
# cluster-fanout (issue 12): one Redis, hosts A and B on it, subscribers of
# one broadcast channel split over A and B, a publisher posting to A's
# POST /api/live/publish at a fixed rate (or as fast as delivery allows):
# publications/s, deliveries/s, missing deliveries, publish-to-client p50/
# p99, server CPU per million deliveries, Redis CPU; cluster-scale (issue
# 12): one Redis, six hosts, 100,000 subscribed connections spread over
# them, one broadcast a second: connections held, deliveries missing,
# broadcast p50/p99, RSS per connection over all hosts, Redis CPU (Runnel
# and Centrifuge, each on its Redis broker).
#
# --smoke runs every scenario with tiny sizes: it checks that every server
# builds and runs and that every figure is produced (exit 1 if one is
# missing). It asserts no timing. Every process it starts is killed on exit.
#
# Sizes can be overridden with BENCH_FANOUT_SUBS, BENCH_FANOUT_RATES,
# BENCH_IDLE_CONNS, BENCH_CAPACITY, BENCH_STREAMS, BENCH_PUSH (space-
# separated lists; BENCH_PUSH items are <subscribers>x<lines per body>),
# BENCH_PUSH_CONNECTIONS, BENCH_PUSH_WINDOW (bodies per push connection
# ahead of the slowest subscriber; 0: closed loop on the answers),
# BENCH_PUSH_PROCS (load-generator processes for the subscribers),
# BENCH_PUSH_PLACEMENTS (pinned,shared by default; pinned needs 2 CPUs),
# BENCH_PUSH_REPEAT (push runs per server and placement, 3; the servers
# take turns and the table gives the median of each figure),
# BENCH_CLUSTER_FANOUT (<subscribers>x<publications/s>, or x max: as fast as
# delivery allows), BENCH_CLUSTER_SCALE (<connections>x<hosts>),
# BENCH_CLUSTER_SCALE_RATE (broadcasts/s), BENCH_DURATION and
# BENCH_CONNECT_TIMEOUT (seconds).
#
# Builds what is missing: the C++ targets with CMake in the build dir
# (default build/), the Go peer offline from Debian's packages
# (GOPATH=/usr/share/gocode, GO111MODULE=off), and `npm ci` for the ws peer.
# shellcheck disable=SC2016,SC2317  # JS in single quotes; trap-run functions
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR="$ROOT/build"
SERVERS="runnel,centrifuge,ws"
SCENARIOS="fanout,idle,capacity,runstream,streams,push,cluster-fanout,cluster-scale"
SMOKE=0
OUT=""
KEEP=0

usage() { sed -n '2,55p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --build-dir) BUILD_DIR=$(realpath -m "$2"); shift ;;
    --servers) SERVERS="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
IFS=, read -r -a SERVER_LIST <<< "$SERVERS"
for server in "${SERVER_LIST[@]}"; do
  case "$server" in runnel|centrifuge|ws) ;;
    *) echo "run.sh: unknown server $server" >&2; exit 2 ;;
  esac
done
has_server() { [[ ",$SERVERS," == *",$1,"* ]]; }
IFS=, read -r -a SCENARIO_LIST <<< "$SCENARIOS"
for scenario in "${SCENARIO_LIST[@]}"; do
  case "$scenario" in
    fanout|idle|capacity|runstream|streams|push|cluster-fanout|cluster-scale) ;;
    *) echo "run.sh: unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
has_scenario() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

# ---------------------------------------------------------------- sizes ---
if [[ $SMOKE == 1 ]]; then
  FANOUT_SUBS=(10); FANOUT_RATES=(20 200)
  FANOUT_WARMUP=0.3; FANOUT_DURATION=0.7
  IDLE_CONNS=(20); IDLE_SETTLE=0.3
  CAPACITY=(40); CONNECT_TIMEOUT=15; STALL_TIMEOUT=5
  RUNSTREAM_SECONDS=1
  STREAMS=(1 10); STREAMS_DURATION=1
  PUSH=(3x50); PUSH_CONNECTIONS=2; PUSH_WINDOW=2; PUSH_WARMUP=0.3
  PUSH_DURATION=0.7
  CLUSTER_FANOUT=(4x50); CLUSTER_SCALE=(12x6); CLUSTER_SCALE_RATE=5
  CLUSTER_WARMUP=0.3; CLUSTER_DURATION=0.7; CLUSTER_DRAIN=1
else
  FANOUT_SUBS=(1000 10000); FANOUT_RATES=(20 200)
  FANOUT_WARMUP=3; FANOUT_DURATION=10
  IDLE_CONNS=(10000 50000); IDLE_SETTLE=5
  CAPACITY=(100000); CONNECT_TIMEOUT=240; STALL_TIMEOUT=10
  RUNSTREAM_SECONDS=10
  STREAMS=(1 100 1000 10000); STREAMS_DURATION=10
  PUSH=(100x1000); PUSH_CONNECTIONS=4; PUSH_WINDOW=2; PUSH_WARMUP=2
  PUSH_DURATION=10
  CLUSTER_FANOUT=(1000x100 1000xmax); CLUSTER_SCALE=(100000x6)
  CLUSTER_SCALE_RATE=1; CLUSTER_WARMUP=2; CLUSTER_DURATION=10; CLUSTER_DRAIN=10
fi
# Size overrides (space-separated lists), e.g. BENCH_FANOUT_SUBS="1000".
read -r -a FANOUT_SUBS <<< "${BENCH_FANOUT_SUBS:-${FANOUT_SUBS[*]}}"
read -r -a FANOUT_RATES <<< "${BENCH_FANOUT_RATES:-${FANOUT_RATES[*]}}"
read -r -a IDLE_CONNS <<< "${BENCH_IDLE_CONNS:-${IDLE_CONNS[*]}}"
read -r -a CAPACITY <<< "${BENCH_CAPACITY:-${CAPACITY[*]}}"
read -r -a STREAMS <<< "${BENCH_STREAMS:-${STREAMS[*]}}"
read -r -a PUSH <<< "${BENCH_PUSH:-${PUSH[*]}}"
read -r -a CLUSTER_FANOUT <<< "${BENCH_CLUSTER_FANOUT:-${CLUSTER_FANOUT[*]}}"
read -r -a CLUSTER_SCALE <<< "${BENCH_CLUSTER_SCALE:-${CLUSTER_SCALE[*]}}"
CLUSTER_SCALE_RATE=${BENCH_CLUSTER_SCALE_RATE:-$CLUSTER_SCALE_RATE}
CLUSTER_DURATION=${BENCH_DURATION:-$CLUSTER_DURATION}
PUSH_CONNECTIONS=${BENCH_PUSH_CONNECTIONS:-$PUSH_CONNECTIONS}
PUSH_WINDOW=${BENCH_PUSH_WINDOW:-$PUSH_WINDOW}
# The subscribers' load-generator processes: two, so that reading ~1 GB/s of
# frames is not one thread's work next to a server with a thread per core.
PUSH_PROCS=${BENCH_PUSH_PROCS:-2}
# Push runs this many times per server and placement, the servers taking
# turns; the table gives each figure's median.
PUSH_REPEAT=${BENCH_PUSH_REPEAT:-$([[ $SMOKE == 1 ]] && echo 1 || echo 3)}
# Push runs once per placement: "pinned" puts the server on CPU 0 and the
# load generator on CPU 1; "shared" lets them share every CPU.
PUSH_PLACEMENTS=pinned,shared
[[ $(nproc) -ge 2 ]] || PUSH_PLACEMENTS=shared
PUSH_PLACEMENTS=${BENCH_PUSH_PLACEMENTS:-$PUSH_PLACEMENTS}
IFS=, read -r -a PUSH_PLACEMENT_LIST <<< "$PUSH_PLACEMENTS"
for placement in "${PUSH_PLACEMENT_LIST[@]}"; do
  case "$placement" in pinned|shared) ;;
    *) echo "run.sh: unknown push placement $placement" >&2; exit 2 ;;
  esac
done
# A command prefix for the next server started (taskset, when pinned).
SERVER_LAUNCH=()
FANOUT_DURATION=${BENCH_DURATION:-$FANOUT_DURATION}
PUSH_DURATION=${BENCH_DURATION:-$PUSH_DURATION}
CONNECT_TIMEOUT=${BENCH_CONNECT_TIMEOUT:-$CONNECT_TIMEOUT}
SOURCES=8  # loopback source addresses 127.0.0.2..9 for the load generator

# Servers and the load generator need many descriptors: as many as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WORK=$(mktemp -d "${TMPDIR:-/tmp}/runnel-bench.XXXXXX")
[[ -n $OUT ]] || OUT="$BUILD_DIR/bench-results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

# Every process started here, killed on exit (TERM, then KILL).
STARTED_PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ $KEEP == 0 ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[bench +${SECONDS}s] $*" >&2; }

# ---------------------------------------------------------------- build ---
ensure_debian_packages() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    log "missing Debian packages: ${missing[*]} (install them with apt-get)"
    return 1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
}

# (The help text is captured first: grep -q stopping early would SIGPIPE
# cmake, which pipefail reports as a failure.)
cmake_target_exists() {
  local help
  help=$(cmake --build "$BUILD_DIR" --target help 2>/dev/null) || return 1
  grep -Eq "(^|\.\.\. )$1(:|\$| )" <<< "$help"
}

build_cpp() {
  if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
    local generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    log "configuring $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" "${generator[@]}" >&2
  fi
  local targets=(runnel_loadgen)
  if has_server runnel; then
    cmake_target_exists runnel && targets+=(runnel)
    cmake_target_exists gpx_testdata && targets+=(gpx_testdata)
    cmake_target_exists runstream_bench && targets+=(runstream_bench)
  fi
  log "building ${targets[*]}"
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${targets[@]}" >&2
}

CENTRIFUGE_PEER="$BUILD_DIR/bench/peers/centrifuge_peer"
build_centrifuge_peer() {
  local source="$ROOT/bench/peers/centrifuge"
  if [[ -x $CENTRIFUGE_PEER ]] &&
     [[ -z $(find "$source" -name '*.go' -newer "$CENTRIFUGE_PEER") ]]; then
    return 0
  fi
  ensure_debian_packages golang-go golang-github-centrifugal-centrifuge-dev \
    golang-github-centrifugal-protocol-dev golang-github-fzambia-eagle-dev \
    golang-github-igm-sockjs-go-dev golang-github-mna-redisc-dev \
    golang-github-influxdata-influxdb1-client-dev
  log "building the Centrifuge peer (offline, Debian's Go packages)"
  mkdir -p "$WORK/gopath/src" "$(dirname "$CENTRIFUGE_PEER")"
  ln -sfn "$source" "$WORK/gopath/src/centrifuge_peer"
  # Its tests (the push route's conversion to frame JSON) run with each build.
  (cd "$WORK/gopath/src/centrifuge_peer" &&
    export GOPATH="$WORK/gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS='' \
      GOCACHE="$BUILD_DIR/bench/peers/gocache" GOPROXY=off &&
    go build -o "$CENTRIFUGE_PEER" . && go test -timeout 120s . >&2)
}

build_ws_peer() {
  local dir="$ROOT/bench/peers/ws"
  [[ -f $dir/node_modules/ws/package.json ]] && return 0
  log "npm ci for the ws peer"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
}

RUNNEL_BIN="$BUILD_DIR/host/runnel"
LOADGEN="$BUILD_DIR/bench/loadgen/runnel_loadgen"
build_cpp
has_server centrifuge && build_centrifuge_peer
has_server ws && build_ws_peer
[[ -x $LOADGEN ]] || { log "no load generator at $LOADGEN"; exit 1; }
if has_server runnel && [[ ! -x $RUNNEL_BIN ]]; then
  log "no Runnel host at $RUNNEL_BIN yet: Runnel's figures will be missing"
fi

# -------------------------------------------------------------- servers ---
# start_<server>: starts one server; sets SERVER_PID, SERVER_PORT and
# WATCH_ARGS (what the load generator samples for CPU and memory).
SERVER_PID=""; SERVER_PORT=""; WATCH_ARGS=()

# wait_for_line FILE REGEX PID: the first line of FILE matching REGEX, once
# it appears (fails after 30 s or if PID exits).
wait_for_line() {
  local file=$1 regex=$2 pid=$3
  for _ in $(seq 1 300); do
    if grep -Eq "$regex" "$file" 2>/dev/null; then
      grep -Em1 "$regex" "$file"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "server $pid did not print /$regex/; its log:"
  tail -20 "$file" >&2 || true
  return 1
}

# start_centrifuge SCENARIO [PEER_FLAGS...]
start_centrifuge() {
  local log_file="$WORK/centrifuge-$1.log"
  "${SERVER_LAUNCH[@]}" "$CENTRIFUGE_PEER" -addr 127.0.0.1:0 "${@:2}" > "$log_file" 2>&1 &
  SERVER_PID=$!; STARTED_PIDS+=("$SERVER_PID")
  local line; line=$(wait_for_line "$log_file" '^LISTEN ' "$SERVER_PID") || return 1
  SERVER_PORT=${line##*:}
  WATCH_ARGS=(--watch-pid "$SERVER_PID")
}

start_ws() {
  local log_file="$WORK/ws-$1.log"
  node "$ROOT/bench/peers/ws/server.js" --host 127.0.0.1 --port 0 \
    > "$log_file" 2>&1 &
  SERVER_PID=$!; STARTED_PIDS+=("$SERVER_PID")
  local line; line=$(wait_for_line "$log_file" '^LISTEN ' "$SERVER_PID") || return 1
  SERVER_PORT=${line##*:}
  WATCH_ARGS=(--watch-pid "$SERVER_PID")
}

# start_runnel SCENARIO [EXTRA_INI_LINES [PLUGINS_DIR]]
start_runnel() {
  [[ -x $RUNNEL_BIN ]] || return 1
  local dir="$WORK/runnel-$1" extra=${2:-} plugins=${3:-$BUILD_DIR/plugins}
  mkdir -p "$dir/provisioning/datasources"
  cat > "$dir/runnel.ini" <<EOF
[server]
http_addr = 127.0.0.1
http_port = 0
[paths]
plugins = $plugins
provisioning = $dir/provisioning
[live]
max_connections = -1
allowed_origins = *
[log]
level = warn
$extra
EOF
  "${SERVER_LAUNCH[@]}" "$RUNNEL_BIN" --config "$dir/runnel.ini" --homepath "$ROOT" \
    > "$dir/runnel.log" 2>&1 &
  SERVER_PID=$!; STARTED_PIDS+=("$SERVER_PID")
  local line
  line=$(wait_for_line "$dir/runnel.log" 'listening on http://' "$SERVER_PID") || return 1
  line=${line##*http://}; line=${line%%/*}
  SERVER_PORT=${line##*:}
  # Host and plugin processes together (the plugin is the host's child).
  WATCH_ARGS=(--watch-tree "$SERVER_PID")
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  local children
  children=$(cat /proc/"$SERVER_PID"/task/*/children 2>/dev/null || true)
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  for child in $children; do kill -KILL "$child" 2>/dev/null || true; done
  SERVER_PID=""
}

# ---------------------------------------------------------- load runs ---
# Where to connect and what to subscribe to, for `channel` = bench/<N>hz.
client_args() {
  local server=$1 channel=$2
  case "$server" in
    runnel) echo "--url ws://127.0.0.1:$SERVER_PORT/api/live/ws --protocol v2 --channel 1/plugin/testdata/$channel" ;;
    centrifuge) echo "--url ws://127.0.0.1:$SERVER_PORT/connection/websocket --protocol v1 --channel $channel" ;;
    ws) echo "--url ws://127.0.0.1:$SERVER_PORT/$channel --protocol plain" ;;
  esac
}

# run_loadgen NAME LIMIT ARGS...: the load generator with ARGS, given LIMIT
# seconds, its stderr in $WORK/loadgen-NAME.err; its JSON line is appended
# to the results and left in LOADGEN_LINE (empty if it printed none).
LOADGEN_LINE=""
run_loadgen() {
  local name=$1 limit=$2
  if LOADGEN_LINE=$(timeout --kill-after=5 "$limit" "$LOADGEN" "${@:3}" \
      2> "$WORK/loadgen-$name.err"); then :; else
    log "$name: load generator failed; $(tail -3 "$WORK/loadgen-$name.err")"
  fi
  if [[ -n $LOADGEN_LINE ]]; then echo "$LOADGEN_LINE" >> "$RESULTS"; fi
}

# run_load SERVER SCENARIO CHANNEL CONNECTIONS WARMUP DURATION
run_load() {
  local server=$1 scenario=$2 channel=$3 connections=$4 warmup=$5 duration=$6
  local limit
  limit=$(awk -v c="$CONNECT_TIMEOUT" -v s="$STALL_TIMEOUT" -v w="$warmup" \
              -v d="$duration" 'BEGIN { printf "%d", c + s + w + d + 30 }')
  local client line
  read -r -a client <<< "$(client_args "$server" "$channel")"
  run_loadgen "$server-$scenario" "$limit" \
    "${client[@]}" --connections "$connections" \
    --sources "$SOURCES" --connect-timeout "$CONNECT_TIMEOUT" \
    --stall-timeout "$STALL_TIMEOUT" --warmup "$warmup" \
    --duration "$duration" "${WATCH_ARGS[@]}" --label "$server|$scenario"
  line=$LOADGEN_LINE
  [[ -n $line ]] || return 0
  node -e '
    const r = JSON.parse(process.argv[1]);
    console.error(`[bench]   ${r.label}: held ${r.subscribed_at_ready}/` +
      `${r.target_connections}, ${Math.floor(r.messages_per_s)} msg/s, ` +
      `p50 ${r.latency_p50_ms} ms, p99 ${r.latency_p99_ms} ms, ` +
      `cpu ${r.server_cpu_s} s, rss ${r.server_rss_before_kb}->` +
      `${r.server_rss_ready_kb} KB, errors ${r.connect_errors}/` +
      `${r.protocol_errors}, disconnects ${r.disconnects}`);' "$line" || true
}

run_server_scenarios() {
  local server=$1
  log "== $server"
  # Fan-out: one server process for every size and rate.
  if [[ ${#FANOUT_RATES[@]} -eq 0 ]]; then :
  elif start_"$server" fanout; then
    for rate in "${FANOUT_RATES[@]}"; do
      for subs in "${FANOUT_SUBS[@]}"; do
        run_load "$server" "fanout-${subs}x${rate}" "bench/${rate}hz" "$subs" \
          "$FANOUT_WARMUP" "$FANOUT_DURATION"
      done
    done
  else
    log "$server did not start"
  fi
  stop_server
  # Idle memory: a fresh process per size so RSS_0 is a clean baseline.
  for n in "${IDLE_CONNS[@]}"; do
    if start_"$server" "idle-$n"; then
      sleep 0.5
      run_load "$server" "idle-$n" bench/1hz "$n" "$IDLE_SETTLE" 0.5
    fi
    stop_server
  done
  # Capacity and connects/s.
  for n in "${CAPACITY[@]}"; do
    if start_"$server" "capacity-$n"; then
      run_load "$server" "capacity-$n" bench/1hz "$n" "$FANOUT_WARMUP" 0.5
    fi
    stop_server
  done
}

# Push (issue 11): Grafana Live's HTTP push on a fresh server per size.
# The load generator's pusher posts bodies of <lines> Influx lines (one
# measurement, `bench`, every line's last field its send time) to
# /api/live/push/bench over PUSH_CONNECTIONS keep-alive connections, while
# <subs> subscribers of 1/stream/bench/bench (the org-1 channel both
# servers publish each body's frame to) count frames and take the push-to-
# client latency. The pusher sends a body only while fewer than
# PUSH_WINDOW x PUSH_CONNECTIONS bodies are ahead of the slowest subscriber,
# so the server's client queues stay short and the rate is the delivered
# one. After the pushing it waits until every subscriber has every frame (or
# 10 s pass without progress): the server's CPU covers the delivery of all
# it accepted. Scenario label push-<placement>-<subs>x<lines>#<run>.
RUNNEL_PUSH_ROUTE=1  # 0 once Runnel answered the warm-up body 404 or 405
# The servers take turns, run after run, so that a slower spell of a shared
# machine falls on both alike; the table gives each figure's median.
run_push() {
  local rep spec placement server
  for ((rep = 1; rep <= PUSH_REPEAT; rep++)); do
    for spec in "${PUSH[@]}"; do
      for placement in "${PUSH_PLACEMENT_LIST[@]}"; do
        for server in "${SERVER_LIST[@]}"; do
          [[ $server == ws ]] || run_push_once "$server" "$spec" "$placement" "$rep"
        done
      done
    done
  done
}

# run_push_once SERVER SPEC PLACEMENT REP
run_push_once() {
  local server=$1 spec=$2 placement=$3 rep=$4
  local subs=${spec%x*} lines=${spec#*x} loadgen_launch=()
  log "== $server push ($subs subscribers, $lines lines per body, $placement, run $rep of $PUSH_REPEAT)"
  if [[ $placement == pinned ]]; then
    SERVER_LAUNCH=(taskset -c 0); loadgen_launch=(taskset -c 1)
  fi
  # Both with Grafana's client queue limit, 4 MB (Runnel's default).
  if [[ $server == centrifuge ]]; then
    start_centrifuge "push-$placement-$spec" -client-queue-max-size 4194304
  else
    start_runnel "push-$placement-$spec"
  fi || { SERVER_LAUNCH=(); log "$server did not start"; return 0; }
  SERVER_LAUNCH=()
  local protocol=v2 path=/api/live/ws
  if [[ $server == centrifuge ]]; then protocol=v1; path=/connection/websocket; fi
  local label="$server|push-$placement-$spec#$rep" line
  local err="$WORK/loadgen-$server-push-$placement-$spec-$rep.err"
  if line=$(timeout --kill-after=5 $((CONNECT_TIMEOUT + 120)) \
      "${loadgen_launch[@]}" "$LOADGEN" \
      --url "ws://127.0.0.1:$SERVER_PORT$path" --protocol "$protocol" \
      --channel 1/stream/bench/bench --connections "$subs" \
      --sources "$SOURCES" --connect-timeout "$CONNECT_TIMEOUT" \
      --stall-timeout "$STALL_TIMEOUT" --warmup "$PUSH_WARMUP" \
      --duration "$PUSH_DURATION" \
      --push-url "http://127.0.0.1:$SERVER_PORT/api/live/push/bench" \
      --push-connections "$PUSH_CONNECTIONS" --push-lines "$lines" \
      --push-window "$PUSH_WINDOW" --procs "$PUSH_PROCS" \
      --drain-timeout 10 "${WATCH_ARGS[@]}" --label "$label" \
      2> "$err"); then :; else
    log "$server push: load generator failed; $(tail -3 "$err")"
  fi
  stop_server
  [[ -n $line ]] || return 0
  echo "$line" >> "$RESULTS"
  if [[ $server == runnel && $line =~ \"push_warmup_status\":40[45][,}] ]]; then
    RUNNEL_PUSH_ROUTE=0
    log "Runnel has no /api/live/push route (404/405): its push figures are not required"
  fi
  node -e '
    const r = JSON.parse(process.argv[1]);
    console.error(`[bench]   ${r.label}: warm-up ${r.push_warmup_status}, ` +
      `${Math.floor(r.lines_per_s_delivered)} lines/s delivered ` +
      `(${r.push_bodies} bodies, ${r.push_bodies_failed} failed, ` +
      `complete ${r.push_delivery_complete}), frames ` +
      `${r.frames_delivered}/${r.frames_expected}, p50 ` +
      `${r.latency_p50_ms} ms, p99 ${r.latency_p99_ms} ms, cpu ` +
      `${r.server_cpu_s} s (${r.server_cores} cores), load generator ` +
      `${r.loadgen_cores} cores, machine ${r.machine_cores_busy} cores, ` +
      `rss ${r.server_rss_end_kb} KB, disconnects ${r.disconnects}`);' "$line" || true
}

# ------------------------------------------------------------- clusters ---
# Issue 12: several hosts on one Redis. Runnel's hosts get Grafana's keys
# ([live] ha_engine = redis, ha_engine_address, ha_prefix); the Centrifuge
# peers run Centrifuge's Redis broker (-redis). Every subscriber takes
# 1/grafana/broadcast/bench; the publisher posts {"channel":
# "grafana/broadcast/bench","data":{"values":[[<send ns>]]}} to host A's
# POST /api/live/publish, which both publish into the org-1 channel.

# A free TCP port on 127.0.0.1, from the kernel (the caller checks that its
# server then listens: another process may take it in between).
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# start_redis NAME: a redis-server with no persistence in its own temp dir;
# sets REDIS_PID and REDIS_PORT once it answers PING (tries three ports).
REDIS_PID=""; REDIS_PORT=""
start_redis() {
  local dir="$WORK/redis-$1" attempt
  mkdir -p "$dir"
  for attempt in 1 2 3; do
    REDIS_PORT=$(free_port)
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" \
      --save "" --appendonly no > "$dir/redis-$attempt.log" 2>&1 &
    REDIS_PID=$!; STARTED_PIDS+=("$REDIS_PID")
    for _ in $(seq 1 100); do
      [[ $(redis-cli -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && return 0
      kill -0 "$REDIS_PID" 2>/dev/null || break
      sleep 0.05
    done
    kill -KILL "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    log "redis-server on port $REDIS_PORT did not answer (attempt $attempt): $(tail -2 "$dir/redis-$attempt.log")"
  done
  REDIS_PID=""
  return 1
}

stop_redis() {
  [[ -n $REDIS_PID ]] || return 0
  kill -TERM "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}

# start_cluster SERVER SCENARIO HOSTS: HOSTS servers on the Redis at
# REDIS_PORT; sets CLUSTER_PIDS, CLUSTER_PORTS and CLUSTER_WATCH (the load
# generator's watch flags for all of them). Runnel's hosts load no plugin:
# nothing here goes through one, and their RSS is the hub's.
CLUSTER_PIDS=(); CLUSTER_PORTS=(); CLUSTER_WATCH=()
RUNNEL_HA_ENGINE=1  # 0 once a Runnel host said it does not know ha_engine
start_cluster() {
  local server=$1 scenario=$2 hosts=$3 i
  CLUSTER_PIDS=(); CLUSTER_PORTS=(); CLUSTER_WATCH=()
  mkdir -p "$WORK/no-plugins"
  for ((i = 0; i < hosts; ++i)); do
    if [[ $server == runnel ]]; then
      start_runnel "$scenario-$i" "[live]
ha_engine = redis
ha_engine_address = 127.0.0.1:$REDIS_PORT
ha_prefix = runnel_bench" "$WORK/no-plugins" || return 1
      if grep -q 'ha_engine is not a known key' "$WORK/runnel-$scenario-$i/runnel.log"; then
        RUNNEL_HA_ENGINE=0
      fi
    else
      start_centrifuge "$scenario-$i" -redis "127.0.0.1:$REDIS_PORT" || return 1
    fi
    CLUSTER_PIDS+=("$SERVER_PID"); CLUSTER_PORTS+=("$SERVER_PORT")
    CLUSTER_WATCH+=("${WATCH_ARGS[@]}")
    SERVER_PID=""
  done
}

stop_cluster() {
  local pid
  for pid in "${CLUSTER_PIDS[@]}"; do SERVER_PID=$pid; stop_server; done
  CLUSTER_PIDS=()
}

# run_cluster_load SERVER LABEL CONNECTIONS RATE WINDOW: subscribers over
# every host of the cluster (round robin), the publisher on the first host.
run_cluster_load() {
  local server=$1 label=$2 connections=$3 rate=$4 window=$5
  local protocol=v2 path=/api/live/ws port urls=()
  if [[ $server == centrifuge ]]; then protocol=v1; path=/connection/websocket; fi
  for port in "${CLUSTER_PORTS[@]}"; do urls+=(--url "ws://127.0.0.1:$port$path"); done
  run_loadgen "$server-$label" $((CONNECT_TIMEOUT + 120)) \
    "${urls[@]}" --protocol "$protocol" \
    --channel 1/grafana/broadcast/bench --connections "$connections" \
    --sources "$SOURCES" --connect-timeout "$CONNECT_TIMEOUT" \
    --stall-timeout "$STALL_TIMEOUT" --warmup "$CLUSTER_WARMUP" \
    --duration "$CLUSTER_DURATION" \
    --publish-url "http://127.0.0.1:${CLUSTER_PORTS[0]}/api/live/publish" \
    --publish-channel grafana/broadcast/bench --push-connections 4 \
    --push-rate "$rate" --push-window "$window" \
    --drain-timeout "$CLUSTER_DRAIN" "${CLUSTER_WATCH[@]}" \
    --watch-broker "$REDIS_PID" --label "$server|$label"
  [[ -n $LOADGEN_LINE ]] || return 0
  node -e '
    const r = JSON.parse(process.argv[1]);
    console.error(`[bench]   ${r.label}: held ${r.subscribed_at_ready}/` +
      `${r.target_connections}, warm-up ${r.push_warmup_status}, ` +
      `${r.push_bodies} publications, ` +
      `${Number(r.publications_per_s_delivered).toPrecision(3)} pub/s to all, ` +
      `${Math.floor(r.messages_per_s)} deliveries/s, missing ` +
      `${r.frames_missing}, p50 ${r.latency_p50_ms} ms, p99 ` +
      `${r.latency_p99_ms} ms, servers ${r.server_cpu_s} s cpu, rss ` +
      `${r.server_rss_before_kb}->${r.server_rss_ready_kb} KB, redis ` +
      `${r.broker_cpu_s} s cpu, disconnects ${r.disconnects}`);' "$LOADGEN_LINE" || true
}

# cluster-fanout: hosts A and B; <subs>x<rate>, rate "max" = as fast as
# delivery allows (at most 2 publications per publish connection ahead of
# the slowest subscriber, as in push).
run_cluster_fanout() {
  local server=$1 spec subs rate window
  for spec in "${CLUSTER_FANOUT[@]}"; do
    subs=${spec%%x*}; rate=${spec#*x}; window=0
    if [[ $rate == max ]]; then rate=0; window=2; fi
    log "== $server cluster-fanout ($subs subscribers on 2 hosts, $spec)"
    if start_redis "cluster-fanout-$server-$spec" &&
       start_cluster "$server" "cluster-fanout-$spec" 2; then
      run_cluster_load "$server" "cluster-fanout-$spec" "$subs" "$rate" "$window"
    else
      log "$server cluster-fanout: the cluster did not start"
    fi
    stop_cluster; stop_redis
  done
}

# cluster-scale: <connections>x<hosts>, one broadcast every
# 1/CLUSTER_SCALE_RATE s. Each process may hold only `ulimit -n`
# descriptors, so the connections need several hosts (and the load
# generator forks as many workers as its own limit requires).
run_cluster_scale() {
  local server=$1 spec conns hosts
  for spec in "${CLUSTER_SCALE[@]}"; do
    conns=${spec%%x*}; hosts=${spec#*x}
    log "== $server cluster-scale ($conns connections on $hosts hosts)"
    if start_redis "cluster-scale-$server-$spec" &&
       start_cluster "$server" "cluster-scale-$spec" "$hosts"; then
      run_cluster_load "$server" "cluster-scale-$spec" "$conns" \
        "$CLUSTER_SCALE_RATE" 0
    else
      log "$server cluster-scale: the cluster did not start"
    fi
    stop_cluster; stop_redis
  done
}

# bench/runstream's runstream_bench: frames/s through one RunStream, from
# the plugin's SendFrame to a gRPC client, in two modes: a tight SendFrame
# loop (the SDK + gRPC ceiling) and the testdata plugin's bench/100000hz
# stream. It prints "... frames_per_s=N ..."; scenario labels runstream-tight
# and runstream-testdata.
RUNSTREAM_BIN="$BUILD_DIR/bench/runstream/runstream_bench"
run_runstream() {
  if [[ ! -x $RUNSTREAM_BIN ]]; then
    log "no RunStream benchmark at $RUNSTREAM_BIN"
    return 0
  fi
  local mode output fps
  for mode in tight testdata; do
    log "== runstream ($mode)"
    local extra=()
    [[ $mode == testdata ]] && extra=(--plugin "$BUILD_DIR/plugins/testdata/gpx_testdata_linux_$(go_arch)" --path bench/100000hz)
    output=$(timeout --kill-after=5 $((RUNSTREAM_SECONDS + 60)) \
             "$RUNSTREAM_BIN" --seconds "$RUNSTREAM_SECONDS" "${extra[@]}" \
             2> "$WORK/runstream-$mode.err") || {
      log "runstream ($mode) failed: $(tail -3 "$WORK/runstream-$mode.err")"
      continue; }
    echo "$output" | tee -a "$OUT/runstream.txt" >&2
    fps=$(echo "$output" | grep -o 'frames_per_s=[0-9.e+]*' | tail -1 | cut -d= -f2)
    [[ -n $fps ]] || continue
    echo "{\"label\":\"runnel|runstream-$mode\",\"frames_per_s\":$fps}" >> "$RESULTS"
  done
}
# bench/streams: many concurrent RunStreams on one plugin (see its header).
# The load is 100 channels per connection, within the host's per-connection
# channel limit.
run_streams() {
  local counts; counts=$(IFS=,; echo "${STREAMS[*]}")
  log "== streams ($counts)"
  build_ws_peer
  start_runnel streams "$STREAMS_INI" || { log "runnel did not start"; return 0; }
  timeout --kill-after=5 900 node "$ROOT/bench/streams/streams.mjs" \
    --url "ws://127.0.0.1:$SERVER_PORT/api/live/ws" --host-pid "$SERVER_PID" \
    --counts "$counts" --duration "$STREAMS_DURATION" \
    >> "$RESULTS" 2> "$WORK/streams.err" ||
    log "streams failed: $(tail -3 "$WORK/streams.err")"
  grep '^\[streams\]' "$WORK/streams.err" | sed 's/^/[bench] /' >&2 || true
  stop_server
}
# Limits raised for the streams benchmark: it measures what streams cost,
# not the host's protection against one client opening many of them.
STREAMS_INI="[stream]
max_starts_per_second = 0
max_streams_per_plugin = 0
max_streams = 0"

go_arch() {
  case "$(uname -m)" in x86_64|amd64) echo amd64 ;; aarch64|arm64) echo arm64 ;;
    *) uname -m ;; esac
}

# Scenarios left out run nothing and expect no figures.
has_scenario fanout || FANOUT_RATES=()
has_scenario idle || IDLE_CONNS=()
has_scenario capacity || CAPACITY=()
has_scenario push || PUSH=()
has_scenario cluster-fanout || CLUSTER_FANOUT=()
has_scenario cluster-scale || CLUSTER_SCALE=()
if [[ ${#CLUSTER_FANOUT[@]} -gt 0 || ${#CLUSTER_SCALE[@]} -gt 0 ]]; then
  ensure_debian_packages redis-server
fi
has_scenario streams || STREAMS=()
for server in "${SERVER_LIST[@]}"; do
  run_server_scenarios "$server"
  # The clusters: Runnel and the Centrifuge peer (the ws peer has no
  # engine to share).
  if [[ $server != ws ]]; then
    run_cluster_fanout "$server"
    run_cluster_scale "$server"
  fi
done
if [[ ${#PUSH[@]} -gt 0 ]]; then run_push; fi
# Runnel's cluster figures are required once its hosts know ha_engine;
# before that each host delivers only its own publications.
CLUSTER_SERVERS=()
for server in "${SERVER_LIST[@]}"; do
  case "$server" in
    centrifuge) CLUSTER_SERVERS+=(centrifuge) ;;
    runnel)
      if [[ $RUNNEL_HA_ENGINE == 1 ]]; then CLUSTER_SERVERS+=(runnel)
      else log "Runnel's hosts do not know [live] ha_engine yet: its cluster figures are not required"
      fi ;;
  esac
done
# The servers whose push figures are required: the Centrifuge peer, and
# Runnel unless its host has no push route yet (the warm-up body got 404 or
# 405; run_push logged it).
PUSH_SERVERS=()
for server in "${SERVER_LIST[@]}"; do
  case "$server" in
    centrifuge) PUSH_SERVERS+=(centrifuge) ;;
    runnel) [[ $RUNNEL_PUSH_ROUTE == 0 ]] || PUSH_SERVERS+=(runnel) ;;
  esac
done
has_server runnel && has_scenario runstream && run_runstream
has_server runnel && [[ ${#STREAMS[@]} -gt 0 ]] && run_streams

join() { local IFS=,; echo "$*"; }
fanout_specs=()
for rate in "${FANOUT_RATES[@]}"; do
  for subs in "${FANOUT_SUBS[@]}"; do fanout_specs+=("${subs}x${rate}"); done
done
report_args=("$RESULTS" --servers "$SERVERS" --fanout "$(join "${fanout_specs[@]}")"
             --idle "$(join "${IDLE_CONNS[@]}")" --capacity "$(join "${CAPACITY[@]}")")
has_server runnel && report_args+=(--streams "$(join "${STREAMS[@]}")")
# RunStream figures are required once bench/runstream has its target.
has_server runnel && has_scenario runstream && [[ -x $RUNSTREAM_BIN ]] &&
  report_args+=(--runstream)
report_args+=(--push "$(join "${PUSH[@]}")" --push-placements "$PUSH_PLACEMENTS"
              --push-servers "$(join "${PUSH_SERVERS[@]}")"
              --cluster-fanout "$(join "${CLUSTER_FANOUT[@]}")"
              --cluster-scale "$(join "${CLUSTER_SCALE[@]}")"
              --cluster-servers "$(join "${CLUSTER_SERVERS[@]}")")
[[ $SMOKE == 1 ]] && report_args+=(--check)

echo
echo "Runnel benchmarks ($([[ $SMOKE == 1 ]] && echo smoke || echo full)), $(date -u +%FT%TZ), $(nproc) cores"
echo "Runnel CPU/RSS = host + testdata plugin processes; latency = client receive - publisher send time (push: - the body's send time)."
echo "Open-file limit per process (servers and each load-generator worker): $(ulimit -n)."
[[ ${#PUSH[@]} -gt 0 ]] &&
  echo "Push: the median of $PUSH_REPEAT runs per server and placement, the servers taking turns (each run: per run, below)."
status=0
node "$ROOT/bench/scenarios/report.js" "${report_args[@]}" | tee "$OUT/table.txt" ||
  status=$?
echo "results: $RESULTS"
exit "$status"
