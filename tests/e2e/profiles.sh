#!/usr/bin/env bash
# :profile and :endpoint in the TUI, through the real binary in scripted mode against a
# standalone emulator that accepts one key pair: the session starts on a profile whose key the
# server refuses, the picker lists the profiles of the credentials file (never a secret), and
# switching to the good one loads the records; :endpoint to a dead port is refused and the
# session keeps working; a profile that does not exist leaves the session as it was.
set -u
BIN=${CERTDECK_BIN:?CERTDECK_BIN names the certdeck binary}
EMU=${CERTDECK_EMULATOR:?CERTDECK_EMULATOR names the emulator binary}
tmp=$(mktemp -d)
emu_pid=
cleanup() {
    [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

mkdir -p "$tmp/home/.tencentcloud" "$tmp/home/.tccli"
cat >"$tmp/home/.tencentcloud/credentials" <<'INI'
[default]
secret_id = AKIDwrongWrongWrong000000000
secret_key = wrongSecretKeyValue0000

[good]
secret_id = AKIDgoodGoodGood1111111111
secret_key = goodSecretKeyValue1111
INI
chmod 600 "$tmp/home/.tencentcloud/credentials"
echo '{"secretId": "AKIDtccliTccli22222222", "secretKey": "tccliSecretKeyValue2222"}' \
    >"$tmp/home/.tccli/work.credential"

"$EMU" --secret-id AKIDgoodGoodGood1111111111 --secret-key goodSecretKeyValue1111 \
    >"$tmp/emu.out" 2>"$tmp/emu.err" &
emu_pid=$!
for _ in $(seq 100); do
    url=$(sed -n 's/^listening on //p' "$tmp/emu.out")
    [ -n "$url" ] && break
    sleep 0.05
done
[ -n "$url" ] || fail "the emulator did not start: $(cat "$tmp/emu.err")"

cat >"$tmp/script" <<SCRIPT
wait-text AuthFailure.SecretIdNotFound
:profile
wait-text Defined in
save-display $tmp/picker.txt
:profile nosuch
wait-idle
save-display $tmp/nosuch.txt
keys /good
key Enter
key Enter
wait-text switched to profile good
wait-idle
save-display $tmp/good.txt
:endpoint http://127.0.0.1:1
wait-idle
save-display $tmp/dead.txt
:endpoint
wait-text Endpoints
save-display $tmp/endpoints.txt
:endpoint not/an endpoint
save-display $tmp/bad.txt
SCRIPT
env -u TENCENTCLOUD_SECRET_ID -u TENCENTCLOUD_SECRET_KEY -u TENCENTCLOUD_CREDENTIALS_FILE \
    -u TCCLI_PROFILE HOME="$tmp/home" \
    "$BIN" --endpoint "$url" --script "$tmp/script" --size 120x24 >"$tmp/out" 2>"$tmp/err" ||
    fail "the scripted run failed: $(cat "$tmp/err")"

grep -q 'default' "$tmp/picker.txt" || fail "the picker does not list [default]"
grep -q 'good .*credentials' "$tmp/picker.txt" || fail "the picker does not list [good]"
grep -q 'work .*work.credential' "$tmp/picker.txt" || fail "the picker does not list tccli's work"
grep -q '^\* *default' "$tmp/picker.txt" || fail "the current profile is not marked"
for f in "$tmp"/*.txt; do
    grep -qE 'SecretKeyValue|AKIDwrong|AKIDgood|AKIDtccli' "$f" && fail "$(basename "$f") shows a credential"
done
grep -q 'cannot switch: profile "nosuch" not found' "$tmp/nosuch.txt" ||
    fail "a missing profile is not reported: $(tail -1 "$tmp/nosuch.txt")"
grep -q 'Records' "$tmp/good.txt" && grep -qE '^ *[0-9]+ ' "$tmp/good.txt" ||
    fail "the records did not load after switching: $(cat "$tmp/good.txt")"
grep -q 'good' "$tmp/good.txt" || fail "the status line does not name the new profile"
grep -q 'http://127.0.0.1:1' "$tmp/dead.txt" || fail "the endpoint switch is not shown"
grep -qE 'network|connect' "$tmp/dead.txt" || fail "a dead endpoint is not reported: $(tail -1 "$tmp/dead.txt")"
grep -q 'ssl.intl.tencentcloudapi.com' "$tmp/endpoints.txt" || fail "the endpoint picker lists no intl site"
grep -q '^\* *http://127.0.0.1:1' "$tmp/endpoints.txt" || fail "the current endpoint is not marked"
grep -q ":endpoint takes a URL" "$tmp/bad.txt" || fail "a bad :endpoint is not refused"
echo "ok: the picker lists 3 profiles, switching loads the records, bad switches are refused"
