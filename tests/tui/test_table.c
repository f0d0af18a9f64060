/* The table at scale: a source table (cells read on demand) fed in pages keeps the same widths
 * as measuring every row again; orderings made from keys read once give exactly the order the
 * per-comparison comparator gave before (numbers, text that is no number, case, ties in
 * server order); big orderings run in steps with the old order on screen and the cursor
 * movable; rows appended while sorted wait and are then sorted; rows that change move to
 * where they now belong. No terminal needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "tui/table.h"
#include "tui/text.h"

enum { C_MARK, C_ID, C_NAME, C_STATUS, C_PORT, C_N };

static const struct table_col cols[C_N] = {
    [C_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [C_ID] = {"Id", "id", 2, 12, 0, TABLE_NUMERIC},
    [C_NAME] = {"Name", "name", 4, 0, 0, 0},
    [C_STATUS] = {"Status", "status", 6, 16, 0, TABLE_TONED},
    [C_PORT] = {"Port", "port", 4, 6, 0, TABLE_NUMERIC},
};

/* ---- a source: rows of strings, generated ------------------------------------------------- */

struct src {
    char *(*cells)[C_N];
    size_t n, cap;
    int begins, ends, depth;
};

static bool src_begin(void *ctx)
{
    struct src *s = ctx;
    assert_int_equal(s->depth, 0); /* never nested */
    s->depth++;
    s->begins++;
    return true;
}

static void src_end(void *ctx)
{
    struct src *s = ctx;
    s->depth--;
    s->ends++;
}

static const char *src_cell(void *ctx, size_t row, size_t col, struct buf *out)
{
    struct src *s = ctx;
    assert_int_equal(s->depth, 1); /* only between begin and end */
    assert_true(row < s->n);
    (void)out;
    return s->cells[row][col];
}

static const struct table_source source = {src_begin, src_end, src_cell};

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *pick(const char *const *pool, size_t n)
{
    return pool[next_rand() % n];
}

/* Numbers with separators, signs and decimals, text that is no number, and many ties; names
 * in several cases, with long common prefixes, wide and escaped text. */
static void gen_row(char **row, size_t i)
{
    static const char *const ids[] = {"10", "9",  "1,000", "-3",  "+7",  "2.5",  "",     "n/a",
                                      "-",  "0",  "-0",    "007", "12a", " 42",  "1e3",  "+",
                                      ".",  "-.", "3.14",  "100", "99",  "1,00", "-1,5", "x"};
    static const char *const names[] = {"alpha",
                                        "Alpha",
                                        "ALPHA",
                                        "beta",
                                        "",
                                        "lb-abcdefgh1",
                                        "lb-abcdefgh2",
                                        "lb-abcdefgh10",
                                        "Lb-ABCDEFGH1",
                                        "中文名字",
                                        "Ärger",
                                        "zeta",
                                        "alpha ",
                                        "\x1b[1mbold",
                                        "a",
                                        "ab",
                                        "b"};
    static const char *const statuses[] = {"success", "failed", "running", "Failed"};
    static const char *const ports[] = {"443", "80", "8443", "", "443"};
    char buf[48];
    row[C_MARK] = xstrdup("x");
    if (next_rand() % 3 == 0) {
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)(next_rand() % 5000));
        row[C_ID] = xstrdup(buf);
    } else {
        row[C_ID] = xstrdup(pick(ids, ARRAY_LEN(ids)));
    }
    if (next_rand() % 4 == 0) {
        snprintf(buf, sizeof buf, "host-%zu.example", i % 977);
        row[C_NAME] = xstrdup(buf);
    } else {
        row[C_NAME] = xstrdup(pick(names, ARRAY_LEN(names)));
    }
    row[C_STATUS] = xstrdup(pick(statuses, ARRAY_LEN(statuses)));
    row[C_PORT] = xstrdup(pick(ports, ARRAY_LEN(ports)));
}

static void src_grow(struct src *s, size_t n)
{
    s->cells = xgrow(s->cells, &s->cap, n, sizeof *s->cells);
    for (size_t i = s->n; i < n; i++)
        gen_row(s->cells[i], i);
    s->n = n;
}

static void src_free(struct src *s)
{
    for (size_t i = 0; i < s->n; i++)
        for (size_t c = 0; c < C_N; c++)
            free(s->cells[i][c]);
    free(s->cells);
}

static enum model_tone tone_of(const char *status)
{
    return !strcasecmp(status, "failed") ? MODEL_TONE_FAILED : MODEL_TONE_SUCCESS;
}

/* Appends the source's rows [t->n_rows, upto) and takes them in. */
static void feed(struct table *t, struct src *s, size_t upto)
{
    for (size_t i = t->n_rows; i < upto; i++)
        table_append(t, 1000000 + i, tone_of(s->cells[i][C_STATUS]), 0);
    table_end(t);
}

