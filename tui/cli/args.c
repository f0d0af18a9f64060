/* certdeck's command line: the usage text, the option table and parsing into struct cli. */
#include "tui/cli/args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "tui/about.h"
#include "tui/cli/radar.h"
#include "tui/keymap.h"

const char cli_usage_text[] =
    "usage: certdeck [options]                 open the TUI\n"
    "       certdeck [options] records [--old-cert ID] [--all] [--offset N] [--limit N]\n"
    "       certdeck [options] detail ID [--all] [--offset N] [--limit N]\n"
    "       certdeck [options] rollback ID [--yes]\n"
    "       certdeck [options] retry ID | retry --item DETAIL_ID [--yes]\n"
    "       certdeck [options] update --old-cert ID --cert FILE --key FILE --types clb[,waf,…]\n"
    "                [--regions TYPE:REGION[,REGION…]]… [--yes] [--no-wait] [--force] [--check]\n"
    "                                          push a renewed certificate (pre-flight first)\n"
    "       certdeck [options] wait ID [--timeout SECONDS] [--interval SECONDS]\n"
    "                                          until the record's latest run stops moving\n"
    "       certdeck [options] errors ID [--run N]   failed items grouped by error template\n"
    "       certdeck [options] retry ID --template N [--run N] [--yes]\n"
    "                                          retry each failed item of template N, once\n"
    "       certdeck [options] radar [--since YYYY-MM-DD]\n"
    "                                          per certificate: failures, rollbacks; instances\n"
    "                                          that failed in two records or more\n"
    "       certdeck [options] doctor           where credentials come from; does the API answer\n"
    "       certdeck keys [--man]               the key bindings of the TUI\n"
    "       certdeck themes                     the themes found: NAME and file\n"
    "       certdeck config --init | --check [FILE] | --example\n"
    "                                           write, validate or print the configuration\n"
    "\n"
    "options:\n"
    "  --demo               run against the built-in emulator on 127.0.0.1 (no account needed)\n"
    "  --endpoint URL       API endpoint (default https://ssl.tencentcloudapi.com)\n"
    "  --profile NAME       credentials profile (~/.tencentcloud/credentials, ~/.tccli)\n"
    "  -o, --output FMT     batch output: table (default), json, csv\n"
    "  --csv-raw            CSV cells that start like a formula (= + - @) keep no ' prefix\n"
    "  --timeout SECONDS    per request (default 30)\n"
    "  --rate N             requests per second, whole process (default 20)\n"
    "  --cacert FILE        trust this CA bundle\n"
    "  --insecure           do not verify TLS certificates (unsafe)\n"
    "  --allow-http         allow plain http:// to a non-loopback endpoint (unsafe)\n"
    "  --language LANG      API messages in zh-CN or en-US\n"
    "  --config FILE        configuration file (default $XDG_CONFIG_HOME/certdeck/config)\n"
    "  --theme NAME         default, light, high-contrast, mono, or a file path\n"
    "  --no-color           monochrome (also when NO_COLOR is set)\n"
    "  --refresh SECONDS    auto-refresh interval, 0 for manual only (default 30)\n"
    "  --read-only          refuse rollback and retry\n"
    "  --tz ZONE            show times in ZONE: local (default), utc, or a tz-database name\n"
    "                       such as Europe/Berlin; JSON output keeps the API's own times\n"
    "  --mouse              enable the mouse in the TUI\n"
    "  -V, --version        version, git describe and library versions\n"
    "  -h, --help           this text\n"
    "\n"
    "exit codes: 0 success, 1 API error, 2 usage, 3 network or TLS error,\n"
    "  4 update, wait: the pre-flight failed, or the task finished without succeeding\n"
    "    (failed, rolled back, rollback failed),\n"
    "  5 wait: timed out. After `wait`, --timeout is how long to wait in all (default: no\n"
    "    limit) and --interval the time between polls (default 5),\n"
    "  6 a rollback or retry was sent but its outcome is unknown (check the record),\n"
    "  7 the output could not be written (disk full, reader gone)\n";

enum opt_id {
    OPT_DEMO = 256,
    OPT_ENDPOINT,
    OPT_PROFILE,
    OPT_TIMEOUT,
    OPT_RATE,
    OPT_CACERT,
    OPT_INSECURE,
    OPT_LANGUAGE,
    OPT_CONFIG,
    OPT_THEME,
    OPT_NO_COLOR,
    OPT_REFRESH,
    OPT_READ_ONLY,
    OPT_MOUSE,
    OPT_VERSION,
    OPT_HELP,
    OPT_OLD_CERT,
    OPT_ALL,
    OPT_OFFSET,
    OPT_LIMIT,
    OPT_ITEM,
    OPT_INTERVAL,
    OPT_YES,
    OPT_DATASET,
    OPT_SEED,
    OPT_SCRIPT,
    OPT_SIZE,
    OPT_CERT,
    OPT_KEY,
    OPT_TYPES,
    OPT_REGIONS,
    OPT_NO_WAIT,
    OPT_FORCE,
    OPT_CHECK,
    OPT_RUN,
    OPT_TEMPLATE,
    OPT_MAN,
    OPT_INIT,
    OPT_EXAMPLE,
    OPT_CSV_RAW,
    OPT_ALLOW_HTTP,
    OPT_SINCE,
    OPT_TZ,
};

