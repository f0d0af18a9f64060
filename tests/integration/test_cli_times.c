/* Times in batch output, through the real certdeck binary and its in-process emulator: the
 * record list's China time and the items' UTC in one zone, labelled, in -o table and -o csv;
 * -o json keeps the API's strings. The zone comes from TZ (local, the default), the config's
 * timezone or --tz (which wins); a zone that is not one stops certdeck with exit 2; a time the
 * API writes in an unknown form is printed as written, sanitized. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "testutil.h"

/* Record 1 in northern summer, record 2 in winter (China time, as the API writes records);
 * record 3's times are not times. Record 1's one item writes UTC. */
static const char dataset[] =
    "{\"Records\":["
    "{\"Id\":1,\"OldCertId\":\"Summer01\",\"ResourceTypes\":[\"clb\"],\"Status\":1,"
    "\"CreateTime\":\"2025-07-01 20:00:00\",\"UpdateTime\":\"2025-07-01 20:05:30\"},"
    "{\"Id\":2,\"OldCertId\":\"Winter02\",\"ResourceTypes\":[\"cdn\"],\"Status\":1,"
    "\"CreateTime\":\"2025-12-01 20:00:00\",\"UpdateTime\":\"2025-12-01 20:00:09\"},"
    "{\"Id\":3,\"OldCertId\":\"Odd00003\",\"ResourceTypes\":[\"waf\"],\"Status\":1,"
    "\"CreateTime\":\"soon\\u001b[31m\",\"UpdateTime\":\"=2025-02-30 10:00:00\"}],"
    "\"Details\":{\"1\":[{\"TotalCount\":1,\"SuccessTotalCount\":1,\"FailedTotalCount\":0,"
    "\"RunningTotalCount\":0,\"PendingTotalCount\":0,\"Type\":0,\"Status\":1,"
    "\"CreateTime\":\"2025-07-01 20:00:00\",\"RecordDetailList\":[{\"ResourceType\":\"clb\","
    "\"TotalCount\":1,\"List\":[{\"Id\":501,\"OldCertId\":\"Summer01\",\"Status\":1,"
    "\"ErrorMsg\":\"\",\"CreateTime\":\"2025-07-01T12:00:01.000000Z\","
    "\"UpdateTime\":\"2025-07-01T12:05:30.000000Z\",\"InstanceId\":\"lb-1\","
    "\"InstanceName\":\"web\",\"ListenerId\":\"lbl-1\",\"ListenerName\":\"https\","
    "\"Domains\":[\"a.example.com\"],\"Protocol\":\"HTTPS\",\"SniSwitch\":0,\"Forward\":1,"
    "\"SSLMode\":\"UNIDIRECTIONAL\",\"ResourceType\":\"clb\",\"Region\":\"ap-guangzhou\","
    "\"Bucket\":\"\",\"Namespace\":\"\",\"SecretName\":\"\",\"Port\":443}]}]}]}}";

/* "env ENV certdeck --demo --dataset D ARGS" with $HOME in the test's temp dir (no user
 * config) and stdin from /dev/null. */
static const char *dataset_lead(void)
{
    static char lead[600];
    snprintf(lead, sizeof lead, "--demo --dataset '%s/dataset.json'", tu_tmp);
    return lead;
}
#define run_cli(env, ...) tu_run_cli("env " env, dataset_lead(), __VA_ARGS__)

static int setup(void **state)
{
    tu_home_setup(state);
    char *ds = tu_path(tu_tmp, "dataset.json");
    tu_write_file(ds, dataset);
    free(ds);
    return 0;
}

static void has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("'%s' not in:\n%s", needle, hay);
}

static void lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle)) fail_msg("'%s' in:\n%s", needle, hay);
}

/* utc: records' China time moves back 8 hours, items' UTC stays, both say +00; JSON is the
 * API's own text. */
static void test_utc_table_csv_json(void **state)
{
    (void)state;
    struct tu_run t = run_cli("", "--tz utc records");
    assert_int_equal(t.status, 0);
    has(t.out, "2025-07-01 12:00:00+00  2025-07-01 12:05:30+00");
    has(t.out, "2025-12-01 12:00:00+00  2025-12-01 12:00:09+00");
    lacks(t.out, "20:00:00");
    tu_run_free(&t);

    struct tu_run c = run_cli("", "--tz utc records -o csv");
    assert_int_equal(c.status, 0);
    has(c.out, "1,Summer01,clb,success,2025-07-01 12:00:00+00,2025-07-01 12:05:30+00\r\n");
    tu_run_free(&c);

    struct tu_run d = run_cli("", "--tz utc detail 1 --all -o csv");
    assert_int_equal(d.status, 0);
    /* run_created (China), then the item's created and updated (UTC): one clock. */
    has(d.out, "1,deploy,success,2025-07-01 12:00:00+00,clb,501,");
    has(d.out, ",2025-07-01 12:00:01+00,2025-07-01 12:05:30+00\r\n");
    tu_run_free(&d);

    struct tu_run dt = run_cli("", "--tz utc detail 1");
    assert_int_equal(dt.status, 0);
    has(dt.out, "Run 1: deploy, success, 2025-07-01 12:00:00+00");
    tu_run_free(&dt);

    struct tu_run j = run_cli("", "--tz utc records -o json");
    assert_int_equal(j.status, 0);
    has(j.out, "\"CreateTime\":\t\"2025-07-01 20:00:00\"");
    lacks(j.out, "+00");
    tu_run_free(&j);
    struct tu_run dj = run_cli("", "--tz utc detail 1 -o json");
    assert_int_equal(dj.status, 0);
    has(dj.out, "\"2025-07-01T12:00:01.000000Z\"");
    has(dj.out, "\"2025-07-01 20:00:00\"");
    lacks(dj.out, "+00");
    tu_run_free(&dj);
}

