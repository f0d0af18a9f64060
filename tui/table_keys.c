/* How the table's rows are tested and compared: the filter's words, each row's sort key
 * (read once per ordering: a number parsed, or text folded and copied) and a bottom-up merge
 * sort that can stop between merges. */
#include "tui/table_keys.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/table_int.h"

/* ---- filter --------------------------------------------------------------------------------- */

int table_col_by_field(const struct table *t, const char *field, size_t len)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *f = t->cols[c].field;
        if (f && strlen(f) == len && !strncasecmp(f, field, len)) return (int)c;
    }
    return -1;
}

/* The words of filter (at most 128: it holds 255 bytes), as a heap array; *n its length. */
struct fword *table_filter_compile(const struct table *t, const char *filter, size_t *n)
{
    struct fword *w = NULL;
    size_t cap = 0;
    *n = 0;
    for (const char *p = filter; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        w = xgrow(w, &cap, *n + 1, sizeof *w);
        struct fword *f = &w[(*n)++];
        const char *colon = memchr(p, ':', len);
        f->col = colon ? table_col_by_field(t, p, (size_t)(colon - p)) : -1;
        const char *text = f->col >= 0 ? colon + 1 : p;
        f->len = len - (size_t)(text - p);
        if (f->len >= sizeof f->text) f->len = sizeof f->text - 1;
        memcpy(f->text, text, f->len);
        f->text[f->len] = '\0';
        p += len;
    }
    return w;
}

/* Case-insensitive substring (ASCII folding; other bytes compare exactly). */
static bool contains_ci(const char *hay, const char *needle, size_t nlen)
{
    if (!nlen) return true;
    int first = tolower((unsigned char)needle[0]);
    for (const char *p = hay; *p; p++)
        if (tolower((unsigned char)*p) == first && !strncasecmp(p, needle, nlen)) return true;
    return false;
}

/* Whether row matches every word; *cost grows by the cells read. */
bool table_words_match(struct table *t, size_t row, const struct fword *w, size_t n, size_t *cost)
{
    const char *cells[TABLE_MAX_COLS] = {0};
    for (size_t i = 0; i < n; i++) {
        bool ok = false;
        for (size_t c = 0; c < t->n_cols && !ok; c++) {
            if (w[i].col >= 0 ? (int)c != w[i].col : (t->cols[c].flags & TABLE_BAR) != 0) continue;
            if (!cells[c]) {
                cells[c] = table_cell(t, row, c);
                *cost += TABLE_U_CELL;
            }
            ok = contains_ci(cells[c], w[i].text, w[i].len);
        }
        if (!ok) return false;
    }
    return true;
}

bool table_row_matches(struct table *t, size_t row, const char *filter)
{
    size_t n, cost = 0;
    struct fword *w = table_filter_compile(t, filter, &n);
    table_access_begin(t);
    bool ok = table_words_match(t, row, w, n, &cost);
    table_access_end(t);
    free(w);
    return ok;
}

