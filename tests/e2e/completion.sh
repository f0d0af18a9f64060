#!/usr/bin/env bash
# The bash completion (completions/certdeck.bash) driven as bash drives it: COMP_WORDS and
# COMP_CWORD set, the function `complete -p` names called, COMPREPLY read. Commands, options
# per command (every option --help lists is offered somewhere), output formats, time zones,
# theme names from the binary (a user theme included), profile names from the SDK credentials
# file and ~/.tccli, option values after --opt=, and certdeck-emulator's options and faults.
set -u
BIN=${CERTDECK_BIN:?CERTDECK_BIN names the certdeck binary}
EMU=${CERTDECK_EMULATOR:?CERTDECK_EMULATOR names the emulator binary}
SRC=${CERTDECK_SOURCE_DIR:?CERTDECK_SOURCE_DIR names the source tree}
tmp=$(mktemp -d /tmp/certdeck-compl-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

export HOME=$tmp
unset TENCENTCLOUD_CREDENTIALS_FILE XDG_CONFIG_HOME XDG_DATA_HOME
mkdir -p "$HOME/.tencentcloud" "$HOME/.tccli" "$HOME/.config/certdeck/themes"
printf '[default]\nsecret_id = x\n\n[prod]\nsecret_id = y\n  [ staging ]  \n' \
    >"$HOME/.tencentcloud/credentials"
echo '{}' >"$HOME/.tccli/ops.credential"
echo '{}' >"$HOME/.tccli/prod.configure"
echo 'title = red' >"$HOME/.config/certdeck/themes/night.theme"

# shellcheck source=/dev/null
source "$SRC/completions/certdeck.bash" || fail "sourcing the completion failed"
spec=$(complete -p certdeck) || fail "no completion registered for certdeck"
fn=$(sed -n 's/.*-F \([^ ]*\) certdeck$/\1/p' <<<"$spec")
[ -n "$fn" ] || fail "complete -p certdeck: $spec"
efn=$(complete -p certdeck-emulator | sed -n 's/.*-F \([^ ]*\) certdeck-emulator$/\1/p')
[ -n "$efn" ] || fail "no completion function for certdeck-emulator"

# complete FUNCTION WORD...: the candidates for the last word, one per line, sorted.
complete_words() {
    local f=$1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$f"
    printf '%s\n' "${COMPREPLY[@]}" | sort -u
}
expect() { # expect "what" "got" word...: each word is a candidate
    local what=$1 got=$2 w
    shift 2
    for w in "$@"; do
        grep -qxF -- "$w" <<<"$got" || fail "$what: '$w' not offered; got: $(echo $got)"
    done
}
refuse() {
    local what=$1 got=$2 w
    shift 2
    for w in "$@"; do
        grep -qxF -- "$w" <<<"$got" && fail "$what: '$w' offered; got: $(echo $got)"
    done
    return 0
}

got=$(complete_words "$fn" "$BIN" "")
expect "commands" "$got" records detail rollback retry doctor keys themes config
refuse "commands" "$got" --demo
got=$(complete_words "$fn" "$BIN" --pro)
[ "$got" = --profile ] || fail "--pro completes to: $got"
got=$(complete_words "$fn" "$BIN" --profile "")
[ "$(echo $got)" = "default ops prod staging" ] || fail "profiles: $(echo $got)"
got=$(complete_words "$fn" "$BIN" --profile = st)
[ "$got" = staging ] || fail "--profile=st completes to: $got"
got=$(complete_words "$fn" "$BIN" records -o "")
[ "$(echo $got)" = "csv json table" ] || fail "-o: $(echo $got)"
got=$(complete_words "$fn" "$BIN" --theme "")
expect "themes" "$got" default light high-contrast mono night
got=$(complete_words "$fn" "$BIN" --language "")
expect "languages" "$got" zh-CN en-US
# --tz: local, utc and the tz database's names (from TZDIR: a stand-in database here).
mkdir -p "$tmp/zoneinfo/Europe" "$tmp/zoneinfo/posix/Europe"
printf 'TZif' >"$tmp/zoneinfo/Europe/Berlin"
printf 'TZif' >"$tmp/zoneinfo/posix/Europe/Berlin"
printf '#' >"$tmp/zoneinfo/zone.tab"
got=$(TZDIR=$tmp/zoneinfo complete_words "$fn" "$BIN" --tz "")
[ "$(echo $got)" = "Europe/Berlin local utc" ] || fail "--tz: $(echo $got)"
got=$(TZDIR=$tmp/zoneinfo complete_words "$fn" "$BIN" records --tz = Eu)
[ "$got" = Europe/Berlin ] || fail "--tz=Eu completes to: $got"
got=$(complete_words "$fn" "$BIN" --endpoint "")
expect "endpoints" "$got" https://ssl.tencentcloudapi.com https://ssl.intl.tencentcloudapi.com

# Options per command; option values are skipped when finding the command word.
got=$(complete_words "$fn" "$BIN" records --)
expect "records options" "$got" --all --old-cert --offset --limit --demo --output
refuse "records options" "$got" --yes --man --init
got=$(complete_words "$fn" "$BIN" --profile prod -o json retry 7 --)
expect "retry options" "$got" --item --yes
refuse "retry options" "$got" --all
got=$(complete_words "$fn" "$BIN" --theme light keys --)
expect "keys options" "$got" --man
got=$(complete_words "$fn" "$BIN" config --)
expect "config options" "$got" --init --check --example
touch "$tmp/my.conf"
got=$(complete_words "$fn" "$BIN" config --check "$tmp/my")
expect "config --check FILE" "$got" "$tmp/my.conf"

# Every option --help lists is offered with some command.
commands=$(complete_words "$fn" "$BIN" "")
# Every command --help names is offered as a command.
for c in $("$BIN" --help | grep -oE '^ *(usage: )?certdeck( \[options\])? [a-z]+' | awk '{print $NF}' | sort -u); do
    grep -qxF -- "$c" <<<"$commands" || fail "--help names the command $c but completion does not offer it"
done
all=$(for c in "" $commands; do
    complete_words "$fn" "$BIN" $c --
done | sort -u)
for opt in $("$BIN" --help | grep -oE -- '(^|[ ,|[])--[A-Za-z][A-Za-z-]*' | sed 's/^[ ,|[]*//' | sort -u); do
    grep -qxF -- "$opt" <<<"$all" || fail "--help lists $opt but no completion offers it"
done

# certdeck-emulator: every option of its --help, fault names, paging modes.
got=$(complete_words "$efn" "$EMU" --)
for opt in $("$EMU" --help | grep -oE -- '(^|[ ,|[])--[A-Za-z][A-Za-z-]*' | sed 's/^[ ,|[]*//' | sort -u); do
    grep -qxF -- "$opt" <<<"$got" || fail "certdeck-emulator --help lists $opt, not completed"
done
got=$(complete_words "$efn" "$EMU" --fault http)
[ "$(echo $got)" = "http-500 http-503" ] || fail "--fault http: $(echo $got)"
got=$(complete_words "$efn" "$EMU" --paging "")
[ "$(echo $got)" = "flat group" ] || fail "--paging: $(echo $got)"

if command -v zsh >/dev/null 2>&1; then
    zsh -n "$SRC/completions/_certdeck" || fail "zsh -n _certdeck"
fi
echo "ok: bash completion offers commands, options, formats, themes, profiles; emulator too"
