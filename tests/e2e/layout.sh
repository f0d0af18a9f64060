#!/usr/bin/env bash
# The house rules that the compiler cannot see: core/ never draws (no curses include anywhere
# under it, and nothing from tui/), the batch CLI in tui/cli/ does not draw either, and every
# file the README's "Where things are" names exists. Each violation is named with its line.
set -u
SRC=${CERTDECK_SOURCE_DIR:?CERTDECK_SOURCE_DIR names the source tree}
cd "$SRC" || exit 1
fail=0
curses='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?curses(w)?\.h|ncursesw/|term\.h|panel\.h|menu\.h|form\.h)'
bad=$(grep -rnE "$curses" --include='*.[ch]' core tui/cli)
if [ -n "$bad" ]; then
    echo "FAIL: curses included where nothing draws:"
    echo "$bad"
    fail=1
fi
bad=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"tui/' --include='*.[ch]' core)
if [ -n "$bad" ]; then
    echo "FAIL: core/ includes the front end:"
    echo "$bad"
    fail=1
fi
# README: every `path` in the "Where things are" section names a file or folder that exists.
n=0
while IFS= read -r path; do
    n=$((n + 1))
    if [ ! -e "$path" ]; then
        echo "FAIL: README's 'Where things are' names $path, which does not exist"
        fail=1
    fi
done < <(sed -n '/^## Where things are/,/^## /p' README.md | grep -oE '^\| `[^`]+`' | tr -d '|` ')
if [ "$n" -lt 10 ]; then
    echo "FAIL: README's 'Where things are' lists only $n paths"
    fail=1
fi
[ "$fail" = 0 ] && echo "ok: core/ and tui/cli/ draw nothing; the README's $n paths exist"
exit "$fail"
