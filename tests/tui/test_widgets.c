/* The pieces under the screens: display widths (CJK, combining marks, the ASCII fallback),
 * fitting and wrapping by columns, the table's filter, sort and cursor, and the questions asked
 * before a record-wide write. No terminal needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/view.h"

/* text_fit(s, width) gives exactly want, using `used` columns (used < 0: not checked). */
static void expect_fit(const char *s, int width, const char *want, int used)
{
    struct buf b = {0};
    int got_used = text_fit(&b, s, width);
    char *got = b.data ? buf_steal(&b) : xstrdup("");
    assert_string_equal(got, want);
    if (used >= 0) assert_int_equal(got_used, used);
    free(got);
}

static void test_widths(void **state)
{
    (void)state;
    text_set_utf8(true);
    assert_int_equal(text_width("abc"), 3);
    assert_int_equal(text_width("\xe4\xb8\xad\xe6\x96\x87"), 4); /* 中文 */
    assert_int_equal(text_width("e\xcc\x81"), 1);                /* e + combining acute */
    assert_int_equal(text_width("\xe2\x9c\x97\xe2\x86\xba"), 2); /* ✗↺ */
    assert_int_equal(text_width("\xef\xbc\xa1"), 2);             /* fullwidth A */
    assert_int_equal(text_width(""), 0);
    /* Outside UTF-8 every non-ASCII character is one '?'. */
    text_set_utf8(false);
    assert_int_equal(text_width("\xe4\xb8\xad\xe6\x96\x87"), 2);
    assert_int_equal(text_cp_shown(0x4e2d), '?');
    assert_string_equal(text_glyphs()->crumb_sep, " > ");
    for (const char *g = text_glyphs()->mark_failed; *g; g++)
        assert_true((unsigned char)*g < 0x80);
    text_set_utf8(true);
    assert_string_equal(text_glyphs()->crumb_sep, " \xe2\x80\xba ");
}

static void test_fit_never_splits_wide_characters(void **state)
{
    (void)state;
    text_set_utf8(true);
    expect_fit("abcdef", 6, "abcdef", 6);
    expect_fit("abcdefg", 6, "abcde\xe2\x80\xa6", 6); /* abcde… */
    /* 中文字 in 5 columns */
    expect_fit("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", 5, "\xe4\xb8\xad\xe6\x96\x87\xe2\x80\xa6",
               5);
    /* 文 would not fit whole */
    expect_fit("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97", 4, "\xe4\xb8\xad\xe2\x80\xa6", 3);
    expect_fit("abc", 0, "", -1);
}

static void test_wrap(void **state)
{
    (void)state;
    text_set_utf8(true);
    size_t n;
    char **l = text_wrap("the quick brown fox", 10, &n);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "the quick");
    assert_string_equal(l[1], "brown fox");
    text_free_lines(l, n);
    l = text_wrap("abcdefghijkl", 5, &n); /* no space: hard breaks */
    assert_int_equal(n, 3);
    assert_string_equal(l[2], "kl");
    text_free_lines(l, n);
    l = text_wrap("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6", 5, &n); /* 中文字符 */
    assert_int_equal(n, 2);
    assert_int_equal(text_width(l[0]), 4);
    text_free_lines(l, n);
    l = text_wrap("", 5, &n);
    assert_int_equal(n, 1);
    assert_string_equal(l[0], "");
    text_free_lines(l, n);
}

static void test_thousands(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(text_thousands(0, b, sizeof b), "0");
    assert_string_equal(text_thousands(999, b, sizeof b), "999");
    assert_string_equal(text_thousands(1000, b, sizeof b), "1,000");
    assert_string_equal(text_thousands(1234567, b, sizeof b), "1,234,567");
    assert_string_equal(text_thousands(-1234, b, sizeof b), "-1,234");
}

/* ---- the table -------------------------------------------------------------------------- */

static const struct table_col cols[] = {
    {"Id", "id", 2, 8, 0, TABLE_NUMERIC},
    {"Name", "name", 4, 20, 0, 0},
    {"Status", "status", 6, 16, 0, TABLE_TONED},
};