bool table_unknown_field(const struct table *t, const char *filter, char *out, size_t n)
{
    const char *p = filter;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        const char *colon = memchr(p, ':', len);
        if (colon && colon > p && table_col_by_field(t, p, (size_t)(colon - p)) < 0) {
            size_t fl = (size_t)(colon - p) < n - 1 ? (size_t)(colon - p) : n - 1;
            memcpy(out, p, fl);
            out[fl] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}

/* Whether every row matching `narrow` matches `wide` too, as far as their text tells: narrow
 * is wide with more typed at its end, and that does not turn wide's last word into a
 * field:value word. */
bool table_filter_narrows(const char *wide, const char *narrow)
{
    size_t wl = strlen(wide);
    if (strncmp(wide, narrow, wl)) return false;
    if (!wl || wide[wl - 1] == ' ') return true;
    const char *last = wide + wl;
    while (last > wide && last[-1] != ' ')
        last--;
    if (memchr(last, ':', (size_t)(wide + wl - last))) return true;
    return !memchr(narrow + wl, ':', strcspn(narrow + wl, " "));
}

/* ---- sort keys ------------------------------------------------------------------------------ */

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

/* Doubles as unsigned integers in the same order (-0 and 0 alike). */
static uint64_t num_bits(double v)
{
    if (v == 0) v = 0;
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | (uint64_t)1 << 63;
}

static uint64_t text_prefix(const char *s)
{
    uint64_t k = 0;
    size_t i = 0;
    for (; i < 8 && s[i]; i++)
        k = k << 8 | (uint64_t)(unsigned char)tolower((unsigned char)s[i]);
    return i ? k << (8 * (8 - i)) : 0; /* a shift by 64 (empty text) is undefined */
}

void table_order_init(const struct table *t, struct order *o)
{
    o->col = t->sort_col >= 0 && (size_t)t->sort_col < t->n_cols ? t->sort_col : -1;
    o->rev = t->sort_rev;
    o->rows_desc = o->col < 0 && t->sort_rev;
    o->text = o->col >= 0 && !(t->cols[o->col].flags & (TABLE_BAR | TABLE_NUMERIC));
}

/* Row's key into e; its text (o->text) appended to arena. */
void table_make_key(struct table *t, const struct order *o, size_t row, struct sort_ent *e,
                    struct buf *arena)
{
    e->row = (uint32_t)row;
    e->k = 0;
    e->off = 0;
    if (o->col < 0) return;
    unsigned fl = t->cols[o->col].flags;
    if (fl & TABLE_BAR) {
        const struct table_bar *b = t->bars && row < t->n_rows ? &t->bars[row] : NULL;
        e->k = num_bits(b && b->total ? (double)b->seg[1] / (double)b->total : 0);
        return;
    }
    const char *s = table_cell(t, row, (size_t)o->col);
    if (fl & TABLE_NUMERIC) {
        double v;
        e->k = parse_num(s, &v) ? num_bits(v) : UINT64_MAX;
        return;
    }
    e->k = text_prefix(s);
    size_t len = strlen(s);
    if (arena->len + len + 1 > UINT32_MAX) return; /* beyond 4 GB of text: by prefix alone */
    e->off = (uint32_t)arena->len;
    buf_append(arena, s, len + 1);
}

int table_key_cmp(const struct sort_ent *a, const char *sa, const struct sort_ent *b,
                  const char *sb, const struct order *o)
{
    int r = 0;
    if (a->k != b->k) {
        r = a->k < b->k ? -1 : 1;
    } else if (o->text) {
        r = strcasecmp(sa, sb);
        if (!r) r = strcmp(sa, sb);
    }
    if (o->rev) r = -r;
    if (!r) {
        r = (a->row > b->row) - (a->row < b->row);
        if (o->rows_desc) r = -r;
    }
    return r;
}

/* ---- merge sort in steps -------------------------------------------------------------------- */

/* Advances by about *budget units (spent from it); true when a is sorted. */
bool table_msort_step(struct msort *m, const struct order *o, const char *arena, size_t *budget)
{
    size_t spent = 0;
    while (m->width < m->n) {
        if (spent >= *budget) {
            *budget = 0;
            return false;
        }
        if (m->width == 0) { /* insertion sort of a[at, at+TABLE_RUN) */
            size_t hi = m->at + TABLE_RUN < m->n ? m->at + TABLE_RUN : m->n;
            for (size_t i = m->at + 1; i < hi; i++) {
                struct sort_ent x = m->a[i];
                size_t j = i;
                for (; j > m->at && table_key_cmp(&x, arena + x.off, &m->a[j - 1],
                                                  arena + m->a[j - 1].off, o) < 0;
                     j--)
                    m->a[j] = m->a[j - 1];
                m->a[j] = x;
            }
            spent += (hi - m->at) * 4 * TABLE_U_ROW;
            m->at = hi;
            if (m->at >= m->n) {
                m->width = TABLE_RUN;
                m->at = 0;
            }
            continue;
        }
        if (m->at >= m->n) {
            struct sort_ent *s = m->a;
            m->a = m->b;
            m->b = s;
            m->width *= 2;
            m->at = 0;
            continue;
        }
        size_t lo = m->at, mid = lo + m->width < m->n ? lo + m->width : m->n;
        size_t hi = lo + 2 * m->width < m->n ? lo + 2 * m->width : m->n;
        size_t i = lo, j = mid, k = lo;
        while (i < mid && j < hi) {
            if (table_key_cmp(&m->a[j], arena + m->a[j].off, &m->a[i], arena + m->a[i].off, o) < 0)
                m->b[k++] = m->a[j++];
            else
                m->b[k++] = m->a[i++];
        }
        while (i < mid)
            m->b[k++] = m->a[i++];
        while (j < hi)
            m->b[k++] = m->a[j++];
        spent += (hi - lo) * TABLE_U_ROW;
        m->at = hi;
    }
    *budget = spent < *budget ? *budget - spent : 0;
    return true;
}
