/* The table widget: rows, filter, sort, cursor and column layout, drawn with ui.h. */
#include "tui/table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sanitize.h"
#include "core/util.h"
#include "tui/text.h"
#include "tui/theme.h"
#include "tui/ui.h"

void table_init(struct table *t, const struct table_col *cols, size_t n_cols)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->n_cols = n_cols < ARRAY_LEN(t->widths) ? n_cols : ARRAY_LEN(t->widths);
    t->sort_col = -1;
}

static void clear_rows(struct table *t)
{
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t c = 0; c < t->n_cols; c++)
            free(t->rows[i].cells[c]);
        free(t->rows[i].cells);
    }
    t->n_rows = 0;
}

void table_free(struct table *t)
{
    clear_rows(t);
    free(t->rows);
    free(t->vis);
    memset(t, 0, sizeof *t);
}

void table_begin(struct table *t)
{
    const struct table_row *sel = table_selected(t);
    if (sel) {
        t->have_cursor_key = true;
        t->cursor_key = sel->key;
    }
    clear_rows(t);
}

struct table_row *table_add(struct table *t, uint64_t key, const char *const *cells)
{
    t->rows = xgrow(t->rows, &t->cap_rows, t->n_rows + 1, sizeof *t->rows);
    struct table_row *r = &t->rows[t->n_rows++];
    memset(r, 0, sizeof *r);
    r->key = key;
    r->cells = xcalloc(t->n_cols, sizeof *r->cells);
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *s = cells[c] ? cells[c] : "";
        r->cells[c] = sanitize_is_clean(s, strlen(s)) ? xstrdup(s) : sanitize_dup(s);
    }
    return r;
}

/* Case-insensitive substring (ASCII folding; other bytes compare exactly). */
static bool contains_ci(const char *hay, const char *needle, size_t nlen)
{
    if (!nlen) return true;
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, nlen)) return true;
    return false;
}

static int col_by_field(const struct table *t, const char *field, size_t len)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *f = t->cols[c].field;
        if (f && strlen(f) == len && !strncasecmp(f, field, len)) return (int)c;
    }
    return -1;
}

bool table_row_matches(const struct table *t, const struct table_row *r, const char *filter)
{
    const char *p = filter;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        const char *colon = memchr(p, ':', len);
        int col = colon ? col_by_field(t, p, (size_t)(colon - p)) : -1;
        char word[256];
        bool ok = false;
        if (col >= 0) {
            size_t vlen = len - (size_t)(colon - p) - 1;
            if (vlen >= sizeof word) vlen = sizeof word - 1;
            memcpy(word, colon + 1, vlen);
            word[vlen] = '\0';
            ok = contains_ci(r->cells[col], word, vlen);
        } else {
            size_t wl = len < sizeof word ? len : sizeof word - 1;
            memcpy(word, p, wl);
            word[wl] = '\0';
            for (size_t c = 0; c < t->n_cols && !ok; c++)
                ok = !(t->cols[c].flags & TABLE_BAR) && contains_ci(r->cells[c], word, wl);
        }
        if (!ok) return false;
        p += len;
    }
    return true;
}

bool table_unknown_field(const struct table *t, const char *filter, char *out, size_t n)
{
    const char *p = filter;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        const char *colon = memchr(p, ':', len);
        if (colon && colon > p && col_by_field(t, p, (size_t)(colon - p)) < 0) {
            size_t fl = (size_t)(colon - p) < n - 1 ? (size_t)(colon - p) : n - 1;
            memcpy(out, p, fl);
            out[fl] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}

/* Sorting context (the UI thread is the only caller). */
static const struct table *sort_table;

static bool parse_num(const char *s, double *out)
{
    char digits[64];
    size_t n = 0;
    while (*s == ' ')
        s++;
    if (*s == '+' || *s == '-') digits[n++] = *s++;
    for (; *s && n + 1 < sizeof digits; s++) {
        if (*s == ',') continue;
        if (!isdigit((unsigned char)*s) && *s != '.') break;
        digits[n++] = *s;
    }
    digits[n] = '\0';
    if (!n || (n == 1 && !isdigit((unsigned char)digits[0]))) return false;
    *out = strtod(digits, NULL);
    return true;
}

static int cmp_rows(const void *a, const void *b)
{
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    const struct table *t = sort_table;
    int c = t->sort_col, r = 0;
    if (c >= 0) {
        const char *sa = t->rows[ia].cells[c], *sb = t->rows[ib].cells[c];
        if (t->cols[c].flags & TABLE_BAR) {
            /* Bars sort by their failed share, then success share. */
            const struct table_row *ra = &t->rows[ia], *rb = &t->rows[ib];
            double fa = ra->bar_total ? (double)ra->bar[1] / (double)ra->bar_total : 0;
            double fb = rb->bar_total ? (double)rb->bar[1] / (double)rb->bar_total : 0;
            r = (fa > fb) - (fa < fb);
        } else if (t->cols[c].flags & TABLE_NUMERIC) {
            double na, nb;
            bool ha = parse_num(sa, &na), hb = parse_num(sb, &nb);
            if (ha && hb)
                r = (na > nb) - (na < nb);
            else
                r = (int)hb - (int)ha; /* numbers before text */
        } else {
            r = strcasecmp(sa, sb);
            if (!r) r = strcmp(sa, sb);
        }
        if (t->sort_rev) r = -r;
    }
    if (!r) {
        r = (ia > ib) - (ia < ib);        /* stable: server order breaks ties */
        if (c < 0 && t->sort_rev) r = -r; /* "reverse" with no column: newest last */
    }
    return r;
}

static void compute_widths(struct table *t)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const struct table_col *col = &t->cols[c];
        int w = text_width(col->title) + (col->flags & TABLE_NOSORT ? 0 : 1);
        if (!(col->flags & TABLE_BAR))
            for (size_t i = 0; i < t->n_rows; i++) {
                int cw = text_width(t->rows[i].cells[c]);
                if (cw > w) w = cw;
            }
        if (w < col->min) w = col->min;
        if (col->max && w > col->max) w = col->max;
        t->widths[c] = w;
    }
}

