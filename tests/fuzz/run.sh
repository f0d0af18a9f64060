#!/usr/bin/env bash
# Runs one libFuzzer target over its checked-in corpus.
#   run.sh BINARY CORPUS_DIR --runs N        a fixed number of executions, fixed seed (ctest)
#   run.sh BINARY CORPUS_DIR --time SECONDS  a long run; new inputs kept in $FUZZ_KEEP_DIR
# The checked-in corpus is only read: new inputs go to a scratch directory (or FUZZ_KEEP_DIR),
# from which `-merge=1` can fold the interesting ones back in (see README, "Fuzzing").
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: run.sh BINARY CORPUS_DIR --runs N|--time SECONDS" >&2; exit 2; }
bin=$1 corpus=$2 mode=$3 amount=$4
name=$(basename "$bin")
bin=$(realpath -m "$bin") corpus=$(realpath -m "$corpus")
[ -x "$bin" ] || { echo "$name: not built: $bin" >&2; exit 1; }
[ -d "$corpus" ] || { echo "$name: no corpus directory $corpus" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
out=$(realpath -m "${FUZZ_KEEP_DIR:-$scratch/new}")
mkdir -p "$out"
common=(-max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$scratch/")
case $mode in
--runs) args=(-runs="$amount" -seed=1) ;;
--time) args=(-max_total_time="$amount") ;;
*) echo "usage: run.sh BINARY CORPUS_DIR --runs N|--time SECONDS" >&2; exit 2 ;;
esac

# From the scratch directory, so anything a target writes lands there.
cd "$scratch"
if ! "$bin" "${args[@]}" "${common[@]}" "$out" "$corpus" >"$scratch/log" 2>&1; then
    tail -n 60 "$scratch/log" >&2
    for a in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
        [ -e "$a" ] || continue
        echo "$name: failing input ($(wc -c <"$a") bytes), base64:" >&2
        base64 "$a" >&2
    done
    echo "$name: FAILED" >&2
    exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log" | tail -n 1)
cov=$(grep -o 'cov: [0-9]*' "$scratch/log" | tail -n 1 || true)
echo "$name: ${execs:-?} executions, ${cov:-cov: ?}, no crash, leak or timeout" \
     "(corpus $(find "$corpus" -type f | wc -l) files)"
