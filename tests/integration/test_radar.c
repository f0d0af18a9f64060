/* `certdeck radar` as a user runs it: the real binary with --demo (the emulator in-process, on
 * 127.0.0.1, with the generated dataset), its JSON checked against what the demo generator
 * makes (one certificate rolled back again and again, instances failing across records) and
 * against the record list itself. */
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

/* `certdeck --demo ARGS`, its exit code and both outputs. */
#define run_cli(...) tu_run_cli(NULL, "--demo", __VA_ARGS__)

static cJSON *find(cJSON *arr, const char *key, const char *value)
{
    cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        cJSON *v = cJSON_GetObjectItem(x, key);
        if (cJSON_IsString(v) && !strcmp(v->valuestring, value)) return x;
    }
    return NULL;
}

static int num(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(o, key);
    assert_true(cJSON_IsNumber(v));
    return v->valueint;
}

static bool ids_equal(cJSON *arr, const int *want, size_t n)
{
    if ((size_t)cJSON_GetArraySize(arr) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (cJSON_GetArrayItem(arr, (int)i)->valueint != want[i]) return false;
    return true;
}

/* The demo's facts: XypXgXhW rolled back in records 4, 18, 20, 29 and 36; lb-uwyphfdq (clb)
 * failing in records 11, 31 and 37 with its latest template. */
static void test_radar_demo_facts(void **state)
{
    (void)state;
    struct tu_run r = run_cli("radar -o json");
    assert_int_equal(r.status, 0);
    cJSON *root = cJSON_Parse(r.out);
    assert_non_null(root);
    cJSON *certs = cJSON_GetObjectItem(root, "Certificates");
    cJSON *insts = cJSON_GetObjectItem(root, "Instances");
    assert_true(cJSON_IsArray(certs) && cJSON_IsArray(insts));

    cJSON *x = find(certs, "OldCertId", "XypXgXhW");
    assert_non_null(x);
    assert_int_equal(num(x, "RolledBack"), 5);
    assert_int_equal(num(x, "RollbacksTimed"), 5); /* every rollback's delay was read */
    assert_true(num(x, "MedianRollbackDelaySeconds") > 0);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(x, "MedianRollbackDelay")));
    /* the most rolled-back certificate leads (sorted by trouble) */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(certs, 0), "OldCertId")->valuestring,
                        "XypXgXhW");

    cJSON *lb = find(insts, "InstanceId", "lb-uwyphfdq");
    assert_non_null(lb);
    assert_string_equal(cJSON_GetObjectItem(lb, "ResourceType")->valuestring, "clb");
    static const int lb_records[] = {11, 31, 37};
    assert_true(ids_equal(cJSON_GetObjectItem(lb, "RecordIds"), lb_records, 3));
    assert_int_equal(num(lb, "LatestRecord"), 37);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(lb, "LatestTemplate")));
    /* every listed instance failed in two records or more, records ascending */
    cJSON *in;
    cJSON_ArrayForEach(in, insts)
    {
        cJSON *ids = cJSON_GetObjectItem(in, "RecordIds");
        assert_true(cJSON_GetArraySize(ids) >= 2);
        for (int k = 1; k < cJSON_GetArraySize(ids); k++)
            assert_true(cJSON_GetArrayItem(ids, k - 1)->valueint <
                        cJSON_GetArrayItem(ids, k)->valueint);
    }

    /* the counts agree with the record list itself */
    struct tu_run l = run_cli("records --all -o json");
    assert_int_equal(l.status, 0);
    cJSON *lr = cJSON_Parse(l.out);
    cJSON *rec;
    int total = 0, xyp_rolled = 0;
    cJSON_ArrayForEach(rec, cJSON_GetObjectItem(lr, "DeployRecordList"))
    {
        const char *cert = cJSON_GetObjectItem(rec, "OldCertId")->valuestring;
        int st = num(rec, "Status");
        cJSON *c = find(certs, "OldCertId", cert);
        assert_non_null(c);
        if (st == 4) {
            static const int rolled[] = {4, 18, 20, 29, 36};
            if (!strcmp(cert, "XypXgXhW")) {
                bool listed = false;
                for (size_t i = 0; i < ARRAY_LEN(rolled); i++)
                    listed |= num(rec, "Id") == rolled[i];
                assert_true(listed);
                xyp_rolled++;
            }
        }
        total++;
    }
    int sum = 0;
    cJSON_ArrayForEach(x, certs)
    {
        sum += num(x, "Records");
        assert_true(num(x, "Failed") + num(x, "RolledBack") + num(x, "RollbackFailed") <=
                    num(x, "Records"));
    }
    assert_int_equal(sum, total);
    assert_int_equal(xyp_rolled, 5);
    cJSON_Delete(lr);
    tu_run_free(&l);
    cJSON_Delete(root);
    tu_run_free(&r);
}