static void refilter(struct table *t)
{
    t->vis = xgrow(t->vis, &t->cap_vis, t->n_rows + 1, sizeof *t->vis);
    t->n_vis = 0;
    for (size_t i = 0; i < t->n_rows; i++)
        if (!t->filter[0] || table_row_matches(t, &t->rows[i], t->filter)) t->vis[t->n_vis++] = i;
    if ((t->sort_col >= 0 || t->sort_rev) && t->n_vis > 1) {
        sort_table = t;
        qsort(t->vis, t->n_vis, sizeof *t->vis, cmp_rows);
        sort_table = NULL;
    }
    /* Put the cursor back on the same row, or as near as possible. */
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
    const struct table_row *sel = table_selected(t);
    if (sel) {
        t->cursor_key = sel->key;
        t->have_cursor_key = true;
    }
}

void table_end(struct table *t)
{
    compute_widths(t);
    refilter(t);
}

const struct table_row *table_selected(const struct table *t)
{
    if (t->cursor >= t->n_vis) return NULL;
    return &t->rows[t->vis[t->cursor]];
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

static void remember_cursor(struct table *t)
{
    const struct table_row *sel = table_selected(t);
    if (sel) {
        t->cursor_key = sel->key;
        t->have_cursor_key = true;
    }
}

void table_set_filter(struct table *t, const char *filter)
{
    strlcpy_safe(t->filter, filter ? filter : "", sizeof t->filter);
    refilter(t);
}

void table_sort_by(struct table *t, int col, bool reverse)
{
    if (col >= (int)t->n_cols) col = -1;
    t->sort_col = col;
    t->sort_rev = reverse;
    refilter(t);
}

bool table_sort_by_field(struct table *t, const char *field, bool reverse)
{
    int c = col_by_field(t, field, strlen(field));
    if (c < 0) return false;
    table_sort_by(t, c, reverse);
    return true;
}

void table_sort_step(struct table *t, int dir)
{
    /* Cycles through sortable columns and "server order" (-1). */
    int c = t->sort_col;
    for (size_t guard = 0; guard <= t->n_cols + 1; guard++) {
        c += dir;
        if (c < -1) c = (int)t->n_cols - 1;
        if (c >= (int)t->n_cols) c = -1;
        if (c == -1 || !(t->cols[c].flags & TABLE_NOSORT)) break;
    }
    table_sort_by(t, c, false);
}

void table_move(struct table *t, long delta)
{
    if (!t->n_vis) return;
    long c = (long)t->cursor + delta;
    if (c < 0) c = 0;
    if (c >= (long)t->n_vis) c = (long)t->n_vis - 1;
    t->cursor = (size_t)c;
    remember_cursor(t);
}

void table_home(struct table *t)
{
    t->cursor = 0;
    t->top = 0;
    remember_cursor(t);
}

void table_end_row(struct table *t)
{
    if (t->n_vis) t->cursor = t->n_vis - 1;
    remember_cursor(t);
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
            remember_cursor(t);
            return true;
        }
    }
    return false;
}

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
    bool on[32];
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
    int widths[32];
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

    for (int r = 0; r < rows; r++) {
        size_t vi = t->top + (size_t)r;
        int ry = y + 1 + r;
        if (vi >= t->n_vis) {
            ui_fill(ry, x, w, A_NORMAL);
            continue;
        }
        const struct table_row *row = &t->rows[t->vis[vi]];
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
            if (fl & TABLE_BAR)
                ui_bar(ry, cx, cw, row->bar, row->bar_total, base);
            else
                ui_put_pad(ry, cx, cw, row->cells[c], (fl & TABLE_TONED) ? toned : base,
                           (fl & TABLE_NUMERIC) != 0);
            cx += widths[c] + 1;
            if (cx > x + w) break;
        }
    }
}

long table_hit(const struct table *t, int y, int x)
{
    if (x < t->last_x || x >= t->last_x + t->last_w) return -1;
    int r = y - t->last_y - 1;
    if (r < 0 || r >= t->last_h) return -1;
    size_t vi = t->top + (size_t)r;
    return vi < t->n_vis ? (long)vi : -1;
}
