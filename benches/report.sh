#!/usr/bin/env bash
# Every performance target of the emit paths, measured in one run, printed as one table of ratios.
#
# Runs the interleaved passes of `benches/emit.rs` (criterion's own runs skipped), `benches/processors.rs`
# `benches/crowded.rs` and `benches/first_emit.rs` (their builds take minutes: skip them with
# SKIP_SCALE=1), and, when installed,
# callgrind (`benches/instructions.sh`) and Pyventus (`benches/pyventus_emit.py`). Each bench appends its
# rows to one file (the `PYVENTUS_SUMMARY` variable); this script prints them.
#
# Run with: bash benches/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
export PYVENTUS_SUMMARY="$summary" PYVENTUS_TABLES_ONLY=1

echo "running benches/emit.rs ..." >&2
cargo bench -q --bench emit >/dev/null
echo "running benches/processors.rs ..." >&2
cargo bench -q --bench processors >/dev/null
if [ -z "${SKIP_SCALE:-}" ]; then
    echo "running benches/crowded.rs and benches/first_emit.rs (long builds the first time) ..." >&2
    cargo bench -q --bench crowded --features bench-scale >/dev/null
    cargo bench -q --bench first_emit --features bench-scale >/dev/null
fi

# Ours for the Pyventus row: the fastest inline emit to 1 handler measured in this run (every row of it
# measures the same emit; the machine's speed drifts between rows).
ours_one=$(awk -F'\t' '$1 == "1 handler" || $1 == "inline emit to 1 handler" { print $3 }' "$summary" | sort -g | head -1)
if python3 -c 'import pyventus' 2>/dev/null; then
    echo "running benches/pyventus_emit.py ..." >&2
    # The fastest processor Pyventus offers for this scenario: its second line.
    python_ns=$(python3 benches/pyventus_emit.py | sed -n 's/.*: \([0-9]*\) ns per emit.*/\1/p' | sort -n | head -1)
    printf '%s\t%s\t%s\t%s\tns\t0.0001\n' "inline emit to 1 handler" "Pyventus, inline, fastest processor" \
        "$ours_one" "$python_ns" >>"$summary"
fi

echo
echo "| ours | baseline | ours | baseline | ours / baseline | target | met |"
echo "|---|---|---|---|---|---|---|"
awk -F'\t' '{
    ratio = $3 / $4
    if ($6 == "NaN") { target = "(context)"; met = "" }
    else {
        target = ($6 < 1) ? sprintf("≥ %.3g× faster", 1 / $6) : sprintf("≤ %.3g×", $6)
        met = (ratio <= $6) ? "yes" : "no"
    }
    shown = (ratio < 1) ? sprintf("%.3g (%.3g× faster)", ratio, 1 / ratio) : sprintf("%.2f", ratio)
    printf "| %s | %s | %s %s | %s %s | %s | %s | %s |\n", $1, $2, $3, $5, $4, $5, shown, target, met
}' "$summary"

if command -v valgrind >/dev/null; then
    echo
    echo "instructions per emit (callgrind):"
    bash benches/instructions.sh
fi