static const struct option long_options[] = {
    {"demo", no_argument, NULL, OPT_DEMO},
    {"endpoint", required_argument, NULL, OPT_ENDPOINT},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"output", required_argument, NULL, 'o'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"rate", required_argument, NULL, OPT_RATE},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"language", required_argument, NULL, OPT_LANGUAGE},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"theme", required_argument, NULL, OPT_THEME},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"refresh", required_argument, NULL, OPT_REFRESH},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"mouse", no_argument, NULL, OPT_MOUSE},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {"old-cert", required_argument, NULL, OPT_OLD_CERT},
    {"all", no_argument, NULL, OPT_ALL},
    {"offset", required_argument, NULL, OPT_OFFSET},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"item", required_argument, NULL, OPT_ITEM},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"yes", no_argument, NULL, OPT_YES},
    {"run", required_argument, NULL, OPT_RUN},
    {"template", required_argument, NULL, OPT_TEMPLATE},
    {"csv-raw", no_argument, NULL, OPT_CSV_RAW},
    {"allow-http", no_argument, NULL, OPT_ALLOW_HTTP},
    {"since", required_argument, NULL, OPT_SINCE},
    {"tz", required_argument, NULL, OPT_TZ},
    /* For tests and demos: the emulator's data, and the TUI's scripted mode. */
    {"dataset", required_argument, NULL, OPT_DATASET},
    {"seed", required_argument, NULL, OPT_SEED},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"size", required_argument, NULL, OPT_SIZE},
    /* update */
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"types", required_argument, NULL, OPT_TYPES},
    {"regions", required_argument, NULL, OPT_REGIONS},
    {"no-wait", no_argument, NULL, OPT_NO_WAIT},
    {"force", no_argument, NULL, OPT_FORCE},
    /* Sub-options: keys --man; config --init | --check | --example (--check: update too). */
    {"man", no_argument, NULL, OPT_MAN},
    {"init", no_argument, NULL, OPT_INIT},
    {"check", no_argument, NULL, OPT_CHECK},
    {"example", no_argument, NULL, OPT_EXAMPLE},
    {NULL, 0, NULL, 0},
};

int cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "certdeck: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'certdeck --help'.\n");
    return CLI_EXIT_USAGE;
}

int cli_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

