/* The render loop, the only ncurses caller: it sleeps in poll() on the terminal, the store's
 * wake fd, a signal pipe and the next timer, turns keys into actions through the key table,
 * and redraws at most once per wake (invalidate, then draw). Also the view stack, the prompt
 * (filter, command line, y/N), the status line and the scripted test mode. */
#include "tui/app.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "core/sanitize.h"
#include "core/store.h"
#include "core/util.h"
#include "core/worker.h"
#include "tui/keymap.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "tui/ui.h"
#include "tui/view.h"

#define MIN_COLS               60
#define MIN_LINES              12
#define MAX_DEPTH              16
#define MAX_NOTES              200
#define SPINNER_MS             100
#define IN_PROGRESS_REFRESH_MS 3000
#define MSG_MS                 8000
#define WAIT_IDLE_DEFAULT_MS   20000

enum prompt_kind { PROMPT_NONE, PROMPT_FILTER, PROMPT_COMMAND, PROMPT_CONFIRM };

struct note {
    char *text;
    int64_t at_ms;
    bool error;
};

/* Where a breadcrumb was drawn, for mouse clicks: columns [x0, x1) of row 0 go back to the
 * screen at stack level `level`. */
struct crumb_hit {
    int x0, x1;
    int level;
};

struct crumb_seg {
    size_t b0, b1; /* bytes of the breadcrumb path */
    int level;
};

struct pending_write {
    bool active;
    enum app_write kind;
    uint64_t record_id;
    int64_t detail_id;
    int64_t since_ms;
};

struct app {
    struct api_client *api;
    const struct app_options *opts;
    const struct config *cfg;
    struct store *store;
    struct worker *worker;
    struct keymap *km;
    struct theme theme;
    bool script_mode;

    struct view *stack[MAX_DEPTH];
    int depth;
    uint64_t view_gen; /* the worker's generation */
    uint64_t seen_gen; /* the store generation the views have seen */

    bool dirty, quit;
    int exit_code;
    char *cert_filter;

    enum prompt_kind prompt;
    struct buf input;
    char saved_filter[256];
    struct pending_write confirm; /* what y submits */
    char question[512];
    struct pending_write pending; /* submitted, waiting for its trace */

    char msg[600];
    enum app_msg_kind msg_kind;
    int64_t msg_until;

    struct note notes[MAX_NOTES];
    size_t n_notes;

    struct crumb_hit crumbs[MAX_DEPTH * 2];
    size_t n_crumbs;
    int help_x0, help_x1; /* the "? help" hint on row 0; x1 <= x0: not drawn */

    int spinner;
    int64_t last_spin_ms, last_auto_ms;
    int64_t age_next; /* when the age in the status line next changes (-1: never) */
    bool spinning;
};

/* ---- signals --------------------------------------------------------------------------- */

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sig_quit, sig_winch, curses_up;
static struct sigaction old_int, old_term, old_hup, old_winch;
static struct sigaction old_crash[5];
static const int crash_signals[5] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGWINCH)
        sig_winch = 1;
    else
        sig_quit = sig;
    if (sig_pipe[1] >= 0) {
        char c = 's';
        ssize_t r = write(sig_pipe[1], &c, 1);
        (void)r;
    }
    errno = saved;
}

/* A crash must not leave the terminal in raw mode: restore it, then die as we would have. */
static void on_crash(int sig)
{
    if (curses_up) endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(bool crash)
{
    if (pipe(sig_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    sig_quit = sig_winch = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    /* Our own SIGWINCH handler (installed before newterm, so ncurses leaves it alone) wakes
     * poll() through the pipe: a resize is never missed while we sleep. */
    sigaction(SIGWINCH, &sa, &old_winch);
    if (crash) {
        struct sigaction ca;
        memset(&ca, 0, sizeof ca);
        ca.sa_handler = on_crash;
        ca.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigemptyset(&ca.sa_mask);
        for (int i = 0; i < 5; i++)
            sigaction(crash_signals[i], &ca, &old_crash[i]);
    }
}

static void restore_signals(bool crash)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGWINCH, &old_winch, NULL);
    if (crash)
        for (int i = 0; i < 5; i++)
            sigaction(crash_signals[i], &old_crash[i], NULL);
    for (int i = 0; i < 2; i++) {
        if (sig_pipe[i] >= 0) close(sig_pipe[i]);
        sig_pipe[i] = -1;
    }
}

static void drain_fd(int fd)
{
    char b[64];
    while (fd >= 0 && read(fd, b, sizeof b) > 0) {
    }
}

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

static void add_note(struct app *a, bool error, const char *text)
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
    add_note(ctx, true, line);
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

static struct view *top(struct app *a)
{
    return a->depth ? a->stack[a->depth - 1] : NULL;
}

static void bump_generation(struct app *a)
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
    bump_generation(a);
    struct view *t = top(a);
    if (t->ops->on_data) t->ops->on_data(t); /* the cursor is still where it was */
    a->dirty = true;
}

static void pop_to_root(struct app *a)
{
    while (a->depth > 1)
        app_pop(a);
}

static const char *write_action_name(enum app_write w)
{
    return w == APP_WRITE_ROLLBACK ? "UploadUpdateCertificateRecordRollback"
                                   : "UploadUpdateCertificateRecordRetry";
}

void app_confirm_write(struct app *a, enum app_write w, uint64_t record_id, int64_t detail_id,
                       const char *question)
{
    if (a->opts->read_only) {
        app_msg(a, APP_MSG_ERROR, "read-only mode: %s refused (certdeck runs with --read-only)",
                w == APP_WRITE_ROLLBACK ? "rollback" : "retry");
        return;
    }
    if (a->pending.active) {
        app_msg(a, APP_MSG_INFO,
                "the previous %s has not answered yet: its result will show here (L lists the "
                "calls)",
                a->pending.kind == APP_WRITE_ROLLBACK ? "rollback" : "retry");
        return;
    }
    a->confirm = (struct pending_write){true, w, record_id, detail_id, 0};
    strlcpy_safe(a->question, question, sizeof a->question);
    a->prompt = PROMPT_CONFIRM;
    buf_reset(&a->input);
    a->dirty = true;
}

static void submit_write(struct app *a)
{
    struct pending_write *c = &a->confirm;
    a->pending = *c;
    a->pending.since_ms = now_ms(); /* before the worker can start the call */
    if (c->kind == APP_WRITE_ROLLBACK)
        worker_rollback(a->worker, c->record_id);
    else
        worker_retry(a->worker, c->record_id, c->detail_id);
    c->active = false;
    if (c->kind == APP_WRITE_ROLLBACK)
        app_msg(a, APP_MSG_INFO, "rollback of record #%llu sent", (unsigned long long)c->record_id);
    else if (c->detail_id >= 0)
        app_msg(a, APP_MSG_INFO, "retry of item %lld sent", (long long)c->detail_id);
    else
        app_msg(a, APP_MSG_INFO, "retry of record #%llu sent", (unsigned long long)c->record_id);
}

