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
#include "core/timefmt.h"
#include "core/util.h"
#include "tui/about.h"
#include "tui/app/app.h"
#include "tui/cli/args.h"
#include "tui/cli/batch.h"
#include "tui/cli/dispatch.h"
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

int main(int argc, char **argv)
{
    secmem_no_core_dumps(); /* before any credential is read */
    setlocale(LC_ALL, "");
    output_check_at_exit();
    struct cli c = {.refresh = -1, .item = -1};
    int rc = cli_parse_args(argc, argv, &c);
    if (rc) return rc;
    char **pos = NULL;
    int npos = 0;
    rc = cli_parse_rest(argc, argv, &c, &pos, &npos);
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
        rc = cli_local_command(&c, pos, npos);
        free(pos);
        return rc;
    }

    struct config cfg;
    config_defaults(&cfg);
    char err[512];
    if (config_load(&cfg, c.config, err, sizeof err) != 0) {
        fprintf(stderr, "certdeck: %s\n", err);
        free(pos);
        return CLI_EXIT_USAGE;
    }
    if (c.theme) strlcpy_safe(cfg.theme, c.theme, sizeof cfg.theme);
    if (c.refresh >= 0) cfg.refresh_s = (int)c.refresh;
    if (c.no_color) cfg.no_color = true;
    if (c.mouse) cfg.mouse = true;
    /* The display zone, before any thread starts (it may set TZ): an unknown one is refused
     * rather than shown as some other zone. */
    if (timefmt_set_zone(c.tz ? c.tz : cfg.timezone, err, sizeof err) != 0) {
        if (c.tz) {
            fprintf(stderr, "certdeck: --tz: %s\n", err);
        } else {
            char *where = sanitize_dup(cfg.path);
            fprintf(stderr, "certdeck: %s:%d: timezone: %s\n", where, cfg.timezone_line, err);
            free(where);
        }
        free(pos);
        return CLI_EXIT_USAGE;
    }
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
            return CLI_EXIT_USAGE;
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
            return CLI_EXIT_USAGE;
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
        return CLI_EXIT_USAGE;
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
        rc = cli_run_command(api, &c, pos, npos, cr, warn, &cfg);
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
