#!/usr/bin/env bash
# The Debian package: CPack builds certdeck_<version>_<arch>.deb from this build directory,
# its control file names the runtime libraries (dpkg-shlibdeps), it holds the binaries, themes,
# man pages and completions under /usr, and the binaries extracted into a scratch root
# (`dpkg -x`) run --version and a demo batch command from /.
set -u
if ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "SKIP: dpkg-deb is not installed (not a Debian system)"
    exit 0
fi
BIN=${CERTDECK_BIN:?CERTDECK_BIN names the certdeck binary}
BUILD=$(cd "$(dirname "$BIN")" && pwd)
tmp=$(mktemp -d /tmp/certdeck-deb-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

cpack --config "$BUILD/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log"; fail "cpack exited $?"; }
version=$("$BIN" --version | head -1 | cut -d' ' -f2)
arch=$(dpkg --print-architecture)
deb=$tmp/pkg/certdeck_${version}_${arch}.deb
[ -f "$deb" ] || fail "no $deb; cpack made: $(ls "$tmp/pkg")"

info=$(dpkg-deb -I "$deb") || fail "dpkg-deb -I exited $?"
echo "$info" | grep -q "^ Package: certdeck$" || fail "Package: $info"
echo "$info" | grep -q "^ Version: $version$" || fail "Version: $info"
echo "$info" | grep -q "^ Architecture: $arch$" || fail "Architecture: $info"
depends=$(echo "$info" | sed -n 's/^ Depends: //p')
for lib in libc6 libcurl4 libssl3 libcjson1 libmicrohttpd12 libncursesw6 libtinfo6; do
    echo "$depends" | grep -q "\b$lib\b" || fail "Depends lacks $lib: $depends"
done

contents=$(dpkg-deb -c "$deb") || fail "dpkg-deb -c exited $?"
for f in ./usr/bin/certdeck ./usr/bin/certdeck-emulator ./usr/share/certdeck/themes/mono.theme \
    ./usr/share/man/man1/certdeck.1.gz ./usr/share/man/man1/certdeck-emulator.1.gz \
    ./usr/share/bash-completion/completions/certdeck ./usr/share/doc/certdeck/config.example; do
    echo "$contents" | grep -q " $f$" || fail "the package lacks $f"
done
echo "$contents" | grep -vq ' \./usr/' && fail "files outside /usr: $(echo "$contents" | grep -v ' \./usr/')"

dpkg -x "$deb" "$tmp/root" || fail "dpkg -x exited $?"
run() {
    (cd / && env -i HOME="$tmp" PATH=/usr/bin:/bin LANG=C.UTF-8 "$tmp/root/usr/bin/certdeck" "$@")
}
out=$(run --version) || fail "--version from the package exited $?"
[ "$(echo "$out" | head -1)" = "certdeck $version" ] || fail "--version: $out"
out=$(run --demo detail 2 -o json) || fail "detail --demo from the package exited $?"
echo "$out" | grep -q '"DeployRecordDetail"' || fail "detail 2: $out"
out=$(run themes) || fail "themes exited $?"
echo "$out" | grep -q "^light	$(cd "$tmp/root" && pwd -P)/usr/share/certdeck/themes/light.theme$" ||
    fail "themes from the package: $out"
"$tmp/root/usr/bin/certdeck-emulator" --version | grep -q "^certdeck-emulator $version" ||
    fail "certdeck-emulator --version from the package"
echo "ok: $(basename "$deb") built; Depends: $depends; runs from a dpkg -x root"