/* The answer to a write lands in the event log: find it and say how it went. */
static void check_pending_write(struct app *a)
{
    if (!a->pending.active) return;
    const char *name = write_action_name(a->pending.kind);
    struct api_trace found;
    bool have = false;
    store_lock(a->store);
    /* The log is in the order calls ended: a read that began before the write may have ended
     * after it, so older entries are skipped, not a reason to stop looking. */
    for (size_t i = store_log_len(a->store); i-- > 0;) {
        const struct api_trace *t = store_log_at(a->store, i);
        if (t->started_ms < a->pending.since_ms) continue;
        if (t->action && !strcmp(t->action, name)) {
            found = *t;
            have = true;
            break;
        }
    }
    store_unlock(a->store);
    if (!have) return;
    a->pending.active = false;
    char what[96];
    if (a->pending.kind == APP_WRITE_ROLLBACK)
        snprintf(what, sizeof what, "rollback of record #%llu",
                 (unsigned long long)a->pending.record_id);
    else if (a->pending.detail_id >= 0)
        snprintf(what, sizeof what, "retry of item %lld (record #%llu)",
                 (long long)a->pending.detail_id, (unsigned long long)a->pending.record_id);
    else
        snprintf(what, sizeof what, "retry of record #%llu",
                 (unsigned long long)a->pending.record_id);
    char line[1400];
    if (found.err.kind == APIERR_NONE) {
        char *rid = sanitize_dup(found.request_id);
        snprintf(line, sizeof line, "%s accepted (RequestId %s)", what, rid);
        free(rid);
        add_note(a, false, line);
        app_msg(a, APP_MSG_INFO, "%s", line);
    } else {
        char e[1200];
        apierr_format(&found.err, e, sizeof e);
        snprintf(line, sizeof line, "%s failed: %s", what, e);
        add_note(a, true, line);
        app_msg(a, APP_MSG_ERROR, "%s - %s", line, apierr_hint(&found.err));
    }
}

/* ---- drawing --------------------------------------------------------------------------- */

/* Display width of the n bytes at s. */
static int width_of(const char *s, size_t n)
{
    char *part = xstrndup(s, n);
    int wd = text_width(part);
    free(part);
    return wd;
}

static void draw_crumbs(struct app *a, int w)
{
    ui_fill(0, 0, w, A_NORMAL);
    int x = ui_put(0, 0, w, " certdeck ", ui_attr(THEME_TITLE));
    x += ui_put(0, x, w - x, " ", A_NORMAL);
    struct buf path = {0};
    /* Each segment's bytes in path and the level a click on it goes back to: the last part of
     * a screen's crumb is that screen; parts before it (the drill-down's "run 2 rollback")
     * name what the screen below had selected, so they go back there. */
    struct crumb_seg seg[ARRAY_LEN(a->crumbs)];
    size_t n_seg = 0;
    const char *sep = text_glyphs()->crumb_sep;
    for (int i = 0; i < a->depth; i++) {
        struct buf one = {0};
        a->stack[i]->ops->crumb(a->stack[i], &one);
        size_t start = path.len;
        for (char *p = one.data; p && *p; p++) {
            if (*p == '\t') {
                if (n_seg < ARRAY_LEN(seg))
                    seg[n_seg++] = (struct crumb_seg){start, path.len, i - 1};
                buf_puts(&path, sep);
                start = path.len;
                continue;
            }
            buf_putc(&path, *p);
        }
        if (n_seg < ARRAY_LEN(seg)) seg[n_seg++] = (struct crumb_seg){start, path.len, i};
        if (i + 1 < a->depth) buf_puts(&path, sep);
        buf_free(&one);
    }
    const char *hint = "? help";
    int hw = text_width(hint);
    int room = w - x - hw - 2;
    const char *shown = path.data ? path.data : "";
    /* Too long: keep the end (where the user is) and cut the start. */
    while (text_width(shown) > room && *shown) {
        uint32_t cp;
        shown += text_decode(shown, &cp);
    }
    ui_put(0, x, room, shown, ui_attr(THEME_CRUMBS));
    a->n_crumbs = 0;
    size_t cut = path.data ? (size_t)(shown - path.data) : 0;
    for (size_t k = 0; k < n_seg && path.data; k++) {
        if (seg[k].b1 <= cut || seg[k].level < 0) continue;
        size_t b0 = seg[k].b0 > cut ? seg[k].b0 : cut;
        int x0 = x + width_of(path.data + cut, b0 - cut);
        int x1 = x + width_of(path.data + cut, seg[k].b1 - cut);
        if (x1 > x + room) x1 = x + room;
        if (x0 < x1) a->crumbs[a->n_crumbs++] = (struct crumb_hit){x0, x1, seg[k].level};
    }
    a->help_x0 = a->help_x1 = 0;
    if (w - hw - 1 > x) {
        ui_put(0, w - hw - 1, hw, hint, ui_attr(THEME_TABLE_DIM));
        a->help_x0 = w - hw - 1;
        a->help_x1 = w - 1;
    }
    buf_free(&path);
}

static const struct api_trace *last_trace(struct app *a, struct api_trace *copy)
{
    bool have = false;
    store_lock(a->store);
    size_t n = store_log_len(a->store);
    if (n) {
        *copy = *store_log_at(a->store, n - 1);
        have = true;
    }
    store_unlock(a->store);
    return have ? copy : NULL;
}

static bool is_busy(struct app *a)
{
    struct view *v = top(a);
    return (v && v->st.busy) || !worker_idle(a->worker);
}

/* The age shown in the status line, and when it next changes: exact for ten seconds, then in
 * tens of seconds, minutes and hours, so an idle screen wakes up rarely (and never after a
 * day). */
static int64_t age_step_s(int64_t s)
{
    return s < 10 ? 1 : s < 60 ? 10 : s < 3600 ? 60 : s < 86400 ? 3600 : 0;
}

static void age_text(int64_t age_ms, char *buf, size_t n)
{
    int64_t s = age_ms < 0 ? 0 : age_ms / 1000;
    if (s < 60)
        snprintf(buf, n, "updated %lld s ago", (long long)(s - s % age_step_s(s)));
    else if (s < 3600)
        snprintf(buf, n, "updated %lld min ago", (long long)(s / 60));
    else
        snprintf(buf, n, "updated %lld h ago", (long long)(s / 3600));
}

