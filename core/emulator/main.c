/* certdeck-emulator: the local Tencent Cloud SSL API as a standalone server. Prints
 * "listening on http://HOST:PORT" as its first stdout line, serves until SIGINT or SIGTERM,
 * then exits 0. Bad flags: usage on stderr, exit 2. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/emulator/emulator.h"
#include "core/sanitize.h"
#include "core/util.h"

static const char usage_text[] =
    "usage: certdeck-emulator [options]\n"
    "\n"
    "A local stand-in for ssl.tencentcloudapi.com (TC3-signed POST /, version 2019-12-05).\n"
    "\n"
    "  --listen HOST:PORT     address to listen on (default 127.0.0.1:0, a free port)\n"
    "  --allow-remote         allow a non-loopback listen address\n"
    "  --secret-id ID         the accepted SecretId (default the demo pair, " EMU_DEMO_SECRET_ID
    ")\n"
    "  --secret-key KEY       the accepted SecretKey (never printed; wiped from argv)\n"
    "  --secret-key-file FILE ... read from the first line of FILE instead, or from\n"
    "                         $CERTDECK_EMULATOR_SECRET_KEY, where ps cannot see it\n"
    "  --token T              require X-TC-Token: T\n"
    "  --rate N               requests/s per action per SecretId, also the burst\n"
    "                         (default 20; -1 unlimited)\n"
    "  --latency-ms N         delay every answer by N ms\n"
    "  --seed N               dataset generator seed (default 1)\n"
    "  --records N            generated records (default 40, at least 3)\n"
    "  --max-instances N      size of the largest group (default 5000)\n"
    "  --dataset FILE         serve FILE ({\"Records\":[…], \"Details\":{\"<id>\":[…]}})\n"
    "  --paging group|flat    how Limit/Offset page the record detail: inside each\n"
    "                         resource-type group (default), or over each run's groups\n"
    "                         concatenated in order\n"
    "  --fault NAME[:COUNT]   inject a fault into the next COUNT requests (default: all);\n"
    "                         NAME: http-500 http-503 reset timeout truncated garbage huge\n"
    "                         wrong-types rate-limit internal\n"
    "  --fault-rate P         give each request a random fault with probability P (0..1),\n"
    "                         the same faults for the same --fault-seed N (default 1)\n"
    "  --fault-kinds a,b,c    draw random faults from these kinds only (default: all)\n"
    "  --clock UNIX           the data's clock stands still at UNIX seconds, so two runs\n"
    "                         serve the same bytes (signatures use the real clock)\n"
    "  --log                  one line per request on stderr\n"
    "  --help                 this text\n"
    "  --version              the version\n";

/* "certdeck-emulator: <what><arg><tail>", the usage, exit 2. arg comes from the command line
 * and is sanitized. */
_Noreturn static void usage_error(const char *what, const char *arg, const char *tail)
{
    char *clean = sanitize_dup(arg);
    fprintf(stderr, "certdeck-emulator: %s%s%s\n\n%s", what, clean, tail ? tail : "", usage_text);
    free(clean);
    exit(2);
}

static int64_t int_arg(const char *flag, const char *s, int64_t lo, int64_t hi)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        char what[96];
        snprintf(what, sizeof what, "%s: not a valid number (%" PRId64 "..%" PRId64 "): ", flag, lo,
                 hi);
        usage_error(what, s, NULL);
    }
    return v;
}

#define EMU_SECRET_KEY_ENV "CERTDECK_EMULATOR_SECRET_KEY"

/* The accepted SecretKey, copied where argv scrubbing cannot reach it. */
static char secret_key[256];

static const char *key_keep(const char *key)
{
    if (strlen(key) >= sizeof secret_key) usage_error("the secret key is too long", "", NULL);
    strlcpy_safe(secret_key, key, sizeof secret_key);
    return secret_key;
}

/* The first line of path (without its line end) as the SecretKey. */
static const char *key_from_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        char what[320];
        snprintf(what, sizeof what, "--secret-key-file: cannot read %s: ", path);
        usage_error(what, strerror(errno), NULL);
    }
    char line[sizeof secret_key + 2] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (!got || !line[0])
        usage_error("--secret-key-file: no key on the first line of ", path, NULL);
    key_keep(line);
    secure_zero(line, sizeof line);
    return secret_key;
}

static bool is_loopback(const char *listen)
{
    if (listen[0] == ':') return true; /* ":PORT" binds 127.0.0.1 */
    if (strncmp(listen, "127.", 4) == 0) return true;
    if (strncmp(listen, "localhost:", 10) == 0) return true;
    if (strncmp(listen, "[::1]:", 6) == 0) return true;
    return false;
}

