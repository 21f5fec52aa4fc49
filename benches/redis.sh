#!/usr/bin/env bash
# Redis Streams throughput, in one run: pyventus against the raw Streams floor (benches/redis.rs, which
# starts its own redis-server), then Pyventus + RQ (benches/redis_pyventus_rq.py) and apalis-redis
# (benches/apalis/, a separate Cargo project) against a throwaway redis-server this script starts, each
# where it installs. Needs redis-server (Debian: apt-get install redis-server); python3 with venv and
# the crates registry for the comparisons (skipped, with a note, when they cannot be installed).
#
#   bash benches/redis.sh                 # 100,000 events × 3 rounds for ours; 2,000 / 20,000 for the others
#   EVENTS=200000 ROUNDS=5 bash benches/redis.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-100000}
ROUNDS=${ROUNDS:-3}

echo "## pyventus and the raw Streams floor"
cargo bench --bench redis --features redis -- --events "$EVENTS" --rounds "$ROUNDS"

echo
echo "## Instructions per event in the emitting process (emit + background write), callgrind"
if command -v valgrind >/dev/null 2>&1; then
    bin=$(ls -t target/release/deps/redis-* | grep -v '\.d$' | head -1)
    count() {
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --emit-only "$1" "$2" 2>&1 |
            awk '/Collected/ { print $4 }'
    }
    echo "| producer | instructions per event |"
    echo "|---|---|"
    for kind in raw ours; do
        low=$(count "$kind" 20000)
        high=$(count "$kind" 40000)
        echo "| $kind | $(( (high - low) / 20000 )) |"
    done
else
    echo "note: valgrind is not installed; skipped"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize yes >/dev/null
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
url="redis://127.0.0.1:$port"

echo
echo "## Pyventus + RQ"
venv=${PYVENTUS_RQ_VENV:-/tmp/pyventus-rq-venv}
if [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "pyventus[rq]"; }; then
    "$venv/bin/python" benches/redis_pyventus_rq.py --url "$url" --rounds "$ROUNDS"
else
    echo "note: pyventus[rq] could not be installed; skipped"
fi

echo
echo "## apalis + apalis-redis"
if (cd benches/apalis && cargo build --release -q); then
    (cd benches/apalis && ./target/release/apalis-bench --url "$url" --rounds "$ROUNDS")
    (cd benches/apalis && ./target/release/apalis-bench --url "$url" --rounds "$ROUNDS" \
        --lock-tasks false --label apalis-redis-nolock)
else
    echo "note: apalis-redis did not build; skipped"
fi