static void source_table(struct table *t, struct src *s)
{
    table_init(t, cols, C_N);
    table_set_source(t, &source, s);
}

static void finish(struct table *t)
{
    size_t guard = 0;
    while (table_work(t, 100))
        assert_true(++guard < 1000000);
}

/* ---- the order before: the comparator and filter as they were (per comparison) ---------- */

struct ref {
    struct table *t;
    int col;
    bool rev;
};
static struct ref ref;

static bool old_parse_num(const char *s, double *out)
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

static int old_cmp_rows(const void *a, const void *b)
{
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = ref.col, r = 0;
    if (c >= 0) {
        char *sa = xstrdup(table_cell(ref.t, ia, (size_t)c));
        const char *sb = table_cell(ref.t, ib, (size_t)c);
        if (cols[c].flags & TABLE_NUMERIC) {
            double na, nb;
            bool ha = old_parse_num(sa, &na), hb = old_parse_num(sb, &nb);
            if (ha && hb)
                r = (na > nb) - (na < nb);
            else
                r = (int)hb - (int)ha;
        } else {
            r = strcasecmp(sa, sb);
            if (!r) r = strcmp(sa, sb);
        }
        free(sa);
        if (ref.rev) r = -r;
    }
    if (!r) {
        r = (ia > ib) - (ia < ib);
        if (c < 0 && ref.rev) r = -r;
    }
    return r;
}

static bool old_contains_ci(const char *hay, const char *needle, size_t nlen)
{
    if (!nlen) return true;
    for (const char *p = hay; *p; p++)
        if (!strncasecmp(p, needle, nlen)) return true;
    return false;
}

static int old_col_by_field(const char *field, size_t len)
{
    for (size_t c = 0; c < C_N; c++) {
        const char *f = cols[c].field;
        if (f && strlen(f) == len && !strncasecmp(f, field, len)) return (int)c;
    }
    return -1;
}

static bool old_matches(struct table *t, size_t row, const char *filter)
{
    const char *p = filter;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        const char *colon = memchr(p, ':', len);
        int col = colon ? old_col_by_field(p, (size_t)(colon - p)) : -1;
        char word[256];
        bool ok = false;
        if (col >= 0) {
            size_t vlen = len - (size_t)(colon - p) - 1;
            memcpy(word, colon + 1, vlen);
            word[vlen] = '\0';
            ok = old_contains_ci(table_cell(t, row, (size_t)col), word, vlen);
        } else {
            memcpy(word, p, len);
            word[len] = '\0';
            for (size_t c = 0; c < C_N && !ok; c++)
                ok = old_contains_ci(table_cell(t, row, c), word, len);
        }
        if (!ok) return false;
        p += len;
    }
    return true;
}

