# Sourced by the tmux-driven e2e tests: the real binary in a real terminal, tmux on a private
# socket. tmux_init NAME SESSION sets T (the tmux command), TMPD (a temp dir removed at exit)
# and the pane the helpers read; cleanup kills the server and calls cleanup_extra if the test
# defines one. Every wait polls the screen with a deadline (WAIT_LIMIT seconds, default 15);
# nothing sleeps a fixed time.

# Exits 0 with SKIP when tmux is missing; FAIL when CERTDECK_BIN is not an executable.
tmux_require() {
    if ! command -v tmux >/dev/null 2>&1; then
        echo "SKIP: tmux is not installed (apt-get install tmux)"
        exit 0
    fi
    BIN=${CERTDECK_BIN:-}
    if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
        echo "FAIL: CERTDECK_BIN does not name the certdeck binary (got '$BIN')"
        exit 1
    fi
}

tmux_init() {
    T="tmux -L certdeck-$1-$$"
    PANE=$2
    TMPD=$(mktemp -d "/tmp/certdeck-$1-XXXXXX")
    trap tmux_cleanup EXIT
}

tmux_cleanup() {
    $T kill-server >/dev/null 2>&1
    if declare -F cleanup_extra >/dev/null; then cleanup_extra; fi
    rm -rf "$TMPD"
}

fail() {
    echo "FAIL: $*"
    echo "---- screen ----"
    $T capture-pane -p -t "$PANE" 2>/dev/null
    echo "----------------"
    exit 1
}

screen() {
    $T capture-pane -p -t "$PANE"
}

keys() {
    $T send-keys -t "$PANE" "$@"
}

# wait_for TEXT [SECONDS]: polls the pane until it shows TEXT (fixed string).
wait_for() {
    local text=$1 limit=${2:-${WAIT_LIMIT:-15}}
    local deadline=$((SECONDS + limit))
    while [ $SECONDS -lt $deadline ]; do
        if screen | grep -qF -- "$text"; then return 0; fi
        sleep 0.1 # the poll interval, not a guess at how long anything takes
    done
    fail "timed out after ${limit}s waiting for: $text"
}

# wait_gone TEXT [SECONDS]: polls until the pane no longer shows TEXT.
wait_gone() {
    local text=$1 limit=${2:-${WAIT_LIMIT:-15}}
    local deadline=$((SECONDS + limit))
    while [ $SECONDS -lt $deadline ]; do
        if ! screen | grep -qF -- "$text"; then return 0; fi
        sleep 0.1
    done
    fail "timed out after ${limit}s waiting for this to go away: $text"
}
