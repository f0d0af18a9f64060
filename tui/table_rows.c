/* The table widget's rows (owned copies, or a source's on demand), cells, column widths and
 * the cursor: what every other part of the widget reads (contract in table_rows.h). */
#include "tui/table_rows.h"

#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "tui/text.h"

static int title_width(const struct table_col *col)
{
    int w = text_width(col->title) + (col->flags & TABLE_NOSORT ? 0 : 1);
    if (w < col->min) w = col->min;
    if (col->max && w > col->max) w = col->max;
    return w;
}

void table_widths_reset(struct table *t)
{
    for (size_t c = 0; c < t->n_cols; c++)
        t->widths[c] = title_width(&t->cols[c]);
    t->n_measured = 0;
}

void table_init(struct table *t, const struct table_col *cols, size_t n_cols)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->n_cols = n_cols < TABLE_MAX_COLS ? n_cols : TABLE_MAX_COLS;
    t->sort_col = t->ordered_col = -1;
    table_widths_reset(t);
}

void table_cursor_remember(struct table *t)
{
    const struct table_row *sel = table_selected(t);
    if (sel) {
        t->cursor_key = sel->key;
        t->have_cursor_key = true;
    }
}

/* ---- owned rows ----------------------------------------------------------------------------- */

static bool has_bar(const struct table *t)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (t->cols[c].flags & TABLE_BAR) return true;
    return false;
}

struct table_row *table_add(struct table *t, uint64_t key, const char *const *cells)
{
    if (t->n_rows >= UINT32_MAX) abort(); /* vis holds 32-bit row indices */
    t->rows = xgrow(t->rows, &t->cap_rows, t->n_rows + 1, sizeof *t->rows);
    t->cells = xgrow(t->cells, &t->cap_cells, (t->n_rows + 1) * t->n_cols, sizeof *t->cells);
    if (has_bar(t)) {
        t->bars = xgrow(t->bars, &t->cap_bars, t->n_rows + 1, sizeof *t->bars);
        memset(&t->bars[t->n_rows], 0, sizeof *t->bars);
    }
    struct table_row *r = &t->rows[t->n_rows];
    memset(r, 0, sizeof *r);
    r->key = key;
    char **dst = &t->cells[t->n_rows * t->n_cols];
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *s = cells[c] ? cells[c] : "";
        dst[c] = sanitize_is_clean(s, strlen(s)) ? xstrdup(s) : sanitize_dup(s);
    }
    t->n_rows++;
    return r;
}

void table_set_bar(struct table *t, const int64_t seg[4], int64_t total)
{
    if (!t->bars || !t->n_rows) return;
    struct table_bar *b = &t->bars[t->n_rows - 1];
    memcpy(b->seg, seg, sizeof b->seg);
    b->total = total;
}

/* ---- source rows ---------------------------------------------------------------------------- */

void table_set_source(struct table *t, const struct table_source *src, void *ctx)
{
    t->src = src;
    t->src_ctx = ctx;
    if (!t->scratch) t->scratch = xcalloc(1, sizeof *t->scratch);
}

void table_append(struct table *t, uint64_t key, enum model_tone tone, int32_t aux)
{
    if (t->n_rows >= UINT32_MAX) abort();
    t->rows = xgrow(t->rows, &t->cap_rows, t->n_rows + 1, sizeof *t->rows);
    t->rows[t->n_rows++] = (struct table_row){.key = key, .aux = aux, .tone = (uint8_t)tone};
}

void table_changed(struct table *t, size_t row, enum model_tone tone, int32_t aux)
{
    if (row >= t->n_rows) return;
    struct table_row *r = &t->rows[row];
    r->tone = (uint8_t)tone;
    r->aux = aux;
    if (r->flags & TABLE_ROW_CHANGED) return;
    r->flags |= TABLE_ROW_CHANGED;
    t->changed = xgrow(t->changed, &t->cap_changed, t->n_changed + 1, sizeof *t->changed);
    t->changed[t->n_changed++] = (uint32_t)row;
}

/* ---- cells ---------------------------------------------------------------------------------- */

void table_access_begin(struct table *t)
{
    if (!t->src) return;
    if (t->access++ == 0) t->access_ok = t->src->begin ? t->src->begin(t->src_ctx) : true;
}

void table_access_end(struct table *t)
{
    if (!t->src || t->access <= 0) return;
    if (--t->access == 0 && t->src->end) t->src->end(t->src_ctx);
}

