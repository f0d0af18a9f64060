/* certdeck's entry point: parses the command line, finds credentials and configuration, builds
 * the API client (or starts the emulator in-process for --demo), then runs the TUI or a batch
 * command. Only startup errors exit here, each with one line that says what to do. */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/api.h"
#include "core/creds.h"
#include "core/emulator/emulator.h"
#include "core/sanitize.h"
#include "core/secmem.h"
#include "core/util.h"
#include "tui/about.h"
#include "tui/app/app.h"
#include "tui/cli/batch.h"
#include "tui/cli/update.h"
#include "tui/cli/wait.h"
#include "tui/cli/errors.h"
#include "tui/cli/config_cmd.h"
#include "tui/cli/output.h"
#include "tui/cli/radar.h"
#include "tui/config.h"
#include "tui/connect.h"
#include "tui/keymap.h"
#include "tui/text.h"

enum { EXIT_API = 1, EXIT_USAGE = 2, EXIT_NET = 3 };

static const char usage_text[] =
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

struct cli {
    bool demo, insecure, no_color, read_only, mouse, all, yes, csv_raw, allow_http;
    bool man, cfg_init, cfg_check, cfg_example;
    const char *endpoint, *profile, *cacert, *language, *config, *theme;
    const char *old_cert, *dataset, *script;
    enum batch_format format;
    double timeout_s, rate;
    long refresh; /* -1: from config */
    int64_t offset, limit, item;
    uint64_t seed;
    int cols, lines;
    struct update_options upd;
    bool wait_cmd; /* the command is `wait`: --timeout after it is the wait's own */
    double wait_timeout_s, wait_interval_s;
    int64_t run, template_n; /* errors, retry --template: 0 when not given */
    const char *since;       /* radar: YYYY-MM-DD */
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "certdeck: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'certdeck --help'.\n");
    return EXIT_USAGE;
}

