/* core/radar on hand-built models: digests of details (rollback delays, one failure per
 * instance with its latest template), and the join with the record list (counts by status,
 * last record, median delay, repeat offenders, --since, deterministic order). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/radar.h"
#include "core/util.h"

static struct update_record rec(uint64_t id, const char *cert, int64_t status, const char *time)
{
    return (struct update_record){
        .id = id, .old_cert_id = (char *)cert, .status = status, .create_time = (char *)time};
}

static struct deploy_item item(uint64_t id, const char *instance, int64_t status, const char *msg)
{
    return (struct deploy_item){
        .id = id, .instance_id = (char *)instance, .status = status, .error_msg = (char *)msg};
}

/* A deploy at 10:00 rolled back at 10:15:41, or a deploy alone; items in a "clb" group of the
 * deploy (and of the rollback, when rb_items). */
struct page_parts {
    struct deploy_run runs[2];
    struct resource_group groups[2];
    struct detail_page page;
};

static void make_page(struct page_parts *pp, bool rollback, struct deploy_item *items, size_t n,
                      struct deploy_item *rb_items, size_t n_rb)
{
    memset(pp, 0, sizeof *pp);
    pp->groups[0] = (struct resource_group){.resource_type = "clb", .items = items, .n_items = n};
    pp->groups[1] =
        (struct resource_group){.resource_type = "clb", .items = rb_items, .n_items = n_rb};
    /* server order: the rollback first, so time order matters */
    size_t d = rollback ? 1 : 0;
    pp->runs[d] = (struct deploy_run){.type = MODEL_RUN_DEPLOY,
                                      .create_time = "2026-11-01 10:00:00",
                                      .groups = &pp->groups[0],
                                      .n_groups = 1};
    if (rollback)
        pp->runs[0] = (struct deploy_run){.type = MODEL_RUN_ROLLBACK,
                                          .create_time = "2026-11-01 10:15:41",
                                          .groups = &pp->groups[1],
                                          .n_groups = 1};
    pp->page = (struct detail_page){.runs = pp->runs, .n_runs = rollback ? 2 : 1};
}

static void test_digest(void **state)
{
    (void)state;
    struct deploy_item dep[] = {
        item(1, "lb-aaaaaaaa", MODEL_STATUS_FAILED, "listener lbl-c1wpbg9v is busy"),
        item(2, "lb-bbbbbbbb", MODEL_STATUS_SUCCESS, NULL),
        item(3, "", MODEL_STATUS_FAILED, "no instance: not an offender"),
    };
    struct deploy_item rb[] = {
        item(4, "lb-aaaaaaaa", MODEL_STATUS_ROLLBACK_FAILED, "实例lb-aaaaaaaa状态异常"),
    };
    struct page_parts pp;
    make_page(&pp, true, dep, ARRAY_LEN(dep), rb, ARRAY_LEN(rb));
    struct radar_digest d;
    radar_digest_of(7, &pp.page, &d);
    assert_int_equal(d.record_id, 7);
    assert_int_equal(d.n_rollback_delays, 1);
    assert_int_equal(d.rollback_delays[0], 15 * 60 + 41);
    assert_int_equal(d.n_failures, 1); /* one instance, failed in both runs */
    assert_string_equal(d.failures[0].instance_id, "lb-aaaaaaaa");
    assert_string_equal(d.failures[0].resource_type, "clb");
    /* the rollback came later in time (though first in server order): its template wins */
    assert_string_equal(d.failures[0].template_, "实例<*>状态异常");
    radar_digest_clear(&d);
}