/* The short name of an error: its API code, "HTTP 503", "network error", … */
static void error_label(const struct api_error *e, char *label, size_t n)
{
    switch (e->kind) {
    case APIERR_API:
        snprintf(label, n, "%s", e->code);
        break;
    case APIERR_HTTP:
        snprintf(label, n, "HTTP %ld", e->http_status);
        break;
    case APIERR_TRANSPORT:
        snprintf(label, n, "network error");
        break;
    case APIERR_DECODE:
        snprintf(label, n, "unreadable response");
        break;
    default:
        snprintf(label, n, "error");
        break;
    }
}

/* "✗ InternalError: An internal error… — hint · RequestId … · r retries", the message cut so
 * the rest fits in width columns. */
static void error_line(const struct api_error *e, int width, char *out, size_t n)
{
    char label[160];
    error_label(e, label, sizeof label);
    const char *dot = text_glyphs()->dot;
    char *lab = sanitize_dup(label);
    char *msg =
        sanitize_dup(e->kind == APIERR_TRANSPORT && e->transport[0] ? e->transport : e->message);
    char *hint = sanitize_dup(apierr_hint(e));
    char *rid = sanitize_dup(e->request_id);
    /* Whatever the width, "r retries" stays; then the hint, the RequestId, the message. */
    char retry[32], ridpart[128];
    snprintf(retry, sizeof retry, "%sr retries", dot);
    snprintf(ridpart, sizeof ridpart, "%sRequestId %s", dot, rid);
    struct buf head = {0};
    buf_printf(&head, "%s %s", ui_tone_mark(MODEL_TONE_FAILED), lab);
    int fixed = text_width(head.data) + text_width(retry);
    int rid_w = rid[0] ? text_width(ridpart) : 0;
    if (fixed + rid_w > width) rid_w = 0;
    int hint_room = width - fixed - rid_w - 3;
    int hint_w = text_width(hint);
    struct buf tail = {0};
    if (hint_room >= 10) {
        buf_printf(&tail, " %s ", text_is_utf8() ? "\xe2\x80\x94" : "-");
        text_fit(&tail, hint, hint_room);
    }
    if (rid_w) buf_puts(&tail, ridpart);
    buf_puts(&tail, retry);
    int room = width - fixed -
               (hint_room >= 10 ? (hint_w < hint_room ? hint_w : hint_room) + 3 : 0) - rid_w - 2;
    if (msg[0] && room >= 12) {
        buf_puts(&head, ": ");
        text_fit(&head, msg, room);
    }
    snprintf(out, n, "%s%s", head.data, tail.data);
    buf_free(&head);
    buf_free(&tail);
    free(lab);
    free(msg);
    free(hint);
    free(rid);
}

static void draw_status(struct app *a, int y, int w)
{
    struct view *v = top(a);
    char left[1600], right[400];
    const char *dot = text_glyphs()->dot;
    const char *prof =
        a->opts->profile_label && *a->opts->profile_label ? a->opts->profile_label : NULL;
    snprintf(right, sizeof right, " %s%s%s%s%s ", a->opts->read_only ? "read-only" : "",
             a->opts->read_only ? dot : "", a->opts->endpoint_label ? a->opts->endpoint_label : "",
             prof ? dot : "", prof ? prof : "");
    char *rclean = sanitize_dup(right);
    int rw = text_width(rclean);
    if (rw > w / 2) rw = w / 2;

    attr_t la = ui_attr(THEME_STATUSLINE);
    left[0] = '\0';
    int64_t now = now_ms();
    bool err = v && v->st.err.kind != APIERR_NONE && v->st.err.kind != APIERR_CANCELLED;
    /* A new attempt after an error (r, or the auto-refresh): say that it is under way rather
     * than leave the old error up as if nothing happened. */
    bool retrying = err && (v->st.state == STORE_LOADING || v->st.state == STORE_STALE);
    if (a->msg[0] && now < a->msg_until) {
        snprintf(left, sizeof left, "%s", a->msg);
        la = ui_attr(a->msg_kind == APP_MSG_ERROR ? THEME_STATUSLINE_ERROR : THEME_STATUSLINE_INFO);
    } else if (retrying) {
        const struct text_glyphs *g = text_glyphs();
        char label[160];
        error_label(&v->st.err, label, sizeof label);
        char *lab = sanitize_dup(label);
        snprintf(left, sizeof left, "%s trying again%slast error: %s",
                 g->spinner[a->spinner % g->n_spinner], dot, lab);
        free(lab);
        err = false;
    } else if (err) {
        error_line(&v->st.err, w - rw - 2, left, sizeof left);
        la = ui_attr(THEME_STATUSLINE_ERROR);
    } else if (is_busy(a)) {
        const struct text_glyphs *g = text_glyphs();
        snprintf(left, sizeof left, "%s %s", g->spinner[a->spinner % g->n_spinner],
                 v && v->st.progress[0] ? v->st.progress : "loading");
    } else if (v && v->st.fetched_ms > 0) {
        age_text(now - v->st.fetched_ms, left, sizeof left);
        if (v->st.progress[0]) {
            strncat(left, dot, sizeof left - strlen(left) - 1);
            strncat(left, v->st.progress, sizeof left - strlen(left) - 1);
        }
    }
    struct store_rate_wait held;
    store_lock(a->store);
    held = *store_rate_wait(a->store);
    store_unlock(a->store);
    struct api_trace tr;
    if (!err && held.waiting > 0) {
        /* Live: requests are held back by the client's rate limit right now (rate 0: no
         * client-side limit, so it is the hold after RequestLimitExceeded). */
        char rl[96];
        if (held.rate > 0)
            snprintf(rl, sizeof rl, "%srate limit: waiting (%g req/s)", left[0] ? dot : "",
                     held.rate);
        else
            snprintf(rl, sizeof rl, "%srate limit: waiting", left[0] ? dot : "");
        strncat(left, rl, sizeof left - strlen(left) - 1);
    } else if (!err && last_trace(a, &tr) && (tr.rate_wait_ms >= 250 || tr.rate_limited > 0) &&
               now - (tr.started_ms + tr.duration_ms) < 10000) {
        char rl[96];
        snprintf(rl, sizeof rl, "%srate limit: waited %.1f s", left[0] ? dot : "",
                 (double)tr.rate_wait_ms / 1000.0);
        strncat(left, rl, sizeof left - strlen(left) - 1);
    }
    ui_fill(y, 0, w, ui_attr(THEME_STATUSLINE));
    ui_put(y, 0, 1, " ", la);
    int used = 1 + ui_put(y, 1, w - rw - 2, left, la);
    if (la != ui_attr(THEME_STATUSLINE)) ui_fill(y, used, w - rw - used, la);
    ui_put_pad(y, w - rw, rw, rclean, ui_attr(THEME_STATUSLINE), true);
    free(rclean);
}

