#!/usr/bin/env bash
# The TUI at scale (issue 11, part 5): memory holding a big drill-down against the JSON bytes of
# the same record, CPU of G (load every page) per row, the cost of a key press on a big group
# against a 100-row one, sorting (its CPU, and the longest the UI stays deaf to keys meanwhile),
# and idle ticks. Prints one row per figure on stdout, TAB-separated:
#     figure <TAB> value <TAB> command that reproduces it
# Progress goes to stderr. The emulator generates the groups (record 37's clb group holds
# --max-instances items) and refuses nothing (--rate -1); the TUI runs in scripted mode with
# its script read from a FIFO, so this script can read /proc between the script's lines (CPU:
# the UI thread's schedstat in ns and the process's utime+stime ticks; memory: VmRSS, VmHWM).
# Idle ticks are read from the interactive loop in tmux.
#
# Environment: CERTDECK_BUILD (default build/), TUI_BENCH_SIZES (default "10000 100000
# 1000000": the groups G loads; memory and key presses at the largest), TUI_BENCH_KEYS (j
# presses per measure (a tenth of them page moves), default 2000), TUI_BENCH_JSON_TIMEOUT
# (seconds for the batch command that measures the JSON bytes, default 600; when it fails the
# bytes are estimated from the previous size's, and the figure says so).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${CERTDECK_BUILD:-$ROOT/build}
BIN=$BUILD/certdeck
EMU=$BUILD/certdeck-emulator
SIZES=${TUI_BENCH_SIZES:-"10000 100000 1000000"}
KEYS=${TUI_BENCH_KEYS:-2000}
SELF="tests/bench/tui.bench.sh"
[ -x "$BIN" ] && [ -x "$EMU" ] || {
    echo "tui.bench: build first (no $BIN or $EMU)" >&2
    exit 2
}
TMPD=$(mktemp -d /tmp/certdeck-tuibench-XXXXXX)
EMU_PID= TUI_PID= TMUX_T=
cleanup() {
    exec 3>&-
    [ -n "$TUI_PID" ] && kill "$TUI_PID" 2>/dev/null && wait "$TUI_PID" 2>/dev/null
    [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
    [ -n "$TMUX_T" ] && $TMUX_T kill-server >/dev/null 2>&1
    rm -rf "$TMPD"
}
trap cleanup EXIT
export TENCENTCLOUD_SECRET_ID=AKIDcertdeckDEMO0000000000000000000
export TENCENTCLOUD_SECRET_KEY=certdeckDemoSecretKey0000000000000
export LC_ALL=C.UTF-8 XDG_STATE_HOME=$TMPD/state XDG_CONFIG_HOME=$TMPD/config

log() { echo "tui.bench: $*" >&2; }
row() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }
die() {
    log "$*"
    exit 1
}
human() { # 100000 -> 100k
    case $1 in
    *000000) echo "${1%000000}M" ;;
    *000) echo "${1%000}k" ;;
    *) echo "$1" ;;
    esac
}

