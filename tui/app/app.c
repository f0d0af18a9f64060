/* The render loop, the only ncurses caller: it sleeps in poll() on the terminal, the store's
 * wake fd, the signal pipe and the next timer, and redraws at most once per wake (invalidate,
 * then draw). Also the view stack, the notes of the event log, and start and stop. */
#include "tui/app/app.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/snapshot.h"
#include "tui/app/bulk.h"
#include "tui/app/chrome.h"
#include "tui/app/input.h"
#include "tui/app/prompt.h"
#include "tui/app/renew.h"
#include "tui/app/save.h"
#include "tui/app/script.h"
#include "tui/app/signals.h"
#include "tui/app/tick.h"
#include "tui/session.h"
#include "tui/app/writes.h"
#include "tui/text.h"
#include "tui/ui.h"

/* ---- what views may call --------------------------------------------------------------- */

static void note_diag(void *ctx, const char *line)
{
    app_note_add(ctx, true, line);
}

static void terminal_size(int *cols, int *lines)
{
    struct winsize ws;
    *cols = *lines = 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
        *cols = ws.ws_col;
        *lines = ws.ws_row;
    }
}

static void interactive_loop(struct app *a)
{
    while (!a->quit) {
        tick_pump(a);
        bool working = tick_work(a);
        int64_t next = tick_timers(a);
        if (a->dirty) chrome_draw(a);
        int timeout = -1;
        if (working) {
            timeout = 0; /* a filter or sort under way: read the keys, then go on with it */
        } else if (next >= 0) {
            int64_t d = next - now_ms();
            timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
        }
        struct pollfd pfd[3] = {
            {STDIN_FILENO, POLLIN, 0},
            {store_wake_fd(a->store), POLLIN, 0},
            {signals_fd(), POLLIN, 0},
        };
        int r = poll(pfd, 3, timeout);
        if (r < 0 && errno != EINTR) break;
        if (signals_quit() == SIGINT && a->prompt != PROMPT_NONE) {
            /* Ctrl-C while typing a filter, a command or answering a question cancels that,
             * as it does in a shell's line editor; with no prompt open it quits. */
            signals_clear_quit();
            input_prompt_key(a, 3 /* C-c */);
        }
        if (signals_quit()) break;
        if (r > 0 && (pfd[2].revents & POLLIN)) signals_drain();
        if (signals_take_winch()) {
            int c, l;
            terminal_size(&c, &l);
            input_resize(a, c, l);
        }
        if (r > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
            !(pfd[0].revents & POLLIN))
            break; /* the terminal went away */
        if (r > 0 && (pfd[0].revents & POLLIN)) input_read(a);
    }
}

/* ---- start and stop -------------------------------------------------------------------- */

static SCREEN *open_screen(struct app *a, FILE **fout, FILE **fin)
{
    SCREEN *scr = NULL;
    if (a->script_mode) {
        /* No terminal behind it: output goes nowhere, input never comes; we read stdscr. */
        *fout = fopen("/dev/null", "w");
        *fin = fopen("/dev/null", "r");
        if (!*fout || !*fin) return NULL;
        const char *env = getenv("CERTDECK_SCRIPT_TERM");
        const char *terms[] = {env && *env ? env : "xterm-256color", "xterm-256color", "xterm",
                               "vt100", "dumb"};
        for (size_t i = 0; i < ARRAY_LEN(terms) && !scr; i++)
            scr = newterm(terms[i], *fout, *fin);
        return scr;
    }
    *fout = *fin = NULL;
    return newterm(NULL, stdout, stdin);
}

static void load_theme(struct app *a)
{
    if (has_colors()) start_color(); /* COLORS is known only after this */
    int colors = has_colors() ? COLORS : 0;
    int want = colors >= 256 ? 256 : colors >= 16 ? 16 : 8;
    char err[512];
    if (a->cfg->theme[0]) {
        if (theme_load(&a->theme, a->cfg->theme, want, err, sizeof err) != 0) {
            app_note_add(a, true, err);
            theme_builtin(&a->theme);
        }
    } else {
        theme_builtin(&a->theme);
    }
    for (size_t i = 0; i < a->theme.n_diags; i++)
        app_note_add(a, true, a->theme.diags[i]);
    const char *nc = getenv("NO_COLOR");
    bool mono = a->cfg->no_color || a->theme.monochrome || !has_colors() || (nc && *nc);
    ui_styles_init(&a->theme, mono);
}

