#!/usr/bin/env bash
# Portal throughput with wrk (2 threads, 16 connections, after a 2 s warm-up): front page, an article with 50 approved comments, and a
# search page, against `herald serve` on loopback with the news corpus imported.
#
#   bash bench/web.sh [CORPUS.jsonl.gz] [DURATION_SECONDS]
#
# Needs wrk (apt-get install wrk) and python3; builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/herald-target}"
CORPUS="${1:-../shared/data/news-corpus/reuters21578.jsonl.gz}"
SECS="${2:-10}"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/herald"
DATA="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
export HERALD_LOG=warn
"$BIN" --data-dir "$DATA" import jsonl --quiet "$CORPUS" >/dev/null
# Fifty approved comments under article 1, threaded two deep, as readers would leave.
python3 - "$DATA/herald.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
for i in range(50):
    parent = None if i % 3 == 0 else (i - i % 3) + 1
    db.execute(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, email_key, body_text, body_html, status, depth, created_at)"
        " VALUES (1, ?, ?, ?, ?, ?, ?, 'approved', ?, ?)",
        (parent, f"Reader {i}", f"r{i}@example.com", f"r{i}@example.com", f"Comment {i} " * 20,
         "<p>" + f"Comment {i} " * 20 + "</p>", 0 if parent is None else 1, now - 3600 + i))
db.commit()
PY
PORT=$((20000 + RANDOM % 20000))
"$BIN" --data-dir "$DATA" serve --no-ingest --bind "127.0.0.1:$PORT" >/dev/null &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
printf '%-28s %12s %10s %10s\n' page requests/s p50 p99
for path in ${PATHS:-"/" "/article/1" "/search?q=oil+prices"}; do
    # Warm up first (connections, caches, allocator): a portal in service is warm.
    wrk -t2 -c16 -d2s "http://127.0.0.1:$PORT$path" >/dev/null 2>&1
    wrk -t2 -c16 -d"${SECS}s" --latency "http://127.0.0.1:$PORT$path" >"$DATA/wrk.txt" 2>&1
    rps=$(awk '/Requests\/sec/ {print $2}' "$DATA/wrk.txt")
    p50=$(awk '$1=="50%" {print $2}' "$DATA/wrk.txt")
    p99=$(awk '$1=="99%" {print $2}' "$DATA/wrk.txt")
    printf '%-28s %12s %10s %10s\n' "$path" "$rps" "$p50" "$p99"
done