static void draw_prompt(struct app *a, int y, int w)
{
    ui_fill(y, 0, w, A_NORMAL);
    const char *text = a->input.data ? a->input.data : "";
    if (a->prompt == PROMPT_CONFIRM) {
        /* The question is cut, never the answer it expects. */
        const char *answer = " [y/N] ";
        int aw = text_width(answer);
        attr_t qa = ui_attr(THEME_STATUSLINE_INFO);
        int x = ui_put(y, 0, w > aw ? w - aw : 0, a->question, qa);
        x += ui_put(y, x, w - x, answer, qa);
        move(y, x < w ? x : w - 1);
        return;
    }
    const char *lead = a->prompt == PROMPT_FILTER ? "/" : ":";
    const char *hint = a->prompt == PROMPT_FILTER
                           ? "words or field:value  Enter keeps  Esc cancels"
                           : "record ID  cert ID  filter TEXT  sort COL  log  help  q";
    int x = ui_put(y, 0, w, lead, ui_attr(THEME_FILTER));
    int hw = text_width(hint);
    int room = w - x - 1 - (hw + 2 < w / 2 ? hw + 2 : 0);
    /* Show the end of a long input. */
    const char *shown = text;
    while (text_width(shown) > room && *shown) {
        uint32_t cp;
        shown += text_decode(shown, &cp);
    }
    x += ui_put(y, x, room, shown, ui_attr(THEME_FILTER));
    if (hw + 2 < w / 2) ui_put(y, w - hw - 1, hw, hint, ui_attr(THEME_TABLE_DIM));
    move(y, x < w ? x : w - 1);
}

static void draw_too_small(int w, int h)
{
    erase();
    char line[96];
    snprintf(line, sizeof line, "Terminal too small: %dx%d", w, h);
    const char *need = "certdeck needs at least 60x12";
    int y = h / 2 - 1;
    if (y < 0) y = 0;
    ui_put(y, 0, w, line, ui_attr(THEME_STATUS_FAILED));
    if (y + 1 < h) ui_put(y + 1, 0, w, need, A_NORMAL);
    if (y + 2 < h) ui_put(y + 2, 0, w, "q quits", ui_attr(THEME_TABLE_DIM));
}

static bool too_small(void)
{
    return COLS < MIN_COLS || LINES < MIN_LINES;
}

static int64_t age_due(struct app *a, int64_t now);

static void draw(struct app *a)
{
    a->dirty = false;
    erase();
    if (too_small()) {
        draw_too_small(COLS, LINES);
        curs_set(0);
    } else {
        int w = COLS, h = LINES;
        draw_crumbs(a, w);
        int body_h = h - 2 - (a->prompt != PROMPT_NONE ? 1 : 0);
        struct view *v = top(a);
        if (v) v->ops->draw(v, 1, 0, body_h, w);
        draw_status(a, h - 1, w);
        if (a->prompt != PROMPT_NONE) {
            draw_prompt(a, h - 2, w);
            curs_set(1);
        } else {
            curs_set(0);
        }
    }
    wnoutrefresh(stdscr);
    doupdate();
    a->age_next = age_due(a, now_ms());
}

/* ---- commands -------------------------------------------------------------------------- */

static void set_cert_filter(struct app *a, const char *cert)
{
    free(a->cert_filter);
    a->cert_filter = cert && *cert ? xstrdup(cert) : NULL;
    pop_to_root(a);
    struct view *r = top(a);
    table_home(r->ops->table(r));
    bump_generation(a);
    r->ops->on_data(r);
    a->dirty = true;
}

static bool parse_id(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s) return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || *s == '-') return false;
    *out = v;
    return true;
}

static void dispatch(struct app *a, enum keymap_action act);

static void run_command(struct app *a, const char *line)
{
    char cmd[64] = "";
    while (*line == ' ' || *line == ':')
        line++;
    size_t n = strcspn(line, " ");
    if (n >= sizeof cmd) n = sizeof cmd - 1;
    memcpy(cmd, line, n);
    cmd[n] = '\0';
    const char *arg = line + strcspn(line, " ");
    while (*arg == ' ')
        arg++;
    char argbuf[256];
    strlcpy_safe(argbuf, arg, sizeof argbuf);
    for (size_t k = strlen(argbuf); k > 0 && argbuf[k - 1] == ' '; k--)
        argbuf[k - 1] = '\0';
    struct view *v = top(a);
    struct table *t = v && v->ops->table ? v->ops->table(v) : NULL;
    uint64_t id;

    if (!cmd[0]) return;
    if (!strcmp(cmd, "q") || !strcmp(cmd, "quit") || !strcmp(cmd, "q!") || !strcmp(cmd, "qa")) {
        a->quit = true;
    } else if (!strcmp(cmd, "record") || !strcmp(cmd, "detail")) {
        if (!parse_id(argbuf, &id)) {
            app_msg(a, APP_MSG_ERROR, ":%s takes a record Id, e.g. :record 2", cmd);
            return;
        }
        pop_to_root(a);
        struct view_args args = {.record_id = id};
        app_push(a, &detail_view_ops, &args);
    } else if (!strcmp(cmd, "cert")) {
        set_cert_filter(a, argbuf);
        if (argbuf[0])
            app_msg(a, APP_MSG_INFO, "records of certificate %s (:cert alone lists all)", argbuf);
        else
            app_msg(a, APP_MSG_INFO, "all records");
    } else if (!strcmp(cmd, "filter")) {
        if (!t) {
            app_msg(a, APP_MSG_INFO, "nothing to filter here");
            return;
        }
        table_set_filter(t, argbuf);
        v->ops->on_data(v);
    } else if (!strcmp(cmd, "sort")) {
        if (!t) {
            app_msg(a, APP_MSG_INFO, "nothing to sort here");
            return;
        }
        char field[64] = "", dir[16] = "";
        sscanf(argbuf, "%63s %15s", field, dir);
        bool rev = !strcmp(dir, "desc") || !strcmp(dir, "reverse");
        if (!field[0] || !strcmp(field, "none")) {
            table_sort_by(t, -1, false);
        } else if (!table_sort_by_field(t, field, rev)) {
            struct buf names = {0};
            for (size_t c = 0; c < t->n_cols; c++)
                if (t->cols[c].field && !(t->cols[c].flags & TABLE_NOSORT))
                    buf_printf(&names, " %s", t->cols[c].field);
            app_msg(a, APP_MSG_ERROR, "no column '%s' here; columns:%s", field,
                    names.data ? names.data : "");
            buf_free(&names);
            return;
        }
        v->ops->on_data(v);
    } else if (!strcmp(cmd, "log")) {
        dispatch(a, ACT_EVENT_LOG);
    } else if (!strcmp(cmd, "help")) {
        dispatch(a, ACT_HELP);
    } else if (!strcmp(cmd, "refresh")) {
        dispatch(a, ACT_REFRESH);
    } else if (!strcmp(cmd, "json")) {
        dispatch(a, ACT_RAW_JSON);
    } else if (!strcmp(cmd, "records") || !strcmp(cmd, "top")) {
        pop_to_root(a);
    } else {
        app_msg(a, APP_MSG_ERROR, "unknown command :%s (try :help)", cmd);
    }
    a->dirty = true;
}

