/* The table widget's drawing: column layout for the width at hand, the header and the rows
 * on screen (a source table's cells read for those rows only), and mouse hits. */
#include "tui/table_draw.h"

#include <string.h>

#include "tui/table_int.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "tui/ui.h"

/* A flexible column asks for its content up to FLEX_COMFORT columns before other columns are
 * dropped for it; when it gives way to a more important flexible column it keeps its content up
 * to FLEX_YIELD columns (a domain name stays readable). Neither goes below the column's min. */
enum { FLEX_COMFORT = 20, FLEX_YIELD = 16 };

static int flex_floor(const struct table *t, size_t c, int cap)
{
    int f = t->widths[c] < cap ? t->widths[c] : cap;
    return f > t->cols[c].min ? f : t->cols[c].min;
}

static bool is_flex(const struct table *t, size_t c)
{
    return (t->cols[c].flags & TABLE_FLEX) != 0;
}

/* The flexible column that gives way next, or -1. Yielding: the least important (highest
 * drop) one still above flex_floor(FLEX_YIELD), the widest among equals; otherwise the widest
 * one still above its min. */
static int flex_to_shrink(const struct table *t, const bool *on, const int *out, bool yield)
{
    int pick = -1;
    for (size_t c = 0; c < t->n_cols; c++) {
        if (!on[c] || !is_flex(t, c)) continue;
        if (out[c] <= (yield ? flex_floor(t, c, FLEX_YIELD) : t->cols[c].min)) continue;
        int d = t->cols[c].drop, pd = pick >= 0 ? t->cols[pick].drop : 0;
        bool more_important = yield && pick >= 0 && d < pd;
        bool less_important = yield && pick >= 0 && d > pd;
        if (pick < 0 || less_important || (!more_important && out[c] > out[pick])) pick = (int)c;
    }
    return pick;
}

void table_layout(const struct table *t, int w, int *out)
{
    bool on[TABLE_MAX_COLS];
    for (size_t c = 0; c < t->n_cols; c++) {
        on[c] = true;
        out[c] = t->widths[c];
    }
    /* Drop columns, highest `drop` first, until the others fit at their natural width and
     * flexible ones at flex_floor(FLEX_COMFORT). */
    for (;;) {
        int need = -1;
        for (size_t c = 0; c < t->n_cols; c++)
            if (on[c]) need += 1 + (is_flex(t, c) ? flex_floor(t, c, FLEX_COMFORT) : out[c]);
        if (need <= w) break;
        int worst = -1;
        for (size_t c = 0; c < t->n_cols; c++)
            if (on[c] && t->cols[c].drop > 0 &&
                (worst < 0 || t->cols[c].drop >= t->cols[worst].drop))
                worst = (int)c;
        if (worst < 0) break;
        on[worst] = false;
    }
    int total = -1;
    for (size_t c = 0; c < t->n_cols; c++)
        if (on[c]) total += out[c] + 1;
    /* Shrink: flexible columns give way in order of importance down to FLEX_YIELD, then the
     * widest flexible one down to its min, then the widest of any column. */
    for (int pass = 0; pass < 3 && total > w; pass++) {
        while (total > w) {
            int c = -1;
            if (pass < 2) {
                c = flex_to_shrink(t, on, out, pass == 0);
            } else {
                for (size_t k = 0; k < t->n_cols; k++)
                    if (on[k] && out[k] > t->cols[k].min && (c < 0 || out[k] > out[c])) c = (int)k;
            }
            if (c < 0) break;
            out[c]--;
            total--;
        }
    }
    /* Space left over goes to the most important (lowest drop) flexible columns first, each up
     * to its maximum (if any); equals share it. */
    while (total < w) {
        int best = -1;
        for (size_t c = 0; c < t->n_cols; c++) {
            const struct table_col *col = &t->cols[c];
            if (!on[c] || !is_flex(t, c) || (col->max && out[c] >= col->max)) continue;
            if (best < 0 || col->drop < best) best = col->drop;
        }
        if (best < 0) break;
        for (size_t c = 0; c < t->n_cols && total < w; c++) {
            const struct table_col *col = &t->cols[c];
            if (!on[c] || !is_flex(t, c) || col->drop != best || (col->max && out[c] >= col->max))
                continue;
            out[c]++;
            total++;
        }
    }
    for (size_t c = 0; c < t->n_cols; c++)
        if (!on[c]) out[c] = 0;
}

