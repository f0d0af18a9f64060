#!/usr/bin/env bash
# `certdeck config`: --init writes the commented default config to the XDG path (mode 0600),
# never overwrites, honours --config and XDG_CONFIG_HOME; the file names every setting the
# reader knows (tui/config.h), checks clean, and still checks clean with every line
# uncommented (each default shown is valid). --check names each problem with file and line,
# the theme it cannot find, and exits 2; usage mistakes exit 2.
set -u
BIN=${CERTDECK_BIN:?CERTDECK_BIN names the certdeck binary}
SRC=${CERTDECK_SOURCE_DIR:?CERTDECK_SOURCE_DIR names the source tree}
tmp=$(mktemp -d /tmp/certdeck-config-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}
export HOME=$tmp/home
unset XDG_CONFIG_HOME XDG_DATA_HOME
mkdir -p "$HOME"
cfg=$HOME/.config/certdeck/config

out=$("$BIN" config --init) || fail "config --init exited $?: $out"
[ "$out" = "wrote $cfg" ] || fail "config --init said: $out"
[ "$(stat -c %a "$cfg")" = 600 ] || fail "config mode $(stat -c %a "$cfg"), want 600"
cp "$cfg" "$tmp/first"
echo "# mine" >>"$cfg"
cp "$cfg" "$tmp/mine"
"$BIN" config --init >"$tmp/out" 2>"$tmp/err" && fail "a second --init succeeded"
grep -q "not overwriting" "$tmp/err" || fail "second --init: $(cat "$tmp/err")"
cmp -s "$cfg" "$tmp/mine" || fail "the second --init changed the file"
"$BIN" config --example | cmp -s - "$tmp/first" || fail "--example differs from what --init wrote"

# Every setting of the reader's grammar is in the file, commented out.
n=0
for name in $(sed -n 's/^ \*   \([a-z]\+\) .*/\1/p' "$SRC/tui/config.h"); do
    n=$((n + 1))
    grep -q "^#$name " "$cfg" || fail "config --init lacks the setting $name"
done
[ "$n" -ge 6 ] || fail "found only $n settings in tui/config.h"
out=$("$BIN" config --check) || fail "check of the fresh file exited $?: $out"
[ "$out" = "$cfg: ok" ] || fail "check: $out"
sed 's/^#\([a-z]\)/\1/' "$tmp/first" >"$tmp/all.conf"
out=$("$BIN" config --check "$tmp/all.conf") || fail "every line uncommented: $out"

# --config FILE and XDG_CONFIG_HOME choose where --init writes.
out=$("$BIN" --config "$tmp/other.conf" config --init) || fail "--config FILE --init: $out"
[ -f "$tmp/other.conf" ] || fail "--config FILE --init wrote no file"
XDG_CONFIG_HOME=$tmp/xdg "$BIN" config --init >/dev/null || fail "XDG --init"
[ -f "$tmp/xdg/certdeck/config" ] || fail "XDG_CONFIG_HOME not honoured by --init"

# Problems, each with file and line; exit 2.
printf '# a comment\ntheme nosuch\nrefresh abc\n\nbind records x nosuch-action\ncolour red\nmouse on\nbind nowhere j move-down\n' >"$tmp/bad.conf"
out=$("$BIN" config --check "$tmp/bad.conf")
rc=$?
[ "$rc" = 2 ] || fail "check of a bad file exited $rc: $out"
for want in "$tmp/bad.conf:3: refresh" "$tmp/bad.conf:5: " "$tmp/bad.conf:6: unknown setting 'colour'" \
    "$tmp/bad.conf:8: " "$tmp/bad.conf: theme 'nosuch' not found" "$tmp/bad.conf: 5 problems"; do
    grep -qF -- "$want" <<<"$out" || fail "check output lacks '$want': $out"
done
grep -q ":7:" <<<"$out" && fail "a good line was reported: $out"
"$BIN" config --check "$tmp/none.conf" 2>"$tmp/err" && fail "check of a missing file succeeded"
grep -q "cannot read config file" "$tmp/err" || fail "missing file: $(cat "$tmp/err")"
"$BIN" config 2>/dev/null && fail "config without --init/--check/--example succeeded"
"$BIN" config --init --check 2>/dev/null && fail "config --init --check succeeded"
echo "ok: config --init writes all $n settings once; --check names problems by line"