/* --since keeps later records only: the early rollbacks of XypXgXhW (records 4, 18, 20) are
 * behind a date between them and the later ones; the same run twice gives the same output. */
static void test_radar_since_and_formats(void **state)
{
    (void)state;
    struct tu_run all = run_cli("radar -o json");
    assert_int_equal(all.status, 0);
    struct tu_run again = run_cli("radar -o json");
    assert_int_equal(again.status, 0);
    cJSON *a = cJSON_Parse(all.out), *b = cJSON_Parse(again.out);
    /* running records may move between runs; the instances and rollbacks do not */
    char *ia = cJSON_PrintUnformatted(cJSON_GetObjectItem(a, "Instances"));
    char *ib = cJSON_PrintUnformatted(cJSON_GetObjectItem(b, "Instances"));
    assert_string_equal(ia, ib);
    free(ia);
    free(ib);
    cJSON_Delete(b);
    tu_run_free(&again);

    /* the date of record 29 (a rollback of XypXgXhW) from the record list */
    struct tu_run l = run_cli("records --all -o json");
    cJSON *lr = cJSON_Parse(l.out);
    char since[16] = "";
    cJSON *rec;
    cJSON_ArrayForEach(rec, cJSON_GetObjectItem(lr, "DeployRecordList"))
    {
        if (num(rec, "Id") == 29)
            strlcpy_safe(since, cJSON_GetObjectItem(rec, "CreateTime")->valuestring, 11);
    }
    assert_int_equal(strlen(since), 10);
    struct tu_run s = run_cli("radar --since %s -o json", since);
    assert_int_equal(s.status, 0);
    cJSON *sr = cJSON_Parse(s.out);
    cJSON *x = find(cJSON_GetObjectItem(sr, "Certificates"), "OldCertId", "XypXgXhW");
    assert_non_null(x);
    int rolled = num(x, "RolledBack");
    assert_true(rolled >= 2 && rolled < 5); /* 29 and 36 at least, not 4 */
    cJSON *lb = find(cJSON_GetObjectItem(sr, "Instances"), "InstanceId", "lb-uwyphfdq");
    if (lb) {
        cJSON *id;
        cJSON_ArrayForEach(id, cJSON_GetObjectItem(lb, "RecordIds")) assert_true(id->valueint > 11);
    }
    cJSON_Delete(sr);
    tu_run_free(&s);
    cJSON_Delete(lr);
    tu_run_free(&l);

    /* table and CSV name the same certificates and offenders */
    struct tu_run t = run_cli("radar");
    assert_int_equal(t.status, 0);
    assert_non_null(strstr(t.out, "XypXgXhW"));
    assert_non_null(strstr(t.out, "Repeat offenders"));
    assert_non_null(strstr(t.out, "lb-uwyphfdq"));
    assert_non_null(strstr(t.out, "11,31,37"));
    assert_null(strstr(t.err, "details")); /* no progress when stderr is not a terminal */
    struct tu_run c = run_cli("radar -o csv");
    assert_int_equal(c.status, 0);
    assert_int_equal(strncmp(c.out, "old_cert_id,records,failed,", 27), 0);
    assert_non_null(strstr(c.out, "\ninstance_id,resource_type,record_ids,"));
    assert_non_null(strstr(c.out, "lb-uwyphfdq,clb,11;31;37,"));
    tu_run_free(&t);
    tu_run_free(&c);
    cJSON_Delete(a);
    tu_run_free(&all);

    /* a date that is not one is a usage error, before any request */
    struct tu_run bad = run_cli("radar --since 2026-02-30");
    assert_int_equal(bad.status, 2);
    assert_non_null(strstr(bad.err, "--since takes a date YYYY-MM-DD"));
    tu_run_free(&bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radar_demo_facts),
        cmocka_unit_test(test_radar_since_and_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
