#!/usr/bin/env bash
# What `make install DESTDIR=… PREFIX=/usr` runs (cmake --install with DESTDIR and --prefix
# /usr) lays out the promised tree, and the installed binary works from / with no build tree:
# --version, a batch command against --demo, the shipped themes found from the install prefix
# (not the source tree), config --check of a config naming one. Then the uninstall script
# removes every installed file and certdeck's own directories.
set -u
BIN=${CERTDECK_BIN:?CERTDECK_BIN names the certdeck binary}
SRC=${CERTDECK_SOURCE_DIR:?CERTDECK_SOURCE_DIR names the source tree}
BUILD=$(cd "$(dirname "$BIN")" && pwd)
tmp=$(mktemp -d /tmp/certdeck-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
fail() {
    echo "FAIL: $*"
    exit 1
}

DESTDIR=$root cmake --install "$BUILD" --prefix /usr >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "cmake --install exited $?"; }
for f in usr/bin/certdeck usr/bin/certdeck-emulator \
    usr/share/certdeck/themes/default.theme usr/share/certdeck/themes/light.theme \
    usr/share/certdeck/themes/high-contrast.theme usr/share/certdeck/themes/mono.theme \
    usr/share/man/man1/certdeck.1.gz usr/share/man/man1/certdeck-emulator.1.gz \
    usr/share/bash-completion/completions/certdeck \
    usr/share/bash-completion/completions/certdeck-emulator \
    usr/share/doc/certdeck/README.md usr/share/doc/certdeck/config.example; do
    [ -f "$root/$f" ] || fail "not installed: /$f"
done
ls "$root"/usr/share/zsh/*/_certdeck >/dev/null 2>&1 || fail "no zsh completion installed"
[ -x "$root/usr/bin/certdeck" ] || fail "/usr/bin/certdeck is not executable"
stray=$(cd "$root" && find . -type f | grep -v '^\./usr/' || true)
[ -z "$stray" ] || fail "installed outside the prefix: $stray"

# From /, with a bare environment: nothing of the build tree on PATH or in HOME.
run() {
    (cd / && env -i HOME="$tmp/home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$root/usr/bin/certdeck" "$@")
}
mkdir -p "$tmp/home"
out=$(run --version) || fail "--version exited $?"
echo "$out" | head -1 | grep -qE '^certdeck [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version: $out"
for lib in git: libcurl: OpenSSL: ncurses: cJSON: libmicrohttpd:; do
    echo "$out" | grep -q "^  $lib " || fail "--version does not show $lib: $out"
done
out=$(run --demo records -o csv) || fail "records --demo exited $?"
[ "$(echo "$out" | head -1 | cut -d, -f1)" = ID ] || fail "records: no CSV header: $(echo "$out" | head -2)"
[ "$(echo "$out" | wc -l)" -eq 21 ] || fail "records: $(echo "$out" | wc -l) lines, want 21"

# Themes come from the install prefix, never from the source tree.
realroot=$(cd "$root" && pwd -P)
out=$(run themes) || fail "themes exited $?"
[ "$(echo "$out" | wc -l)" -eq 4 ] || fail "themes: $out"
while IFS=$'\t' read -r name path; do
    case $path in
    "$realroot"/usr/share/certdeck/themes/"$name".theme) ;;
    *) fail "theme $name found at $path, not under the install prefix" ;;
    esac
done <<<"$out"
out=$(run --demo doctor) || fail "doctor --demo exited $?: $out"
echo "$out" | grep -qF "$realroot/usr/share/certdeck/themes (shipped)" ||
    fail "doctor does not name the shipped themes: $out"
printf 'theme high-contrast\nrefresh 10\n' >"$tmp/ok.conf"
out=$(run config --check "$tmp/ok.conf") || fail "config --check of a good file: $out"

# The man pages are the built ones, compressed.
gzip -dc "$root/usr/share/man/man1/certdeck.1.gz" | cmp -s - "$BUILD/doc/certdeck.1" ||
    fail "the installed certdeck.1.gz is not the built page"

# Uninstall: every file listed in the manifest goes, and certdeck's directories with them.
DESTDIR=$root cmake -DMANIFEST="$BUILD/install_manifest.txt" -P "$SRC/packaging/uninstall.cmake" \
    >"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log"; fail "uninstall exited $?"; }
left=$(cd "$root" && find . -type f)
[ -z "$left" ] || fail "left after uninstall: $left"
for d in usr/share/certdeck usr/share/doc/certdeck; do
    [ ! -e "$root/$d" ] || fail "$d left after uninstall"
done
echo "ok: installed to DESTDIR with prefix /usr; runs --version and the demo from /; themes from the prefix; uninstalled"