const char *table_cell(struct table *t, size_t row, size_t col)
{
    if (row >= t->n_rows || col >= t->n_cols) return "";
    if (!t->src) return t->cells[row * t->n_cols + col];
    struct buf *raw = &t->scratch->raw[col];
    const char *s = NULL;
    table_access_begin(t);
    if (t->access_ok) {
        buf_reset(raw);
        s = t->src->cell(t->src_ctx, row, col, raw);
    }
    table_access_end(t);
    if (!s) return "";
    size_t len = strlen(s);
    if (sanitize_is_clean(s, len)) return s;
    struct buf *clean = &t->scratch->clean[col];
    buf_reset(clean);
    sanitize_append(clean, s, len, false);
    return clean->data ? clean->data : "";
}

const struct table_row *table_selected(const struct table *t)
{
    if (t->cursor >= t->n_vis) return NULL;
    return &t->rows[t->vis[t->cursor]];
}

size_t table_selected_index(const struct table *t)
{
    return t->cursor < t->n_vis ? t->vis[t->cursor] : SIZE_MAX;
}

const char *table_selected_cell(struct table *t, size_t col)
{
    size_t row = table_selected_index(t);
    return row == SIZE_MAX ? "" : table_cell(t, row, col);
}

bool table_select_key(struct table *t, uint64_t key)
{
    for (size_t i = 0; i < t->n_vis; i++) {
        if (t->rows[t->vis[i]].key == key) {
            t->cursor = i;
            t->cursor_key = key;
            t->have_cursor_key = true;
            return true;
        }
    }
    return false;
}

/* ---- widths --------------------------------------------------------------------------------- */

void table_measure_row(struct table *t, size_t row)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const struct table_col *col = &t->cols[c];
        if ((col->flags & TABLE_BAR) || (col->max && t->widths[c] >= col->max)) continue;
        int w = text_width(table_cell(t, row, c));
        if (col->max && w > col->max) w = col->max;
        if (w > t->widths[c]) t->widths[c] = w;
    }
}

bool table_measure_new(struct table *t, size_t max_rows)
{
    if (t->n_measured >= t->n_rows && !t->n_changed) return true;
    table_access_begin(t);
    for (size_t i = 0; i < t->n_changed; i++)
        if (t->changed[i] < t->n_measured) table_measure_row(t, t->changed[i]);
    size_t end = t->n_rows - t->n_measured > max_rows ? t->n_measured + max_rows : t->n_rows;
    for (size_t i = t->n_measured; i < end; i++)
        table_measure_row(t, i);
    table_access_end(t);
    t->n_measured = end;
    return end == t->n_rows;
}

/* ---- cursor --------------------------------------------------------------------------------- */

void table_cursor_restore(struct table *t)
{
    if (t->have_cursor_key) {
        for (size_t i = 0; i < t->n_vis; i++) {
            if (t->rows[t->vis[i]].key == t->cursor_key) {
                t->cursor = i;
                break;
            }
        }
    }
    if (t->n_vis == 0)
        t->cursor = 0;
    else if (t->cursor >= t->n_vis)
        t->cursor = t->n_vis - 1;
    table_cursor_remember(t);
}

void table_move(struct table *t, long delta)
{
    if (!t->n_vis) return;
    long c = (long)t->cursor + delta;
    if (c < 0) c = 0;
    if (c >= (long)t->n_vis) c = (long)t->n_vis - 1;
    t->cursor = (size_t)c;
    table_cursor_remember(t);
}

void table_home(struct table *t)
{
    t->cursor = 0;
    t->top = 0;
    table_cursor_remember(t);
}

void table_end_row(struct table *t)
{
    if (t->n_vis) t->cursor = t->n_vis - 1;
    table_cursor_remember(t);
}

static bool tone_failed(enum model_tone tone)
{
    return tone == MODEL_TONE_FAILED || tone == MODEL_TONE_ROLLBACK_FAILED;
}

bool table_next_tone(struct table *t, int dir)
{
    for (size_t k = 1; k <= t->n_vis; k++) {
        size_t i = dir > 0 ? (t->cursor + k) % t->n_vis : (t->cursor + t->n_vis - k) % t->n_vis;
        if (tone_failed(t->rows[t->vis[i]].tone)) {
            t->cursor = i;
            table_cursor_remember(t);
            return true;
        }
    }
    return false;
}
