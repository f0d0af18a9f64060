/* The chrome around the screen on top: the title row with its breadcrumbs (and where a click
 * on them goes), the status line (message, error, progress, age, rate limit, endpoint), the
 * too-small notice, and the frame that draws them all once per wake. */
#include "tui/app/chrome.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apierr.h"
#include "core/sanitize.h"
#include "core/snapshot.h"
#include "tui/app/options.h"
#include "tui/app/prompt.h"
#include "tui/app/tick.h"
#include "tui/text.h"
#include "tui/ui.h"

#define MIN_COLS  60
#define MIN_LINES 12

/* A part of the breadcrumb path: its bytes and the stack level a click on it goes back to. */
struct crumb_seg {
    size_t b0, b1; /* bytes of the breadcrumb path */
    int level;
};

/* Display width of the n bytes at s. */
static int width_of(const char *s, size_t n)
{
    char *part = xstrndup(s, n);
    int wd = text_width(part);
    free(part);
    return wd;
}

/* "offline: FILE, taken 2025-12-31 00:00:00+00" after the title: what the screen shows is a
 * file from the past. The crumbs keep at least CRUMBS_MIN columns; FILE gives way first, cut
 * from the left (its name is at the end). Returns the next column. */
#define CRUMBS_MIN 10
static int draw_offline(const struct snapshot *snap, int x, int w)
{
    char taken[40];
    snapshot_taken_text(snap, taken, sizeof taken);
    char *file = sanitize_dup(snap->path);
    char *tail = xasprintf(", taken %s ", taken);
    const char *head = " offline: ";
    int room = w - x - CRUMBS_MIN - 10; /* the "? help" hint and the gaps */
    int fixed = text_width(head) + text_width(tail);
    const char *shown = file;
    bool cut = false;
    while (*shown && fixed + text_width(shown) + (cut ? 1 : 0) > room) {
        uint32_t cp;
        shown += text_decode(shown, &cp);
        cut = true;
    }
    struct buf t = {0};
    buf_puts(&t, head);
    if (cut) buf_puts(&t, text_glyphs()->ellipsis);
    buf_puts(&t, shown);
    buf_puts(&t, tail);
    x += ui_put(0, x, w - x, t.data, ui_attr(THEME_STATUSLINE_INFO));
    x += ui_put(0, x, w - x, " ", A_NORMAL);
    buf_free(&t);
    free(tail);
    free(file);
    return x;
}

static void draw_crumbs(struct app *a, int w)
{
    ui_fill(0, 0, w, A_NORMAL);
    int x = ui_put(0, 0, w, " certdeck ", ui_attr(THEME_TITLE));
    x += ui_put(0, x, w - x, " ", A_NORMAL);
    if (a->opts->offline) x = draw_offline(a->opts->offline, x, w);
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
    struct view *v = app_top(a);
    char left[1600], right[600];
    const char *dot = text_glyphs()->dot;
    const char *prof = a->profile_label[0] ? a->profile_label : NULL;
    snprintf(right, sizeof right, " %s%s%s%s%s ",
             a->read_only ? (a->opts->offline ? "offline" : "read-only") : "",
             a->read_only ? dot : "", a->endpoint_label, prof ? dot : "", prof ? prof : "");
    char *rclean = sanitize_dup(right);
    int rw = text_width(rclean);
    if (rw > w / 2) rw = w / 2;

    attr_t la = ui_attr(THEME_STATUSLINE);
    left[0] = '\0';
    int64_t now = now_ms();
    bool err = v && v->st.err.kind != APIERR_NONE && v->st.err.kind != APIERR_CANCELLED;
    /* A filter or sort under way in the table (or sorted rows waiting for the next sort). */
    char tp[96] = "";
    struct table *tt = v && v->ops->table ? v->ops->table(v) : NULL;
    if (tt) table_progress(tt, tp, sizeof tp);
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
    } else if (tick_busy(a)) {
        const struct text_glyphs *g = text_glyphs();
        const char *what = v && v->st.progress[0] ? v->st.progress : tp[0] ? "" : "loading";
        snprintf(left, sizeof left, "%s %s%s%s", g->spinner[a->spinner % g->n_spinner], what,
                 what[0] && tp[0] ? dot : "", tp);
    } else if (v && v->st.fetched_ms > 0) {
        /* Offline, the data is as old as the snapshot (the title row says when), not as old as
         * the moment it was read from the file. */
        if (a->offline)
            snprintf(left, sizeof left, "as in the snapshot");
        else
            age_text(now - v->st.fetched_ms, left, sizeof left);
        if (v->st.progress[0]) {
            strncat(left, dot, sizeof left - strlen(left) - 1);
            strncat(left, v->st.progress, sizeof left - strlen(left) - 1);
        }
        if (tp[0]) {
            strncat(left, dot, sizeof left - strlen(left) - 1);
            strncat(left, tp, sizeof left - strlen(left) - 1);
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

bool chrome_too_small(void)
{
    return COLS < MIN_COLS || LINES < MIN_LINES;
}

void chrome_draw(struct app *a)
{
    a->dirty = false;
    erase();
    if (chrome_too_small()) {
        draw_too_small(COLS, LINES);
        curs_set(0);
    } else {
        int w = COLS, h = LINES;
        draw_crumbs(a, w);
        int body_h = h - 2 - (a->prompt != PROMPT_NONE ? 1 : 0);
        struct view *v = app_top(a);
        if (v) v->ops->draw(v, 1, 0, body_h, w);
        draw_status(a, h - 1, w);
        if (a->prompt != PROMPT_NONE) {
            prompt_draw(a, h - 2, w);
            curs_set(1);
        } else {
            curs_set(0);
        }
    }
    wnoutrefresh(stdscr);
    doupdate();
    a->age_next = chrome_age_due(a, now_ms());
}

int64_t chrome_age_due(struct app *a, int64_t now)
{
    struct view *v = app_top(a);
    if (a->script_mode || a->offline || !v || v->st.fetched_ms <= 0) return -1;
    int64_t s = (now - v->st.fetched_ms) / 1000;
    int64_t step = age_step_s(s);
    if (!step) return -1;
    return v->st.fetched_ms + (s / step + 1) * step * 1000;
}

int chrome_row0_target(const struct app *a, int x)
{
    for (size_t i = 0; i < a->n_crumbs; i++)
        if (x >= a->crumbs[i].x0 && x < a->crumbs[i].x1) return a->crumbs[i].level;
    if (x >= a->help_x0 && x < a->help_x1) return CHROME_HELP;
    return CHROME_NOTHING;
}