/* t's rows as the old code ordered them for its filter and sort; *n their count. */
static size_t *old_order(struct table *t, size_t *n)
{
    size_t *v = xmalloc((t->n_rows + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < t->n_rows; i++)
        if (!t->filter[0] || old_matches(t, i, t->filter)) v[(*n)++] = i;
    ref = (struct ref){t, t->sort_col, t->sort_rev};
    qsort(v, *n, sizeof *v, old_cmp_rows);
    return v;
}

static void assert_old_order(struct table *t)
{
    size_t n;
    size_t *want = old_order(t, &n);
    assert_int_equal(t->n_vis, n);
    for (size_t i = 0; i < n; i++) {
        if (t->vis[i] != want[i])
            fail_msg("filter '%s', sort %d%s: position %zu holds row %u, the old order row %zu",
                     t->filter, t->sort_col, t->sort_rev ? " reversed" : "", i, t->vis[i], want[i]);
    }
    free(want);
}

/* ---- tests -------------------------------------------------------------------------------- */

/* Pages of any size appended to a source table give the widths of measuring all rows at once
 * (an owned table of the same cells), with and without a filter shown meanwhile. */
static void test_append_widths_equal_full_recompute(void **state)
{
    (void)state;
    struct src s = {0};
    src_grow(&s, 3000);
    for (int filtered = 0; filtered < 2; filtered++) {
        struct table t, full;
        source_table(&t, &s);
        if (filtered) table_set_filter(&t, "status:fail");
        size_t at = 0;
        while (at < s.n) {
            at += 1 + next_rand() % 400;
            if (at > s.n) at = s.n;
            feed(&t, &s, at);
            table_init(&full, cols, C_N);
            table_begin(&full);
            for (size_t i = 0; i < at; i++)
                table_add(&full, 1000000 + i, (const char *const *)s.cells[i]);
            table_end(&full);
            assert_memory_equal(t.widths, full.widths, sizeof t.widths);
            table_free(&full);
            assert_old_order(&t);
        }
        assert_int_equal(s.begins, s.ends);
        table_free(&t);
    }
    src_free(&s);
}

/* Many rows taken in at once (a drill-down opened on a group loaded before): the widths of the
 * first TABLE_SYNC_ROWS at once, the rest in steps, and in the end those of measuring all. */
static void test_many_rows_at_once_measured_in_steps(void **state)
{
    (void)state;
    struct src s = {0};
    src_grow(&s, 3 * TABLE_SYNC_ROWS + 17);
    free(s.cells[s.n - 1][C_NAME]); /* the widest name comes last */
    s.cells[s.n - 1][C_NAME] = xstrdup("the-widest-name-of-them-all.example.com");
    struct table t, full;
    source_table(&t, &s);
    feed(&t, &s, s.n);
    assert_int_equal(t.n_vis, s.n); /* shown at once, in server order */
    assert_true(table_busy(&t));
    char p[64];
    assert_true(table_progress(&t, p, sizeof p));
    assert_string_equal(p, "measuring columns 33%");
    assert_true(t.widths[C_NAME] < text_width(s.cells[s.n - 1][C_NAME]));
    size_t steps = 0;
    while (table_work(&t, 1000))
        steps++;
    assert_true(steps > 10);
    table_init(&full, cols, C_N);
    table_begin(&full);
    for (size_t i = 0; i < s.n; i++)
        table_add(&full, 1000000 + i, (const char *const *)s.cells[i]);
    table_end(&full);
    assert_memory_equal(t.widths, full.widths, sizeof t.widths);
    assert_int_equal(t.widths[C_NAME], text_width(s.cells[s.n - 1][C_NAME]));
    assert_int_equal(s.begins, s.ends);
    table_free(&full);
    table_free(&t);
    src_free(&s);
}

/* Every column, both directions, with and without a filter: the same order as the old
 * comparator, for a table ordered at once and for one ordered in steps. */
static void test_keys_read_once_give_the_old_order(void **state)
{
    (void)state;
    const size_t sizes[] = {700, TABLE_SYNC_ROWS + 2345};
    const char *filters[] = {"", "a", "status:fail 1"};
    for (size_t k = 0; k < ARRAY_LEN(sizes); k++) {
        struct src s = {0};
        src_grow(&s, sizes[k]);
        struct table t;
        source_table(&t, &s);
        feed(&t, &s, s.n);
        finish(&t);
        for (size_t f = 0; f < ARRAY_LEN(filters); f++) {
            table_set_filter(&t, filters[f]);
            finish(&t);
            for (int col = -1; col < C_N; col++) {
                if (col == C_MARK) continue;
                for (int rev = 0; rev < 2; rev++) {
                    table_sort_by(&t, col, rev);
                    finish(&t);
                    assert_old_order(&t);
                }
            }
        }
        assert_int_equal(s.begins, s.ends);
        table_free(&t);
        src_free(&s);
    }
}

/* A big sort runs in steps: until it completes the rows stay in the old order, the cursor
 * moves over them, and the progress reads "sorting N%"; then the cursor's row is where the
 * sort put it. */
static void test_big_sort_in_steps_keeps_the_old_order(void **state)
{
    (void)state;
    struct src s = {0};
    src_grow(&s, 3 * TABLE_SYNC_ROWS);
    struct table t;
    source_table(&t, &s);
    feed(&t, &s, s.n);
    finish(&t); /* the widths */
    assert_false(table_busy(&t));
    table_move(&t, 5);
    table_sort_by(&t, C_NAME, false);
    assert_true(table_busy(&t));
    char p[64];
    assert_true(table_progress(&t, p, sizeof p));
    assert_string_equal(p, "sorting 0%");
    size_t steps = 0;
    int last = -1;
    while (table_busy(&t)) {
        for (size_t i = 0; i < t.n_vis; i += 997)
            assert_int_equal(t.vis[i], i); /* still server order */
        table_move(&t, 1);
        if (table_progress(&t, p, sizeof p)) {
            int pct = atoi(p + strlen("sorting "));
            assert_true(pct >= last && pct <= 99);
            last = pct;
        }
        table_work(&t, 500);
        steps++;
    }
    assert_true(steps > 10);
    assert_true(last > 50);
    uint64_t key = t.cursor_key;
    assert_int_equal(key, 1000000 + 5 + steps);
    assert_int_equal(table_selected(&t)->key, key); /* the cursor followed its row */
    assert_old_order(&t);
    /* A narrower filter scans only the rows shown, and keeps their order. */
    table_set_filter(&t, "al");
    finish(&t);
    assert_old_order(&t);
    table_set_filter(&t, "alp");
    assert_true(table_busy(&t));
    assert_true(table_progress(&t, p, sizeof p));
    assert_string_equal(p, "filtering 0%");
    finish(&t);
    assert_old_order(&t);
    table_set_filter(&t, "status");
    finish(&t);
    table_set_filter(&t, "status:f"); /* a word becomes field:value: not narrower */
    finish(&t);
    assert_old_order(&t);
    table_free(&t);
    src_free(&s);
}

/* Pages that arrive while a big table is sorted wait for the next sort (it starts once they
 * make a quarter of the rows, or when no more are coming), and then take their places. */
static void test_sorted_pages_wait_then_sort(void **state)
{
    (void)state;
    struct src s = {0};
    src_grow(&s, 6 * TABLE_SYNC_ROWS);
    struct table t;
    source_table(&t, &s);
    t.more_coming = true;
    feed(&t, &s, 2 * TABLE_SYNC_ROWS);
    table_sort_by(&t, C_PORT, true);
    finish(&t);
    assert_old_order(&t);
    bool waited = false;
    size_t at = t.n_rows;
    while (at < s.n) {
        at += 200;
        t.more_coming = at < s.n;
        feed(&t, &s, at);
        char p[64];
        if (!table_busy(&t) && table_progress(&t, p, sizeof p)) {
            waited = true;
            assert_non_null(strstr(p, "sorted "));
            assert_true(t.n_ordered < t.n_rows);
        }
        table_work(&t, 2000);
    }
    finish(&t);
    assert_true(waited);
    assert_int_equal(t.n_ordered, t.n_rows);
    assert_old_order(&t);
    assert_int_equal(s.begins, s.ends);
    table_free(&t);
    src_free(&s);
}

/* Rows that change in the source (a refresh) move to where the filter and sort now put them,
 * in a big table as in a small one. */
static void test_changed_rows_move(void **state)
{
    (void)state;
    const size_t sizes[] = {500, 2 * TABLE_SYNC_ROWS};
    for (size_t k = 0; k < ARRAY_LEN(sizes); k++) {
        struct src s = {0};
        src_grow(&s, sizes[k]);
        struct table t;
        source_table(&t, &s);
        feed(&t, &s, s.n);
        table_set_filter(&t, "status:fail");
        table_sort_by(&t, C_NAME, false);
        finish(&t);
        assert_old_order(&t);
        for (int round = 0; round < 3; round++) {
            for (size_t i = 0; i < 300; i++) {
                size_t row = next_rand() % s.n;
                const char *st = next_rand() % 2 ? "failed" : "success";
                free(s.cells[row][C_STATUS]);
                s.cells[row][C_STATUS] = xstrdup(st);
                if (i % 3 == 0) {
                    free(s.cells[row][C_NAME]);
                    s.cells[row][C_NAME] = xstrdup(i % 2 ? "aardvark" : "zz-a-much-longer-name");
                }
                table_changed(&t, row, tone_of(st), round + 1);
            }
            table_end(&t);
            finish(&t);
            assert_old_order(&t);
            /* Widths grow to fit what changed (they shrink only when the rows are taken again). */
            assert_true(t.widths[C_NAME] >= text_width("zz-a-much-longer-name"));
        }
        assert_int_equal(s.begins, s.ends);
        table_free(&t);
        src_free(&s);
    }
}

/* A source table forgets its rows (the group was rebuilt) and takes them again: widths from
 * the titles up, the cursor back on its row when it is among them. */
static void test_reset_takes_rows_again(void **state)
{
    (void)state;
    struct src s = {0};
    src_grow(&s, 400);
    struct table t;
    source_table(&t, &s);
    feed(&t, &s, s.n);
    table_move(&t, 250);
    uint64_t key = table_selected(&t)->key;
    table_reset(&t);
    assert_int_equal(t.n_vis, 0);
    assert_int_equal(t.widths[C_NAME], 5); /* "Name" and the sort mark */
    feed(&t, &s, 400);
    assert_int_equal(table_selected(&t)->key, key);
    assert_old_order(&t);
    table_free(&t);
    src_free(&s);
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8")) setlocale(LC_ALL, "C.utf8");
    text_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_widths_equal_full_recompute),
        cmocka_unit_test(test_many_rows_at_once_measured_in_steps),
        cmocka_unit_test(test_keys_read_once_give_the_old_order),
        cmocka_unit_test(test_big_sort_in_steps_keeps_the_old_order),
        cmocka_unit_test(test_sorted_pages_wait_then_sort),
        cmocka_unit_test(test_changed_rows_move),
        cmocka_unit_test(test_reset_takes_rows_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
