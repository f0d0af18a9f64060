/* The table's order: which rows the filter lets through, and in what order they are shown.
 * An ordering is a job of three phases — scan (the filter over the rows, or over the rows
 * shown when the new filter only narrows the old one), keys (each row's sort key read once:
 * a number parsed, or the text's folded first bytes and a copy of it) and a bottom-up merge
 * sort that can stop between merges — stepped by table_work() for big source tables, run to
 * the end at once otherwise. Rows appended later are filtered on arrival (server order) or,
 * sorted, wait for the next ordering, which starts when they make a quarter of the rows or
 * no more are coming; rows that changed are taken out and put back where they now belong. */
#include "tui/table_order.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/table_int.h"
#include "tui/text.h"

/* ---- the job -------------------------------------------------------------------------------- */

enum phase { PH_SCAN, PH_KEYS, PH_SORT };

struct table_job {
    enum phase phase;
    bool sort;       /* keys and a sort follow the scan */
    uint32_t *from;  /* scan these rows (a copy of vis), or NULL: rows [0, n_rows) */
    size_t n_from;   /* ... and how many */
    size_t ordered;  /* rows covered once it completes (n_ordered) */
    size_t pos;      /* next row or entry of the phase */
    struct fword *w; /* the filter's words (none: every row passes) */
    size_t n_w;
    uint32_t *out; /* the rows let through, in scan order */
    size_t n_out, cap_out;
    struct sort_ent *ent, *tmp;
    struct buf arena;
    struct order o;
    struct msort m;
    size_t done, total; /* units, for the progress shown */
};

void table_job_free(struct table *t)
{
    struct table_job *j = t->job;
    if (!j) return;
    free(j->from);
    free(j->w);
    free(j->out);
    free(j->ent);
    free(j->tmp);
    buf_free(&j->arena);
    free(j);
    t->job = NULL;
}

bool table_is_sorted(const struct table *t)
{
    return t->sort_col >= 0 || t->sort_rev;
}

static size_t log2_ceil(size_t n)
{
    size_t l = 0;
    while (((size_t)1 << l) < n && l < 63)
        l++;
    return l;
}

static void job_estimate(struct table *t, struct table_job *j)
{
    size_t rows = j->from ? j->n_from : t->n_rows;
    size_t per_row = j->n_w ? TABLE_U_CELL * (j->n_w > 1 ? 2 : 1) : TABLE_U_ROW;
    j->total = rows * per_row;
    if (j->sort)
        j->total +=
            rows * (TABLE_U_CELL + 4 * TABLE_U_ROW + log2_ceil(rows / TABLE_RUN + 1) * TABLE_U_ROW);
    if (!j->total) j->total = 1;
}

/* A new ordering: of vis (narrower filter and/or another sort, vis already right otherwise)
 * when `from_vis`, else of every row. */
static void job_start(struct table *t, bool from_vis, bool filter_changed, bool sort)
{
    table_job_free(t);
    struct table_job *j = xcalloc(1, sizeof *j);
    t->job = j;
    j->sort = sort;
    table_order_init(t, &j->o);
    if (from_vis) {
        j->from = xmalloc((t->n_vis ? t->n_vis : 1) * sizeof *j->from);
        if (t->n_vis) memcpy(j->from, t->vis, t->n_vis * sizeof *j->from);
        j->n_from = t->n_vis;
        j->ordered = t->n_ordered;
        if (filter_changed) j->w = table_filter_compile(t, t->filter, &j->n_w);
    } else {
        j->w = table_filter_compile(t, t->filter, &j->n_w);
        /* Every row is read again: what changed is seen then. */
        for (size_t i = 0; i < t->n_changed; i++)
            if (t->changed[i] < t->n_rows) t->rows[t->changed[i]].flags &= ~TABLE_ROW_CHANGED;
        t->n_changed = 0;
    }
    job_estimate(t, j);
}