static void test_join(void **state)
{
    (void)state;
    struct update_record recs[] = {
        rec(1, "CERTaaaa", MODEL_STATUS_SUCCESS, "2026-11-01 08:00:00"),
        rec(2, "CERTaaaa", MODEL_STATUS_ROLLBACK_OK, "2026-11-02 08:00:00"),
        rec(3, "CERTbbbb", MODEL_STATUS_FAILED, "2026-11-03 08:00:00"),
        rec(4, "CERTaaaa", MODEL_STATUS_ROLLBACK_OK, "2026-11-04 08:00:00"),
        rec(5, "CERTaaaa", MODEL_STATUS_ROLLBACK_FAILED, "2026-11-05 08:00:00"),
        rec(6, "CERTcccc", MODEL_STATUS_SUCCESS, "2026-11-06 08:00:00"),
        rec(7, "CERTbbbb", MODEL_STATUS_FAILED, "2026-11-07 08:00:00"),
    };
    struct deploy_item d2[] = {item(20, "lb-aaaaaaaa", MODEL_STATUS_FAILED, "busy 1")};
    struct deploy_item d3[] = {item(30, "lb-aaaaaaaa", MODEL_STATUS_FAILED, "expired 3"),
                               item(31, "lb-once", MODEL_STATUS_FAILED, "x")};
    struct deploy_item d7[] = {item(70, "lb-aaaaaaaa", MODEL_STATUS_FAILED, "stopped 7"),
                               item(71, "lb-twice00", MODEL_STATUS_FAILED, "quota 1")};
    struct deploy_item d4[] = {item(40, "lb-twice00", MODEL_STATUS_FAILED, "quota 2")};
    struct page_parts p2, p3, p4, p7;
    make_page(&p2, true, d2, 1, NULL, 0);
    make_page(&p3, false, d3, 2, NULL, 0);
    make_page(&p4, true, d4, 1, NULL, 0);
    make_page(&p7, false, d7, 2, NULL, 0);
    p4.runs[0].create_time = "2026-11-01 11:00:00"; /* rolled back an hour later */
    struct radar_digest dg[4];
    radar_digest_of(7, &p7.page, &dg[0]);
    radar_digest_of(2, &p2.page, &dg[1]);
    radar_digest_of(4, &p4.page, &dg[2]);
    radar_digest_of(3, &p3.page, &dg[3]);

    struct radar_result r;
    radar_compute(recs, ARRAY_LEN(recs), NULL, dg, 4, &r);
    assert_int_equal(r.details_wanted, 5); /* 2, 3, 4, 5, 7 */
    assert_int_equal(r.details_have, 4);
    assert_int_equal(r.n_certs, 3);
    /* CERTaaaa: 4 records, 2 rolled back, 1 rollback failed (3 troubles) before CERTbbbb (2) */
    assert_string_equal(r.certs[0].old_cert_id, "CERTaaaa");
    assert_int_equal(r.certs[0].records, 4);
    assert_int_equal(r.certs[0].failed, 0);
    assert_int_equal(r.certs[0].rolled_back, 2);
    assert_int_equal(r.certs[0].rollback_failed, 1);
    assert_int_equal(r.certs[0].last_record, 5);
    assert_int_equal(r.certs[0].last_status, MODEL_STATUS_ROLLBACK_FAILED);
    assert_int_equal(r.certs[0].n_delays, 2);
    assert_int_equal(r.certs[0].median_delay, (941 + 3600) / 2);
    assert_string_equal(r.certs[1].old_cert_id, "CERTbbbb");
    assert_int_equal(r.certs[1].failed, 2);
    assert_int_equal(r.certs[1].n_delays, 0);
    assert_int_equal(r.certs[1].last_record, 7);
    assert_string_equal(r.certs[2].old_cert_id, "CERTcccc");
    assert_int_equal(r.certs[2].records, 1);

    /* lb-aaaaaaaa failed in 2, 3, 7; lb-twice00 in 4, 7; lb-once only once */
    assert_int_equal(r.n_instances, 2);
    assert_string_equal(r.instances[0].instance_id, "lb-aaaaaaaa");
    assert_int_equal(r.instances[0].n_record_ids, 3);
    assert_int_equal(r.instances[0].record_ids[0], 2);
    assert_int_equal(r.instances[0].record_ids[1], 3);
    assert_int_equal(r.instances[0].record_ids[2], 7);
    assert_int_equal(r.instances[0].latest_record, 7);
    assert_string_equal(r.instances[0].latest_template, "stopped <*>");
    assert_string_equal(r.instances[1].instance_id, "lb-twice00");
    assert_int_equal(r.instances[1].n_record_ids, 2);
    assert_string_equal(r.instances[1].resource_type, "clb");

    /* the same inputs in another order: the same result */
    struct update_record rev[ARRAY_LEN(recs)];
    for (size_t i = 0; i < ARRAY_LEN(recs); i++)
        rev[i] = recs[ARRAY_LEN(recs) - 1 - i];
    struct radar_digest dg_rev[4] = {dg[3], dg[2], dg[1], dg[0]};
    struct radar_result r2;
    radar_compute(rev, ARRAY_LEN(rev), NULL, dg_rev, 4, &r2);
    assert_int_equal(r2.n_certs, r.n_certs);
    for (size_t i = 0; i < r.n_certs; i++) {
        assert_string_equal(r2.certs[i].old_cert_id, r.certs[i].old_cert_id);
        assert_int_equal(r2.certs[i].median_delay, r.certs[i].median_delay);
    }
    assert_int_equal(r2.n_instances, r.n_instances);
    assert_string_equal(r2.instances[0].latest_template, r.instances[0].latest_template);
    radar_result_clear(&r2);
    radar_result_clear(&r);

    /* --since 2026-11-04: records 4..7 only; lb-aaaaaaaa fails once there, lb-twice00 twice */
    radar_compute(recs, ARRAY_LEN(recs), "2026-11-04", dg, 4, &r);
    assert_int_equal(r.details_wanted, 3);
    assert_string_equal(r.certs[0].old_cert_id, "CERTaaaa");
    assert_int_equal(r.certs[0].records, 2);
    assert_int_equal(r.certs[0].median_delay, 3600);
    assert_int_equal(r.n_instances, 1);
    assert_string_equal(r.instances[0].instance_id, "lb-twice00");
    radar_result_clear(&r);
    for (size_t i = 0; i < 4; i++)
        radar_digest_clear(&dg[i]);
}

static void test_since_and_empty(void **state)
{
    (void)state;
    assert_true(radar_since_valid("2026-02-28"));
    assert_false(radar_since_valid("2026-02-30"));
    assert_false(radar_since_valid("2026-2-28"));
    assert_false(radar_since_valid("yesterday"));
    assert_false(radar_since_valid(NULL));
    struct update_record bad = rec(1, NULL, MODEL_STATUS_FAILED, "soon");
    assert_true(radar_record_since(&bad, NULL));
    assert_false(radar_record_since(&bad, "2026-01-01"));
    struct radar_result r;
    radar_compute(&bad, 1, NULL, NULL, 0, &r);
    assert_int_equal(r.n_certs, 1); /* no OldCertId is a group of its own, named "" */
    assert_string_equal(r.certs[0].old_cert_id, "");
    assert_int_equal(r.details_wanted, 1);
    assert_int_equal(r.details_have, 0);
    radar_result_clear(&r);
    radar_compute(NULL, 0, NULL, NULL, 0, &r);
    assert_int_equal(r.n_certs + r.n_instances, 0);
    radar_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_since_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
