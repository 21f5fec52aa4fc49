#!/usr/bin/env bash
# Instructions per inline emit, per path, under callgrind (needs `valgrind`: `apt-get install valgrind`).
# The count per emit is (instructions at 200,000 emits - instructions at 100,000) / 100,000.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench instructions --no-run 2>/dev/null
bin=$(ls -t target/release/deps/instructions-* | grep -v '\.d$' | head -1)
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        awk '/Collected/ { print $4 }'
}
echo "| path | instructions per emit |"
echo "|---|---|"
for path in direct floor one ten closure closure-2-threads wrapped state state-direct; do
    low=$(count "$path" 100000)
    high=$(count "$path" 200000)
    echo "| $path | $(( (high - low) / 100000 )) |"
done
# The 1-handler emit again in a binary with 1,000 other events and 10 linkers, when it was built
# (`cargo bench --bench crowded --features bench-scale --no-run`: minutes).
crowded=$(ls -t target/release/deps/crowded-* 2>/dev/null | grep -v '\.d$' | head -1 || true)
if [ -n "$crowded" ]; then
    bin=$crowded
    low=$(count --instructions 100000)
    high=$(count --instructions 200000)
    echo "| one, 1,000 other events and 10 linkers registered | $(( (high - low) / 100000 )) |"
fi