/* The job's result becomes vis. */
static void job_install(struct table *t)
{
    struct table_job *j = t->job;
    if (j->sort)
        for (size_t i = 0; i < j->n_out; i++)
            j->out[i] = j->m.a[i].row;
    free(t->vis);
    t->vis = j->out;
    t->cap_vis = j->cap_out;
    t->n_vis = j->n_out;
    j->out = NULL;
    t->n_ordered = j->ordered;
    strlcpy_safe(t->ordered_filter, t->filter, sizeof t->ordered_filter);
    if (!j->from || j->sort) {
        t->ordered_col = j->o.col;
        t->ordered_rev = j->o.rev;
    }
    table_job_free(t);
    table_cursor_restore(t);
}

/* Advances the job by about budget units; true when it is complete (not yet installed). */
static bool job_step(struct table *t, size_t budget)
{
    struct table_job *j = t->job;
    size_t spent = 0;
    if (j->phase == PH_SCAN) {
        for (;;) {
            size_t end = j->from ? j->n_from : t->n_rows;
            if (j->pos >= end) {
                if (!j->from) j->ordered = end;
                j->phase = j->sort ? PH_KEYS : PH_SORT;
                j->pos = 0;
                break;
            }
            if (spent >= budget) break;
            size_t row = j->from ? j->from[j->pos] : j->pos;
            spent += TABLE_U_ROW;
            if (!j->n_w || table_words_match(t, row, j->w, j->n_w, &spent)) {
                j->out = xgrow(j->out, &j->cap_out, j->n_out + 1, sizeof *j->out);
                j->out[j->n_out++] = (uint32_t)row;
            }
            j->pos++;
        }
    }
    if (j->phase == PH_KEYS && spent < budget) {
        if (!j->ent) {
            j->ent = xmalloc((j->n_out ? j->n_out : 1) * sizeof *j->ent);
            j->tmp = xmalloc((j->n_out ? j->n_out : 1) * sizeof *j->tmp);
            buf_putc(&j->arena, '\0'); /* offset 0: "" */
        }
        for (; j->pos < j->n_out && spent < budget; j->pos++) {
            table_make_key(t, &j->o, j->out[j->pos], &j->ent[j->pos], &j->arena);
            spent += j->o.col >= 0 && !(t->cols[j->o.col].flags & TABLE_BAR) ? TABLE_U_CELL
                                                                             : TABLE_U_ROW;
        }
        if (j->pos >= j->n_out) {
            j->phase = PH_SORT;
            j->m = (struct msort){.a = j->ent, .b = j->tmp, .n = j->n_out};
        }
    }
    bool done = false;
    if (j->phase == PH_SORT && spent < budget) {
        if (!j->sort) {
            done = true;
        } else {
            size_t left = budget - spent;
            done = table_msort_step(&j->m, &j->o, j->arena.data, &left);
            spent = budget - left;
        }
    }
    j->done += spent;
    if (j->done >= j->total && !done) j->total = j->done + j->done / 8 + 1;
    return done;
}

static void job_run_to_end(struct table *t)
{
    table_access_begin(t);
    while (!job_step(t, SIZE_MAX / 4))
        ;
    table_access_end(t);
    job_install(t);
}

/* ---- rows that arrive or change while an order stands ------------------------------------ */

static bool small(const struct table *t)
{
    return !t->src || t->n_rows <= TABLE_SYNC_ROWS;
}

/* Compares row a (key made now) with the entry b whose text is sb. */
static int cmp_row_now(struct table *t, const struct order *o, size_t a, const struct sort_ent *b,
                       const char *sb, struct buf *scratch)
{
    struct sort_ent ea;
    buf_reset(scratch);
    buf_putc(scratch, '\0');
    table_make_key(t, o, a, &ea, scratch);
    return table_key_cmp(&ea, scratch->data + ea.off, b, sb, o);
}

/* Takes the changed rows out of vis and puts back those the filter lets through, each where
 * the sort now places it (found by bisection, keys read as needed). */