/* ---- keys ------------------------------------------------------------------------------ */

static void dispatch(struct app *a, enum keymap_action act)
{
    struct view *v = top(a);
    a->dirty = true;
    if (v->ops->key && v->ops->key(v, act)) return;
    struct table *t = v->ops->table ? v->ops->table(v) : NULL;
    switch (act) {
    case ACT_BACK:
        if (a->depth > 1)
            app_pop(a);
        else if (t && t->filter[0]) {
            table_set_filter(t, "");
            v->ops->on_data(v);
        } else
            app_msg(a, APP_MSG_INFO, "this is the first screen: q quits");
        break;
    case ACT_CLOSE:
        if (a->depth > 1)
            app_pop(a);
        else
            a->quit = true;
        break;
    case ACT_QUIT:
        a->quit = true;
        break;
    case ACT_HELP: {
        struct view_args args = {.help_ctx = v->ops->ctx};
        app_push(a, &help_view_ops, &args);
        break;
    }
    case ACT_EVENT_LOG:
        if (v->ops == &log_view_ops)
            app_pop(a);
        else
            app_push(a, &log_view_ops, NULL);
        break;
    case ACT_FILTER:
        if (!t) {
            app_msg(a, APP_MSG_INFO, "nothing to filter here");
            break;
        }
        strlcpy_safe(a->saved_filter, t->filter, sizeof a->saved_filter);
        buf_reset(&a->input);
        buf_puts(&a->input, t->filter);
        a->prompt = PROMPT_FILTER;
        break;
    case ACT_COMMAND:
        buf_reset(&a->input);
        a->prompt = PROMPT_COMMAND;
        break;
    case ACT_SORT_PREV:
    case ACT_SORT_NEXT:
        if (!t) break;
        table_sort_step(t, act == ACT_SORT_NEXT ? 1 : -1);
        v->ops->on_data(v); /* sorting needs every row: views load the rest */
        break;
    case ACT_SORT_REVERSE:
        if (!t) break;
        table_sort_by(t, t->sort_col, !t->sort_rev);
        v->ops->on_data(v);
        break;
    case ACT_REFRESH:
        if (v->ops->reload) v->ops->reload(v);
        a->last_auto_ms = now_ms();
        if (v->ops->on_data) v->ops->on_data(v);
        break;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        break;
    case ACT_OPEN:
    case ACT_RAW_JSON:
    case ACT_ROLLBACK:
    case ACT_RETRY:
    case ACT_PANE_NEXT:
        app_msg(a, APP_MSG_INFO, "%s does nothing on this screen", keymap_action_name(act));
        break;
    default:
        break;
    }
}

static void prompt_apply_filter(struct app *a)
{
    struct view *v = top(a);
    struct table *t = v->ops->table ? v->ops->table(v) : NULL;
    if (!t) return;
    const char *f = a->input.data ? a->input.data : "";
    table_set_filter(t, f);
    v->ops->on_data(v);
    char field[64];
    if (table_unknown_field(t, f, field, sizeof field)) {
        struct buf names = {0};
        for (size_t c = 0; c < t->n_cols; c++)
            if (t->cols[c].field) buf_printf(&names, " %s", t->cols[c].field);
        app_msg(a, APP_MSG_INFO, "no column '%s' here (columns:%s); it matches as plain text",
                field, names.data ? names.data : "");
        buf_free(&names);
    }
}

/* Removes the last code point of the input. */
static void input_backspace(struct buf *b)
{
    if (!b->len) return;
    size_t i = b->len - 1;
    while (i > 0 && ((unsigned char)b->data[i] & 0xc0) == 0x80)
        i--;
    b->len = i;
    b->data[i] = '\0';
}

static void prompt_key(struct app *a, int key)
{
    enum prompt_kind kind = a->prompt;
    a->dirty = true;
    if (kind == PROMPT_CONFIRM) {
        a->prompt = PROMPT_NONE;
        if (key == 'y' || key == 'Y')
            submit_write(a);
        else {
            a->confirm.active = false;
            app_msg(a, APP_MSG_INFO, "cancelled");
        }
        return;
    }
    if (key == KEYMAP_KEY_ENTER) {
        a->prompt = PROMPT_NONE;
        if (kind == PROMPT_COMMAND) {
            char *line = buf_steal(&a->input);
            run_command(a, line);
            free(line);
        }
        return;
    }
    if (key == KEYMAP_KEY_ESC || key == 3 /* C-c */) {
        a->prompt = PROMPT_NONE;
        if (kind == PROMPT_FILTER) {
            buf_reset(&a->input);
            buf_puts(&a->input, a->saved_filter);
            prompt_apply_filter(a);
        }
        return;
    }
    if (key == (KEYMAP_KEY_SPECIAL | KEY_BACKSPACE)) {
        if (!a->input.len) {
            a->prompt = PROMPT_NONE;
            return;
        }
        input_backspace(&a->input);
    } else if (key == 21 /* C-u */) {
        buf_reset(&a->input);
    } else if (key == 23 /* C-w */) {
        while (a->input.len && a->input.data[a->input.len - 1] == ' ')
            input_backspace(&a->input);
        while (a->input.len && a->input.data[a->input.len - 1] != ' ')
            input_backspace(&a->input);
    } else if (key >= 0x20 && key <= 0x10ffff && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
        char enc[8];
        if (a->input.len < 240) buf_puts(&a->input, (text_encode((uint32_t)key, enc), enc));
    } else {
        return;
    }
    if (kind == PROMPT_FILTER) prompt_apply_filter(a);
}

static void handle_key(struct app *a, int key)
{
    a->msg[0] = '\0'; /* a key clears the last message */
    /* Too small, the screen says only "q quits": keys must not go, unseen, into a prompt (q
     * would type into the filter, y would answer a hidden question). The prompt stays open
     * for when the terminal is big enough again. */
    if (too_small()) {
        if (key == 'q' || key == 'Q') a->quit = true;
        return;
    }
    if (a->prompt != PROMPT_NONE) {
        prompt_key(a, key);
        return;
    }
    struct view *v = top(a);
    enum keymap_action act = keymap_lookup(a->km, v->ops->ctx, key);
    if (act == ACT_NONE) {
        char name[32];
        app_msg(a, APP_MSG_INFO, "%s does nothing here (? lists the keys)",
                keymap_key_name(key, name, sizeof name));
        return;
    }
    dispatch(a, act);
}

