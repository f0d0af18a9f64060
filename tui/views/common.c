/* What every screen shares: cursor movement on a table, scrolling a text screen, the
 * loading / error / empty message shown in a body that has nothing else to show, and the
 * questions before a record-wide write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apierr.h"
#include "core/sanitize.h"
#include "core/store.h"
#include "core/query.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

/* Rows a page-up/down moves when `rows` rows are shown. */
static long page_rows(int rows)
{
    return rows > 2 ? rows - 1 : 1;
}

bool view_table_key(struct view *v, struct table *t, enum keymap_action act)
{
    long page = page_rows(t->last_h > 0 ? t->last_h : v->body_rows);
    if (act == ACT_MOVE_UP || act == ACT_MOVE_DOWN || act == ACT_PAGE_UP || act == ACT_PAGE_DOWN ||
        act == ACT_FIRST || act == ACT_NEXT_FAILED || act == ACT_PREV_FAILED)
        v->go_last = false;
    switch (act) {
    case ACT_MOVE_UP:
        table_move(t, -1);
        return true;
    case ACT_MOVE_DOWN:
        table_move(t, 1);
        return true;
    case ACT_PAGE_UP:
        table_move(t, -page);
        return true;
    case ACT_PAGE_DOWN:
        table_move(t, page);
        return true;
    case ACT_FIRST:
        table_home(t);
        return true;
    case ACT_LAST:
        v->want_all = true;
        v->go_last = true;
        table_end_row(t);
        return true;
    case ACT_NEXT_FAILED:
    case ACT_PREV_FAILED:
        if (!table_next_tone(t, act == ACT_NEXT_FAILED ? 1 : -1))
            app_msg(v->app, APP_MSG_INFO, "no failed row here%s",
                    t->n_vis < t->n_rows ? " (the filter hides some rows)" : "");
        return true;
    default:
        return false;
    }
}

bool view_scroll_key(struct view *v, size_t *top, size_t n, enum keymap_action act)
{
    size_t page = (size_t)page_rows(v->body_rows);
    size_t max = n > (size_t)v->body_rows ? n - (size_t)v->body_rows : 0;
    switch (act) {
    case ACT_MOVE_UP:
        *top = *top > 0 ? *top - 1 : 0;
        return true;
    case ACT_MOVE_DOWN:
        *top = *top < max ? *top + 1 : max;
        return true;
    case ACT_PAGE_UP:
        *top = *top > page ? *top - page : 0;
        return true;
    case ACT_PAGE_DOWN:
        *top = *top + page < max ? *top + page : max;
        return true;
    case ACT_FIRST:
        *top = 0;
        return true;
    case ACT_LAST:
        *top = max;
        return true;
    default:
        return false;
    }
}

int view_filter_note(const struct table *t, int y, int x, int w)
{
    if (!t->filter[0] || w <= 0) return 0;
    char line[400];
    char *f = sanitize_dup(t->filter);
    if (strcmp(t->filter, t->ordered_filter)) /* filtering in steps: no count yet */
        snprintf(line, sizeof line, "%s/%s", text_glyphs()->dot, f);
    else
        snprintf(line, sizeof line, "%s%zu shown by /%s", text_glyphs()->dot, t->n_vis, f);
    free(f);
    return ui_put(y, x, w, line, ui_attr(THEME_FILTER));
}

void view_draw_state(struct view *v, int y, int x, int h, int w, const char *what)
{
    for (int r = 0; r < h; r++)
        ui_fill(y + r, x, w, A_NORMAL);
    if (h <= 0) return;
    char line[1400];
    int row = y + (h > 4 ? 1 : 0);
    int lx = x + 2, lw = w - 4;
    if (v->st.err.kind != APIERR_NONE && v->st.err.kind != APIERR_CANCELLED) {
        snprintf(line, sizeof line, "%s Could not load %s.", ui_tone_mark(MODEL_TONE_FAILED), what);
        ui_put(row++, lx, lw, line, ui_attr(THEME_STATUS_FAILED));
        apierr_format(&v->st.err, line, sizeof line);
        size_t n;
        char **lines = text_wrap(line, lw > 10 ? lw : 10, &n);
        for (size_t i = 0; i < n && row < y + h; i++)
            ui_put(row++, lx, lw, lines[i], A_NORMAL);
        text_free_lines(lines, n);
        if (row < y + h) {
            char *hint = sanitize_dup(apierr_hint(&v->st.err));
            snprintf(line, sizeof line, "What to do: %s", hint);
            free(hint);
            lines = text_wrap(line, lw > 10 ? lw : 10, &n);
            for (size_t i = 0; i < n && row < y + h; i++)
                ui_put(row++, lx, lw, lines[i], ui_attr(THEME_LABEL));
            text_free_lines(lines, n);
        }
        /* A new attempt is under way (r, or the auto-refresh): say so, not "press r". */
        bool retrying = v->st.state == STORE_LOADING || v->st.state == STORE_STALE;
        if (row + 1 < y + h)
            ui_put(++row, lx, lw,
                   retrying ? (text_is_utf8() ? "Trying again\xe2\x80\xa6" : "Trying again...")
                            : "Press r to try again.",
                   ui_attr(THEME_TABLE_DIM));
        return;
    }
    if (v->st.state == STORE_IDLE || v->st.state == STORE_LOADING || v->st.busy) {
        snprintf(line, sizeof line, "Loading %s%s", what, text_is_utf8() ? "\xe2\x80\xa6" : "...");
        ui_put(row, lx, lw, line, ui_attr(THEME_TABLE_DIM));
        return;
    }
    ui_put(row, lx, lw, "Nothing to show here.", ui_attr(THEME_TABLE_DIM));
}

