#!/usr/bin/env bash
# The operator's keys in a real terminal (tmux on a private socket): Esc followed at once by
# ":q" and Enter, all in one write as over SSH, closes the open prompt and quits (it used to
# become Meta-':'). y and Y copy through OSC 52 into tmux's buffer. The batch rollback's
# question wants the record ID typed, not y. Every wait polls the screen with a deadline;
# nothing sleeps a fixed time.
set -u

. "$(dirname "$0")/lib/tmux.sh"
tmux_require
tmux_init opkeys op

$T -f /dev/null new-session -d -s op -x 130 -y 30 \
    "env -i PATH=$PATH HOME=$TMPD HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 bash --norc --noprofile -i" \
    || fail "cannot start tmux"
$T set-option -t op -g status off >/dev/null
keys "PS1='OP\$ '" Enter
wait_for 'OP$'
cd "$TMPD" || fail "cannot cd to $TMPD"
keys "cd '$TMPD'; clear" Enter

# ---- Esc and ":q" Enter in one write ----------------------------------------------------------
keys "'$BIN' --demo; echo \"ESC-DONE rc=\$?\"" Enter
wait_for "40 records"
keys /
keys -l "zzqq"
wait_for "zzqq"
# One send-keys call: tmux writes the bytes to the pane together, so certdeck reads Esc with
# ':' right behind it, as it does over SSH.
keys -l $'\033:q\r'
wait_for "ESC-DONE rc=0"

# ---- y and Y copy through OSC 52 into tmux's paste buffer ------------------------------------
$T set-option -g set-clipboard on >/dev/null
keys "clear" Enter
keys "'$BIN' --demo; echo \"COPY-DONE rc=\$?\"" Enter
wait_for "40 records"
keys y
wait_for "copied 2 bytes"
[ "$($T show-buffer)" = "40" ] || fail "y did not put 40 in tmux's buffer (got '$($T show-buffer)')"
keys j Y
wait_for "copied "
row=$($T show-buffer)
case "$row" in
39$'\t'*$'\t'*) ;;
*) fail "Y did not put record 39's row, tab-separated, in tmux's buffer (got '$row')" ;;
esac
keys q
wait_for "COPY-DONE rc=0"

# ---- the batch rollback asks for the record ID, not y ----------------------------------------
keys "clear" Enter
keys "'$BIN' --demo rollback 34; echo \"RB1 rc=\$?\"" Enter
wait_for "Roll back every resource of record 34? Type 34 to confirm:"
keys -l "y"
keys Enter
wait_for "RB1 rc=2"
screen | grep -qF "requested" && fail "y alone rolled the record back"
keys "clear" Enter
keys "'$BIN' --demo rollback 34; echo \"RB2 rc=\$?\"" Enter
wait_for "Type 34 to confirm:"
keys -l "34"
keys Enter
wait_for "RB2 rc=0"
wait_for "rollback of record 34 requested"

echo "PASS: Esc then :q in one write quits; y/Y land in tmux's buffer; rollback wants the ID typed"
exit 0