static void handle_resize(struct app *a, int cols, int lines)
{
    if (cols > 0 && lines > 0) resizeterm(lines, cols);
    clearok(curscr, TRUE);
    a->dirty = true;
}

/* A click on row 0: a breadcrumb goes back to its screen, "? help" opens the help. */
static void crumb_click(struct app *a, int x)
{
    for (size_t i = 0; i < a->n_crumbs; i++) {
        if (x < a->crumbs[i].x0 || x >= a->crumbs[i].x1) continue;
        while (a->depth - 1 > a->crumbs[i].level && a->depth > 1)
            app_pop(a);
        return;
    }
    if (x >= a->help_x0 && x < a->help_x1 && top(a)->ops != &help_view_ops) dispatch(a, ACT_HELP);
}

/* One mouse event, from the terminal (KEY_MOUSE) or from a script's click and wheel lines:
 * the wheel moves the selection three rows, a click selects, a double click opens, a click
 * on a breadcrumb goes back to that screen. Nothing happens while a prompt waits for its
 * answer (a click must not change what y would confirm) or the terminal is too small, nor
 * when the mouse is off. */
static void mouse_event(struct app *a, const MEVENT *ev)
{
    if (!a->opts->mouse || a->prompt != PROMPT_NONE || too_small()) return;
    struct view *v = top(a);
    if (ev->bstate & BUTTON4_PRESSED) {
        for (int i = 0; i < 3; i++)
            dispatch(a, ACT_MOVE_UP);
    } else if (ev->bstate & BUTTON5_PRESSED) {
        for (int i = 0; i < 3; i++)
            dispatch(a, ACT_MOVE_DOWN);
    } else if (ev->bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED)) {
        a->msg[0] = '\0'; /* like a key */
        if (ev->y == 0)
            crumb_click(a, ev->x);
        else if (v->ops->click)
            v->ops->click(v, ev->y, ev->x, (ev->bstate & BUTTON1_DOUBLE_CLICKED) != 0);
    }
    a->dirty = true;
}

static void handle_mouse(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) == OK) mouse_event(a, &ev);
}

/* Reads every key ncurses has (it may have buffered several) and handles them. */
static void read_keys(struct app *a)
{
    wint_t wch;
    int r;
    while (!a->quit && (r = wget_wch(stdscr, &wch)) != ERR) {
        int key;
        if (r == KEY_CODE_YES) {
            if (wch == KEY_RESIZE) {
                handle_resize(a, 0, 0);
                continue;
            }
            if (wch == KEY_MOUSE) {
                handle_mouse(a);
                continue;
            }
            if (wch == KEY_ENTER)
                key = KEYMAP_KEY_ENTER;
            else
                key = KEYMAP_KEY_SPECIAL | (int)wch;
        } else {
            key = (int)wch;
            if (key == '\r') key = KEYMAP_KEY_ENTER;
            if (key == 127 || key == 8) key = KEYMAP_KEY_SPECIAL | KEY_BACKSPACE;
            if (key == KEYMAP_KEY_ESC) {
                /* Esc then a character at once: Alt/Meta. */
                wint_t next;
                int r2 = wget_wch(stdscr, &next);
                if (r2 == OK && next >= 0x20 && next != 0x7f)
                    key = KEYMAP_KEY_META | (int)next;
                else if (r2 != ERR)
                    unget_wch(next);
            }
        }
        handle_key(a, key);
    }
}

/* ---- the loop -------------------------------------------------------------------------- */

/* New data in the store: the visible view takes a fresh snapshot. */
static void pump(struct app *a)
{
    store_drain_wake(a->store);
    store_lock(a->store);
    uint64_t gen = store_generation(a->store);
    store_unlock(a->store);
    if (gen != a->seen_gen) {
        a->seen_gen = gen;
        struct view *v = top(a);
        if (v && v->ops->on_data) v->ops->on_data(v);
        check_pending_write(a);
        a->dirty = true;
    }
    bool busy = is_busy(a);
    if (busy != a->spinning) a->dirty = true;
    a->spinning = busy;
}

static int64_t refresh_due(struct app *a)
{
    struct view *v = top(a);
    if (a->script_mode || !v || !v->ops->reload || v->st.busy || v->st.fetched_ms <= 0) return -1;
    int64_t interval =
        v->st.in_progress ? IN_PROGRESS_REFRESH_MS : (int64_t)a->cfg->refresh_s * 1000;
    if (interval <= 0) return -1;
    int64_t base = v->st.fetched_ms > a->last_auto_ms ? v->st.fetched_ms : a->last_auto_ms;
    return base + interval;
}

static int64_t age_due(struct app *a, int64_t now)
{
    struct view *v = top(a);
    if (a->script_mode || !v || v->st.fetched_ms <= 0) return -1;
    int64_t s = (now - v->st.fetched_ms) / 1000;
    int64_t step = age_step_s(s);
    if (!step) return -1;
    return v->st.fetched_ms + (s / step + 1) * step * 1000;
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
        struct view *v = top(a);
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
        pump(a);
        int64_t next = run_timers(a);
        if (a->dirty) draw(a);
        int timeout = -1;
        if (next >= 0) {
            int64_t d = next - now_ms();
            timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
        }
        struct pollfd pfd[3] = {
            {STDIN_FILENO, POLLIN, 0},
            {store_wake_fd(a->store), POLLIN, 0},
            {sig_pipe[0], POLLIN, 0},
        };
        int r = poll(pfd, 3, timeout);
        if (r < 0 && errno != EINTR) break;
        if (sig_quit == SIGINT && a->prompt != PROMPT_NONE) {
            /* Ctrl-C while typing a filter, a command or answering a question cancels that,
             * as it does in a shell's line editor; with no prompt open it quits. */
            sig_quit = 0;
            prompt_key(a, 3 /* C-c */);
        }
        if (sig_quit) break;
        if (sig_winch || (r > 0 && (pfd[2].revents & POLLIN))) {
            drain_fd(sig_pipe[0]);
            if (sig_winch) {
                sig_winch = 0;
                int c, l;
                terminal_size(&c, &l);
                handle_resize(a, c, l);
            }
        }
        if (r > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
            !(pfd[0].revents & POLLIN))
            break; /* the terminal went away */
        if (r > 0 && (pfd[0].revents & POLLIN)) read_keys(a);
    }
}

/* ---- scripted mode --------------------------------------------------------------------- */

static void script_fail(struct app *a, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void script_fail(struct app *a, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "certdeck: script %s:%d: %s\n", file, line, msg);
    a->exit_code = 1;
    a->quit = true;
}

/* Waits until the worker has nothing queued or in flight and the screen shows the latest
 * store generation. No sleeps: it blocks in poll() on the wake fd (the worker touches the
 * store when it goes idle). */
