#!/usr/bin/env bash
# Scale-out figures on this machine, PostgreSQL against the embedded store:
#   1. import throughput into SQLite and into PostgreSQL (same corpus, fresh stores);
#   2. search requests/s with one node, then with two nodes over one database
#      (wrk on each node at once; note that both nodes and wrk share the same cores);
#   3. index lag (change-log entries not yet searchable on a node) sampled every 50 ms
#      while a second corpus is imported, and the time to catch up after it ends.
#
#   bash bench/nodes.sh [CORPUS.jsonl.gz] [SECONDS] [RUNS]
#
# Needs wrk, psql and python3, and PostgreSQL at $HERALD_BENCH_POSTGRES_URL
# (default postgres://postgres@127.0.0.1:5432/test); creates and drops its own database.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/herald-target}"
CORPUS="${1:-../shared/data/news-corpus/reuters21578.jsonl.gz}"
SECS="${2:-10}"
RUNS="${3:-3}"
ADMIN_URL="${HERALD_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/herald"
WORK="$(mktemp -d)"
DB="herald_bench_$$"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
psql -q "$ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
PG_URL="${ADMIN_URL%/*}/$DB"
export HERALD_LOG=warn

now() { date +%s.%N; }
rate() { python3 -c "import sys; n,a,b=map(float,sys.argv[1:]); print(f'{n/(b-a):,.0f}')" "$@"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float,sys.argv[1:])):,.0f}')" "$@"; }

DOCS=$(zcat -f "$CORPUS" | wc -l)
echo "## Import: $DOCS articles from $(basename "$CORPUS")"
printf '%-12s %12s %10s\n' store articles/s seconds
t0=$(now); "$BIN" --data-dir "$WORK/sqlite" import jsonl --quiet "$CORPUS" >/dev/null; t1=$(now)
printf '%-12s %12s %10.1f\n' sqlite "$(rate "$DOCS" "$t0" "$t1")" "$(echo "$t1 - $t0" | bc)"
t0=$(now); "$BIN" --data-dir "$WORK/a" --store "$PG_URL" import jsonl --quiet "$CORPUS" >/dev/null; t1=$(now)
printf '%-12s %12s %10.1f\n' postgresql "$(rate "$DOCS" "$t0" "$t1")" "$(echo "$t1 - $t0" | bc)"

start_node() { # DIR PORT
    "$BIN" --data-dir "$1" --store "$PG_URL" serve --no-ingest --bind "127.0.0.1:$2" >/dev/null &
    PIDS+=($!)
    for _ in $(seq 1 600); do
        curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return 0
        sleep 0.1
    done
    echo "node on port $2 never became ready" >&2
    exit 1
}
wrk_rps() { # THREADS CONNS URL
    wrk -t"$1" -c"$2" -d"${SECS}s" "$3" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}

PORT_A=$((20000 + RANDOM % 10000)); PORT_B=$((PORT_A + 1))
start_node "$WORK/a" "$PORT_A"
QUERY="/api/v1/search?q=oil+prices"
echo
echo "## Search $QUERY: requests/s, median of $RUNS runs of ${SECS}s"
one=(); two=()
for _ in $(seq 1 "$RUNS"); do one+=("$(wrk_rps 2 16 "http://127.0.0.1:$PORT_A$QUERY")"); done
start_node "$WORK/b" "$PORT_B"
for _ in $(seq 1 "$RUNS"); do
    wrk_rps 1 8 "http://127.0.0.1:$PORT_A$QUERY" >"$WORK/ra" &
    load_a=$!
    wrk_rps 1 8 "http://127.0.0.1:$PORT_B$QUERY" >"$WORK/rb" &
    load_b=$!
    wait "$load_a" "$load_b"
    two+=("$(python3 -c "import sys; print(float(open(sys.argv[1]).read())+float(open(sys.argv[2]).read()))" "$WORK/ra" "$WORK/rb")")
done
printf '%-10s %12s\n' nodes requests/s
printf '%-10s %12s\n' 1 "$(median "${one[@]}")"
printf '%-10s %12s\n' 2 "$(median "${two[@]}")"

echo
echo "## Index lag while importing $DOCS more articles through PostgreSQL (sampled on node B)"
zcat -f "$CORPUS" | python3 -c "
import json, sys
for line in sys.stdin:
    a = json.loads(line)
    a['id'] = 'lag-' + str(a.get('id', ''))
    a.pop('url', None)
    print(json.dumps(a))
" >"$WORK/second.jsonl"
python3 - "$PORT_B" "$WORK/lag.txt" <<'PY' &
import json, sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
samples = []
deadline = time.time() + 3600
with open(out, "w") as f:
    while time.time() < deadline:
        try:
            r = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2))
        except urllib.error.HTTPError as e:
            r = json.load(e)
        f.write(f"{time.time()} {r.get('index_lag') or 0}\n")
        f.flush()
        time.sleep(0.05)
PY
SAMPLER=$!
PIDS+=($SAMPLER)
t0=$(now); "$BIN" --data-dir "$WORK/a" --store "$PG_URL" import jsonl --quiet "$WORK/second.jsonl" >/dev/null; t1=$(now)
until [ "$(tail -1 "$WORK/lag.txt" | awk '{print $2}')" = "0" ]; do sleep 0.05; done
t2=$(now)
kill "$SAMPLER" 2>/dev/null || true
python3 - "$WORK/lag.txt" "$t0" "$t1" "$t2" "$DOCS" <<'PY'
import statistics, sys
path, t0, t1, t2, docs = sys.argv[1], *map(float, sys.argv[2:5]), int(sys.argv[5])
lags = [int(l.split()[1]) for l in open(path) if t0 <= float(l.split()[0]) <= t1]
lags.sort()
p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else 0
print(f"ingest rate {docs / (t1 - t0):,.0f} articles/s over {t1 - t0:.1f} s")
print(f"{'lag (changes)':<16} {'median':>8} {'p95':>8} {'max':>8}")
print(f"{'during ingest':<16} {p(0.5):>8} {p(0.95):>8} {lags[-1] if lags else 0:>8}")
print(f"caught up {t2 - t1:.2f} s after the import ended")
PY
