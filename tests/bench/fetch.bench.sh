#!/usr/bin/env bash
# Fetch at the rate limit (issue 11, goal 4): every item of the largest group of the demo
# dataset (10,004 instances of record 37: 51 requests of Limit 200) from an emulator at the
# service's limit (20 requests/s, bursts of 20) with 50 ms of latency. Prints rows
# "figure<TAB>value<TAB>command that reproduces it" on stdout, progress on stderr:
#   - the burst-aware bound: the first request alone (its answer says how many pages), then
#     the rest as fast as a bucket of 20 refilled at 20/s allows, plus one latency for the last;
#   - certdeck's fetch (api_detail_all at the batch's 4 threads) against it;
#   - the official SDKs' sequential loop (one request at a time, Limit 200, each sent when the
#     answer before it is in: certdeck's own client at concurrency 1) against certdeck;
#   - the whole `certdeck detail 37 --all -o json` process;
#   - the official Node SDK's loop (tests/bench/sdk_loop.js) when its package can be found
#     (CERTDECK_BENCH_NODE_PATH, or NODE_PATH: a node_modules holding tencentcloud-sdk-nodejs;
#     never installed from here), against certdeck's fetch as whole processes (both fetch and
#     decode, neither writes), and against the whole command;
#   - the RequestLimitExceeded answers the emulators gave certdeck over every run.
# Each client gets an emulator of its own, used once per round, so that every run starts with
# the server's bucket full (a round lasts several seconds; a bucket refills in one). Medians of
# FETCH_BENCH_RUNS rounds (default 5); ratios are the median of each round's pair.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${CERTDECK_BENCH_BUILD:-$root/build}
runs=${FETCH_BENCH_RUNS:-5}
record=37
max_instances=10004
rate=20
latency_ms=50
threads=4 # what `certdeck detail --all` uses

for exe in certdeck certdeck-emulator fetch_loop; do
    [[ -x $build/$exe ]] || { echo "fetch.bench: $build/$exe is missing (build first)" >&2; exit 1; }
done
export TENCENTCLOUD_SECRET_ID=AKIDcertdeckDEMO0000000000000000000
export TENCENTCLOUD_SECRET_KEY=certdeckDemoSecretKey0000000000000

tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

emu_flags="--max-instances $max_instances --latency-ms $latency_ms --rate $rate"
# Starts an emulator logging every request to $tmp/NAME.log; sets url_NAME.
start_emu() {
    local name=$1
    # shellcheck disable=SC2086
    "$build/certdeck-emulator" $emu_flags --log >"$tmp/$name.out" 2>"$tmp/$name.log" &
    pids+=($!)
    local i
    for ((i = 0; i < 100; i++)); do
        if grep -q '^listening on ' "$tmp/$name.out" 2>/dev/null; then
            printf -v "url_$name" '%s' "$(sed -n 's/^listening on //p' "$tmp/$name.out")"
            return
        fi
        sleep 0.05
    done
    echo "fetch.bench: the emulator did not start" >&2
    exit 1
}
start_emu par # certdeck's fetch
start_emu seq # the sequential loop (and the Node SDK's)
start_emu cli # the whole certdeck command
url_par=${url_par:?} url_seq=${url_seq:?} url_cli=${url_cli:?}

node_path=${CERTDECK_BENCH_NODE_PATH:-${NODE_PATH:-}}
sdk=0
if command -v node >/dev/null 2>&1 && [[ -n $node_path ]] &&
    NODE_PATH=$node_path node -e 'require.resolve("tencentcloud-sdk-nodejs/tencentcloud/services/ssl/v20191205/ssl_client")' 2>/dev/null; then
    sdk=1
fi

now_ns() { date +%s%N; }
# Runs a command with its stdout to $tmp/last.out; sets secs to its wall time.
timed() {
    local t0 t1
    t0=$(now_ns)
    "$@" >"$tmp/last.out"
    t1=$(now_ns)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}
field() { sed -n "s/.*$1=\\([0-9]*\\).*/\\1/p" "$tmp/last.out"; }
cli_json() { "$build/certdeck" --endpoint "$url_cli" detail "$record" --all -o json >/dev/null; }
sdk_loop() { NODE_PATH=$node_path node "$root/tests/bench/sdk_loop.js" "$url_seq" "$record"; }