static void fill(struct table *t)
{
    const char *rows[][3] = {{"10", "alpha", "success"},
                             {"9", "Beta", "failed"},
                             {"100", "gamma", "rollback failed"},
                             {"1,000", "delta", "success"},
                             {"11", "\x1b[31mred", "running"}};
    table_begin(t);
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        struct table_row *r = table_add(t, 100 + i, rows[i]);
        r->tone = strstr(rows[i][2], "failed") ? MODEL_TONE_FAILED : MODEL_TONE_SUCCESS;
    }
    table_end(t);
}

/* A table of cols holding the five rows of fill(). */
static void filled_table(struct table *t)
{
    table_init(t, cols, ARRAY_LEN(cols));
    fill(t);
}

static const char *cell(struct table *t, size_t vis, size_t col)
{
    return table_cell(t, t->vis[vis], col);
}

static void test_table_sanitizes_and_filters(void **state)
{
    (void)state;
    struct table t;
    filled_table(&t);
    assert_int_equal(t.n_vis, 5);
    assert_string_equal(cell(&t, 4, 1), "^[[31mred"); /* the escape is text now */
    static const struct {
        const char *filter;
        size_t n_vis;
        const char *first_name; /* the first shown row's name, or NULL */
    } filters[] = {
        {"status:failed", 2, NULL},
        {"STATUS:FAIL beta", 1, "Beta"}, /* case-insensitive, all words must match */
        {"name:success", 0, NULL},       /* field:value looks only at that column */
        {"nosuch:alpha", 0, NULL},       /* an unknown field is a plain word */
        {"alpha", 1, NULL},
        {"", 5, NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(filters); i++) {
        table_set_filter(&t, filters[i].filter);
        assert_int_equal(t.n_vis, filters[i].n_vis);
        if (filters[i].first_name) assert_string_equal(cell(&t, 0, 1), filters[i].first_name);
    }
    table_free(&t);
}

static void test_table_sorts(void **state)
{
    (void)state;
    struct table t;
    filled_table(&t);
    table_sort_by(&t, 0, false); /* numbers, not text: 9 < 10 < 11 < 100 < 1,000 */
    const char *want[] = {"9", "10", "11", "100", "1,000"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(cell(&t, i, 0), want[i]);
    table_sort_by(&t, 0, true);
    assert_string_equal(cell(&t, 0, 0), "1,000");
    assert_true(table_sort_by_field(&t, "name", false));
    assert_string_equal(cell(&t, 0, 1), "^[[31mred");
    assert_string_equal(cell(&t, 1, 1), "alpha");
    assert_string_equal(cell(&t, 2, 1), "Beta"); /* case-insensitive */
    assert_false(table_sort_by_field(&t, "nosuch", false));
    table_sort_step(&t, 1); /* name -> status */
    assert_int_equal(t.sort_col, 2);
    table_sort_step(&t, 1); /* past the last column: server order */
    assert_int_equal(t.sort_col, -1);
    assert_string_equal(cell(&t, 0, 0), "10");
    table_free(&t);
}

static void test_table_keeps_the_cursor(void **state)
{
    (void)state;
    struct table t;
    filled_table(&t);
    table_move(&t, 2); /* gamma, key 102 */
    assert_int_equal(table_selected(&t)->key, 102);
    fill(&t); /* a refresh rebuilds the rows */
    assert_int_equal(table_selected(&t)->key, 102);
    table_sort_by(&t, 0, true); /* sorting moves the row, the cursor follows it */
    assert_int_equal(table_selected(&t)->key, 102);
    assert_int_equal(t.cursor, 1);
    table_set_filter(&t, "alpha"); /* filtered away: the cursor stays in range */
    assert_int_equal(table_selected(&t)->key, 100);
    table_set_filter(&t, "");
    table_sort_by(&t, -1, false);
    table_home(&t);
    assert_true(table_next_tone(&t, 1)); /* next failed: Beta */
    assert_int_equal(table_selected(&t)->key, 101);
    assert_true(table_next_tone(&t, 1)); /* then gamma */
    assert_int_equal(table_selected(&t)->key, 102);
    assert_true(table_next_tone(&t, 1)); /* wraps */
    assert_int_equal(table_selected(&t)->key, 101);
    assert_true(table_next_tone(&t, -1));
    assert_int_equal(table_selected(&t)->key, 102);
    table_move(&t, 100);
    assert_int_equal(t.cursor, 4);
    table_move(&t, -100);
    assert_int_equal(t.cursor, 0);
    table_free(&t);
}

/* The drill-down's shape: two flexible columns, Error (drop 1) more important than Domains
 * (drop 2), among fixed ones that never shrink here. */
enum { LC_MARK, LC_ID, LC_SSL, LC_DOMAINS, LC_STATUS, LC_ERROR, LC_N };

static const struct table_col layout_cols[LC_N] = {
    [LC_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [LC_ID] = {"Id", "id", 2, 12, 9, TABLE_NUMERIC},
    [LC_SSL] = {"SSL mode", "ssl", 6, 14, 8, 0},
    [LC_DOMAINS] = {"Domains", "domains", 8, 48, 2, TABLE_FLEX},
    [LC_STATUS] = {"Status", "status", 6, 16, 0, TABLE_TONED},
    [LC_ERROR] = {"Error", "error", 8, 0, 1, TABLE_FLEX},
};

/* A row with 40 columns of domains and a 60-column error. */
static void layout_table(struct table *t)
{
    table_init(t, layout_cols, LC_N);
    const char *row[LC_N] = {"x",
                             "2614",
                             "UNIDIRECTIONAL",
                             "admin.example.com, img0.example.com, h5.", /* 40 */
                             "failed",
                             "instance lb-aqxpkyvu is being modified, try again later (5s)"};
    assert_int_equal(text_width(row[LC_DOMAINS]), 40);
    assert_int_equal(text_width(row[LC_ERROR]), 60);
    table_begin(t);
    table_add(t, 1, row);
    table_end(t);
}

static int drawn_width(const int *w, size_t n)
{
    int total = -1;
    for (size_t c = 0; c < n; c++)
        if (w[c]) total += w[c] + 1;
    return total;
}

static void test_table_layout_error_wins(void **state)
{
    (void)state;
    text_set_utf8(true);
    struct table t;
    layout_table(&t);
    int w[LC_N];
    /* Mark 1, Id 4, SSL mode 14, Status 7 and five gaps take 31 columns; Domains gives way
     * to 16 before Error is cut, and Error takes what is spare. */
    static const struct {
        int cols, domains, error;
    } at[] = {
        {80, 16, 33},  /* both squeezed: Domains first, down to 16 */
        {100, 16, 53}, /* Error still short of its 60 */
        {120, 29, 60}, /* Error whole, Domains gets what is left */
        {140, 40, 69}, /* everything fits: the spare columns go to Error */
    };
    for (size_t i = 0; i < ARRAY_LEN(at); i++) {
        table_layout(&t, at[i].cols, w);
        assert_int_equal(w[LC_MARK], 1);
        assert_int_equal(w[LC_ID], 4);
        assert_int_equal(w[LC_SSL], 14);
        assert_int_equal(w[LC_STATUS], 7);
        assert_int_equal(w[LC_DOMAINS], at[i].domains);
        assert_int_equal(w[LC_ERROR], at[i].error);
        assert_int_equal(drawn_width(w, LC_N), at[i].cols);
    }
    /* At every width: all the room is used, Domains is dropped rather than cut below 16, and
     * it is never wider than 16 while the error is cut. */
    for (int width = 30; width <= 200; width++) {
        table_layout(&t, width, w);
        assert_int_equal(drawn_width(w, LC_N), width);
        assert_true(w[LC_ERROR] >= 8);
        if (w[LC_DOMAINS]) assert_true(w[LC_DOMAINS] >= 16);
        if (w[LC_DOMAINS] > 16) assert_true(w[LC_ERROR] >= 60);
    }
    table_layout(&t, 45, w); /* no room for Domains at 16 next to Error */
    assert_int_equal(w[LC_DOMAINS], 0);
    assert_int_equal(w[LC_ID], 0);
    assert_int_equal(w[LC_ERROR], 45 - 1 - 7 - 2);
    table_free(&t);
}

static void test_table_layout_one_flexible_column(void **state)
{
    (void)state;
    /* With one flexible column it alone shrinks (to its min) and grows, as before. */
    struct table t;
    filled_table(&t); /* Id 5, Name 9, Status 15: no flexible column, nothing grows */
    int w[3];
    table_layout(&t, 60, w);
    assert_int_equal(w[0], 5);
    assert_int_equal(w[1], 9);
    assert_int_equal(w[2], 15);
    table_free(&t);
    static const struct table_col one_flex[] = {
        {"Id", "id", 2, 8, 0, TABLE_NUMERIC},
        {"Name", "name", 4, 20, 0, TABLE_FLEX},
        {"Status", "status", 6, 16, 0, TABLE_TONED},
    };
    table_init(&t, one_flex, ARRAY_LEN(one_flex));
    fill(&t);
    table_layout(&t, 60, w);
    assert_int_equal(w[1], 20); /* up to its max */
    table_layout(&t, 28, w);
    assert_int_equal(w[1], 6);
    assert_int_equal(w[2], 15);
    table_layout(&t, 24, w); /* below its min the widest other column gives way */
    assert_int_equal(w[1], 4);
    assert_int_equal(w[2], 13);
    table_free(&t);
}

/* ---- the write questions --------------------------------------------------------------- */

/* The questions before a record-wide write, from a detail as the store holds it. */
static void test_write_questions(void **state)
{
    (void)state;
    text_set_utf8(true);
    struct buf q = {0};
    view_rollback_question(NULL, 7, &q);
    assert_string_equal(q.data,
                        "Roll back record #7 (resource count not loaded yet) back to the old "
                        "certificate?");
    buf_reset(&q);
    view_retry_question(NULL, 7, &q);
    assert_string_equal(q.data, "Retry every failed item of record #7 (count not loaded yet)?");

    /* A deploy over seven groups (one with a hostile type name), then a later rollback with
     * three failed items, listed by the server before the deploy. */
    static const char *const types[] = {
        "clb", "\x1b[2Jcdn-with-a-very-long-type", "waf", "live", "tke", "cos", "vod"};
    struct resource_group groups[7] = {{0}}, rb_group = {.resource_type = "clb", .total_count = 1};
    for (size_t i = 0; i < 7; i++) {
        groups[i].resource_type = (char *)types[i];
        groups[i].total_count = i ? (int64_t)i : 5000;
    }
    struct deploy_run runs[2] = {
        {.type = MODEL_RUN_ROLLBACK,
         .create_time = "2025-05-20 16:00:00",
         .total_count = 1,
         .failed_total_count = 3,
         .groups = &rb_group,
         .n_groups = 1},
        {.type = MODEL_RUN_DEPLOY,
         .create_time = "2025-05-20 15:00:00",
         .total_count = 0, /* not sent: the groups add up */
         .failed_total_count = 0,
         .groups = groups,
         .n_groups = 7},
    };
    struct store_detail sd = {.record_id = 7, .page = {.runs = runs, .n_runs = 2}};
    buf_reset(&q);
    view_rollback_question(&sd, 7, &q); /* no page in yet */
    assert_non_null(strstr(q.data, "(resource count not loaded yet)"));
    sd.meta.fetched_ms = 1;
    buf_reset(&q);
    view_rollback_question(&sd, 7, &q);
    assert_string_equal(q.data, "Roll back record #7 \xe2\x80\x94 5,021 resources (clb 5,000, "
                                "^[[2Jcdn-with-a\xe2\x80\xa6 1, waf 2, live 3, tke 4, +2 "
                                "more) back to the old certificate?");
    buf_reset(&q);
    view_retry_question(&sd, 7, &q); /* the latest run is the rollback */
    assert_string_equal(q.data, "Retry the 3 failed items of record #7?");
    runs[0].failed_total_count = 1;
    buf_reset(&q);
    view_retry_question(&sd, 7, &q);
    assert_string_equal(q.data, "Retry the 1 failed item of record #7?");
    sd.page.n_runs = 1; /* only the rollback: no deploy run to count */
    buf_reset(&q);
    view_rollback_question(&sd, 7, &q);
    assert_string_equal(q.data,
                        "Roll back record #7 (its detail lists no deploy run) back to the old "
                        "certificate?");
    buf_free(&q);
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8")) setlocale(LC_ALL, "C.utf8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_fit_never_splits_wide_characters),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_thousands),
        cmocka_unit_test(test_table_sanitizes_and_filters),
        cmocka_unit_test(test_table_sorts),
        cmocka_unit_test(test_table_keeps_the_cursor),
        cmocka_unit_test(test_table_layout_error_wins),
        cmocka_unit_test(test_table_layout_one_flexible_column),
        cmocka_unit_test(test_write_questions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