int cli_parse_args(int argc, char **argv, struct cli *c)
{
    int ch;
    int64_t v;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "+:o:hV", long_options, NULL)) != -1) {
        switch (ch) {
        case OPT_DEMO:
            c->demo = true;
            break;
        case OPT_ENDPOINT:
            c->endpoint = optarg;
            break;
        case OPT_PROFILE:
            c->profile = optarg;
            break;
        case 'o':
            if (!strcmp(optarg, "table"))
                c->format = BATCH_TABLE;
            else if (!strcmp(optarg, "json"))
                c->format = BATCH_JSON;
            else if (!strcmp(optarg, "csv"))
                c->format = BATCH_CSV;
            else
                return cli_usage_error("unknown output format '%s' (table, json or csv)", optarg);
            break;
        case OPT_TIMEOUT:
            if (c->wait_cmd) {
                if (cli_parse_double(optarg, 0.1, 31536000, &c->wait_timeout_s))
                    return cli_usage_error("wait --timeout takes seconds, not '%s'", optarg);
                break;
            }
            if (cli_parse_double(optarg, 0.1, 3600, &c->timeout_s))
                return cli_usage_error("--timeout takes seconds between 0.1 and 3600, not '%s'",
                                       optarg);
            break;
        case OPT_RATE:
            if (cli_parse_double(optarg, 0.1, 1000, &c->rate))
                return cli_usage_error("--rate takes requests per second (0.1-1000), not '%s'",
                                       optarg);
            break;
        case OPT_CACERT:
            c->cacert = optarg;
            break;
        case OPT_INSECURE:
            c->insecure = true;
            break;
        case OPT_LANGUAGE:
            if (strcmp(optarg, "zh-CN") && strcmp(optarg, "en-US"))
                return cli_usage_error("--language is zh-CN or en-US, not '%s'", optarg);
            c->language = optarg;
            break;
        case OPT_CONFIG:
            c->config = optarg;
            break;
        case OPT_THEME:
            c->theme = optarg;
            break;
        case OPT_NO_COLOR:
            c->no_color = true;
            break;
        case OPT_REFRESH:
            if (cli_parse_int(optarg, 0, 86400, &v))
                return cli_usage_error("--refresh takes seconds (0 for manual), not '%s'", optarg);
            c->refresh = (long)v;
            break;
        case OPT_READ_ONLY:
            c->read_only = true;
            break;
        case OPT_MOUSE:
            c->mouse = true;
            break;
        case OPT_OLD_CERT:
            c->old_cert = optarg;
            break;
        case OPT_ALL:
            c->all = true;
            break;
        case OPT_OFFSET:
            if (cli_parse_int(optarg, 0, INT64_MAX, &c->offset))
                return cli_usage_error("--offset takes a number >= 0, not '%s'", optarg);
            break;
        case OPT_LIMIT:
            if (cli_parse_int(optarg, 1, 1000, &c->limit))
                return cli_usage_error("--limit takes a number from 1 to 1000, not '%s'", optarg);
            break;
        case OPT_ITEM:
            if (cli_parse_int(optarg, 0, INT64_MAX, &c->item))
                return cli_usage_error("--item takes a detail item Id, not '%s'", optarg);
            break;
        case OPT_CERT:
            c->upd.cert_file = optarg;
            break;
        case OPT_KEY:
            c->upd.key_file = optarg;
            break;
        case OPT_TYPES:
            c->upd.types = optarg;
            break;
        case OPT_REGIONS:
            if (update_add_regions(&c->upd, optarg) != 0)
                return cli_usage_error("too many --regions (at most %s)", "32");
            break;
        case OPT_NO_WAIT:
            c->upd.no_wait = true;
            break;
        case OPT_FORCE:
            c->upd.force = true;
            break;
        case OPT_CHECK: /* update --check, config --check */
            c->upd.check = true;
            c->cfg_check = true;
            break;
        case OPT_YES:
            c->yes = true;
            break;
        case OPT_INTERVAL:
            if (cli_parse_double(optarg, 0.1, 3600, &c->wait_interval_s))
                return cli_usage_error("--interval takes seconds between 0.1 and 3600, not '%s'",
                                       optarg);
            break;
        case OPT_RUN:
            if (cli_parse_int(optarg, 1, 1000000, &c->run))
                return cli_usage_error(
                    "--run takes a run number from 1 (as 'detail' lists), not '%s'", optarg);
            break;
        case OPT_TEMPLATE:
            if (cli_parse_int(optarg, 1, 1000000, &c->template_n))
                return cli_usage_error("--template takes a number from 'certdeck errors', not '%s'",
                                       optarg);
            break;
        case OPT_CSV_RAW:
            c->csv_raw = true;
            break;
        case OPT_ALLOW_HTTP:
            c->allow_http = true;
            break;
        case OPT_SINCE:
            if (!radar_since_valid(optarg))
                return cli_usage_error("--since takes a date YYYY-MM-DD, not '%s'", optarg);
            c->since = optarg;
            break;
        case OPT_TZ: /* checked against the tz database at startup (main.c) */
            c->tz = optarg;
            break;
        case OPT_DATASET:
            c->dataset = optarg;
            break;
        case OPT_SEED:
            if (cli_parse_int(optarg, 1, INT64_MAX, &v))
                return cli_usage_error("--seed takes a positive number, not '%s'", optarg);
            c->seed = (uint64_t)v;
            break;
        case OPT_SCRIPT:
            c->script = optarg;
            break;
        case OPT_SIZE:
            if (sscanf(optarg, "%dx%d", &c->cols, &c->lines) != 2 || c->cols < 10 || c->lines < 3 ||
                c->cols > 1000 || c->lines > 1000)
                return cli_usage_error("--size takes COLSxLINES, e.g. 80x24, not '%s'", optarg);
            break;
        case OPT_MAN:
            c->man = true;
            break;
        case OPT_INIT:
            c->cfg_init = true;
            break;
        case OPT_EXAMPLE:
            c->cfg_example = true;
            break;
        case OPT_VERSION:
        case 'V':
            about_print_version(stdout);
            exit(0);
        case OPT_HELP:
        case 'h':
            fputs(cli_usage_text, stdout);
            exit(0);
        case ':':
            return cli_usage_error("option %s needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    return 0;
}

/* Parses the rest of argv after the command word (options may follow the command). */
int cli_parse_rest(int argc, char **argv, struct cli *c, char ***pos, int *npos)
{
    *pos = xcalloc((size_t)argc + 1, sizeof(char *));
    *npos = 0;
    while (optind < argc) {
        if (argv[optind][0] != '-' || !strcmp(argv[optind], "-")) {
            if (*npos == 0 && !strcmp(argv[optind], "wait")) c->wait_cmd = true;
            (*pos)[(*npos)++] = argv[optind++];
            continue;
        }
        int rc = cli_parse_args(argc, argv, c);
        if (rc) return rc;
    }
    return 0;
}