par=() parw=() seq=() ratio_seq=() cli=() sdkt=() ratio_sdk=() ratio_sdk_cli=()
pages=0
sleep 1.1 # the emulators' buckets start full at their first request; no harm in waiting
for ((r = 1; r <= runs; r++)); do
    echo "fetch.bench: round $r of $runs" >&2
    timed "$build/fetch_loop" "$url_par" "$record" "$threads"
    items=$(field items)
    pages=$(field pages)
    p=$(awk -v ms="$(field fetch_ms)" 'BEGIN { printf "%.3f", ms / 1000 }')
    pw=$secs
    timed "$build/fetch_loop" "$url_seq" "$record" 1
    s=$(awk -v ms="$(field fetch_ms)" 'BEGIN { printf "%.3f", ms / 1000 }')
    timed cli_json
    c=$secs
    par+=("$p") parw+=("$pw") seq+=("$s") cli+=("$c")
    ratio_seq+=("$(awk -v a="$s" -v b="$p" 'BEGIN { printf "%.3f", a / b }')")
    if ((sdk)); then
        timed sdk_loop
        sdkt+=("$secs")
        ratio_sdk+=("$(awk -v a="$secs" -v b="$pw" 'BEGIN { printf "%.3f", a / b }')")
        ratio_sdk_cli+=("$(awk -v a="$secs" -v b="$c" 'BEGIN { printf "%.3f", a / b }')")
    fi
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mp=$(median "${par[@]}")
ms=$(median "${seq[@]}")
mc=$(median "${cli[@]}")
bound=$(awk -v n="$pages" -v b="$rate" -v r="$rate" -v l="$latency_ms" 'BEGIN {
    l /= 1000; t = (n - b) / r; if (t < l) t = l; printf "%.3f", t + l }')
refused=$(cat "$tmp/par.log" "$tmp/cli.log" | grep -ac 'RequestLimitExceeded' || true)
sent=$(cat "$tmp/par.log" "$tmp/cli.log" | grep -ac 'DescribeHostUploadUpdateRecordDetail' || true)

emu="certdeck-emulator $emu_flags"
here="tests/bench/fetch.bench.sh"
tab=$'\t'
echo "fetch: items of record $record (largest group $max_instances), pages${tab}$items, $pages${tab}$emu; build/fetch_loop URL $record $threads"
echo "fetch: burst-aware bound ($pages requests, ${rate}/s, bursts of $rate, $latency_ms ms)${tab}$bound s${tab}$here"
echo "fetch: certdeck, $threads threads (fetch phase, median of $runs)${tab}$mp s${tab}$emu; build/fetch_loop URL $record $threads"
echo "fetch: certdeck, $threads threads (whole fetch_loop process, median)${tab}$(median "${parw[@]}") s${tab}$emu; build/fetch_loop URL $record $threads"
echo "fetch: bound / certdeck (goal >= 0.95)${tab}$(awk -v a="$bound" -v b="$mp" 'BEGIN { printf "%.3f", a / b }')${tab}$here"
echo "fetch: sequential loop, 1 at a time (fetch phase, median)${tab}$ms s${tab}$emu; build/fetch_loop URL $record 1"
echo "fetch: sequential / certdeck (median of pairs)${tab}$(median "${ratio_seq[@]}")x${tab}$here"
echo "fetch: certdeck detail $record --all -o json (whole process, median)${tab}$mc s${tab}$emu; certdeck --endpoint URL detail $record --all -o json"
echo "fetch: bound / whole certdeck process${tab}$(awk -v a="$bound" -v b="$mc" 'BEGIN { printf "%.3f", a / b }')${tab}$here"
if ((sdk)); then
    echo "fetch: official Node SDK loop (whole process, median)${tab}$(median "${sdkt[@]}") s${tab}$emu; node tests/bench/sdk_loop.js URL $record"
    echo "fetch: Node SDK loop / certdeck fetch, whole processes (median of pairs, goal >= 2)${tab}$(median "${ratio_sdk[@]}")x${tab}$here"
    echo "fetch: Node SDK loop / certdeck detail --all -o json (median of pairs)${tab}$(median "${ratio_sdk_cli[@]}")x${tab}$here"
else
    echo "fetch: official Node SDK loop${tab}not measured${tab}npm install tencentcloud-sdk-nodejs in DIR; CERTDECK_BENCH_NODE_PATH=DIR/node_modules $here"
fi
echo "fetch: RequestLimitExceeded, certdeck runs (goal 0)${tab}$refused of $sent requests${tab}$emu --log; grep -c RequestLimitExceeded"