static bool wait_idle(struct app *a, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        pump(a);
        if (a->dirty) draw(a);
        if (worker_idle(a->worker)) {
            store_lock(a->store);
            uint64_t gen = store_generation(a->store);
            store_unlock(a->store);
            if (gen == a->seen_gen && worker_idle(a->worker)) return true;
            continue;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        struct pollfd pfd = {store_wake_fd(a->store), POLLIN, 0};
        poll(&pfd, 1, left > 200 ? 200 : (int)left);
    }
}

static void row_text(int y, struct buf *line);

static bool screen_shows(const char *text)
{
    struct buf line = {0};
    bool found = false;
    for (int y = 0; y < LINES && !found; y++) {
        row_text(y, &line);
        found = line.data && strstr(line.data, text);
    }
    buf_free(&line);
    return found;
}

/* Waits until some row of the screen shows text (what a person would wait for), with a
 * deadline. No sleeps: between checks it blocks in poll() on the wake fd, and in scripted
 * mode only store changes change the screen. */
static bool wait_text(struct app *a, const char *text, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        pump(a);
        if (a->dirty) draw(a);
        if (screen_shows(text)) return true;
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        struct pollfd pfd = {store_wake_fd(a->store), POLLIN, 0};
        poll(&pfd, 1, (int)left);
    }
}

/* Script `stall-until-calls N`: the render loop stalls (no look at the store, no drawing)
 * until the event log holds N calls, as a UI thread busy elsewhere would, so several calls
 * land between two looks at the store. With a deadline. */
static bool stall_until_calls(struct app *a, size_t n, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        store_lock(a->store);
        size_t have = store_log_len(a->store);
        store_unlock(a->store);
        if (have >= n) return true;
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        struct pollfd pfd = {store_wake_fd(a->store), POLLIN, 0};
        poll(&pfd, 1, (int)left);
        store_drain_wake(a->store); /* pump() goes by the generation: nothing is lost */
    }
}

/* A script's click or wheel line: queued as the terminal queues a mouse event (KEY_MOUSE),
 * then read through the same path as typed input. */
static void script_mouse(struct app *a, int y, int x, mmask_t bstate)
{
    MEVENT ev = {.id = 0, .x = x, .y = y, .z = 0, .bstate = bstate};
    if (ungetmouse(&ev) == OK) read_keys(a);
}

/* "ROW COL" of a click or wheel line, inside the screen. */
static bool parse_cell(const char *s, int *row, int *col, char *rest, size_t rest_n)
{
    int used = 0;
    if (sscanf(s, "%d %d%n", row, col, &used) != 2) return false;
    if (*row < 0 || *row >= LINES || *col < 0 || *col >= COLS) return false;
    strlcpy_safe(rest, str_trim((char *)s + used), rest_n);
    return true;
}

static void color_name(short c, char *buf, size_t n)
{
    static const char *const names[8] = {"black", "red",     "green", "yellow",
                                         "blue",  "magenta", "cyan",  "white"};
    if (c < 0)
        snprintf(buf, n, "default");
    else if (c < 8)
        snprintf(buf, n, "%s", names[c]);
    else if (c < 16)
        snprintf(buf, n, "bright-%s", names[c - 8]);
    else
        snprintf(buf, n, "color%d", c);
}

static void describe_attr(attr_t at, short pair, char *buf, size_t n)
{
    static const struct {
        attr_t bit;
        const char *name;
    } bits[] = {{A_BOLD, "bold"},       {A_DIM, "dim"},           {A_UNDERLINE, "underline"},
                {A_REVERSE, "reverse"}, {A_STANDOUT, "standout"}, {A_ITALIC, "italic"},
                {A_BLINK, "blink"}};
    struct buf b = {0};
    for (size_t i = 0; i < ARRAY_LEN(bits); i++)
        if (at & bits[i].bit) buf_printf(&b, "%s%s", b.len ? "," : "", bits[i].name);
    short fg = -1, bg = -1;
    if (pair > 0) pair_content(pair, &fg, &bg);
    if (fg >= 0 || bg >= 0) {
        char f[24], g[24];
        color_name(fg, f, sizeof f);
        color_name(bg, g, sizeof g);
        buf_printf(&b, "%sfg=%s bg=%s", b.len ? " " : "", f, g);
    }
    strlcpy_safe(buf, b.len ? b.data : "normal", n);
    buf_free(&b);
}

/* Row y of the screen as text into line (emptied first): each wide character once, trailing
 * spaces trimmed. */
static void row_text(int y, struct buf *line)
{
    buf_reset(line);
    size_t keep = 0;
    for (int x = 0; x < COLS;) {
        cchar_t cc;
        wchar_t wch[CCHARW_MAX + 1];
        attr_t at;
        short pair;
        int w = 1;
        if (mvwin_wch(stdscr, y, x, &cc) == OK && getcchar(&cc, wch, &at, &pair, NULL) != ERR &&
            wch[0]) {
            for (int k = 0; k < CCHARW_MAX && wch[k]; k++) {
                char enc[8];
                text_encode((uint32_t)wch[k], enc);
                buf_puts(line, enc);
            }
            int cw = wcwidth(wch[0]);
            w = cw == 2 ? 2 : 1;
        } else {
            buf_putc(line, ' ');
        }
        if (line->len && line->data[line->len - 1] != ' ') keep = line->len;
        x += w;
    }
    if (line->data) {
        line->len = keep;
        line->data[keep] = '\0';
    }
}

/* Writes the screen as text, one line per row (row_text); with attrs, then the styled runs
 * of each row. */
static int save_display(const char *path, bool attrs)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    struct buf line = {0};
    for (int y = 0; y < LINES; y++) {
        row_text(y, &line);
        fprintf(f, "%s\n", line.data ? line.data : "");
    }
    buf_free(&line);
    if (attrs) {
        fprintf(f, "-- attributes --\n");
        for (int y = 0; y < LINES; y++) {
            struct buf row = {0};
            int start = 0;
            char cur[128] = "", d[128];
            for (int x = 0; x <= COLS; x++) {
                d[0] = '\0';
                if (x < COLS) {
                    cchar_t cc;
                    wchar_t wch[CCHARW_MAX + 1];
                    attr_t at = 0;
                    short pair = 0;
                    if (mvwin_wch(stdscr, y, x, &cc) == OK) getcchar(&cc, wch, &at, &pair, NULL);
                    describe_attr(at & ~A_COLOR, pair, d, sizeof d);
                }
                if (x == COLS || strcmp(d, cur)) {
                    if (x > 0 && strcmp(cur, "normal"))
                        buf_printf(&row, " %d-%d %s;", start, x - 1, cur);
                    strlcpy_safe(cur, d, sizeof cur);
                    start = x;
                }
            }
            if (row.len) fprintf(f, "%2d:%s\n", y, row.data);
            buf_free(&row);
        }
    }
    return fclose(f);
}