int app_run(struct api_client *api, const struct app_options *opts)
{
    struct config defaults;
    struct app *a = xcalloc(1, sizeof *a);
    a->api = api;
    a->opts = opts;
    if (!opts->config) config_defaults(&defaults);
    a->cfg = opts->config ? opts->config : &defaults;
    a->script_mode = opts->script != NULL;
    a->offline = opts->offline != NULL;
    a->read_only = opts->read_only || a->offline; /* a snapshot takes no writes */
    strlcpy_safe(a->profile, opts->profile ? opts->profile : "", sizeof a->profile);
    strlcpy_safe(a->endpoint, opts->endpoint ? opts->endpoint : "", sizeof a->endpoint);
    strlcpy_safe(a->profile_label, opts->profile_label ? opts->profile_label : "",
                 sizeof a->profile_label);
    strlcpy_safe(a->endpoint_label, opts->endpoint_label ? opts->endpoint_label : "",
                 sizeof a->endpoint_label);
    if (opts->offline) {
        /* Whose data it was: the snapshot's endpoint and the start of its SecretId. */
        const struct snapshot *snap = opts->offline;
        strlcpy_safe(a->endpoint_label, snap->endpoint[0] ? snap->endpoint : "snapshot",
                     sizeof a->endpoint_label);
        snprintf(a->profile_label, sizeof a->profile_label, "%s%s", snap->secret_id_prefix,
                 snap->secret_id_prefix[0] ? "..." : "");
    }
    text_init();

    a->km = keymap_new();
    for (size_t i = 0; i < a->cfg->n_diags; i++)
        app_note_add(a, true, a->cfg->diags[i]);
    keymap_apply_config(a->km, a->cfg, note_diag, a);

    if (!a->script_mode && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "certdeck: the TUI needs a terminal; for scripts use a batch command "
                        "(certdeck records, certdeck detail ID)\n");
        keymap_free(a->km);
        free(a);
        return 2;
    }
    signals_install(!a->script_mode);
    FILE *fout = NULL, *fin = NULL;
    SCREEN *scr = open_screen(a, &fout, &fin);
    a->term = fout ? fout : stdout;
    if (!scr) {
        signals_restore(!a->script_mode);
        fprintf(stderr, "certdeck: cannot initialise the terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        if (fout) fclose(fout);
        if (fin) fclose(fin);
        keymap_free(a->km);
        free(a);
        return 2;
    }
    set_term(scr);
    signals_curses_up(true);
    if (a->script_mode)
        resizeterm(opts->script_lines > 0 ? opts->script_lines : 24,
                   opts->script_cols > 0 ? opts->script_cols : 80);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    /* Scripted mode too: its click and wheel lines go through ncurses' mouse queue. */
    if (opts->mouse) {
        mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
                  NULL);
        mouseinterval(200);
    }
    load_theme(a);

    history_open(&a->hist_cmd, "history");
    history_open(&a->hist_filter, "filter-history");
    a->store = store_new();
    a->worker = worker_new(api, a->store, 4);
    /* Offline, the event log shows the calls of the session the snapshot was taken in. */
    for (size_t i = 0; opts->offline && i < opts->offline->n_events; i++)
        store_log_push(a->store, &opts->offline->events[i]);
    if (opts->initial_cert && *opts->initial_cert) a->cert_filter = xstrdup(opts->initial_cert);
    app_push(a, &records_view_ops, NULL);
    if (opts->initial_record > 0) {
        struct view_args args = {.record_id = (uint64_t)opts->initial_record};
        app_push(a, &detail_view_ops, &args);
    }
    size_t problems = 0;
    for (size_t i = 0; i < a->n_notes; i++)
        problems += a->notes[i].error;
    if (problems)
        app_msg(a, APP_MSG_ERROR, "%zu configuration problem%s: L shows %s", problems,
                problems == 1 ? "" : "s", problems == 1 ? "it" : "them");

    if (a->script_mode)
        script_run(a);
    else
        interactive_loop(a);

    while (a->depth > 0) {
        struct view *v = a->stack[--a->depth];
        v->ops->close(v);
        free(v);
    }
    save_finish(a); /* a :save still writing ends first */
    renew_flow_free(a);
    worker_free(a->worker);
    store_free(a->store);
    api_client_free(a->own_api);
    if (opts->mouse) mousemask(0, NULL);
    curs_set(1);
    endwin();
    signals_curses_up(false);
    delscreen(scr);
    if (fout) fclose(fout);
    if (fin) fclose(fin);
    signals_restore(!a->script_mode);
    int rc = a->exit_code;
    int sig = signals_quit();
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) rc = 128 + sig;
    signals_clear_quit();
    keymap_free(a->km);
    bulk_free(a);
    for (size_t i = 0; i < a->n_notes; i++)
        free(a->notes[i].text);
    buf_free(&a->input);
    history_close(&a->hist_cmd);
    history_close(&a->hist_filter);
    free(a->cert_filter);
    free(a);
    return rc;
}
