/* What every screen shares: cursor movement on a table, scrolling a text screen, the
 * loading / error / empty message shown in a body that has nothing else to show, and the
 * questions before a record-wide write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apierr.h"
#include "core/sanitize.h"
#include "core/store.h"
#include "tui/data.h"
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
        data_rollback_question(sd, record_id, &q);
    else
        data_retry_question(sd, record_id, &q);
    store_unlock(s);
    app_confirm_write(v->app, w, record_id, -1, q.data);
    buf_free(&q);
}

void view_confirm_rollback(struct view *v, uint64_t record_id)
{
    confirm_record_write(v, APP_WRITE_ROLLBACK, record_id);
}

void view_confirm_retry_all(struct view *v, uint64_t record_id)
{
    confirm_record_write(v, APP_WRITE_RETRY, record_id);
}
