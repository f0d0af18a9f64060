#!/usr/bin/env bash
# The man pages built into <build>/doc render without a groff warning (groff -ww, man -l), name
# every option and command `--help` lists (certdeck and certdeck-emulator), and carry the key
# table generated from the binary: every action `certdeck keys` prints, with its keys.
set -u
BIN=${CERTDECK_BIN:?CERTDECK_BIN names the certdeck binary}
EMU=${CERTDECK_EMULATOR:?CERTDECK_EMULATOR names the emulator binary}
DOC=$(cd "$(dirname "$BIN")" && pwd)/doc
fail() {
    echo "FAIL: $*"
    exit 1
}
command -v groff >/dev/null 2>&1 || fail "groff is not installed (apt-get install groff-base; make deps)"
export LC_ALL=C.UTF-8

# Text as a reader sees it: no hyphenation, no bold/underline escapes.
render() { groff -man -rHY=0 -Tascii -P-cbou "$1" 2>/dev/null; }
# Every option word (-x, --long-name) in a --help text.
options() { grep -oE -- '(^|[ ,|[])--?[A-Za-z][A-Za-z-]*' | sed 's/^[ ,|[]*//' | sort -u; }

for page in certdeck certdeck-emulator; do
    f=$DOC/$page.1
    [ -s "$f" ] || fail "$f was not built"
    grep -q '@[A-Z]*@' "$f" && fail "$f has an unreplaced placeholder"
    warn=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
    [ -z "$warn" ] || fail "groff warns on $page.1: $warn"
    if command -v man >/dev/null 2>&1; then
        warn=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
        [ -z "$warn" ] || fail "man -l warns on $page.1: $warn"
    fi
done

text=$(render "$DOC/certdeck.1")
has() { grep -qE -- "(^|[^A-Za-z-])$1([^A-Za-z-]|\$)" <<<"$2"; }
n=0
for opt in $("$BIN" --help | options); do
    n=$((n + 1))
    has "$opt" "$text" || fail "certdeck.1 does not mention $opt (from --help)"
done
[ "$n" -ge 20 ] || fail "only $n options found in certdeck --help"
for cmd in $("$BIN" --help | sed -n 's/^ *\(usage:\)\? *certdeck \(\[options\] \)\?\([a-z]\+\).*/\3/p' | sort -u); do
    grep -qE "^ {7}$cmd( |$)" <<<"$text" || fail "certdeck.1 COMMANDS lacks $cmd"
done
for sect in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS KEYS CONFIGURATION ENVIRONMENT FILES \
    "EXIT STATUS" EXAMPLES; do
    grep -qx "$sect" <<<"$text" || fail "certdeck.1 has no $sect section"
done
# Exit codes: the same four --help lists.
for code in 0 1 2 3; do
    sed -n '/^EXIT STATUS/,/^[A-Z]/p' <<<"$text" | grep -qE "^ +$code( |$)" ||
        fail "EXIT STATUS lacks $code"
done

# The KEYS section is the key table: each `certdeck keys` row's action and keys are in it.
keys=$(sed -n '/^KEYS/,/^CONFIGURATION/p' <<<"$text" | tr -s ' ') # justified: one space
rows=0
while IFS='|' read -r _ k action _; do
    action=$(echo "$action" | tr -d '` ')
    [[ $action =~ ^[a-z][a-z-]*$ ]] || continue
    rows=$((rows + 1))
    first=$(echo "$k" | grep -oE '`[^`]+`' | head -1 | tr -d '`')
    grep -qF -- "$action (" <<<"$keys" || fail "KEYS lacks the action $action"
    grep -qF -- "$first" <<<"$keys" || fail "KEYS lacks the key $first of $action"
done < <("$BIN" keys)
[ "$rows" -ge 10 ] || fail "certdeck keys printed only $rows rows"

text=$(render "$DOC/certdeck-emulator.1")
m=0
for opt in $("$EMU" --help | options); do
    m=$((m + 1))
    has "$opt" "$text" || fail "certdeck-emulator.1 does not mention $opt (from --help)"
done
[ "$m" -ge 10 ] || fail "only $m options found in certdeck-emulator --help"
echo "ok: both pages render without warnings; $n + $m options and $rows key rows in them"