static void script_loop(struct app *a)
{
    const char *file = a->opts->script;
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "certdeck: cannot read script %s: %s\n", file, strerror(errno));
        a->exit_code = 2;
        return;
    }
    char raw[4096];
    int lineno = 0;
    pump(a);
    draw(a);
    while (!a->quit && fgets(raw, sizeof raw, f)) {
        lineno++;
        char *line = str_trim(raw);
        if (!*line || *line == '#') continue;
        if (*line == ':') {
            run_command(a, line + 1);
        } else if (!strncmp(line, "keys ", 5)) {
            const char *s = line + 5;
            uint32_t cp;
            size_t n;
            while (!a->quit && (n = text_decode(s, &cp)) > 0) {
                handle_key(a, (int)cp);
                s += n;
                pump(a);
            }
        } else if (!strncmp(line, "key ", 4)) {
            int key = keymap_key_parse(str_trim(line + 4));
            if (key < 0) {
                script_fail(a, file, lineno, "unknown key '%s'", line + 4);
                break;
            }
            handle_key(a, key);
        } else if (!strcmp(line, "wait-idle") || !strncmp(line, "wait-idle ", 10)) {
            long ms = line[9] ? strtol(line + 10, NULL, 10) : WAIT_IDLE_DEFAULT_MS;
            if (ms <= 0) ms = WAIT_IDLE_DEFAULT_MS;
            if (!wait_idle(a, ms)) {
                struct worker_stats st;
                worker_get_stats(a->worker, &st);
                script_fail(a, file, lineno,
                            "wait-idle: still busy after %ld ms (%zu queued, %zu running)", ms,
                            st.queued, st.running);
                break;
            }
        } else if (!strncmp(line, "wait-text ", 10)) {
            const char *text = line + 10;
            if (!wait_text(a, text, WAIT_IDLE_DEFAULT_MS)) {
                script_fail(a, file, lineno, "wait-text: \"%s\" not on the screen after %d ms",
                            text, WAIT_IDLE_DEFAULT_MS);
                break;
            }
        } else if (!strncmp(line, "stall-until-calls ", 18)) {
            char *end;
            long n = strtol(line + 18, &end, 10);
            if (n <= 0 || n > STORE_LOG_CAPACITY || *str_trim(end)) {
                script_fail(a, file, lineno, "stall-until-calls takes a count (1-%d)",
                            STORE_LOG_CAPACITY);
                break;
            }
            if (!stall_until_calls(a, (size_t)n, WAIT_IDLE_DEFAULT_MS)) {
                script_fail(a, file, lineno, "stall-until-calls: fewer than %ld calls after %d ms",
                            n, WAIT_IDLE_DEFAULT_MS);
                break;
            }
            continue; /* no look at the store before the next line either */
        } else if (!strncmp(line, "click ", 6)) {
            int row, col;
            char rest[32];
            if (!parse_cell(line + 6, &row, &col, rest, sizeof rest) ||
                (rest[0] && strcmp(rest, "double"))) {
                script_fail(a, file, lineno, "click takes ROW COL [double], inside the screen");
                break;
            }
            script_mouse(a, row, col, rest[0] ? BUTTON1_DOUBLE_CLICKED : BUTTON1_CLICKED);
        } else if (!strncmp(line, "wheel ", 6)) {
            const char *dir = str_trim(line + 6);
            bool up = !strncmp(dir, "up ", 3), down = !strncmp(dir, "down ", 5);
            int row, col;
            char rest[32];
            if ((!up && !down) || !parse_cell(dir + (up ? 3 : 5), &row, &col, rest, sizeof rest) ||
                rest[0]) {
                script_fail(a, file, lineno, "wheel takes up|down ROW COL, inside the screen");
                break;
            }
            script_mouse(a, row, col, up ? BUTTON4_PRESSED : BUTTON5_PRESSED);
        } else if (!strncmp(line, "resize ", 7)) {
            int c, l;
            if (sscanf(line + 7, "%d %d", &c, &l) != 2 || c < 1 || l < 1 || c > 1000 || l > 1000) {
                script_fail(a, file, lineno, "resize takes COLS LINES");
                break;
            }
            handle_resize(a, c, l);
        } else if (!strncmp(line, "save-display ", 13)) {
            char path[1024];
            char *rest = str_trim(line + 13);
            bool attrs = false;
            size_t pl = strcspn(rest, " ");
            if (pl >= sizeof path) pl = sizeof path - 1;
            memcpy(path, rest, pl);
            path[pl] = '\0';
            if (rest[pl]) attrs = !strcmp(str_trim(rest + pl), "attrs");
            pump(a);
            if (a->dirty) draw(a);
            if (save_display(path, attrs) != 0) {
                script_fail(a, file, lineno, "cannot write %s: %s", path, strerror(errno));
                break;
            }
        } else {
            script_fail(a, file, lineno, "unknown script line '%s'", line);
            break;
        }
        pump(a);
        if (a->dirty) draw(a);
    }
    fclose(f);
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
            add_note(a, true, err);
            theme_builtin(&a->theme);
        }
    } else {
        theme_builtin(&a->theme);
    }
    for (size_t i = 0; i < a->theme.n_diags; i++)
        add_note(a, true, a->theme.diags[i]);
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
        add_note(a, true, a->cfg->diags[i]);
    keymap_apply_config(a->km, a->cfg, note_diag, a);

    if (!a->script_mode && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "certdeck: the TUI needs a terminal; for scripts use a batch command "
                        "(certdeck records, certdeck detail ID)\n");
        keymap_free(a->km);
        free(a);
        return 2;
    }
    install_signals(!a->script_mode);
    FILE *fout = NULL, *fin = NULL;
    SCREEN *scr = open_screen(a, &fout, &fin);
    if (!scr) {
        restore_signals(!a->script_mode);
        fprintf(stderr, "certdeck: cannot initialise the terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        if (fout) fclose(fout);
        if (fin) fclose(fin);
        keymap_free(a->km);
        free(a);
        return 2;
    }
    set_term(scr);
    curses_up = 1;
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
        script_loop(a);
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
    curses_up = 0;
    delscreen(scr);
    if (fout) fclose(fout);
    if (fin) fclose(fin);
    restore_signals(!a->script_mode);
    int rc = a->exit_code;
    if (sig_quit == SIGINT || sig_quit == SIGTERM || sig_quit == SIGHUP) rc = 128 + sig_quit;
    sig_quit = 0;
    keymap_free(a->km);
    for (size_t i = 0; i < a->n_notes; i++)
        free(a->notes[i].text);
    buf_free(&a->input);
    free(a->cert_filter);
    free(a);
    return rc;
}