static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, struct cli *c)
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
                return usage_error("unknown output format '%s' (table, json or csv)", optarg);
            break;
        case OPT_TIMEOUT:
            if (c->wait_cmd) {
                if (parse_double(optarg, 0.1, 31536000, &c->wait_timeout_s))
                    return usage_error("wait --timeout takes seconds, not '%s'", optarg);
                break;
            }
            if (parse_double(optarg, 0.1, 3600, &c->timeout_s))
                return usage_error("--timeout takes seconds between 0.1 and 3600, not '%s'",
                                   optarg);
            break;
        case OPT_RATE:
            if (parse_double(optarg, 0.1, 1000, &c->rate))
                return usage_error("--rate takes requests per second (0.1-1000), not '%s'", optarg);
            break;
        case OPT_CACERT:
            c->cacert = optarg;
            break;
        case OPT_INSECURE:
            c->insecure = true;
            break;
        case OPT_LANGUAGE:
            if (strcmp(optarg, "zh-CN") && strcmp(optarg, "en-US"))
                return usage_error("--language is zh-CN or en-US, not '%s'", optarg);
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
            if (parse_int(optarg, 0, 86400, &v))
                return usage_error("--refresh takes seconds (0 for manual), not '%s'", optarg);
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
            if (parse_int(optarg, 0, INT64_MAX, &c->offset))
                return usage_error("--offset takes a number >= 0, not '%s'", optarg);
            break;
        case OPT_LIMIT:
            if (parse_int(optarg, 1, 1000, &c->limit))
                return usage_error("--limit takes a number from 1 to 1000, not '%s'", optarg);
            break;
        case OPT_ITEM:
            if (parse_int(optarg, 0, INT64_MAX, &c->item))
                return usage_error("--item takes a detail item Id, not '%s'", optarg);
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
                return usage_error("too many --regions (at most %s)", "32");
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
            if (parse_double(optarg, 0.1, 3600, &c->wait_interval_s))
                return usage_error("--interval takes seconds between 0.1 and 3600, not '%s'",
                                   optarg);
            break;
        case OPT_RUN:
            if (parse_int(optarg, 1, 1000000, &c->run))
                return usage_error("--run takes a run number from 1 (as 'detail' lists), not '%s'",
                                   optarg);
            break;
        case OPT_TEMPLATE:
            if (parse_int(optarg, 1, 1000000, &c->template_n))
                return usage_error("--template takes a number from 'certdeck errors', not '%s'",
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
                return usage_error("--since takes a date YYYY-MM-DD, not '%s'", optarg);
            c->since = optarg;
            break;
        case OPT_DATASET:
            c->dataset = optarg;
            break;
        case OPT_SEED:
            if (parse_int(optarg, 1, INT64_MAX, &v))
                return usage_error("--seed takes a positive number, not '%s'", optarg);
            c->seed = (uint64_t)v;
            break;
        case OPT_SCRIPT:
            c->script = optarg;
            break;
        case OPT_SIZE:
            if (sscanf(optarg, "%dx%d", &c->cols, &c->lines) != 2 || c->cols < 10 || c->lines < 3 ||
                c->cols > 1000 || c->lines > 1000)
                return usage_error("--size takes COLSxLINES, e.g. 80x24, not '%s'", optarg);
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
            fputs(usage_text, stdout);
            exit(0);
        case ':':
            return usage_error("option %s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    return 0;
}

/* Parses the rest of argv after the command word (options may follow the command). */
static int parse_rest(int argc, char **argv, struct cli *c, char ***pos, int *npos)
{
    *pos = xcalloc((size_t)argc + 1, sizeof(char *));
    *npos = 0;
    while (optind < argc) {
        if (argv[optind][0] != '-' || !strcmp(argv[optind], "-")) {
            if (*npos == 0 && !strcmp(argv[optind], "wait")) c->wait_cmd = true;
            (*pos)[(*npos)++] = argv[optind++];
            continue;
        }
        int rc = parse_args(argc, argv, c);
        if (rc) return rc;
    }
    return 0;
}

/* ---- doctor --------------------------------------------------------------------------------- */

static void print_proxy_env(void)
{
    static const char *const names[] = {"https_proxy", "HTTPS_PROXY", "http_proxy",
                                        "all_proxy",   "ALL_PROXY",   "no_proxy"};
    bool any = false;
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        const char *v = getenv(names[i]);
        if (!v || !*v) continue;
        /* A proxy URL may carry user:password@; show only scheme and host. */
        const char *at = strrchr(v, '@');
        const char *scheme_end = strstr(v, "://");
        char *shown;
        if (at && scheme_end && at > scheme_end)
            shown = xasprintf("%.*s://***@%s", (int)(scheme_end - v), v, at + 1);
        else
            shown = xstrdup(v);
        char *clean = sanitize_dup(shown);
        printf("  %-13s %s=%s\n", any ? "" : "proxy:", names[i], clean);
        free(clean);
        free(shown);
        any = true;
    }
    if (!any) printf("  %-13s none (https_proxy / no_proxy are honoured)\n", "proxy:");
}

