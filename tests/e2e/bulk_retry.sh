#!/usr/bin/env bash
# The errors screen's bulk retry in a real terminal (tmux on a private socket) against a
# standalone certdeck-emulator started with --log: open record 37 (the demo's worst record),
# E for its error templates, T on the top template, type its count, and wait for the summary.
# The emulator's request log must then hold exactly one UploadUpdateCertificateRecordRetry per
# item of the template (its DetailIds from `certdeck errors 37 -o csv`), and no other. Every
# wait polls with a deadline; nothing sleeps a fixed time.
set -u

. "$(dirname "$0")/lib/tmux.sh"
tmux_require
EMU=${CERTDECK_EMULATOR:-}
if [ -z "$EMU" ] || [ ! -x "$EMU" ]; then
    echo "FAIL: CERTDECK_EMULATOR does not name the emulator binary ('$EMU')"
    exit 1
fi
WAIT_LIMIT=20
tmux_init bulk bulk
EMU_PID=
cleanup_extra() {
    [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null
}

# ---- the emulator, with its request log ------------------------------------------------------
"$EMU" --listen 127.0.0.1:0 --log --rate 1000 >"$TMPD/emu.out" 2>"$TMPD/emu.log" &
EMU_PID=$!
deadline=$((SECONDS + 15))
URL=
while [ $SECONDS -lt $deadline ]; do
    URL=$(sed -n 's/^listening on //p' "$TMPD/emu.out" 2>/dev/null | head -1)
    [ -n "$URL" ] && break
    sleep 0.05
done
[ -n "$URL" ] || fail "certdeck-emulator did not start"
export TENCENTCLOUD_SECRET_ID=AKIDcertdeckDEMO0000000000000000000
export TENCENTCLOUD_SECRET_KEY=certdeckDemoSecretKey0000000000000

# The top template of record 37 as the batch CLI lists it: count and DetailIds (the last CSV
# column, ';'-separated; the template itself may hold commas, the Ids never do).
"$BIN" --endpoint "$URL" errors 37 -o csv >"$TMPD/errors.csv" || fail "certdeck errors 37 failed"
IDS=$(awk -F, 'NR == 2 { print $NF }' "$TMPD/errors.csv" | tr -d '"\r' | tr ';' ' ')
COUNT=$(echo $IDS | wc -w)
[ "$COUNT" -gt 10 ] || fail "the top template of record 37 has $COUNT items; expected more than 10"
BEFORE=$(grep -c 'UploadUpdateCertificateRecordRetry' "$TMPD/emu.log")
[ "$BEFORE" -eq 0 ] || fail "retries in the log before the test sent any"

# ---- the TUI ----------------------------------------------------------------------------------
$T -f /dev/null new-session -d -s bulk -x 150 -y 40 \
    "env -i PATH=$PATH HOME=$TMPD HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
     TENCENTCLOUD_SECRET_ID=$TENCENTCLOUD_SECRET_ID TENCENTCLOUD_SECRET_KEY=$TENCENTCLOUD_SECRET_KEY \
     '$BIN' --endpoint '$URL' --rate 200 --refresh 0; echo BULK-DONE rc=\$?; sleep 600" \
    || fail "cannot start tmux"
$T set-option -t bulk -g status off >/dev/null
wait_for "40 records"
keys :
keys -l "record 37"
keys Enter
wait_for "error templates (E lists the run's)" # the runs are in: E has a run to open
keys E
wait_for "Errors of run 1 deploy"
wait_for "items seen" 60
screen | grep -qE "· all [0-9,]+ items seen" || wait_for "· all " 60
keys T
wait_for "Type $COUNT to confirm"
keys -l "$COUNT"
keys Enter
wait_for "retry of $COUNT items: sent $COUNT" 120

# ---- exactly one request per item -----------------------------------------------------------
TOTAL=$(grep -c 'UploadUpdateCertificateRecordRetry' "$TMPD/emu.log")
[ "$TOTAL" -eq "$COUNT" ] || fail "$TOTAL retry requests in the emulator's log, expected $COUNT"
for id in $IDS; do
    n=$(grep 'UploadUpdateCertificateRecordRetry' "$TMPD/emu.log" | grep -c "DeployRecordDetailId=$id ")
    [ "$n" -eq 1 ] || fail "item $id was retried $n times (expected exactly once)"
done
screen | grep -qF "accepted $COUNT, refused 0" || fail "not every retry was accepted"

keys Q
wait_for "BULK-DONE rc=0"
echo "PASS: $COUNT retry requests, one per item of the template"
