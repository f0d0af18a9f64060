/* certdeck's command line: every option, the usage text, and parsing into struct cli. Options
 * may come before or after the command word. No curses. */
#ifndef CERTDECK_CLI_ARGS_H
#define CERTDECK_CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/cli/batch.h"
#include "tui/cli/update.h"

enum { CLI_EXIT_API = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_NET = 3 };

struct cli {
    bool demo, insecure, no_color, read_only, mouse, all, yes, csv_raw, allow_http;
    bool man, cfg_init, cfg_check, cfg_example;
    const char *endpoint, *profile, *cacert, *language, *config, *theme;
    const char *old_cert, *dataset, *script;
    const char *tz; /* --tz: the display time zone, over the config's timezone */
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

extern const char cli_usage_text[];

/* "certdeck: <fmt with arg>" and the --help hint on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, const char *arg);
/* A whole decimal number (or decimal) in [lo, hi]: 0, else -1. */
int cli_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);
int cli_parse_double(const char *s, double lo, double hi, double *out);
/* Options up to the first word that is not one (getopt, optind left there): 0, or a usage
 * exit code. --help and --version print what they print and exit 0. */
int cli_parse_args(int argc, char **argv, struct cli *c);
/* The words after the first (the command and its arguments) into *pos (heap, *npos of them),
 * options among them parsed as cli_parse_args does. */
int cli_parse_rest(int argc, char **argv, struct cli *c, char ***pos, int *npos);

#endif