static int doctor(struct api_client *api, const struct cli *c, const struct creds *cr,
                  const char *cred_warning, const struct config *cfg)
{
    char masked[64];
    creds_mask_id(cr->secret_id, masked, sizeof masked);
    char *source = sanitize_dup(cr->source);
    char *endpoint = sanitize_dup(api_client_endpoint(api));
    printf("certdeck %s (git %s)\n", CERTDECK_VERSION, CERTDECK_GIT_DESCRIBE);
    printf("  %-13s %s\n", "endpoint:", endpoint);
    printf("  %-13s %s\n", "credentials:", source);
    printf("  %-13s %s%s\n", "SecretId:", masked,
           creds_has_token(cr) ? " (temporary, with session token)" : "");
    if (cred_warning && *cred_warning) printf("  %-13s %s\n", "warning:", cred_warning);
    if (strncmp(api_client_endpoint(api), "http://", 7) == 0)
        printf("  %-13s none: plain http:// (requests are signed, not encrypted)\n", "TLS:");
    else if (c->insecure)
        printf("  %-13s verification OFF (--insecure): unsafe\n", "TLS:");
    else
        printf("  %-13s verification on (%s)\n", "TLS:", c->cacert ? c->cacert : "system CA store");
    print_proxy_env();
    about_print_paths(stdout, cfg);
    printf("  %-13s %s\n", "core dumps:",
           secmem_core_dumps_allowed() ? "allowed (CERTDECK_ALLOW_CORE=1; secrets still left out)"
                                       : "off (CERTDECK_ALLOW_CORE=1 to allow, for debugging)");
    char when[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("  %-13s %s (requests are signed with this time; 5 minutes of skew is allowed)\n",
           "clock:", when);
    free(source);
    free(endpoint);

    struct records_query q = {0, 1, NULL};
    struct records_page page = {0};
    struct api_error err;
    int64_t t0 = now_ms();
    if (api_describe_records(api, &q, &page, NULL, &err) != 0) {
        printf("  %-13s FAILED after %lld ms\n", "probe:", (long long)(now_ms() - t0));
        batch_print_error(stdout, "DescribeHostUploadUpdateRecord", &err);
        return apierr_exit_code(&err);
    }
    char *rid = sanitize_dup(page.request_id);
    printf("  %-13s DescribeHostUploadUpdateRecord answered in %lld ms: %llu update records "
           "(RequestId %s)\n",
           "probe:", (long long)(now_ms() - t0), (unsigned long long)page.total_count, rid);
    free(rid);
    model_records_page_clear(&page);
    printf("everything looks fine\n");
    return 0;
}

/* The TUI's :profile and :endpoint: a client for another account, the credentials wiped once
 * the client holds its copy. */
struct tui_connect_ctx {
    struct connect_config cc;
    bool allow_http;
};

static struct api_client *tui_connect(void *ctx, const char *profile, const char *endpoint,
                                      char *err, size_t errlen)
{
    struct tui_connect_ctx *t = ctx;
    if (connect_http_policy(endpoint, t->allow_http, err, errlen) != 0) return NULL;
    struct creds *cr = secmem_alloc(sizeof *cr); /* zeroed, and left out of core dumps */
    char warn[512];
    struct api_client *api =
        connect_client(&t->cc, profile, endpoint, cr, warn, sizeof warn, err, errlen);
    creds_wipe(cr);
    secmem_free(cr, sizeof *cr);
    return api;
}

/* ---- confirmation for write actions from a shell -------------------------------------------- */

/* y/N; with word (a rollback: the record ID), the answer must be that word. */
static bool confirm(const struct cli *c, const char *question, const char *word)
{
    if (c->yes) return true;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "certdeck: %s — refusing without --yes (stdin is not a terminal)\n",
                question);
        return false;
    }
    if (word)
        fprintf(stderr, "%s Type %s to confirm: ", question, word);
    else
        fprintf(stderr, "%s [y/N] ", question);
    char line[32];
    if (!fgets(line, sizeof line, stdin)) return false;
    line[strcspn(line, "\r\n")] = '\0';
    if (word) return !strcmp(line, word);
    return line[0] == 'y' || line[0] == 'Y';
}

/* ---- commands that need no credentials: themes, config ------------------------------------ */

static int local_command(const struct cli *c, char **pos, int npos)
{
    if (!strcmp(pos[0], "themes")) {
        if (npos != 1) return usage_error("themes takes no arguments (got '%s')", pos[1]);
        about_list_themes(stdout);
        return 0;
    }
    if (c->cfg_init + c->cfg_check + c->cfg_example != 1 || npos > 2 ||
        (npos == 2 && !c->cfg_check))
        return usage_error("config takes one of --init, --check [FILE], --example%s", "");
    if (c->cfg_example) {
        config_cmd_example(stdout);
        return 0;
    }
    if (c->cfg_init) return config_cmd_init(c->config);
    return config_cmd_check(npos == 2 ? pos[1] : c->config);
}

/* ---- main ----------------------------------------------------------------------------------- */

