# bash completion for certdeck and certdeck-emulator. Plain bash (complete -F): it needs no
# bash-completion helpers, and bash-completion loads it from
# share/bash-completion/completions/{certdeck,certdeck-emulator}.
#
# certdeck: commands, options, output formats, languages, endpoints, time zones, theme names
# (`certdeck themes`) and profile names: [sections] of $TENCENTCLOUD_CREDENTIALS_FILE or
# ~/.tencentcloud/credentials, and ~/.tccli/NAME.credential / NAME.configure.

_certdeck_profiles()
{
    local f=${TENCENTCLOUD_CREDENTIALS_FILE:-$HOME/.tencentcloud/credentials} c
    if [[ -r $f ]]; then
        sed -n 's/^[[:space:]]*\[[[:space:]]*\([^][:space:]]*\)[[:space:]]*\][[:space:]]*$/\1/p' "$f"
    fi
    for c in "$HOME"/.tccli/*.credential "$HOME"/.tccli/*.configure; do
        [[ -e $c ]] || continue
        c=${c##*/}
        printf '%s\n' "${c%.*}"
    done
}

_certdeck_themes()
{
    local bin=${1/#\~/$HOME} out
    out=$("$bin" themes 2>/dev/null) || out=$(certdeck themes 2>/dev/null)
    if [[ -n $out ]]; then
        printf '%s\n' "$out" | cut -f1
    else
        printf '%s\n' default high-contrast light mono
    fi
}

# local, utc and the tz database's zone names (Area/City: the files under $TZDIR or
# /usr/share/zoneinfo whose path starts with a capital; not posix/ or right/).
_certdeck_zones()
{
    local d=${TZDIR:-/usr/share/zoneinfo}
    printf '%s\n' local utc
    [[ -d $d ]] && (cd "$d" && find . -type f -path './[A-Z]*' 2>/dev/null | sed 's|^\./||')
}

_certdeck_reply()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_certdeck()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev='' i w cmd=''
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    # --opt=value: bash splits it at '=' (COMP_WORDBREAKS) into --opt, =, value.
    [[ $cur == = ]] && return
    [[ $prev == = && COMP_CWORD -ge 2 ]] && prev=${COMP_WORDS[COMP_CWORD - 2]}

    local valued=' --endpoint --profile -o --output --timeout --rate --cacert --language --config --theme --refresh --old-cert --offset --limit --item --dataset --seed --script --size --interval --run --template --cert --key --types --regions --since --tz '
    case $prev in
    --profile)
        _certdeck_reply "$(_certdeck_profiles | sort -u)" "$cur"
        return
        ;;
    -o | --output)
        _certdeck_reply $'table\njson\ncsv' "$cur"
        return
        ;;
    --theme)
        _certdeck_reply "$(_certdeck_themes "${COMP_WORDS[0]}")" "$cur"
        [[ $cur == */* ]] && COMPREPLY+=($(compgen -f -- "$cur"))
        return
        ;;
    --language)
        _certdeck_reply $'zh-CN\nen-US' "$cur"
        return
        ;;
    --tz)
        _certdeck_reply "$(_certdeck_zones)" "$cur"
        return
        ;;
    --endpoint)
        _certdeck_reply "$(printf 'https://ssl.%stencentcloudapi.com\n' '' intl. \
            ap-guangzhou. ap-shanghai. ap-beijing. ap-hongkong. ap-singapore.)" "$cur"
        return
        ;;
    --config | --cacert | --dataset | --script | --cert | --key)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --types)
        _certdeck_reply "$(printf '%s\n' clb cdn waf live ddos teo apigateway vod tke cos tse tcb lighthouse)" "$cur"
        return
        ;;
    --timeout | --rate | --refresh | --old-cert | --offset | --limit | --item | --seed | --size | \
        --interval | --run | --template | --regions | --since)
        return
        ;;
    esac

    # The command word: the first word that is neither an option nor an option's value.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            if [[ ${COMP_WORDS[i + 1]} == = ]]; then
                ((i += 2))
            elif [[ $valued == *" $w "* ]]; then
                ((i++))
            fi
            continue
        fi
        cmd=$w
        break
    done

    local global='--demo --endpoint --profile --output --timeout --rate --cacert --insecure
                  --allow-http --csv-raw
                  --language --config --theme --no-color --refresh --read-only --mouse --tz
                  --version --help'
    local extra=''
    case $cmd in
    '')
        if [[ $cur != -* ]]; then
            _certdeck_reply $'records\ndetail\nrollback\nretry\nerrors\nradar\nwait\nupdate\ndoctor\nkeys\nthemes\nconfig' "$cur"
            return
        fi
        extra='--old-cert'
        ;;
    records) extra='--old-cert --all --offset --limit' ;;
    detail) extra='--all --offset --limit' ;;
    rollback) extra='--yes' ;;
    retry) extra='--item --yes --template --run' ;;
    errors) extra='--run' ;;
    radar) extra='--since' ;;
    wait) extra='--interval' ;;
    update) extra='--old-cert --cert --key --types --regions --yes --no-wait --force --check' ;;
    keys) extra='--man' ;;
    config)
        if [[ $prev == --check && $cur != -* ]]; then
            COMPREPLY=($(compgen -f -- "$cur"))
            return
        fi
        extra='--init --check --example'
        ;;
    esac
    local words
    words=$(printf '%s\n' $global $extra)
    _certdeck_reply "$words" "$cur"
}

_certdeck_emulator()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=''
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    case $prev in
    --dataset)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --paging)
        _certdeck_reply $'group\nflat' "$cur"
        return
        ;;
    --fault)
        _certdeck_reply "$(printf '%s\n' http-500 http-503 reset timeout truncated garbage huge \
            wrong-types rate-limit internal)" "$cur"
        return
        ;;
    --fault-kinds)
        _certdeck_reply "$(printf '%s\n' http-500 http-503 reset timeout truncated garbage huge \
            wrong-types rate-limit internal)" "$cur"
        return
        ;;
    --secret-key-file)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --listen | --secret-id | --secret-key | --token | --rate | --latency-ms | --seed | --records | \
        --max-instances | --fault-rate | --fault-seed | --clock)
        return
        ;;
    esac
    _certdeck_reply "$(printf '%s\n' --listen --allow-remote --secret-id --secret-key --token \
        --rate --latency-ms --seed --records --max-instances --dataset --paging --fault --log \
        --secret-key-file --fault-rate --fault-seed --fault-kinds --clock \
        --help --version)" "$cur"
}

complete -F _certdeck certdeck
complete -F _certdeck_emulator certdeck-emulator
