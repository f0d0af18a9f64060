#!/usr/bin/env bash
# The README's key table is the one `certdeck keys` prints from the key table that dispatches
# keys: if a binding changes, this fails until the README is updated (paste `certdeck keys`).
set -u
BIN=${CERTDECK_BIN:?CERTDECK_BIN names the certdeck binary}
README=${CERTDECK_SOURCE_DIR:?CERTDECK_SOURCE_DIR names the source tree}/README.md
keys=$("$BIN" keys) || { echo "FAIL: certdeck keys exited $?"; exit 1; }
rows=0 missing=0
while IFS= read -r line; do
    [ -n "$line" ] || continue
    rows=$((rows + 1))
    if ! grep -qxF -- "$line" "$README"; then
        echo "missing from README.md: $line"
        missing=$((missing + 1))
    fi
done <<<"$keys"
if [ "$rows" -lt 10 ]; then
    echo "FAIL: certdeck keys printed only $rows lines"
    exit 1
fi
if [ "$missing" -gt 0 ]; then
    echo "FAIL: $missing of $rows lines of 'certdeck keys' are not in README.md; paste its output"
    exit 1
fi
echo "ok: all $rows lines of 'certdeck keys' stand in README.md"
