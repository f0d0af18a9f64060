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
#include "tui/app/chrome.h"
#include "tui/app/input.h"
#include "tui/app/prompt.h"
#include "tui/app/script.h"
#include "tui/app/signals.h"
#include "tui/app/state.h"
#include "tui/app/writes.h"
#include "tui/text.h"
#include "tui/ui.h"

#define SPINNER_MS             100
#define IN_PROGRESS_REFRESH_MS 3000
#define MSG_MS                 8000

/* ---- what views may call --------------------------------------------------------------- */

struct store *app_store(struct app *a)
{
    return a->store;
}

struct worker *app_worker(struct app *a)
{
    return a->worker;
}

const struct keymap *app_keymap(struct app *a)
{
    return a->km;
}

void app_dirty(struct app *a)
{
    a->dirty = true;
}

const char *app_cert_filter(struct app *a)
{
    return a->cert_filter;
}

void app_note_add(struct app *a, bool error, const char *text)
{
    if (a->n_notes == MAX_NOTES) {
        free(a->notes[0].text);
        memmove(a->notes, a->notes + 1, (MAX_NOTES - 1) * sizeof a->notes[0]);
        a->n_notes--;
    }
    a->notes[a->n_notes++] = (struct note){sanitize_dup(text), now_ms(), error};
}

static void note_diag(void *ctx, const char *line)
{
    app_note_add(ctx, true, line);
}

size_t app_note_count(struct app *a)
{
    return a->n_notes;
}

const char *app_note(struct app *a, size_t i, int64_t *at_ms, bool *is_error)
{
    if (i >= a->n_notes) return "";
    *at_ms = a->notes[i].at_ms;
    *is_error = a->notes[i].error;
    return a->notes[i].text;
}

void app_clock_text(struct app *a, int64_t at_ms, char *buf, size_t n)
{
    (void)a;
    time_t t = (time_t)(now_unix() - (now_ms() - at_ms) / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, n, "%H:%M:%S", &tm);
}

void app_msg(struct app *a, enum app_msg_kind kind, const char *fmt, ...)
{
    char raw[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    char *clean = sanitize_dup(raw);
    strlcpy_safe(a->msg, clean, sizeof a->msg);
    free(clean);
    a->msg_kind = kind;
    a->msg_until = a->script_mode ? INT64_MAX : now_ms() + MSG_MS;
    a->dirty = true;
}

struct view *app_top(struct app *a)
{
    return a->depth ? a->stack[a->depth - 1] : NULL;
}

void app_bump_generation(struct app *a)
{
    a->view_gen++;
    worker_set_generation(a->worker, a->view_gen);
}

void app_push(struct app *a, const struct view_ops *ops, const struct view_args *args)
{
    if (a->depth == MAX_DEPTH) {
        app_msg(a, APP_MSG_INFO, "too many screens open: go back first");
        return;
    }
    /* No new generation here: the views below stay on the stack and their fetches stay
     * useful (the user comes back to them). Leaving a view for good — app_pop — is what
     * drops and aborts its work. */
    struct view_args none = {0};
    struct view *v = xcalloc(1, sizeof *v);
    v->ops = ops;
    v->app = a;
    v->st.state = STORE_IDLE;
    ops->open(v, args ? args : &none);
    a->stack[a->depth++] = v;
    if (ops->on_data) ops->on_data(v);
    a->dirty = true;
}

void app_pop(struct app *a)
{
    if (a->depth <= 1) return;
    struct view *v = a->stack[--a->depth];
    v->ops->close(v);
    free(v);
    app_bump_generation(a);
    struct view *t = app_top(a);
    if (t->ops->on_data) t->ops->on_data(t); /* the cursor is still where it was */
    a->dirty = true;
}

void app_pop_to_root(struct app *a)
{
    while (a->depth > 1)
        app_pop(a);
}

/* ---- the loop -------------------------------------------------------------------------- */

/* New data in the store: the visible view takes a fresh snapshot. */
void app_pump(struct app *a)
{
    store_drain_wake(a->store);
    store_lock(a->store);
    uint64_t gen = store_generation(a->store);
    store_unlock(a->store);
    if (gen != a->seen_gen) {
        a->seen_gen = gen;
        struct view *v = app_top(a);
        if (v && v->ops->on_data) v->ops->on_data(v);
        writes_check_pending(a);
        a->dirty = true;
    }
    bool busy = chrome_busy(a);
    if (busy != a->spinning) a->dirty = true;
    a->spinning = busy;
}

static int64_t refresh_due(struct app *a)
{
    struct view *v = app_top(a);
    if (a->script_mode || !v || !v->ops->reload || v->st.busy || v->st.fetched_ms <= 0) return -1;
    int64_t interval =
        v->st.in_progress ? IN_PROGRESS_REFRESH_MS : (int64_t)a->cfg->refresh_s * 1000;
    if (interval <= 0) return -1;
    int64_t base = v->st.fetched_ms > a->last_auto_ms ? v->st.fetched_ms : a->last_auto_ms;
    return base + interval;
}

static int64_t min_due(int64_t a, int64_t b)
{
    if (a < 0) return b;
    if (b < 0) return a;
    return a < b ? a : b;
}

/* Timers that came due; returns the next deadline (-1: none). */
static int64_t run_timers(struct app *a)
{
    int64_t now = now_ms();
    int64_t next = -1;
    if (a->spinning && !a->script_mode) {
        if (now - a->last_spin_ms >= SPINNER_MS) {
            a->spinner++;
            a->last_spin_ms = now;
            a->dirty = true;
        }
        next = min_due(next, a->last_spin_ms + SPINNER_MS);
    }
    int64_t r = refresh_due(a);
    if (r >= 0 && r <= now) {
        struct view *v = app_top(a);
        a->last_auto_ms = now;
        v->ops->reload(v);
        v->ops->on_data(v);
        a->dirty = true;
        r = refresh_due(a);
    }
    next = min_due(next, r);
    if (a->age_next > 0 && a->age_next <= now) a->dirty = true; /* the age shown changed */
    next = min_due(next, a->age_next > 0 ? a->age_next : -1);
    if (a->msg[0] && a->msg_until != INT64_MAX) {
        if (now >= a->msg_until) {
            a->msg[0] = '\0';
            a->dirty = true;
        } else {
            next = min_due(next, a->msg_until);
        }
    }
    return next;
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
        app_pump(a);
        int64_t next = run_timers(a);
        if (a->dirty) chrome_draw(a);
        int timeout = -1;
        if (next >= 0) {
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
            prompt_key(a, 3 /* C-c */);
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

    a->store = store_new();
    a->worker = worker_new(api, a->store, 4);
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
    worker_free(a->worker);
    store_free(a->store);
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
    for (size_t i = 0; i < a->n_notes; i++)
        free(a->notes[i].text);
    buf_free(&a->input);
    free(a->cert_filter);
    free(a);
    return rc;
}