static void splice_changed(struct table *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_vis; i++)
        if (!(t->rows[t->vis[i]].flags & TABLE_ROW_CHANGED)) t->vis[n++] = t->vis[i];
    t->n_vis = n;
    struct order o;
    table_order_init(t, &o);
    size_t n_w, cost = 0, n_add = 0;
    struct fword *w = table_filter_compile(t, t->filter, &n_w);
    struct sort_ent *add = xmalloc((t->n_changed + 1) * sizeof *add);
    struct sort_ent *tmp = xmalloc((t->n_changed + 1) * sizeof *tmp);
    struct buf arena = {0}, scratch = {0};
    buf_putc(&arena, '\0');
    for (size_t i = 0; i < t->n_changed; i++) {
        size_t row = t->changed[i];
        t->rows[row].flags &= ~TABLE_ROW_CHANGED;
        if (row >= t->n_ordered || (n_w && !table_words_match(t, row, w, n_w, &cost))) continue;
        table_make_key(t, &o, row, &add[n_add++], &arena);
    }
    t->n_changed = 0;
    struct msort m = {.a = add, .b = tmp, .n = n_add};
    size_t budget = SIZE_MAX / 4;
    table_msort_step(&m, &o, arena.data, &budget);
    t->vis = xgrow(t->vis, &t->cap_vis, t->n_vis + n_add + 1, sizeof *t->vis);
    /* Positions in the old vis, ascending since the rows are sorted; then one pass from the
     * end moves each stretch of vis up by the rows inserted before it. */
    size_t *pos = xmalloc((n_add + 1) * sizeof *pos), lo = 0;
    for (size_t i = 0; i < n_add; i++) {
        size_t hi = t->n_vis;
        const char *s = arena.data + m.a[i].off;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_row_now(t, &o, t->vis[mid], &m.a[i], s, &scratch) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        pos[i] = lo;
    }
    size_t end = t->n_vis;
    for (size_t i = n_add; i-- > 0;) {
        size_t shift = i + 1;
        memmove(&t->vis[pos[i] + shift], &t->vis[pos[i]], (end - pos[i]) * sizeof *t->vis);
        t->vis[pos[i] + i] = m.a[i].row;
        end = pos[i];
    }
    t->n_vis += n_add;
    free(pos);
    free(add);
    free(tmp);
    free(w);
    buf_free(&arena);
    buf_free(&scratch);
    table_cursor_restore(t);
}

/* Rows appended since the last ordering, and rows that changed: placed at once when that is
 * cheap, else left to a job (sorted: once they make a quarter of the rows, or none are coming
 * any more). */
static void place(struct table *t)
{
    bool filtered = t->filter[0] != '\0', sorted = table_is_sorted(t);
    if (t->n_changed) {
        if (!filtered && !sorted) {
            for (size_t i = 0; i < t->n_changed; i++)
                t->rows[t->changed[i]].flags &= ~TABLE_ROW_CHANGED;
            t->n_changed = 0;
        } else if (small(t)) {
            job_start(t, false, true, sorted);
            return;
        } else {
            table_access_begin(t);
            splice_changed(t);
            table_access_end(t);
        }
    }
    size_t fresh = t->n_rows - t->n_ordered;
    if (!fresh) return;
    if (sorted || (filtered && fresh > TABLE_SYNC_ROWS && !small(t))) {
        if (!sorted || small(t) || !t->more_coming || fresh * 4 >= t->n_ordered)
            job_start(t, false, true, sorted);
        return;
    }
    /* Server order: the new rows the filter lets through go at the end. */
    size_t n_w, cost = 0, first = t->n_vis;
    struct fword *w = table_filter_compile(t, t->filter, &n_w);
    t->vis = xgrow(t->vis, &t->cap_vis, t->n_vis + fresh + 1, sizeof *t->vis);
    table_access_begin(t);
    for (size_t i = t->n_ordered; i < t->n_rows; i++)
        if (!n_w || table_words_match(t, i, w, n_w, &cost)) t->vis[t->n_vis++] = (uint32_t)i;
    table_access_end(t);
    free(w);
    t->n_ordered = t->n_rows;
    /* The cursor's row may be among them (rows came back after a reset). */
    const struct table_row *sel = table_selected(t);
    if (t->have_cursor_key && (!sel || sel->key != t->cursor_key)) {
        for (size_t i = first; i < t->n_vis; i++) {
            if (t->rows[t->vis[i]].key == t->cursor_key) {
                t->cursor = i;
                break;
            }
        }
    }
    if (t->n_vis && t->cursor >= t->n_vis) t->cursor = t->n_vis - 1;
    sel = table_selected(t);
    if (sel) {
        t->cursor_key = sel->key;
        t->have_cursor_key = true;
    }
}

