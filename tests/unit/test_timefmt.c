/* The display time zone (core/timefmt) and the strict reading of the API's times
 * (apitime_read): China time and UTC into utc, local (TZ as the process has it) and a
 * tz-database zone across daylight saving; strings that are not times come back as written;
 * zone names that are not zones are refused with a message, the zone left as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/timefmt.h"
#include "core/util.h"
#include "testutil.h"

/* 2025-05-20 07:03:17 UTC (API.md's example record, written 15:03:17 China time). */
#define EXAMPLE_UNIX 1747724597

static void set_zone(const char *spec)
{
    char err[256] = "";
    if (timefmt_set_zone(spec, err, sizeof err) != 0)
        fail_msg("zone %s: %s", spec ? spec : "(default)", err);
}

static const char *show(const char *s, enum apitime_zone z)
{
    static char buf[TIMEFMT_LEN];
    return timefmt_api(s, z, buf, sizeof buf);
}

static void test_read_strict(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_true(apitime_read("2025-05-20 15:03:17", APITIME_CHINA, &t));
    assert_int_equal(t, EXAMPLE_UNIX);
    assert_true(apitime_read("2025-05-20 07:03:17", APITIME_UTC, &t));
    assert_int_equal(t, EXAMPLE_UNIX);
    /* A zone written in the string wins over the one the caller assumes. */
    assert_true(apitime_read("2025-05-20T07:03:17.000000Z", APITIME_CHINA, &t));
    assert_int_equal(t, EXAMPLE_UNIX);
    static const char *const same[] = {"2025-05-20T15:03:17+08:00", "2025-05-20 15:03:17+0800",
                                       "2025-05-20T15:03:17.5+08", "2025-05-20T02:03:17-05:00",
                                       "2025-05-20T07:03:17Z"};
    for (size_t i = 0; i < ARRAY_LEN(same); i++) {
        t = 0;
        assert_true(apitime_read(same[i], APITIME_UTC, &t));
        assert_int_equal(t, EXAMPLE_UNIX);
    }
    assert_true(apitime_read("2024-02-29 00:00:00", APITIME_UTC, &t)); /* leap day */
    static const char *const bad[] = {"",
                                      "yesterday",
                                      "2025-05-20",
                                      "2025-05-20 15:03",
                                      "2025-05-20 15:03:17 ",
                                      "2025-05-20 15:03:17x",
                                      "2025-05-20  15:03:17",
                                      "2025-5-20 15:03:17",
                                      " 2025-05-20 15:03:17",
                                      "+025-05-20 15:03:17",
                                      "2025-02-29 00:00:00",
                                      "2025-04-31 00:00:00",
                                      "2025-13-01 00:00:00",
                                      "2025-05-20 24:00:00",
                                      "2025-05-20 23:60:00",
                                      "2025-05-20T07:03:17.Z",
                                      "2025-05-20T07:03:17ZZ",
                                      "2025-05-20T07:03:17+8",
                                      "2025-05-20T07:03:17+24:00",
                                      "2025-05-20T07:03:17+08:60",
                                      "2025-05-20T07:03:17+08:00:00",
                                      "2025-05-20\x1b[31m07:03:17"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        t = 42;
        if (apitime_read(bad[i], APITIME_UTC, &t)) fail_msg("read '%s'", bad[i]);
        assert_int_equal(t, 42);
    }
    assert_false(apitime_read(NULL, APITIME_UTC, &t));
}

/* Record times (China, no zone) and item times (UTC, Z) land on the same UTC clock. */
static void test_utc(void **state)
{
    (void)state;
    set_zone("utc");
    assert_string_equal(timefmt_zone(), "utc");
    assert_string_equal(show("2025-05-20 15:03:17", APITIME_CHINA), "2025-05-20 07:03:17+00");
    assert_string_equal(show("2025-05-20T07:03:17.000000Z", APITIME_UTC), "2025-05-20 07:03:17+00");
    /* Across midnight and a month end. */
    assert_string_equal(show("2025-06-01 05:00:00", APITIME_CHINA), "2025-05-31 21:00:00+00");
    char b[TIMEFMT_LEN];
    timefmt_unix(EXAMPLE_UNIX, b, sizeof b);
    assert_string_equal(b, "2025-05-20 07:03:17+00");
    timefmt_clock(EXAMPLE_UNIX, b, sizeof b);
    assert_string_equal(b, "07:03:17");
    /* The edges: a year before 1 (the digits it takes), a time no struct tm holds. */
    assert_string_equal(show("0000-01-01 07:59:59", APITIME_CHINA), "-0001-12-31 23:59:59+00");
    assert_string_equal(show("9999-12-31T23:59:59Z", APITIME_UTC), "9999-12-31 23:59:59+00");
    timefmt_unix(INT64_MAX, b, sizeof b);
    assert_string_equal(b, "@9223372036854775807");
    set_zone("UTC"); /* any case */
    assert_string_equal(timefmt_zone(), "utc");
}