# ---- the emulator --------------------------------------------------------------------------
emu_start() { # N: record 37's clb group holds N instances
    emu_stop
    "$EMU" --listen 127.0.0.1:0 --rate -1 --max-instances "$1" >"$TMPD/emu.out" 2>"$TMPD/emu.err" &
    EMU_PID=$!
    local deadline=$((SECONDS + 30))
    URL=
    while [ $SECONDS -lt $deadline ] && [ -z "$URL" ]; do
        URL=$(sed -n 's/^listening on //p' "$TMPD/emu.out" 2>/dev/null | head -1)
        [ -n "$URL" ] || sleep 0.05
    done
    [ -n "$URL" ] || die "the emulator did not start: $(cat "$TMPD/emu.err")"
}
emu_stop() {
    [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
    EMU_PID=
}

# ---- the TUI, its script a FIFO ----------------------------------------------------------------
LINES_=40
MARK=0
tui_start() {
    rm -f "$TMPD/script"
    mkfifo "$TMPD/script"
    "$BIN" --endpoint "$URL" --rate 1000 --refresh 0 --size 160x$LINES_ \
        --script "$TMPD/script" 2>"$TMPD/tui.err" &
    TUI_PID=$!
    exec 3<>"$TMPD/script"
}
tui_stop() {
    [ -n "$TUI_PID" ] || return 0
    exec 3>&-
    wait "$TUI_PID" 2>/dev/null
    TUI_PID=
}
send() { printf '%s\n' "$@" >&3; }
# mark [SECONDS]: the script saves a display; returns when it is written whole, so every line
# sent before has been carried out. Leaves the display's path in DISPLAY_FILE.
mark() {
    local limit=${1:-120}
    MARK=$((MARK + 1))
    DISPLAY_FILE=$TMPD/mark$MARK.txt
    send "save-display $DISPLAY_FILE"
    local deadline=$((SECONDS + limit))
    while [ $SECONDS -lt $deadline ]; do
        [ -f "$DISPLAY_FILE" ] && [ "$(wc -l <"$DISPLAY_FILE")" -ge $LINES_ ] && return 0
        kill -0 "$TUI_PID" 2>/dev/null || die "the TUI exited: $(cat "$TMPD/tui.err")"
        sleep 0.02
    done
    die "no display after ${limit}s: $(cat "$TMPD/tui.err")"
}
ui_ns() { awk '{ print $1 }' "/proc/$TUI_PID/task/$TUI_PID/schedstat"; }
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
now_ns() { date +%s%N; }
# The drill-down of record 37's clb group, its first page in.
tui_open_group() {
    send "wait-idle" ":record 37" "wait-idle 60000" "key Enter" "key Enter" "wait-idle 60000"
    mark
}

# The UI thread's ns per key press, each on a script line of its own (so each is drawn, as
# typed keys are): j and k alternating from the top (J_NS), PgDn and PgUp alternating (PG_NS),
# so every press moves the cursor and changes the screen whatever the group's size.
keys_cost() {
    local u0 u1 i
    send "key g"
    mark
    u0=$(ui_ns)
    for i in $(seq 1 $((KEYS / 2))); do send "key j" "key k"; done
    mark
    u1=$(ui_ns)
    J_NS=$(((u1 - u0) / KEYS))
    u0=$(ui_ns)
    for i in $(seq 1 $((KEYS / 20))); do send "key PgDn" "key PgUp"; done
    mark
    u1=$(ui_ns)
    PG_NS=$(((u1 - u0) / (KEYS / 10)))
}

json_bytes() { # of the record this emulator serves (0 when it fails or takes too long)
    timeout "${TUI_BENCH_JSON_TIMEOUT:-600}" "$BIN" --endpoint "$URL" --rate 1000 detail 37 --all \
        -o json 2>"$TMPD/json.err" | wc -c
}

# ---- G at each size ----------------------------------------------------------------------------
JSON_PER_ITEM= JSON_PER_ITEM_AT=
LARGEST=0
for n in $SIZES; do [ "$n" -gt "$LARGEST" ] && LARGEST=$n; done
for n in $SIZES; do
    h=$(human "$n")
    log "G on a $h group"
    emu_start "$n"
    tui_start
    tui_open_group
    t0=$(proc_ticks "$TUI_PID") u0=$(ui_ns)
    send "key G" "wait-idle 3600000"
    mark 3600
    t1=$(proc_ticks "$TUI_PID") u1=$(ui_ns)
    # The rows the drill-down holds: "1,000,000 instances", or "loaded 500,000 of 1,000,000"
    # when paging stopped short (an error, a limit): per-row figures divide by what loaded.
    got=$(sed -n 2p "$DISPLAY_FILE" | sed -n 's/.*loaded \([0-9,]*\) of.*/\1/p; s/.* \([0-9,]*\) instances.*/\1/p' | tr -d , | head -1)
    cmd="TUI_BENCH_SIZES=$n $SELF"
    if [ "${got:-0}" != "$n" ]; then
        log "warning: the $h group did not load whole: $(sed -n 2p "$DISPLAY_FILE")"
        cmd="$cmd (only ${got:-0} rows loaded: $(tail -1 "$DISPLAY_FILE" | sed 's/  */ /g'))"
    fi
    [ "${got:-0}" -gt 0 ] || got=$n
    row "tui_G_cpu_us_per_row_$h" "$(awk -v t=$((t1 - t0)) -v n="$got" 'BEGIN { printf "%.2f", t * 10000 / n }')" "$cmd"
    row "tui_G_ui_thread_us_per_row_$h" "$(awk -v t=$((u1 - u0)) -v n="$got" 'BEGIN { printf "%.2f", t / 1000 / n }')" "$cmd"
    rss=$(status_kb "$TUI_PID" VmRSS) hwm=$(status_kb "$TUI_PID" VmHWM)
    if [ "$n" = "$LARGEST" ]; then
        # Key presses and sorting on the largest group, loaded whole just now.
        log "key presses on the $h group"
        keys_cost
        J_LARGE=$J_NS PG_LARGE=$PG_NS
        log "sorting the $h group"
        u0=$(ui_ns) w0=$(now_ns)
        send ":sort port" "key j"
        mark 600
        w1=$(now_ns)
        send "wait-idle 600000"
        mark 600
        u1=$(ui_ns)
        SORT_LARGE_MS=$(((u1 - u0) / 1000000))
        FREEZE_LARGE_MS=$(((w1 - w0) / 1000000))
        SORT_HWM_MB=$(($(status_kb "$TUI_PID" VmHWM) / 1024))
    fi
    tui_stop
    if [ "$n" = "$LARGEST" ] || [ "$n" = 100000 ]; then
        log "JSON bytes of the $h record"
        jb=$(json_bytes)
        jname=json_bytes_mb_$h jcmd="certdeck detail 37 --all -o json | wc -c (emulator --max-instances $n)"
        if [ "$jb" -lt 1000 ] && [ -n "$JSON_PER_ITEM" ]; then
            log "detail 37 --all -o json failed ($(head -c 200 "$TMPD/json.err")): estimated from the ${JSON_PER_ITEM_AT} record"
            jb=$(awk -v b="$JSON_PER_ITEM" -v n="$n" 'BEGIN { printf "%d", b * n }')
            jname=${jname}_estimated jcmd="$jcmd: failed; bytes per instance at $JSON_PER_ITEM_AT times $n"
        elif [ "$jb" -lt 1000 ]; then
            log "detail 37 --all -o json failed: $(head -c 300 "$TMPD/json.err")"
            jb=
        else
            JSON_PER_ITEM=$(awk -v b="$jb" -v n="$n" 'BEGIN { printf "%.3f", b / n }') JSON_PER_ITEM_AT=$h
        fi
        row "tui_rss_mb_holding_$h" "$((rss / 1024))" "$cmd"
        row "tui_peak_rss_mb_holding_$h" "$((hwm / 1024))" "$cmd"
        if [ -n "$jb" ]; then
            row "$jname" "$((jb / 1048576))" "$jcmd"
            row "tui_rss_per_json_$h" "$(awk -v r="$rss" -v j="$jb" 'BEGIN { printf "%.2f", r * 1024 / j }')" "$cmd"
        fi
    fi
done

# ---- the same on 100 rows ------------------------------------------------------------------------
log "key presses and sorting on a 100-row group"
emu_start 100
tui_start
tui_open_group
send "key G" "wait-idle"
mark
keys_cost
J_SMALL=$J_NS PG_SMALL=$PG_NS
u0=$(ui_ns)
send ":sort port" "wait-idle"
mark
u1=$(ui_ns)
SORT_SMALL_US=$(((u1 - u0) / 1000))
tui_stop

hl=$(human "$LARGEST")
cmd="TUI_BENCH_SIZES=$LARGEST $SELF"
row "tui_key_j_us_100" "$((J_SMALL / 1000))" "$cmd"
row "tui_key_j_us_$hl" "$((J_LARGE / 1000))" "$cmd"
row "tui_key_j_ratio_${hl}_vs_100" "$(awk -v a="$J_LARGE" -v b="$J_SMALL" 'BEGIN { printf "%.2f", a / b }')" "$cmd"
row "tui_key_pgdn_us_100" "$((PG_SMALL / 1000))" "$cmd"
row "tui_key_pgdn_us_$hl" "$((PG_LARGE / 1000))" "$cmd"
row "tui_key_pgdn_ratio_${hl}_vs_100" "$(awk -v a="$PG_LARGE" -v b="$PG_SMALL" 'BEGIN { printf "%.2f", a / b }')" "$cmd"
row "tui_sort_ms_100" "$(awk -v u="$SORT_SMALL_US" 'BEGIN { printf "%.2f", u / 1000 }')" "$cmd"
row "tui_sort_ms_$hl" "$SORT_LARGE_MS" "$cmd"
row "tui_sort_longest_deaf_ms_$hl" "$FREEZE_LARGE_MS" "$cmd"
row "tui_peak_rss_mb_sorting_$hl" "$SORT_HWM_MB" "$cmd"

# ---- idle: the interactive loop in tmux ------------------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
    log "idle ticks (tmux)"
    emu_start 10000
    TMUX_T="tmux -L certdeck-tuibench-$$"
    $TMUX_T -f /dev/null new-session -d -s b -x 160 -y 40 \
        "env TERM=xterm-256color '$BIN' --endpoint '$URL' --rate 1000 --refresh 0" ||
        die "cannot start tmux"
    pid=
    deadline=$((SECONDS + 30))
    while [ $SECONDS -lt $deadline ]; do
        $TMUX_T capture-pane -p -t b 2>/dev/null | grep -q "records" && break
        sleep 0.1
    done
    $TMUX_T send-keys -t b : && $TMUX_T send-keys -t b -l "record 37" && $TMUX_T send-keys -t b Enter
    deadline=$((SECONDS + 30))
    while [ $SECONDS -lt $deadline ]; do
        $TMUX_T capture-pane -p -t b | grep -q "resource groups" && break
        sleep 0.1
    done
    $TMUX_T send-keys -t b Enter Enter G
    deadline=$((SECONDS + 60))
    while [ $SECONDS -lt $deadline ]; do
        $TMUX_T capture-pane -p -t b | grep -q "10,000 instances" && break
        sleep 0.1
    done
    pid=$($TMUX_T display -p -t b '#{pane_pid}')
    if [ -n "$pid" ]; then
        sleep 11 # the status line's age redraws once a second for 10 s, then every 10 s
        i0=$(proc_ticks "$pid")
        sleep 5
        i1=$(proc_ticks "$pid")
        row "tui_idle_ticks_per_5s" "$((i1 - i0))" "$SELF (tmux: certdeck on a loaded 10k group, no key for 5 s, 11 s after it loaded)"
    else
        log "idle: certdeck not found"
    fi
fi