/* A tz-database zone: each time with the offset it had, summer and winter apart. */
static void test_area_city_across_dst(void **state)
{
    (void)state;
    struct tu_run c = run_cli("", "--tz America/New_York records -o csv");
    assert_int_equal(c.status, 0);
    has(c.out, "1,Summer01,clb,success,2025-07-01 08:00:00-04,2025-07-01 08:05:30-04\r\n");
    has(c.out, "2,Winter02,cdn,success,2025-12-01 07:00:00-05,2025-12-01 07:00:09-05\r\n");
    tu_run_free(&c);
    struct tu_run d = run_cli("", "detail 1 --all -o csv --tz America/New_York");
    assert_int_equal(d.status, 0);
    has(d.out, ",2025-07-01 08:00:01-04,2025-07-01 08:05:30-04\r\n");
    tu_run_free(&d);
}

/* local (the default) is TZ; the config's timezone wins over it and --tz over both. */
static void test_where_the_zone_comes_from(void **state)
{
    (void)state;
    struct tu_run l = run_cli("TZ=Asia/Tokyo", "records -o csv");
    assert_int_equal(l.status, 0);
    has(l.out, "2025-07-01 21:00:00+09");
    tu_run_free(&l);

    char *cfg = tu_path(tu_tmp, "tz.conf");
    tu_write_file(cfg, "# times\ntimezone = Asia/Kolkata\n");
    struct tu_run k = run_cli("TZ=Asia/Tokyo", "--config '%s' records -o csv", cfg);
    assert_int_equal(k.status, 0);
    has(k.out, "2025-07-01 17:30:00+05:30");
    tu_run_free(&k);
    struct tu_run o = run_cli("TZ=Asia/Tokyo", "--config '%s' records -o csv --tz utc", cfg);
    assert_int_equal(o.status, 0);
    has(o.out, "2025-07-01 12:00:00+00");
    tu_run_free(&o);
    /* The default config file too, and `timezone local` means TZ. */
    char *dir = tu_path(tu_tmp, "home/.config/certdeck");
    char *mk = xasprintf("mkdir -p '%s'", dir);
    assert_int_equal(system(mk), 0);
    char *def = tu_path(dir, "config");
    tu_write_file(def, "timezone local\n");
    struct tu_run dl = run_cli("TZ=Asia/Tokyo", "records -o csv");
    assert_int_equal(dl.status, 0);
    has(dl.out, "2025-07-01 21:00:00+09");
    tu_run_free(&dl);
    unlink(def);
    free(def);
    free(mk);
    free(dir);
    free(cfg);
}

/* A zone that is not one: exit 2 with what to use, from --tz or from the config (with file
 * and line); nothing shown in some other zone. */
static void test_unknown_zone_exits_2(void **state)
{
    (void)state;
    struct tu_run r = run_cli("", "--tz Mars/Olympus records");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    has(r.err, "certdeck: --tz: unknown time zone 'Mars/Olympus'");
    has(r.err, "use utc, local or a name such as Europe/Berlin");
    tu_run_free(&r);
    r = run_cli("", "records --tz ../../etc/passwd");
    assert_int_equal(r.status, 2);
    has(r.err, "is not a time zone");
    tu_run_free(&r);

    char *cfg = tu_path(tu_tmp, "bad.conf");
    tu_write_file(cfg, "refresh 10\ntimezone Asia/Atlantis\n");
    r = run_cli("", "--config '%s' records", cfg);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    char *want = xasprintf("certdeck: %s:2: timezone: unknown time zone 'Asia/Atlantis'", cfg);
    has(r.err, want);
    tu_run_free(&r);
    /* --check names it with file and line; --tz still lets certdeck run. */
    r = run_cli("", "--config '%s' config --check", cfg);
    assert_int_equal(r.status, 2);
    free(want);
    want = xasprintf("%s:2: timezone: unknown time zone 'Asia/Atlantis'", cfg);
    has(r.out, want);
    tu_run_free(&r);
    r = run_cli("", "--config '%s' --tz utc records -o csv", cfg);
    assert_int_equal(r.status, 0);
    has(r.out, "2025-07-01 12:00:00+00");
    tu_run_free(&r);
    free(want);
    free(cfg);
}

/* What the API writes that is not a time is printed as written, through the sanitizer (and
 * the CSV formula guard), in every zone. */
static void test_not_a_time_as_written(void **state)
{
    (void)state;
    struct tu_run t = run_cli("", "--tz America/New_York records");
    assert_int_equal(t.status, 0);
    lacks(t.out, "\x1b");
    has(t.out, "soon^[[31m");
    has(t.out, "=2025-02-30 10:00:00");
    tu_run_free(&t);
    struct tu_run c = run_cli("", "--tz America/New_York records -o csv");
    assert_int_equal(c.status, 0);
    has(c.out, "3,Odd00003,waf,success,soon^[[31m,'=2025-02-30 10:00:00\r\n");
    tu_run_free(&c);
}

int main(void)
{
    tu_loopback_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_utc_table_csv_json, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_area_city_across_dst, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_where_the_zone_comes_from, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_zone_exits_2, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_not_a_time_as_written, setup, tu_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
