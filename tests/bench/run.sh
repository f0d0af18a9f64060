#!/usr/bin/env bash
# `make bench`: every benchmark, printed as one table (figure | value | reproduce) under the
# date, the machine and the commit.
#
#   tests/bench/run.sh [BUILD_DIR]      (default: build, already built)
#
# Two kinds of parts, run one after the other (never at once: they time things):
#   - the C programs BUILD_DIR/bench_*: each line they print, "bench_x: what: value" or
#     "bench_x: value", becomes a row (figure "bench_x: what" or "bench_x"); a line
#     "figure<TAB>value<TAB>command" is taken as it is;
#   - the scripts tests/bench/*.bench.sh, in name order: each is run from the source root as
#     `bash tests/bench/NAME.bench.sh` with CERTDECK_BENCH_BUILD (and BUILD) set to the build
#     directory, prints rows "figure<TAB>value<TAB>command that reproduces it" on stdout and
#     its progress on stderr (shown as it goes), and exits non-zero when it could not measure.
# A part that fails adds a row saying so; the table is printed anyway, and the exit status is
# then 1.
# CERTDECK_BENCH_PARTS (space-separated scripts) runs those parts instead of every one.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
[[ $build = /* ]] || build=$PWD/$build
if [[ ! -x $build/certdeck ]]; then
    echo "bench: no certdeck in $build: build first (make build)" >&2
    exit 1
fi
export CERTDECK_BENCH_BUILD=$build BUILD=$build
cd "$root" || exit 1

tab=$'\t'
rows=$(mktemp)
out=$(mktemp)
trap 'rm -f "$rows" "$out"' EXIT
failed=0

# Rows from a part's stdout (in $out): figure<TAB>value<TAB>command lines as they are; with
# summary=NAME, any other non-empty line "NAME: what: value" becomes the row "NAME: what",
# value, reproduce, and "NAME: value" the row NAME, value, reproduce.
take_rows() {
    local summary=$1 reproduce=$2 line
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%$'\r'}
        [[ -z $line ]] && continue
        if [[ $line == *"$tab"*"$tab"* ]]; then
            printf '%s\n' "$line" >>"$rows"
        elif [[ -n $summary ]]; then
            local text=${line#"$summary": } figure=$summary
            if [[ $text == *": "* ]]; then
                figure="$summary: ${text%%: *}"
                text=${text#*: }
            fi
            printf '%s\t%s\t%s\n' "$figure" "$text" "$reproduce" >>"$rows"
        else
            echo "bench: $reproduce: not a row, ignored: $line" >&2
        fi
    done <"$out"
}

part_failed() {
    printf '%s\tFAILED (exit %s)\t%s\n' "$1" "$2" "$3" >>"$rows"
    failed=1
}

for exe in "$build"/bench_*; do
    [[ -x $exe && -f $exe ]] || continue
    name=$(basename "$exe")
    echo "bench: $name" >&2
    "$exe" >"$out" 2>&1
    rc=$?
    take_rows "$name" "build/$name"
    ((rc == 0)) || part_failed "$name" "$rc" "build/$name"
done

for part in ${CERTDECK_BENCH_PARTS:-tests/bench/*.bench.sh}; do
    [[ -f $part ]] || continue
    echo "bench: $part" >&2
    bash "$part" >"$out"
    rc=$?
    take_rows "" "$part"
    ((rc == 0)) || part_failed "$(basename "$part" .bench.sh)" "$rc" "bash $part"
done

# The heading: when, on what, from which commit.
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown ]] && ! git -C "$root" diff --quiet HEAD 2>/dev/null; then
    commit="$commit (with uncommitted changes)"
fi
echo
echo "certdeck benchmarks, $(date '+%Y-%m-%d %H:%M %Z')"
echo "machine: $(nproc 2>/dev/null || echo '?') cores, ${cpu:-$(uname -m)}; load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "commit: $commit"
echo
{
    printf 'figure\tvalue\treproduce\n'
    cat "$rows"
} | LC_ALL=C awk -F'\t' '
    # Widths in characters (UTF-8 continuation bytes not counted), whatever the awk and locale.
    function width(s) { gsub(/[\200-\277]/, "", s); return length(s) }
    function pad(s, w,    k) { for (k = width(s); k < w; k++) s = s " "; return s }
    function dashes(w,    s) { s = ""; while (w-- > 0) s = s "-"; return s }
    # A long value (a C bench line) pushes the last column of its own row only.
    { n++; f[n] = $1; v[n] = $2; c[n] = $3
      if (width($1) > wf) wf = width($1)
      if (width($2) > wv && width($2) <= 32) wv = width($2) }
    END {
        for (i = 1; i <= n; i++) {
            print pad(f[i], wf) " | " pad(v[i], wv) " | " c[i]
            if (i == 1) print dashes(wf) "-|-" dashes(wv) "-|-" dashes(9)
        }
    }'
exit "$failed"
