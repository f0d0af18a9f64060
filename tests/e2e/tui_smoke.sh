#!/usr/bin/env bash
# Drives the real certdeck binary in a real terminal (tmux on a private socket): starts the
# demo, walks records -> record 2 -> its rollback run -> the clb group -> one instance's JSON
# and back, resizes the window (down to the too-small guard and back), quits, and checks the
# terminal was restored. Then the same for Ctrl-C (after it cancels an open prompt) and for a crash signal. Every wait polls the
# screen with a deadline; nothing sleeps a fixed time.
set -u

. "$(dirname "$0")/lib/tmux.sh"
tmux_require
tmux_init smoke smoke

# A plain shell with a recognisable prompt; each run records the tty settings before and after.
$T -f /dev/null new-session -d -s smoke -x 100 -y 30 \
    "env -i PATH=$PATH HOME=$TMPD HISTFILE=/dev/null TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 bash --norc --noprofile -i" \
    || fail "cannot start tmux"
$T set-option -t smoke -g status off >/dev/null
keys "PS1='SMOKE\$ '" Enter
wait_for 'SMOKE$'
keys "clear" Enter

run_certdeck() {
    keys "S1=\$(stty -g); '$BIN' --demo; rc=\$?; S2=\$(stty -g); [ \"\$S1\" = \"\$S2\" ] && echo \"TTY-RESTORED rc=\$rc\" || echo \"TTY-BROKEN rc=\$rc\"" Enter
}

# ---- the walk ---------------------------------------------------------------------------------
run_certdeck
wait_for "40 records"
wait_for "updated"
[ "$($T display -p -t smoke '#{alternate_on}')" = 1 ] || fail "certdeck did not switch to the alternate screen"

keys G k Enter                               # record 2: the official example, with a rollback
wait_for "Records › #2"
wait_for "rollback ok"
keys j Enter                                 # its rollback run, then its groups
wait_for "run 2 rollback · resource groups"
keys Enter                                   # the clb group
wait_for "Records › #2 › run 2 rollback › clb"
wait_for "lb-9crou4ha"
keys Enter                                   # the instance
wait_for "› item 85"
wait_for "lbl-dlu2mqpu"
keys d                                       # its raw JSON
wait_for '"InstanceId": "lb-9crou4ha"'
keys Escape
wait_gone "› JSON"
keys Escape Escape
wait_for "run 2 rollback · resource groups"
keys Escape Escape
wait_gone "Records ›"
wait_for "40 records"

# ---- resize, while it runs ---------------------------------------------------------------------
$T resize-window -t smoke -x 80 -y 24
wait_for "? help"
# "? help" ends the first line: at 100 columns it sat beyond column 80, so seeing it again
# means certdeck redrew for the new width.
[ "$(screen | head -1 | sed 's/ *$//' | awk '{ print length }')" = 79 ] ||
    fail "the first line was not redrawn for 80 columns"
$T resize-window -t smoke -x 50 -y 10
wait_for "Terminal too small: 50x10"
$T resize-window -t smoke -x 100 -y 30
wait_for "40 records"
wait_gone "Terminal too small"

# ---- auto-refresh: a run in progress is fetched again every few seconds -----------------------
keys g Enter                                 # the newest record: the demo's is still deploying
wait_for "deploying"
wait_for "updated 2 s ago"
wait_for "updated 0 s ago" 10                # no key pressed: the refresh timer did it
keys Escape
wait_gone "Records ›"

# ---- quit: the shell prompt comes back with the terminal as it was ---------------------------------
keys q
wait_for "TTY-RESTORED rc=0"
[ "$($T display -p -t smoke '#{alternate_on}')" = 0 ] || fail "the alternate screen was not left"
wait_for 'SMOKE$'

# ---- LC_ALL=C: ASCII glyphs instead of Unicode ones -----------------------------------------------
keys "clear" Enter
keys "LC_ALL=C '$BIN' --demo; echo \"C-LOCALE rc=\$?\"" Enter
wait_for "40 records - x "
keys Enter
wait_for "Records > #40"
keys Q
wait_for "C-LOCALE rc=0"

# ---- Ctrl-C ------------------------------------------------------------------------------------
keys "clear" Enter
run_certdeck
wait_for "40 records"
# In a prompt, Ctrl-C cancels the prompt (the filter typed so far is dropped) and certdeck stays.
keys /
keys "zzqq"
wait_for "zzqq"
keys C-c
wait_gone "zzqq"
wait_for "40 records"
keys C-c
wait_for "TTY-RESTORED rc=130"
[ "$($T display -p -t smoke '#{alternate_on}')" = 0 ] || fail "Ctrl-C left the alternate screen on"

# ---- a crash signal: the handler restores the terminal, then the process dies of it ------------
keys "clear" Enter
run_certdeck
wait_for "40 records"
shell_pid=$($T display -p -t smoke '#{pane_pid}')
cd_pid=$(ps -o pid= --ppid "$shell_pid" | tr -d ' ' | head -1)
[ -n "$cd_pid" ] || fail "cannot find the certdeck process under the shell ($shell_pid)"
kill -SEGV "$cd_pid"
wait_for "TTY-RESTORED rc=139"
[ "$($T display -p -t smoke '#{alternate_on}')" = 0 ] || fail "the crash left the alternate screen on"

echo "PASS: walk, resize, quit, Ctrl-C and a crash signal all leave the terminal restored"
exit 0
