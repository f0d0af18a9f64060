/* The questions core answers about the model for every front end: the API's times and
 * durations, runs in time order, the rollback delay (core/query, core/apitime), and the one
 * table of item fields (core/fields). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/fields.h"
#include "core/query.h"
#include "core/util.h"

static void test_times_and_run_order(void **state)
{
    (void)state;
    int64_t a, b;
    assert_true(apitime_parse("2025-05-20 15:03:17", &a));
    assert_true(apitime_parse("2025-05-20T15:18:58.000000Z", &b));
    assert_int_equal(b - a, 15 * 60 + 41);
    assert_true(apitime_parse("2024-03-01 00:00:00", &a));
    assert_true(apitime_parse("2024-02-28 00:00:00", &b));
    assert_int_equal(a - b, 2 * 86400); /* a leap year */
    assert_false(apitime_parse("yesterday", &a));
    assert_false(apitime_parse("2025-13-01 00:00:00", &a));
    assert_false(apitime_parse(NULL, &a));
    char d[32];
    static const struct {
        int64_t seconds;
        const char *want;
    } durations[] = {{42, "42s"}, {941, "15m41s"}, {9000, "2h30m"}, {90000, "1d01h"}};
    for (size_t i = 0; i < ARRAY_LEN(durations); i++) {
        apitime_duration(durations[i].seconds, d, sizeof d);
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
    assert_int_equal(query_run_order(&p, order, 3), 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 2);
    assert_int_equal(query_run_number(&p, 0), 2);
    query_rollback_delay(&p, 0, d, sizeof d);
    assert_string_equal(d, "+15m41s"); /* after the deploy before it, not the later one */
    query_rollback_delay(&p, 1, d, sizeof d);
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
        char *v = field_value(&it, cases[i].f);
        assert_string_equal(v, cases[i].want);
        free(v);
    }
    it.status = 42;
    char *v = field_value(&it, F_STATUS);
    assert_string_equal(v, "status 42"); /* unknown values show as numbers */
    free(v);
    /* Columns follow the resource type. */
    const enum item_field *f;
    size_t n = field_columns("clb", &f);
    bool port = false, bucket = false;
    for (size_t i = 0; i < n; i++) {
        port |= f[i] == F_PORT;
        bucket |= f[i] == F_BUCKET;
    }
    assert_true(port && !bucket);
    n = field_columns("cos", &f);
    bucket = false;
    for (size_t i = 0; i < n; i++)
        bucket |= f[i] == F_BUCKET;
    assert_true(bucket);
    for (int k = 0; k < F_COUNT; k++) {
        assert_true(strlen(field_name((enum item_field)k)) > 0);
        assert_true(strlen(field_label((enum item_field)k)) > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times_and_run_order),
        cmocka_unit_test(test_item_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
