#!/usr/bin/env bash
# Benchmark (issue 11, goals 1-3): `certdeck detail 37 --all -o json` against the emulator
# holding a group of 10 k, 100 k and 1 M instances. Prints one row per figure on stdout,
# TAB-separated: figure, value, the command that reproduces it. Asserts nothing.
#
#   tests/bench/memory.bench.sh              # build/ of this checkout
#   BUILD=/path/to/build SIZES="10000 100000" tests/bench/memory.bench.sh
#
# Peak RSS and user CPU come from /usr/bin/time (GNU time, as `-v` reports them); the
# emulator is its own process (it holds the whole dataset) and is not counted.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build}
certdeck=${CERTDECK:-$build/certdeck}
emulator=${EMULATOR:-$build/certdeck-emulator}
sizes=${SIZES:-10000 100000 1000000}
record=37 # the generated dataset's record whose clb group has --max-instances instances
clock=1767225600 # the data's clock stands still: every run serves the same bytes

for tool in "$certdeck" "$emulator" /usr/bin/time; do
    [ -x "$tool" ] || { echo "memory.bench.sh: $tool not found (build first)" >&2; exit 1; }
done

tmp=$(mktemp -d)
emu_pid=
cleanup() {
    [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

export TENCENTCLOUD_SECRET_ID=AKIDcertdeckDEMO0000000000000000000
export TENCENTCLOUD_SECRET_KEY=certdeckDemoSecretKey0000000000000

label() { # 10000 -> 10k, 1000000 -> 1M
    case $1 in
    *000000) echo "${1%000000}M" ;;
    *000) echo "${1%000}k" ;;
    *) echo "$1" ;;
    esac
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

first_cpu=
first_label=
for n in $sizes; do
    l=$(label "$n")
    emu_cmd="certdeck-emulator --rate -1 --max-instances $n --clock $clock"
    "$emulator" --rate -1 --max-instances "$n" --clock "$clock" >"$tmp/emu.out" 2>"$tmp/emu.err" &
    emu_pid=$!
    url=
    for _ in $(seq 1 600); do # generating 1 M instances takes a while
        url=$(sed -n 's/^listening on //p' "$tmp/emu.out")
        [ -n "$url" ] && break
        kill -0 "$emu_pid" 2>/dev/null || break
        sleep 0.2
    done
    if [ -z "$url" ]; then
        printf 'batch %s\t%s\t%s\n' "$l" "emulator did not start" "$emu_cmd"
        emu_pid=
        continue
    fi
    cmd="/usr/bin/time -v certdeck --endpoint URL --rate 1000 detail $record --all -o json >out.json"
    /usr/bin/time -f '%M %U %e' -o "$tmp/time" \
        "$certdeck" --endpoint "$url" --rate 1000 detail "$record" --all -o json \
        >"$tmp/out.json" 2>"$tmp/err"
    rc=$?
    # The text table of the same detail (measured in one pass, printed in a second), where it
    # stays quick: up to 100 k.
    table_rss_kb=
    if [ "$rc" -eq 0 ] && [ "$n" -le 100000 ]; then
        /usr/bin/time -f '%M' -o "$tmp/time_table" \
            "$certdeck" --endpoint "$url" --rate 1000 detail "$record" --all \
            >"$tmp/out.txt" 2>/dev/null && read -r table_rss_kb <"$tmp/time_table"
    fi
    kill "$emu_pid" 2>/dev/null
    wait "$emu_pid" 2>/dev/null
    emu_pid=
    repro="$emu_cmd & $cmd"
    if [ "$rc" -ne 0 ]; then
        why=$(grep -v '^Command exited' "$tmp/err" | head -1)
        printf 'batch detail --all -o json %s\tfailed (exit %s): %s\t%s\n' "$l" "$rc" "$why" "$repro"
        continue
    fi
    read -r rss_kb user wall <"$tmp/time"
    bytes=$(stat -c %s "$tmp/out.json")
    rss=$((rss_kb * 1024))
    ratio=$(awk -v r="$rss" -v b="$bytes" 'BEGIN { printf "%.2f", r / b }')
    per=$(awk -v u="$user" -v n="$n" 'BEGIN { printf "%.2f", u * 1e6 / n }')
    printf 'batch JSON output %s\t%s (%s bytes)\t%s\n' "$l" "$(mb "$bytes")" "$bytes" "$repro"
    printf 'batch peak RSS %s\t%s\t%s\n' "$l" "$(mb "$rss")" "$repro"
    printf 'batch RSS/JSON %s\t%s× (%s / %s)\t%s\n' "$l" "$ratio" "$(mb "$rss")" "$(mb "$bytes")" "$repro"
    printf 'batch user CPU %s\t%s s (wall %s s)\t%s\n' "$l" "$user" "$wall" "$repro"
    printf 'batch CPU per instance %s\t%s µs\t%s\n' "$l" "$per" "$repro"
    if [ -n "$table_rss_kb" ]; then
        tbytes=$(stat -c %s "$tmp/out.txt")
        printf 'batch text table %s: peak RSS / JSON RSS\t%s / %s (%s of text)\t%s\n' "$l" \
            "$(mb $((table_rss_kb * 1024)))" "$(mb "$rss")" "$(mb "$tbytes")" \
            "$emu_cmd & /usr/bin/time -v certdeck --endpoint URL --rate 1000 detail $record --all >out.txt"
    fi
    if [ -z "$first_cpu" ]; then
        first_cpu=$per
        first_label=$l
    else
        printf 'batch CPU per instance %s / %s\t%s×\t%s\n' "$l" "$first_label" \
            "$(awk -v a="$per" -v b="$first_cpu" 'BEGIN { printf "%.2f", a / b }')" \
            "tests/bench/memory.bench.sh (SIZES=\"$(echo "$sizes" | awk '{print $1}') $n\")"
    fi
done