int main(int argc, char **argv)
{
    struct emu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.listen = "127.0.0.1:0";
    bool allow_remote = false;
    int fault = EMU_FAULT_NONE, fault_count = -1;
    double fault_rate = 0;
    uint64_t fault_seed = 1;
    unsigned fault_kinds = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char flag[64];
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (eq && (size_t)(eq - a) < sizeof flag) {
            memcpy(flag, a, (size_t)(eq - a));
            flag[eq - a] = '\0';
            val = eq + 1;
        } else {
            strlcpy_safe(flag, a, sizeof flag);
        }
        static const char *const known[] = {
            "--help",           "-h",           "--version",     "--log",
            "--allow-remote", /* flags */
            "--listen",         "--secret-id",  "--secret-key",  "--token",
            "--rate",           "--latency-ms", "--seed",        "--records",
            "--max-instances",  "--dataset",    "--fault",       "--paging",
            "--fault-rate",     "--fault-seed", "--fault-kinds", "--clock",
            "--secret-key-file"};
        size_t which = ARRAY_LEN(known);
        for (size_t k = 0; k < ARRAY_LEN(known); k++)
            if (strcmp(flag, known[k]) == 0) which = k;
        if (which == ARRAY_LEN(known)) {
            if (strncmp(flag, "-", 1) != 0) usage_error("unexpected argument: ", a, NULL);
            usage_error("unknown option: ", flag, NULL);
        }
        bool takes_value = which >= 5;
        if (takes_value && !val) {
            if (i + 1 >= argc) usage_error("", flag, " needs a value");
            val = argv[++i];
        } else if (!takes_value && val) {
            usage_error("", flag, " takes no value");
        }

        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(flag, "--version") == 0) {
            printf("certdeck-emulator %s\n", CERTDECK_VERSION);
            return 0;
        } else if (strcmp(flag, "--log") == 0) {
            cfg.log_requests = true;
        } else if (strcmp(flag, "--allow-remote") == 0) {
            allow_remote = true;
        } else if (strcmp(flag, "--listen") == 0) {
            cfg.listen = val;
        } else if (strcmp(flag, "--secret-id") == 0) {
            cfg.secret_id = val;
        } else if (strcmp(flag, "--secret-key") == 0) {
            cfg.secret_key = key_keep(val);
            /* ps and /proc/PID/cmdline show argv: the key leaves it. */
            memset((char *)val, 0, strlen(val));
        } else if (strcmp(flag, "--secret-key-file") == 0) {
            cfg.secret_key = key_from_file(val);
        } else if (strcmp(flag, "--token") == 0) {
            cfg.token = val;
        } else if (strcmp(flag, "--rate") == 0) {
            char *end;
            errno = 0;
            double r = strtod(val, &end);
            if (errno || end == val || *end) usage_error("--rate: not a number: ", val, NULL);
            cfg.rate = r;
        } else if (strcmp(flag, "--latency-ms") == 0) {
            cfg.latency_ms = (int)int_arg(flag, val, 0, 600000);
        } else if (strcmp(flag, "--seed") == 0) {
            cfg.seed = (uint64_t)int_arg(flag, val, 0, INT64_MAX);
        } else if (strcmp(flag, "--records") == 0) {
            cfg.records = (int)int_arg(flag, val, 1, 1000000);
        } else if (strcmp(flag, "--max-instances") == 0) {
            cfg.max_instances = (int)int_arg(flag, val, 1, 10000000);
        } else if (strcmp(flag, "--dataset") == 0) {
            cfg.dataset_file = val;
        } else if (strcmp(flag, "--paging") == 0) {
            int p = emu_paging_from_name(val);
            if (p < 0) usage_error("--paging: expected group or flat, not ", val, NULL);
            cfg.paging = (enum emu_paging)p;
        } else if (strcmp(flag, "--fault") == 0) {
            char name[64];
            const char *colon = strchr(val, ':');
            size_t n = colon ? (size_t)(colon - val) : strlen(val);
            if (n >= sizeof name) usage_error("--fault: unknown fault ", val, NULL);
            memcpy(name, val, n);
            name[n] = '\0';
            fault = emu_fault_from_name(name);
            if (fault < 0) usage_error("--fault: unknown fault ", val, NULL);
            if (colon) fault_count = (int)int_arg("--fault", colon + 1, 1, INT32_MAX);
        } else if (strcmp(flag, "--fault-rate") == 0) {
            char *end;
            errno = 0;
            fault_rate = strtod(val, &end);
            if (errno || end == val || *end || !(fault_rate >= 0 && fault_rate <= 1))
                usage_error("--fault-rate: a probability from 0 to 1, not ", val, NULL);
        } else if (strcmp(flag, "--fault-seed") == 0) {
            fault_seed = (uint64_t)int_arg(flag, val, 0, INT64_MAX);
        } else if (strcmp(flag, "--fault-kinds") == 0) {
            if (emu_fault_kinds_from_list(val, &fault_kinds) != 0)
                usage_error("--fault-kinds: a comma-separated list of fault names, not ", val,
                            NULL);
        } else if (strcmp(flag, "--clock") == 0) {
            cfg.data_clock_unix = int_arg(flag, val, 1, INT64_C(253402300799));
        } else {
            usage_error("unknown option: ", flag, NULL);
        }
    }
    const char *env_key = getenv(EMU_SECRET_KEY_ENV);
    if (!cfg.secret_key && env_key && *env_key) cfg.secret_key = key_keep(env_key);
    if ((cfg.secret_id == NULL) != (cfg.secret_key == NULL))
        usage_error("--secret-id and --secret-key go together", "", NULL);
    if (!allow_remote && !is_loopback(cfg.listen))
        usage_error("refusing to listen on ", cfg.listen,
                    ", which is not a loopback address (use --allow-remote)");

    /* Signals are taken synchronously by this thread; the server threads inherit the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[1024];
    struct emu *e = emu_start(&cfg, err, sizeof err);
    if (!e) {
        char *clean = sanitize_dup(err);
        fprintf(stderr, "certdeck-emulator: %s\n", clean);
        free(clean);
        return 1;
    }
    if (fault != EMU_FAULT_NONE) emu_set_fault(e, (enum emu_fault)fault, fault_count);
    if (fault_rate > 0) emu_set_random_faults(e, fault_rate, fault_seed, fault_kinds);
    printf("listening on %s\n", emu_url(e));
    fflush(stdout);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }
    emu_stop(e);
    secure_zero(secret_key, sizeof secret_key);
    return 0;
}