/* local: whatever TZ the process has, read when the zone is set. */
static void test_local_follows_tz(void **state)
{
    (void)state;
    setenv("TZ", "XST-8", 1); /* a POSIX zone string: no tz database needed */
    set_zone("local");
    assert_string_equal(timefmt_zone(), "local");
    assert_string_equal(show("2025-05-20 15:03:17", APITIME_CHINA), "2025-05-20 15:03:17+08");
    assert_string_equal(show("2025-05-20T07:03:17.000000Z", APITIME_UTC), "2025-05-20 15:03:17+08");
    setenv("TZ", "XST+3:30", 1); /* west of UTC, not whole hours */
    set_zone(NULL);
    assert_string_equal(show("2025-05-20 15:03:17", APITIME_CHINA), "2025-05-20 03:33:17-03:30");
    setenv("TZ", "UTC0", 1);
    set_zone("");
    assert_string_equal(show("2025-05-20 15:03:17", APITIME_CHINA), "2025-05-20 07:03:17+00");
}

/* A tz-database zone follows its daylight-saving rules, per time shown. */
static void test_area_city_across_dst(void **state)
{
    (void)state;
    setenv("TZ", "UTC0", 1);
    set_zone("America/New_York");
    assert_string_equal(timefmt_zone(), "America/New_York");
    /* 2025-03-09: clocks go from 02:00 EST to 03:00 EDT at 07:00 UTC. */
    assert_string_equal(show("2025-03-09T06:59:59.000000Z", APITIME_UTC), "2025-03-09 01:59:59-05");
    assert_string_equal(show("2025-03-09T07:00:00.000000Z", APITIME_UTC), "2025-03-09 03:00:00-04");
    /* China time, summer and winter: 20:00 in Beijing is 08:00 EDT, 07:00 EST. */
    assert_string_equal(show("2025-07-01 20:00:00", APITIME_CHINA), "2025-07-01 08:00:00-04");
    assert_string_equal(show("2025-12-01 20:00:00", APITIME_CHINA), "2025-12-01 07:00:00-05");
    /* A zone far from both, with a half-hour offset and no daylight saving. */
    set_zone("Asia/Kolkata");
    assert_string_equal(show("2025-05-20 15:03:17", APITIME_CHINA), "2025-05-20 12:33:17+05:30");
    /* Back to local: TZ as the process had it before a zone was set. */
    set_zone("local");
    assert_string_equal(getenv("TZ"), "UTC0");
    assert_string_equal(show("2025-05-20 15:03:17", APITIME_CHINA), "2025-05-20 07:03:17+00");
}

/* What the API sends that is not a time is shown as written (callers sanitize it). */
static void test_not_a_time_as_written(void **state)
{
    (void)state;
    set_zone("utc");
    static const char *const odd[] = {"", "pending", "2025-02-30 10:00:00", "0000-00-00 00:00:00",
                                      "2025-05-20 15:03:17\x1b]52;c;AAAA\x07"};
    for (size_t i = 0; i < ARRAY_LEN(odd); i++)
        assert_ptr_equal(show(odd[i], APITIME_CHINA), odd[i]);
    assert_string_equal(show(NULL, APITIME_UTC), "");
    /* A buffer too small truncates, never overflows. */
    char small[8];
    assert_string_equal(timefmt_api("2025-05-20 15:03:17", APITIME_CHINA, small, sizeof small),
                        "2025-05");
}

/* Names that are not zones: a clear message, and the zone in use stays. */
static void test_bad_zones(void **state)
{
    (void)state;
    set_zone("utc");
    char err[256];
    static const struct {
        const char *spec, *want;
    } bad[] = {
        {"Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'"},
        {"america/new_york", "unknown time zone"}, /* the database's names are cased */
        {"../../../etc/passwd", "is not a time zone"},
        {"/etc/localtime", "is not a time zone"},
        {"America//New_York", "is not a time zone"},
        {"America/", "is not a time zone"},
        {"--tz", "is not a time zone"},
        {"Europe/Berlin\nx", "is not a time zone"},
        {"zone.tab", "unknown time zone"}, /* a file there, but no TZif */
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        assert_false(timefmt_zone_check(bad[i].spec, err, sizeof err));
        assert_int_equal(timefmt_set_zone(bad[i].spec, err, sizeof err), -1);
        if (!strstr(err, bad[i].want)) fail_msg("%s: %s", bad[i].spec, err);
        assert_non_null(strstr(err, "use utc, local or"));
        assert_null(strchr(err, '\n'));
        assert_string_equal(timefmt_zone(), "utc");
    }
    assert_true(timefmt_zone_check("Europe/Berlin", err, sizeof err));
    assert_true(timefmt_zone_check("Etc/GMT+5", err, sizeof err));
    /* TZDIR is where the C library looks, so it is where the check looks too. */
    char *dir = tu_mkdtemp("timefmt");
    setenv("TZDIR", dir, 1);
    assert_false(timefmt_zone_check("Europe/Berlin", err, sizeof err));
    assert_non_null(strstr(err, dir));
    unsetenv("TZDIR");
    tu_rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_strict),           cmocka_unit_test(test_utc),
        cmocka_unit_test(test_local_follows_tz),      cmocka_unit_test(test_area_city_across_dst),
        cmocka_unit_test(test_not_a_time_as_written), cmocka_unit_test(test_bad_zones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