void table_draw(struct table *t, int y, int x, int h, int w)
{
    t->last_y = y;
    t->last_x = x;
    t->last_w = w;
    t->last_h = h > 1 ? h - 1 : 0;
    if (h <= 0 || w <= 0) return;
    int widths[TABLE_MAX_COLS];
    table_layout(t, w, widths);
    const struct text_glyphs *g = text_glyphs();

    /* Header. */
    attr_t ha = ui_attr(THEME_TABLE_HEADER);
    ui_fill(y, x, w, ha);
    int cx = x;
    for (size_t c = 0; c < t->n_cols; c++) {
        if (!widths[c]) continue;
        int cw = widths[c];
        if (cx + cw > x + w) cw = x + w - cx;
        struct buf title = {0};
        buf_puts(&title, t->cols[c].title);
        if ((int)c == t->sort_col) buf_puts(&title, t->sort_rev ? g->sort_down : g->sort_up);
        ui_put_pad(y, cx, cw, title.data, ha, (t->cols[c].flags & TABLE_NUMERIC) != 0);
        buf_free(&title);
        cx += widths[c] + 1;
        if (cx > x + w) break;
    }

    int rows = h - 1;
    if (t->cursor < t->top) t->top = t->cursor;
    if (rows > 0 && t->cursor >= t->top + (size_t)rows) t->top = t->cursor - (size_t)rows + 1;
    if (t->top + (size_t)rows > t->n_vis)
        t->top = t->n_vis > (size_t)rows ? t->n_vis - (size_t)rows : 0;

    table_access_begin(t);
    for (int r = 0; r < rows; r++) {
        size_t vi = t->top + (size_t)r;
        int ry = y + 1 + r;
        if (vi >= t->n_vis) {
            ui_fill(ry, x, w, A_NORMAL);
            continue;
        }
        size_t ri = t->vis[vi];
        const struct table_row *row = &t->rows[ri];
        bool cur = vi == t->cursor && t->focused;
        bool sel = vi == t->cursor && !t->focused;
        attr_t base = cur   ? ui_attr(THEME_TABLE_CURSOR)
                      : sel ? ui_attr(THEME_TABLE_SELECTED)
                            : ui_attr(THEME_NORMAL);
        attr_t toned = ui_attr(ui_tone_key(row->tone));
        if (cur) toned = base | (toned & ~A_COLOR);
        ui_fill(ry, x, w, base);
        cx = x;
        for (size_t c = 0; c < t->n_cols; c++) {
            if (!widths[c]) continue;
            int cw = widths[c];
            if (cx + cw > x + w) cw = x + w - cx;
            unsigned fl = t->cols[c].flags;
            if (fl & TABLE_BAR) {
                static const int64_t none[4];
                const struct table_bar *b = t->bars ? &t->bars[ri] : NULL;
                ui_bar(ry, cx, cw, b ? b->seg : none, b ? b->total : 0, base);
            } else {
                ui_put_pad(ry, cx, cw, table_cell(t, ri, c), (fl & TABLE_TONED) ? toned : base,
                           (fl & TABLE_NUMERIC) != 0);
            }
            cx += widths[c] + 1;
            if (cx > x + w) break;
        }
    }
    table_access_end(t);
}

long table_hit(const struct table *t, int y, int x)
{
    if (x < t->last_x || x >= t->last_x + t->last_w) return -1;
    int r = y - t->last_y - 1;
    if (r < 0 || r >= t->last_h) return -1;
    size_t vi = t->top + (size_t)r;
    return vi < t->n_vis ? (long)vi : -1;
}

bool table_click(struct table *t, int y, int x)
{
    long hit = table_hit(t, y, x);
    if (hit < 0) return false;
    t->cursor = (size_t)hit;
    table_move(t, 0);
    return true;
}