static void confirm_record_write(struct view *v, enum app_write w, uint64_t record_id)
{
    struct store *s = app_store(v->app);
    struct buf q = {0};
    store_lock(s);
    const struct store_detail *sd = store_detail(s, record_id);
    if (w == APP_WRITE_ROLLBACK)
        view_rollback_question(sd, record_id, &q);
    else
        view_retry_question(sd, record_id, &q);
    store_unlock(s);
    app_confirm_write(v->app, w, record_id, -1, q.data);
    buf_free(&q);
}

/* Groups named in a rollback question; the rest are counted ("+2 more"). */
#define QUESTION_GROUPS 5
/* Display columns a resource type may take there (a hostile name cannot fill the prompt). */
#define QUESTION_TYPE_COLS 16

void view_rollback_question(const struct store_detail *sd, uint64_t record_id, struct buf *out)
{
    const struct text_glyphs *g = text_glyphs();
    buf_printf(out, "Roll back record #%llu", (unsigned long long)record_id);
    const struct deploy_run *run = query_latest_run(sd, true);
    if (!sd || !sd->meta.fetched_ms) {
        buf_puts(out, " (resource count not loaded yet)");
    } else if (!run) {
        buf_puts(out, " (its detail lists no deploy run)");
    } else {
        int64_t sum = 0;
        for (size_t i = 0; i < run->n_groups; i++)
            sum += run->groups[i].total_count;
        int64_t total = run->total_count > 0 ? run->total_count : sum;
        char num[32];
        buf_printf(out, "%s%s resource%s", g->dash, text_thousands(total, num, sizeof num),
                   total == 1 ? "" : "s");
        for (size_t i = 0; i < run->n_groups && i < QUESTION_GROUPS; i++) {
            char *type = sanitize_dup(run->groups[i].resource_type);
            buf_puts(out, i ? ", " : " (");
            text_fit(out, type, QUESTION_TYPE_COLS);
            buf_printf(out, " %s", text_thousands(run->groups[i].total_count, num, sizeof num));
            free(type);
        }
        if (run->n_groups > QUESTION_GROUPS)
            buf_printf(out, ", +%zu more", run->n_groups - QUESTION_GROUPS);
        if (run->n_groups) buf_putc(out, ')');
    }
    buf_puts(out, " back to the old certificate?");
}

void view_retry_question(const struct store_detail *sd, uint64_t record_id, struct buf *out)
{
    const struct deploy_run *run = query_latest_run(sd, false);
    unsigned long long id = (unsigned long long)record_id;
    char num[32];
    if (!sd || !sd->meta.fetched_ms)
        buf_printf(out, "Retry every failed item of record #%llu (count not loaded yet)?", id);
    else if (!run || run->failed_total_count <= 0)
        buf_printf(out, "Retry every failed item of record #%llu (the loaded detail shows none)?",
                   id);
    else if (run->failed_total_count == 1)
        buf_printf(out, "Retry the 1 failed item of record #%llu?", id);
    else
        buf_printf(out, "Retry the %s failed items of record #%llu?",
                   text_thousands(run->failed_total_count, num, sizeof num), id);
}

void view_confirm_rollback(struct view *v, uint64_t record_id)
{
    confirm_record_write(v, APP_WRITE_ROLLBACK, record_id);
}

void view_confirm_retry_all(struct view *v, uint64_t record_id)
{
    confirm_record_write(v, APP_WRITE_RETRY, record_id);
}
