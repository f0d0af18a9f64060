/* `certdeck config --init | --example | --check`: the commented default configuration and the
 * validator (see config_cmd.h). */
#include "tui/cli/config_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/util.h"
#include "tui/config.h"
#include "tui/keymap.h"
#include "tui/theme.h"

void config_cmd_example(FILE *out)
{
    fprintf(out,
            "# certdeck configuration (written by `certdeck config --init`, certdeck %s).\n"
            "# Read from $XDG_CONFIG_HOME/certdeck/config (~/.config/certdeck/config), or\n"
            "# --config FILE. One setting a line, `name value` or `name = value`; a value may be\n"
            "# \"quoted\". `#` starts a comment only at the start of a line. Every setting is\n"
            "# commented out and shows its default: uncomment a line to change it. Check the\n"
            "# file with `certdeck config --check`. Command-line options win over this file.\n"
            "\n"
            "# Colour theme: default, light, high-contrast, mono, NAME for NAME.theme in\n"
            "# ~/.config/certdeck/themes or ~/.local/share/certdeck/themes, or a path to a\n"
            "# .theme file (`certdeck themes` lists them). Default: the built-in look. --theme\n"
            "#theme default\n"
            "\n"
            "# Auto-refresh interval in seconds, 0 = manual only, at most %d. --refresh\n"
            "#refresh 30\n"
            "\n"
            "# Credentials profile: a [section] of ~/.tencentcloud/credentials or\n"
            "# ~/.tccli/NAME.credential. Default: none (the environment, then [default]).\n"
            "# --profile. For example:\n"
            "#profile prod\n"
            "\n"
            "# API endpoint, http:// or https://. Default: https://ssl.tencentcloudapi.com\n"
            "# (international: https://ssl.intl.tencentcloudapi.com). --endpoint\n"
            "#endpoint https://ssl.tencentcloudapi.com\n"
            "\n"
            "# The mouse in the TUI: on or off. Default: off. --mouse\n"
            "#mouse off\n"
            "\n"
            "# Where y and Y copy to: osc52 (the terminal's clipboard, also over SSH and in\n"
            "# tmux with set-clipboard on), off, or a command that reads the text on its\n"
            "# standard input (wl-copy, xclip -selection clipboard). Default: osc52.\n"
            "#clipboard osc52\n"
            "\n"
            "# Ring the terminal bell once when a running record you watch finishes (the\n"
            "# message line says so either way): on or off. Default: on.\n"
            "#bell on\n"
            "\n"
            "# The zone every time is shown in, each with its offset from UTC\n"
            "# (2025-05-20 15:03:17+08): local, utc, or a tz-database name such as\n"
            "# Europe/Berlin or Asia/Shanghai (the API's own clock). JSON output keeps the API's\n"
            "# times. An unknown zone stops certdeck at start. Default: local. --tz\n"
            "#timezone local\n"
            "\n"
            "# Key bindings, yours winning over the defaults: bind CONTEXT KEY ACTION.\n"
            "# CONTEXT:",
            CERTDECK_VERSION, CONFIG_MAX_REFRESH);
    for (int c = 0; c < KM_CTX_COUNT; c++)
        fprintf(out, " %s", keymap_ctx_name((enum keymap_ctx)c));
    fprintf(out,
            "\n"
            "# KEY: a character, C-x, M-x, or Enter Esc Tab BTab Backspace Up Down Left Right\n"
            "# PgUp PgDn Home End Del Ins Space F1-F12. ACTION: the second column of\n"
            "# `certdeck keys`. None by default. For example:\n"
            "#bind records x rollback\n");
}

int config_cmd_init(const char *path)
{
    char def[600];
    if (!path) {
        char dir[512];
        if (config_user_dir(dir, sizeof dir) < 0) {
            fprintf(stderr, "certdeck: no home directory known: name a file with --config FILE\n");
            return 2;
        }
        /* The directory and its parent (~/.config) may not exist yet. */
        char *parent = xstrdup(dir), *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            mkdir(parent, 0700);
        }
        free(parent);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            char *clean = sanitize_dup(dir);
            fprintf(stderr, "certdeck: cannot create %s: %s\n", clean, strerror(errno));
            free(clean);
            return 2;
        }
        snprintf(def, sizeof def, "%s/config", dir);
        path = def;
    }
    char *clean = sanitize_dup(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            fprintf(stderr,
                    "certdeck: %s exists; not overwriting it (check it with "
                    "`certdeck config --check`)\n",
                    clean);
        else
            fprintf(stderr, "certdeck: cannot create %s: %s\n", clean, strerror(errno));
        free(clean);
        return 2;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        free(clean);
        return 2;
    }
    config_cmd_example(f);
    if (fclose(f) != 0) {
        fprintf(stderr, "certdeck: writing %s failed: %s\n", clean, strerror(errno));
        unlink(path);
        free(clean);
        return 2;
    }
    printf("wrote %s\n", clean);
    free(clean);
    return 0;
}

static void print_diag(void *count, const char *line)
{
    char *clean = sanitize_dup(line);
    printf("%s\n", clean);
    free(clean);
    ++*(size_t *)count;
}

int config_cmd_check(const char *path)
{
    struct config *cfg = xmalloc(sizeof *cfg);
    config_defaults(cfg);
    char err[600];
    if (config_load(cfg, path, err, sizeof err) != 0) {
        char *clean = sanitize_dup(err);
        fprintf(stderr, "certdeck: %s\n", clean);
        free(clean);
        free(cfg);
        return 2;
    }
    if (!cfg->path[0]) {
        fprintf(stderr, "certdeck: no configuration file at the default location "
                        "(`certdeck config --init` writes one)\n");
        free(cfg);
        return 2;
    }
    size_t problems = 0;
    for (size_t i = 0; i < cfg->n_diags; i++)
        print_diag(&problems, cfg->diags[i]);
    struct keymap *km = keymap_new();
    /* Its notes (a default a binding replaces) are printed; only bad lines count. */
    size_t lines = 0;
    problems += (size_t)keymap_apply_config(km, cfg, print_diag, &lines);
    keymap_free(km);
    if (cfg->theme[0]) {
        struct theme *t = xmalloc(sizeof *t);
        if (theme_load(t, cfg->theme, 256, err, sizeof err) != 0) {
            char *line = xasprintf("%s: %s", cfg->path, err);
            print_diag(&problems, line);
            free(line);
        }
        for (size_t i = 0; i < t->n_diags; i++)
            print_diag(&problems, t->diags[i]);
        free(t);
    }
    char *clean = sanitize_dup(cfg->path);
    if (cfg->n_diags == CONFIG_MAX_DIAGS) /* the reader kept the first ones only */
        printf("%s: more than %zu problems\n", clean, problems);
    else if (problems)
        printf("%s: %zu problem%s\n", clean, problems, problems == 1 ? "" : "s");
    else
        printf("%s: ok\n", clean);
    free(clean);
    free(cfg);
    return problems ? 2 : 0;
}
