/* The pieces under the screens: display widths (CJK, combining marks, the ASCII fallback),
 * fitting and wrapping by columns, the table's filter, sort and cursor, and the model helpers
 * (run order, rollback delay, item fields). No terminal needed. */
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
#include "tui/data.h"
#include "tui/table.h"
#include "tui/text.h"

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

static const char *cell(const struct table *t, size_t vis, size_t col)
{
    return t->rows[t->vis[vis]].cells[col];
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

/* ---- model helpers ---------------------------------------------------------------------- */

static void test_times_and_run_order(void **state)
{
    (void)state;
    int64_t a, b;
    assert_true(data_parse_time("2025-05-20 15:03:17", &a));
    assert_true(data_parse_time("2025-05-20T15:18:58.000000Z", &b));
    assert_int_equal(b - a, 15 * 60 + 41);
    assert_true(data_parse_time("2024-03-01 00:00:00", &a));
    assert_true(data_parse_time("2024-02-28 00:00:00", &b));
    assert_int_equal(a - b, 2 * 86400); /* a leap year */
    assert_false(data_parse_time("yesterday", &a));
    assert_false(data_parse_time("2025-13-01 00:00:00", &a));
    assert_false(data_parse_time(NULL, &a));
    char d[32];
    static const struct {
        int64_t seconds;
        const char *want;
    } durations[] = {{42, "42s"}, {941, "15m41s"}, {9000, "2h30m"}, {90000, "1d01h"}};
    for (size_t i = 0; i < ARRAY_LEN(durations); i++) {
        data_duration(durations[i].seconds, d, sizeof d);
        assert_string_equal(d, durations[i].want);
    }

    /* The server may list the rollback first: time order puts the deploy first. */
    struct deploy_run runs[3] = {
        {.type = MODEL_RUN_ROLLBACK, .create_time = "2025-05-20 15:18:58"},
        {.type = MODEL_RUN_DEPLOY, .create_time = "2025-05-20 15:03:17"},
        {.type = MODEL_RUN_DEPLOY, .create_time = "2025-05-21 08:00:00"},
    };
    struct detail_page p = {.runs = runs, .n_runs = 3};
    size_t order[3];
    assert_int_equal(data_run_order(&p, order, 3), 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 2);
    assert_int_equal(data_run_number(&p, 0), 2);
    data_rollback_delay(&p, 0, d, sizeof d);
    assert_string_equal(d, "+15m41s"); /* after the deploy before it, not the later one */
    data_rollback_delay(&p, 1, d, sizeof d);
    assert_string_equal(d, "");
}

static void test_item_fields(void **state)
{
    (void)state;
    char *domains[] = {"a.example.com", "b.example.com"};
    struct deploy_item it = {.id = 57,
                             .status = 2,
                             .sni_switch = 1,
                             .forward = 0,
                             .port = 443,
                             .domains = domains,
                             .n_domains = 2,
                             .error_msg = "boom"};
    const struct {
        enum item_field f;
        const char *want;
    } cases[] = {{F_ID, "57"},      {F_STATUS, "failed"},
                 {F_SNI, "on"},     {F_FORWARD, "classic"},
                 {F_PORT, "443"},   {F_DOMAINS, "a.example.com, b.example.com"},
                 {F_ERROR, "boom"}, {F_BUCKET, ""}};
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *v = data_item_field(&it, cases[i].f);
        assert_string_equal(v, cases[i].want);
        free(v);
    }
    it.status = 42;
    char *v = data_item_field(&it, F_STATUS);
    assert_string_equal(v, "status 42"); /* unknown values show as numbers */
    free(v);
    /* Columns follow the resource type. */
    const enum item_field *f;
    size_t n = data_type_fields("clb", &f);
    bool port = false, bucket = false;
    for (size_t i = 0; i < n; i++) {
        port |= f[i] == F_PORT;
        bucket |= f[i] == F_BUCKET;
    }
    assert_true(port && !bucket);
    n = data_type_fields("cos", &f);
    bucket = false;
    for (size_t i = 0; i < n; i++)
        bucket |= f[i] == F_BUCKET;
    assert_true(bucket);
    for (int k = 0; k < F_COUNT; k++) {
        assert_true(strlen(data_field_name((enum item_field)k)) > 0);
        assert_true(strlen(data_field_label((enum item_field)k)) > 0);
    }
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
        cmocka_unit_test(test_times_and_run_order),
        cmocka_unit_test(test_item_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