static int run_command(struct api_client *api, const struct cli *c, char **pos, int npos,
                       const struct creds *cr, const char *warn, const struct config *cfg)
{
    const char *cmd = pos[0];
    struct batch_options bo = {c->format, c->all, c->offset, c->limit, c->old_cert, 4, c->csv_raw};
    int64_t id;
    if (!strcmp(cmd, "records")) {
        if (npos != 1) return usage_error("records takes no arguments (got '%s')", pos[1]);
        return batch_records(api, &bo, stdout);
    }
    if (!strcmp(cmd, "detail")) {
        if (npos != 2 || parse_int(pos[1], 0, INT64_MAX, &id))
            return usage_error("detail takes one record Id, e.g. 'certdeck detail 2'%s", "");
        return batch_detail(api, id, &bo, stdout);
    }
    if (!strcmp(cmd, "doctor")) return doctor(api, c, cr, warn, cfg);
    if (!strcmp(cmd, "wait")) {
        if (npos != 2 || parse_int(pos[1], 0, INT64_MAX, &id))
            return usage_error("wait takes one record Id, e.g. 'certdeck wait 37'%s", "");
        struct wait_options wo = {c->format, c->wait_timeout_s, c->wait_interval_s};
        return batch_wait(api, id, &wo, stdout, stderr, isatty(STDERR_FILENO));
    }
    if (!strcmp(cmd, "errors")) {
        if (npos != 2 || parse_int(pos[1], 0, INT64_MAX, &id))
            return usage_error("errors takes one record Id, e.g. 'certdeck errors 2'%s", "");
        return batch_errors(api, id, (int)c->run, &bo, stdout);
    }
    if (!strcmp(cmd, "radar")) {
        if (npos != 1) return usage_error("radar takes options only (got '%s')", pos[1]);
        return batch_radar(api, c->since, &bo, stdout, stderr, isatty(STDERR_FILENO));
    }
    if (!strcmp(cmd, "retry") && c->template_n > 0) {
        if (c->read_only) return usage_error("%s refused: --read-only is set", cmd);
        if (npos != 2 || parse_int(pos[1], 0, INT64_MAX, &id) || c->item >= 0)
            return usage_error("retry --template N takes one record Id, e.g. 'certdeck retry 7 "
                               "--template 1'%s",
                               "");
        return batch_retry_template(api, id, (int)c->run, (int)c->template_n, c->yes, stdout);
    }
    if (!strcmp(cmd, "rollback") || !strcmp(cmd, "retry")) {
        bool rollback = cmd[1] == 'o';
        if (c->read_only) return usage_error("%s refused: --read-only is set", cmd);
        id = -1;
        if (npos == 2 && parse_int(pos[1], 0, INT64_MAX, &id))
            return usage_error("'%s' is not a record Id", pos[1]);
        if (npos > 2 || (rollback && id < 0) || (!rollback && (id < 0) == (c->item <= 0)))
            return usage_error(rollback ? "rollback takes one record Id%s"
                                        : "retry takes a record Id or --item DETAIL_ID%s",
                               "");
        char q[128];
        if (rollback)
            snprintf(q, sizeof q, "Roll back every resource of record %lld?", (long long)id);
        else if (id >= 0)
            snprintf(q, sizeof q, "Retry every failed item of record %lld?", (long long)id);
        else
            snprintf(q, sizeof q, "Retry item %lld?", (long long)c->item);
        char idw[24];
        snprintf(idw, sizeof idw, "%lld", (long long)id);
        if (!confirm(c, q, rollback ? idw : NULL)) return EXIT_USAGE;
        return rollback ? batch_rollback(api, id, stdout)
                        : batch_retry(api, id, id >= 0 ? -1 : c->item, stdout);
    }
    if (!strcmp(cmd, "update")) {
        if (npos != 1) return usage_error("update takes options only (got '%s')", pos[1]);
        struct update_options u = c->upd;
        u.old_cert = c->old_cert;
        u.yes = c->yes;
        u.read_only = c->read_only;
        return update_run(api, &u);
    }
    return usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    secmem_no_core_dumps(); /* before any credential is read */
    setlocale(LC_ALL, "");
    output_check_at_exit();
    struct cli c = {.refresh = -1, .item = -1};
    int rc = parse_args(argc, argv, &c);
    if (rc) return rc;
    char **pos = NULL;
    int npos = 0;
    rc = parse_rest(argc, argv, &c, &pos, &npos);
    if (rc) {
        free(pos);
        return rc;
    }
    if (npos && !strcmp(pos[0], "keys")) {
        (c.man ? keymap_print_man : keymap_print)(stdout);
        free(pos);
        return 0;
    }
    if (npos && (!strcmp(pos[0], "themes") || !strcmp(pos[0], "config"))) {
        rc = local_command(&c, pos, npos);
        free(pos);
        return rc;
    }

    struct config cfg;
    config_defaults(&cfg);
    char err[512];
    if (config_load(&cfg, c.config, err, sizeof err) != 0) {
        fprintf(stderr, "certdeck: %s\n", err);
        free(pos);
        return EXIT_USAGE;
    }
    if (c.theme) strlcpy_safe(cfg.theme, c.theme, sizeof cfg.theme);
    if (c.refresh >= 0) cfg.refresh_s = (int)c.refresh;
    if (c.no_color) cfg.no_color = true;
    if (c.mouse) cfg.mouse = true;
    if (npos)
        for (size_t i = 0; i < cfg.n_diags; i++)
            fprintf(stderr, "certdeck: %s\n", cfg.diags[i]);

    http_global_init();
    struct emu *emu = NULL;
    struct creds *cr = secmem_alloc(sizeof *cr); /* zeroed, and left out of core dumps */
    char warn[512] = "";
    const char *endpoint = c.endpoint ? c.endpoint : (cfg.endpoint[0] ? cfg.endpoint : NULL);
    const char *profile = c.profile ? c.profile : (cfg.profile[0] ? cfg.profile : NULL);
    char label[300];
    struct connect_config cc = {c.language, c.timeout_s, c.cacert, c.insecure, c.rate};
    struct api_client *api = NULL;
    if (c.demo) {
        struct emu_config ec = {.seed = c.seed, .dataset_file = c.dataset};
        emu = emu_start(&ec, err, sizeof err);
        if (!emu) {
            fprintf(stderr, "certdeck: cannot start the demo emulator: %s\n", err);
            secmem_free(cr, sizeof *cr);
            free(pos);
            return EXIT_USAGE;
        }
        endpoint = emu_url(emu);
        strlcpy_safe(cr->secret_id, EMU_DEMO_SECRET_ID, sizeof cr->secret_id);
        strlcpy_safe(cr->secret_key, EMU_DEMO_SECRET_KEY, sizeof cr->secret_key);
        strlcpy_safe(cr->source, "demo (built-in emulator)", sizeof cr->source);
        snprintf(label, sizeof label, "demo %s", endpoint + strlen("http://"));
        struct api_config ac = connect_api_config(&cc, endpoint);
        struct api_error aerr;
        api = api_client_new(&ac, cr, &aerr);
        if (!api) apierr_format(&aerr, err, sizeof err);
    } else {
        char msg[300];
        int http = connect_http_policy(endpoint, c.allow_http, msg, sizeof msg);
        if (msg[0]) fprintf(stderr, "certdeck: %s\n", msg);
        if (http != 0) {
            secmem_free(cr, sizeof *cr);
            free(pos);
            return EXIT_USAGE;
        }
        api = connect_client(&cc, profile, endpoint, cr, warn, sizeof warn, err, sizeof err);
        if (warn[0]) fprintf(stderr, "certdeck: warning: %s\n", warn);
        snprintf(label, sizeof label, "%s", endpoint ? endpoint : API_DEFAULT_ENDPOINT);
    }
    if (!api) {
        fprintf(stderr, "certdeck: %s\n", err);
        creds_wipe(cr);
        secmem_free(cr, sizeof *cr);
        if (emu) emu_stop(emu);
        free(pos);
        return EXIT_USAGE;
    }
    if (c.insecure)
        fprintf(stderr, "certdeck: WARNING: TLS certificate verification is OFF (--insecure): "
                        "anyone on the network path can read and change this session.\n");

    if (npos) {
        /* Batch output is the API's UTF-8 whatever the locale (files, pipes, cron jobs):
         * measure it as UTF-8 (wcwidth needs a UTF-8 LC_CTYPE for CJK widths) rather than
         * replacing what a C locale cannot show. */
        text_init();
        if (!text_is_utf8() && setlocale(LC_CTYPE, "C.UTF-8") == NULL)
            setlocale(LC_CTYPE, "en_US.UTF-8");
        text_set_utf8(true);
        rc = run_command(api, &c, pos, npos, cr, warn, &cfg);
    } else {
        struct tui_connect_ctx tcc = {cc, c.allow_http};
        char profile_label[96];
        snprintf(profile_label, sizeof profile_label, "%s",
                 c.demo ? "demo" : (profile ? profile : "default"));
        struct app_options ao = {
            .endpoint_label = label,
            .profile_label = profile_label,
            .profile = profile,
            .endpoint = endpoint,
            .connect = c.demo ? NULL : tui_connect,
            .connect_ctx = &tcc,
            .config = &cfg,
            .read_only = c.read_only,
            .mouse = cfg.mouse,
            .initial_cert = c.old_cert,
            .script = c.script,
            .script_cols = c.cols ? c.cols : 80,
            .script_lines = c.lines ? c.lines : 24,
        };
        rc = app_run(api, &ao);
    }
    creds_wipe(cr);
    secmem_free(cr, sizeof *cr);
    api_client_free(api);
    if (emu) emu_stop(emu);
    http_global_cleanup();
    free(pos);
    return rc;
}
