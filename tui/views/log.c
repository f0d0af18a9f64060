/* The event log: the last API calls from the store's log (action, parameters, duration,
 * attempts, result, RequestId), newest first, with the app's notes (configuration and theme
 * diagnostics, write results) among them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

enum { LC_MARK, LC_WHEN, LC_ACTION, LC_PARAMS, LC_MS, LC_TRIES, LC_RESULT, LC_RID, LC_N };

static const struct table_col columns[LC_N] = {
    [LC_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [LC_WHEN] = {"When", "when", 8, 8, 0, 0},
    [LC_ACTION] = {"Action", "action", 8, 38, 0, 0},
    [LC_PARAMS] = {"Parameters", "params", 8, 40, 4, 0},
    [LC_MS] = {"ms", "ms", 4, 7, 2, TABLE_NUMERIC},
    [LC_TRIES] = {"Tries", "tries", 5, 5, 5, TABLE_NUMERIC},
    [LC_RESULT] = {"Result", "result", 24, 0, 0, TABLE_TONED | TABLE_FLEX},
    [LC_RID] = {"RequestId", "rid", 9, 36, 3, 0},
};

struct log_view {
    struct table t;
};

static void log_open(struct view *v, const struct view_args *args)
{
    (void)args;
    struct log_view *p = xcalloc(1, sizeof *p);
    table_init(&p->t, columns, LC_N);
    p->t.copy_col = LC_RID; /* y copies the RequestId, for a support ticket */
    p->t.focused = true;
    v->priv = p;
}

static void log_close(struct view *v)
{
    struct log_view *p = v->priv;
    table_free(&p->t);
    free(p);
}

static void log_crumb(struct view *v, struct buf *out)
{
    (void)v;
    buf_puts(out, "Event log");
}

static void log_on_data(struct view *v)
{
    struct log_view *p = v->priv;
    struct store *s = app_store(v->app);
    char when[16], ms[32], tries[16], result[1200];
    table_begin(&p->t);
    store_lock(s);
    size_t n = store_log_len(s);
    for (size_t k = n; k-- > 0;) {
        const struct api_trace *tr = store_log_at(s, k);
        app_clock_text(v->app, tr->started_ms, when, sizeof when);
        snprintf(ms, sizeof ms, "%lld", (long long)tr->duration_ms);
        snprintf(tries, sizeof tries, "%d", tr->attempts);
        enum model_tone tone = MODEL_TONE_SUCCESS;
        if (tr->err.kind == APIERR_NONE) {
            if (tr->rate_wait_ms > 0)
                snprintf(result, sizeof result, "OK (waited %lld ms for the rate limit)",
                         (long long)tr->rate_wait_ms);
            else
                snprintf(result, sizeof result, "OK");
        } else {
            tone = MODEL_TONE_FAILED;
            apierr_format(&tr->err, result, sizeof result);
        }
        const char *cells[LC_N] = {ui_tone_mark(tone),
                                   when,
                                   tr->action ? tr->action : "",
                                   tr->params,
                                   ms,
                                   tries,
                                   result,
                                   tr->request_id[0] ? tr->request_id : tr->err.request_id};
        /* Keyed by start time, so the cursor stays put while new calls arrive. */
        struct table_row *row = table_add(&p->t, (uint64_t)tr->started_ms, cells);
        row->tone = tone;
    }
    store_unlock(s);
    size_t nn = app_note_count(v->app);
    for (size_t i = nn; i-- > 0;) {
        int64_t at;
        bool is_err;
        const char *note = app_note(v->app, i, &at, &is_err);
        app_clock_text(v->app, at, when, sizeof when);
        const char *cells[LC_N] = {ui_tone_mark(is_err ? MODEL_TONE_FAILED : MODEL_TONE_UNKNOWN),
                                   when,
                                   "note",
                                   "",
                                   "",
                                   "",
                                   note,
                                   ""};
        struct table_row *row = table_add(&p->t, (uint64_t)1 << 40 | i, cells);
        row->tone = is_err ? MODEL_TONE_FAILED : MODEL_TONE_UNKNOWN;
    }
    table_end(&p->t);
    v->st.state = STORE_LOADED;
}

static void log_draw(struct view *v, int y, int x, int h, int w)
{
    struct log_view *p = v->priv;
    ui_fill(y, x, w, A_NORMAL);
    char line[160];
    size_t notes = app_note_count(v->app), calls = p->t.n_rows - notes;
    snprintf(line, sizeof line, "%zu API call%s, %zu note%s, newest first", calls,
             calls == 1 ? "" : "s", notes, notes == 1 ? "" : "s");
    ui_put(y, x, w, line, ui_attr(THEME_LABEL));
    v->body_rows = h - 2;
    if (!p->t.n_vis) {
        for (int r = 1; r < h; r++)
            ui_fill(y + r, x, w, A_NORMAL);
        ui_put(y + 2, x + 2, w - 4, "Nothing yet.", A_NORMAL);
        return;
    }
    /* The selected entry in full below the table: notes and errors are long. */
    int pane = h >= 12 ? 4 : 0;
    table_draw(&p->t, y + 1, x, h - 1 - pane, w);
    if (!pane) return;
    int py = y + h - pane;
    for (int c = 0; c < w; c++)
        ui_put(py, x + c, 1, text_glyphs()->hline, ui_attr(THEME_PANE_BORDER));
    const struct table_row *r = table_selected(&p->t);
    if (!r) return;
    struct buf b = {0};
    const char *params = table_selected_cell(&p->t, LC_PARAMS);
    const char *rid = table_selected_cell(&p->t, LC_RID);
    buf_printf(&b, "%s %s", table_selected_cell(&p->t, LC_WHEN),
               table_selected_cell(&p->t, LC_ACTION));
    if (params[0]) buf_printf(&b, " %s", params);
    buf_printf(&b, "%s%s", text_glyphs()->dot, table_selected_cell(&p->t, LC_RESULT));
    if (rid[0]) buf_printf(&b, "%sRequestId %s", text_glyphs()->dot, rid);
    size_t n;
    char **lines = text_wrap(b.data, w - 2, &n);
    for (size_t i = 0; i < n && (int)i < pane - 1; i++)
        ui_put(py + 1 + (int)i, x + 1, w - 2, lines[i],
               r->tone == MODEL_TONE_FAILED ? ui_attr(THEME_EVENT_ERROR) : A_NORMAL);
    text_free_lines(lines, n);
    buf_free(&b);
}

static bool log_key(struct view *v, enum keymap_action act)
{
    struct log_view *p = v->priv;
    if (act == ACT_OPEN) return true;
    return view_table_key(v, &p->t, act);
}

static void log_refresh(struct view *v)
{
    log_on_data(v);
}

static struct table *log_table(struct view *v)
{
    return &((struct log_view *)v->priv)->t;
}

const struct view_ops log_view_ops = {
    .name = "log",
    .ctx = KM_LOG,
    .open = log_open,
    .close = log_close,
    .crumb = log_crumb,
    .draw = log_draw,
    .key = log_key,
    .on_data = log_on_data,
    .reload = log_refresh,
    .table = log_table,
};