void table_order_update(struct table *t)
{
    if (t->reorder) {
        t->reorder = false;
        job_start(t, false, true, table_is_sorted(t));
    } else if (!t->job) {
        place(t);
    }
    if (t->job && small(t)) job_run_to_end(t);
}

/* ---- what views and the loop call ----------------------------------------------------------- */

/* After the filter or the sort changed: the cheapest ordering that gets there. */
static void reorder(struct table *t)
{
    table_job_free(t);
    bool same_sort = t->ordered_col == t->sort_col && t->ordered_rev == t->sort_rev;
    bool filter_same = !strcmp(t->filter, t->ordered_filter);
    if (t->reorder || t->n_changed || !table_filter_narrows(t->ordered_filter, t->filter)) {
        t->reorder = false;
        job_start(t, false, true, table_is_sorted(t));
    } else if (filter_same && same_sort) {
        return;
    } else {
        job_start(t, true, !filter_same, !same_sort);
    }
    if (small(t)) job_run_to_end(t);
}

void table_set_filter(struct table *t, const char *filter)
{
    strlcpy_safe(t->filter, filter ? filter : "", sizeof t->filter);
    reorder(t);
}

void table_sort_by(struct table *t, int col, bool reverse)
{
    if (col >= (int)t->n_cols) col = -1;
    t->sort_col = col;
    t->sort_rev = reverse;
    reorder(t);
}

bool table_sort_by_field(struct table *t, const char *field, bool reverse)
{
    int c = table_col_by_field(t, field, strlen(field));
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

bool table_busy(const struct table *t)
{
    return t->job != NULL || t->n_measured < t->n_rows;
}

bool table_work(struct table *t, size_t budget)
{
    if (t->n_measured < t->n_rows) {
        size_t rows = budget / (t->n_cols ? t->n_cols : 1);
        table_measure_new(t, rows ? rows : 1);
        return table_busy(t);
    }
    if (!t->job) return false;
    table_access_begin(t);
    bool done = job_step(t, budget * TABLE_U_CELL);
    table_access_end(t);
    if (done) {
        job_install(t);
        place(t);
        if (t->job && small(t)) job_run_to_end(t);
    }
    return table_busy(t);
}

bool table_progress(const struct table *t, char *out, size_t n)
{
    if (t->job) {
        size_t pct = t->job->done * 100 / t->job->total;
        snprintf(out, n, "%s %zu%%", t->job->sort ? "sorting" : "filtering", pct > 99 ? 99 : pct);
        return true;
    }
    if (t->n_measured < t->n_rows) {
        snprintf(out, n, "measuring columns %zu%%", t->n_measured * 100 / t->n_rows);
        return true;
    }
    if (t->src && table_is_sorted(t) && t->n_ordered < t->n_rows) {
        char a[32], b[32];
        snprintf(out, n, "sorted %s of %s", text_thousands((int64_t)t->n_ordered, a, sizeof a),
                 text_thousands((int64_t)t->n_rows, b, sizeof b));
        return true;
    }
    return false;
}
