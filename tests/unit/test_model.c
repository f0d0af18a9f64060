/* Tests for core/model: enum names and tones for every value (and unknown ones), labels, deep
 * copies that share nothing with their source, clears, and the de-duplicating page merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/model.h"
#include "core/util.h"
#include "testutil.h"

/* ---- names ------------------------------------------------------------------------------ */

/* From spec/API.md §3, written out here independently of the implementation. */
static const char *const spec_status[] = {
    "waiting", "success", "failed", "deploying", "rollback ok", "rollback failed", "no resource",
};

static void assert_name(const char *got, const char *want, const char *fn, int64_t v)
{
    if (!want && got) fail_msg("%s(%lld) = \"%s\", want NULL", fn, (long long)v, got);
    if (want && !got) fail_msg("%s(%lld) = NULL, want \"%s\"", fn, (long long)v, want);
    if (want) assert_string_equal(got, want);
}

static void test_names(void **state)
{
    (void)state;
    const int64_t probes[] = {INT64_MIN, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 100, INT64_MAX};
    for (size_t i = 0; i < ARRAY_LEN(probes); i++) {
        int64_t v = probes[i];
        const char *run = v >= 0 && v <= 5 ? spec_status[v] : NULL;
        const char *item = v >= 0 && v <= 6 ? spec_status[v] : NULL;
        assert_name(model_run_status_name(v), run, "model_run_status_name", v);
        assert_name(model_item_status_name(v), item, "model_item_status_name", v);
        assert_name(model_record_status_name(v), item, "model_record_status_name", v);
        const char *type = v == 0 ? "deploy" : v == 1 ? "rollback" : NULL;
        assert_name(model_run_type_name(v), type, "model_run_type_name", v);
    }
    /* The record list's undocumented 7 has no name. */
    assert_null(model_record_status_name(7));
    assert_int_equal(MODEL_RUN_DEPLOY, 0);
    assert_int_equal(MODEL_RUN_ROLLBACK, 1);
}

static void test_tones(void **state)
{
    (void)state;
    assert_int_equal(model_status_tone(0), MODEL_TONE_PENDING);
    assert_int_equal(model_status_tone(1), MODEL_TONE_SUCCESS);
    assert_int_equal(model_status_tone(2), MODEL_TONE_FAILED);
    assert_int_equal(model_status_tone(3), MODEL_TONE_RUNNING);
    assert_int_equal(model_status_tone(4), MODEL_TONE_ROLLBACK);
    assert_int_equal(model_status_tone(5), MODEL_TONE_ROLLBACK_FAILED);
    assert_int_equal(model_status_tone(6), MODEL_TONE_UNKNOWN);
    assert_int_equal(model_status_tone(7), MODEL_TONE_UNKNOWN);
    assert_int_equal(model_status_tone(-1), MODEL_TONE_UNKNOWN);
    assert_int_equal(model_status_tone(INT64_MIN), MODEL_TONE_UNKNOWN);
}

static void test_labels(void **state)
{
    (void)state;
    char buf[32];
    for (int64_t v = 0; v <= 6; v++)
        assert_string_equal(model_status_label(v, buf, sizeof buf), spec_status[v]);
    assert_string_equal(model_status_label(7, buf, sizeof buf), "status 7");
    assert_string_equal(model_status_label(-2, buf, sizeof buf), "status -2");
    assert_string_equal(model_status_label(INT64_MIN, buf, sizeof buf),
                        "status -9223372036854775808");
    /* Returns buf, truncates safely, never writes into a zero-sized buffer. */
    char small[4];
    assert_ptr_equal(model_status_label(5, small, sizeof small), small);
    assert_string_equal(small, "rol");
    assert_string_equal(model_status_label(77, small, sizeof small), "sta");
    char untouched = 'x';
    model_status_label(1, &untouched, 0);
    assert_int_equal(untouched, 'x');
}

/* ---- copies and clears ------------------------------------------------------------------ */

static void fill_item(struct deploy_item *it, uint64_t id)
{
    memset(it, 0, sizeof *it);
    it->id = id;
    it->old_cert_id = xasprintf("cert-%llu", (unsigned long long)id);
    it->instance_id = xstrdup("lb-9crou4ha");
    it->instance_name = xstrdup("lb-677209fa-qP3T");
    it->listener_id = xstrdup("lbl-dlu2mqpu");
    it->listener_name = xstrdup("tencent");
    it->n_domains = 3;
    it->domains = xcalloc(3, sizeof(char *));
    it->domains[0] = xstrdup("a.example");
    it->domains[1] = xstrdup("b.example");
    it->domains[2] = xstrdup("\xe4\xb8\xad.example");
    it->protocol = xstrdup("HTTPS");
    it->status = 2;
    it->error_msg = xstrdup("listener not found");
    it->create_time = xstrdup("2025-05-20T07:03:17.000000Z");
    it->update_time = xstrdup("2025-05-20T07:05:43.000000Z");
    it->sni_switch = 1;
    it->bucket = xstrdup("bucket-1");
    it->namespace_ = xstrdup("default");
    it->secret_name = xstrdup("tls-secret");
    it->port = 443;
    it->region = xstrdup("ap-guangzhou");
    it->forward = 1;
    it->ssl_mode = xstrdup("MUTUAL");
    it->resource_type = xstrdup("clb");
}

static void assert_str_copied(const char *a, const char *b)
{
    if (!a) {
        assert_null(b);
        return;
    }
    assert_non_null(b);
    assert_string_equal(a, b);
    assert_ptr_not_equal(a, b);
}

static void assert_item_copied(const struct deploy_item *a, const struct deploy_item *b)
{
    assert_true(a->id == b->id);
    assert_str_copied(a->old_cert_id, b->old_cert_id);
    assert_str_copied(a->instance_id, b->instance_id);
    assert_str_copied(a->instance_name, b->instance_name);
    assert_str_copied(a->listener_id, b->listener_id);
    assert_str_copied(a->listener_name, b->listener_name);
    assert_int_equal(a->n_domains, b->n_domains);
    if (a->n_domains) assert_ptr_not_equal(a->domains, b->domains);
    for (size_t i = 0; i < a->n_domains; i++)
        assert_str_copied(a->domains[i], b->domains[i]);
    assert_int_equal(a->domains_null, b->domains_null);
    assert_str_copied(a->protocol, b->protocol);
    assert_true(a->status == b->status);
    assert_str_copied(a->error_msg, b->error_msg);
    assert_str_copied(a->create_time, b->create_time);
    assert_str_copied(a->update_time, b->update_time);
    assert_true(a->sni_switch == b->sni_switch);
    assert_str_copied(a->bucket, b->bucket);
    assert_str_copied(a->namespace_, b->namespace_);
    assert_str_copied(a->secret_name, b->secret_name);
    assert_true(a->port == b->port);
    assert_str_copied(a->region, b->region);
    assert_true(a->forward == b->forward);
    assert_str_copied(a->ssl_mode, b->ssl_mode);
    assert_str_copied(a->resource_type, b->resource_type);
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i]) return false;
    return true;
}

static void test_item_copy_clear(void **state)
{
    (void)state;
    struct deploy_item a, b;
    fill_item(&a, 57);
    model_item_copy(&b, &a);
    assert_item_copied(&a, &b);
    /* The copy outlives its source (ASan would see a use after free). */
    model_item_clear(&a);
    assert_true(all_zero(&a, sizeof a));
    assert_string_equal(b.domains[2], "\xe4\xb8\xad.example");
    assert_string_equal(b.error_msg, "listener not found");
    model_item_clear(&b);
    model_item_clear(&b); /* clearing twice is harmless */
    model_item_clear(NULL);

    /* Absent strings stay absent; the null flag survives. */
    struct deploy_item sparse = {.id = 9, .domains_null = true, .port = 80};
    sparse.protocol = xstrdup("");
    model_item_copy(&b, &sparse);
    assert_item_copied(&sparse, &b);
    assert_null(b.domains);
    assert_true(b.domains_null);
    model_item_clear(&b);
    model_item_clear(&sparse);
}

static void make_group(struct resource_group *g, const char *type, uint64_t first, size_t n)
{
    memset(g, 0, sizeof *g);
    g->resource_type = xstrdup(type);
    g->total_count = (int64_t)n;
    g->n_items = n;
    g->items = n ? xcalloc(n, sizeof *g->items) : NULL;
    for (size_t i = 0; i < n; i++)
        fill_item(&g->items[i], first + i);
}

static void test_group_run_record_copy_clear(void **state)
{
    (void)state;
    struct deploy_run run = {0};
    run.total_count = 5;
    run.success_total_count = 3;
    run.failed_total_count = 2;
    run.pending_total_count = 1;
    run.has_pending_total_count = true;
    run.type = MODEL_RUN_ROLLBACK;
    run.status = MODEL_STATUS_ROLLBACK_FAILED;
    run.create_time = xstrdup("2025-05-20 15:18:58");
    run.n_groups = 3;
    run.groups = xcalloc(3, sizeof *run.groups);
    make_group(&run.groups[0], "clb", 1, 3);
    make_group(&run.groups[1], "cdn", 100, 2);
    make_group(&run.groups[2], "waf", 0, 0);
    run.groups[2].list_null = true;

    struct deploy_run copy;
    model_run_copy(&copy, &run);
    assert_int_equal(copy.total_count, 5);
    assert_int_equal(copy.success_total_count, 3);
    assert_int_equal(copy.failed_total_count, 2);
    assert_true(copy.has_pending_total_count);
    assert_int_equal(copy.pending_total_count, 1);
    assert_int_equal(copy.type, MODEL_RUN_ROLLBACK);
    assert_int_equal(copy.status, MODEL_STATUS_ROLLBACK_FAILED);
    assert_str_copied(run.create_time, copy.create_time);
    assert_int_equal(copy.n_groups, 3);
    assert_ptr_not_equal(copy.groups, run.groups);
    for (size_t g = 0; g < 3; g++) {
        assert_str_copied(run.groups[g].resource_type, copy.groups[g].resource_type);
        assert_int_equal(copy.groups[g].total_count, run.groups[g].total_count);
        assert_int_equal(copy.groups[g].list_null, run.groups[g].list_null);
        assert_int_equal(copy.groups[g].n_items, run.groups[g].n_items);
        for (size_t i = 0; i < run.groups[g].n_items; i++)
            assert_item_copied(tu_item(&run.groups[g], i), tu_item(&copy.groups[g], i));
    }
    assert_null(copy.groups[2].items);
    assert_true(copy.groups[2].list_null);
    model_run_clear(&run);
    assert_true(all_zero(&run, sizeof run));
    assert_string_equal(tu_item(&copy.groups[1], 1)->old_cert_id, "cert-101");
    model_run_clear(&copy);
    model_run_clear(NULL);
    model_group_clear(NULL);

    struct update_record rec = {.id = 3, .status = 7};
    rec.old_cert_id = xstrdup("OMhKAc35");
    rec.n_resource_types = 2;
    rec.resource_types = xcalloc(2, sizeof(char *));
    rec.resource_types[0] = xstrdup("clb");
    rec.resource_types[1] = xstrdup("cdn");
    rec.create_time = xstrdup("2025-05-27 12:05:26");
    struct update_record rc;
    model_record_copy(&rc, &rec);
    assert_true(rc.id == 3);
    assert_int_equal(rc.status, 7);
    assert_str_copied(rec.old_cert_id, rc.old_cert_id);
    assert_int_equal(rc.n_resource_types, 2);
    assert_str_copied(rec.resource_types[1], rc.resource_types[1]);
    assert_str_copied(rec.create_time, rc.create_time);
    assert_null(rc.update_time);
    model_record_clear(&rec);
    assert_true(all_zero(&rec, sizeof rec));
    assert_string_equal(rc.resource_types[0], "clb");
    model_record_clear(&rc);
    model_record_clear(NULL);
}

static void test_page_clears(void **state)
{
    (void)state;
    /* Whole pages free everything they own (LeakSanitizer checks under ASan). */
    struct detail_page dp = {0};
    dp.request_id = xstrdup("rid");
    dp.n_runs = 2;
    dp.runs = xcalloc(2, sizeof *dp.runs);
    dp.runs[0].n_groups = 1;
    dp.runs[0].groups = xcalloc(1, sizeof *dp.runs[0].groups);
    make_group(&dp.runs[0].groups[0], "clb", 1, 4);
    dp.runs[1].create_time = xstrdup("t");
    model_detail_page_clear(&dp);
    assert_true(all_zero(&dp, sizeof dp));
    model_detail_page_clear(&dp);
    model_detail_page_clear(NULL);

    struct records_page rp = {0};
    rp.total_count = 2;
    rp.n_records = 2;
    rp.records = xcalloc(2, sizeof *rp.records);
    rp.records[1].old_cert_id = xstrdup("x");
    rp.request_id = xstrdup("rid");
    model_records_page_clear(&rp);
    assert_true(all_zero(&rp, sizeof rp));
    model_records_page_clear(NULL);

    struct upload_result ur = {0};
    ur.request_id = xstrdup("rid");
    ur.n_progress = 1;
    ur.progress = xcalloc(1, sizeof *ur.progress);
    ur.progress[0].resource_type = xstrdup("clb");
    ur.progress[0].n_regions = 2;
    ur.progress[0].regions = xcalloc(2, sizeof *ur.progress[0].regions);
    ur.progress[0].regions[0].region = xstrdup("ap-qingyuan");
    ur.progress[0].regions[1].region = xstrdup("ap-guangzhou");
    model_upload_result_clear(&ur);
    assert_true(all_zero(&ur, sizeof ur));
    model_upload_result_clear(NULL);
}

/* ---- merge ------------------------------------------------------------------------------ */

static void assert_ids(const struct resource_group *g, const uint64_t *ids, size_t n)
{
    assert_int_equal(g->n_items, n);
    for (size_t i = 0; i < n; i++)
        if (tu_item(g, i)->id != ids[i])
            fail_msg("item %zu has Id %llu, want %llu", i, (unsigned long long)tu_item(g, i)->id,
                     (unsigned long long)ids[i]);
}

static void test_merge_overlapping_pages(void **state)
{
    (void)state;
    struct resource_group dst, src;
    make_group(&dst, "clb", 1, 5); /* 1..5 */
    dst.total_count = 8;
    make_group(&src, "clb", 4, 5); /* 4..8 */
    src.total_count = 99;
    assert_int_equal(model_group_merge(&dst, &src), 3);
    const uint64_t want[] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_ids(&dst, want, 8);
    /* Group fields describe the group, not the page: untouched. */
    assert_int_equal(dst.total_count, 8);
    assert_string_equal(dst.resource_type, "clb");
    /* The appended items are deep copies. */
    assert_ptr_not_equal(tu_item(&dst, 7)->old_cert_id, tu_item(&src, 4)->old_cert_id);
    model_group_clear(&src);
    assert_string_equal(tu_item(&dst, 7)->old_cert_id, "cert-8");
    /* The same page again adds nothing. */
    make_group(&src, "clb", 4, 5);
    assert_int_equal(model_group_merge(&dst, &src), 0);
    assert_ids(&dst, want, 8);
    model_group_clear(&src);

    /* Duplicates inside src, and Id 0, are each added once. */
    make_group(&src, "clb", 0, 4);
    src.items[2].id = 0;
    src.items[3].id = 9;
    /* src Ids: 0, 1, 0, 9 */
    assert_int_equal(model_group_merge(&dst, &src), 2);
    const uint64_t want2[] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 9};
    assert_ids(&dst, want2, 10);
    model_group_clear(&src);

    /* Empty or NULL sources are no-ops. */
    memset(&src, 0, sizeof src);
    assert_int_equal(model_group_merge(&dst, &src), 0);
    assert_int_equal(model_group_merge(&dst, NULL), 0);
    assert_int_equal(model_group_merge(NULL, &src), 0);
    assert_ids(&dst, want2, 10);
    model_group_clear(&dst);

    /* Into an empty group whose List was null. */
    memset(&dst, 0, sizeof dst);
    dst.list_null = true;
    make_group(&src, "cdn", 40, 2);
    assert_int_equal(model_group_merge(&dst, &src), 2);
    assert_false(dst.list_null);
    const uint64_t want3[] = {40, 41};
    assert_ids(&dst, want3, 2);
    model_group_clear(&src);
    model_group_clear(&dst);
}

/* 20,000 items arrive in pages of 200 that overlap their neighbours, out of order, some
 * twice; the merged group holds every Id exactly once. */
static void test_merge_twenty_thousand(void **state)
{
    (void)state;
    enum { TOTAL = 20000, PAGE = 200, STEP = 150 };
    size_t n_pages = (TOTAL - PAGE) / STEP + 2;
    size_t *order = xcalloc(n_pages, sizeof *order);
    for (size_t i = 0; i < n_pages; i++)
        order[i] = i;
    /* A fixed shuffle (deterministic LCG). */
    uint64_t rng = 12345;
    for (size_t i = n_pages - 1; i > 0; i--) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t j = (size_t)(rng >> 33) % (i + 1);
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    struct resource_group dst = {0};
    dst.total_count = TOTAL;
    size_t added = 0;
    for (size_t k = 0; k < n_pages + 10; k++) {
        size_t p = order[k % n_pages]; /* the first ten pages come again at the end */
        uint64_t first = 1000 + (uint64_t)(p * STEP);
        size_t n = PAGE;
        if (first + n > 1000 + TOTAL) n = (size_t)(1000 + TOTAL - first);
        struct resource_group page;
        make_group(&page, "clb", first, n);
        size_t before = dst.n_items;
        size_t a = model_group_merge(&dst, &page);
        assert_int_equal(dst.n_items, before + a);
        added += a;
        model_group_clear(&page);
    }
    assert_int_equal(added, TOTAL);
    assert_int_equal(dst.n_items, TOTAL);
    unsigned char *seen = xcalloc(TOTAL, 1);
    for (size_t i = 0; i < dst.n_items; i++) {
        uint64_t id = tu_item(&dst, i)->id;
        assert_true(id >= 1000 && id < 1000 + TOTAL);
        assert_int_equal(seen[id - 1000], 0);
        seen[id - 1000] = 1;
        assert_true(tu_item(&dst, i)->port == 443);
    }
    free(seen);
    free(order);
    model_group_clear(&dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_tones),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_item_copy_clear),
        cmocka_unit_test(test_group_run_record_copy_clear),
        cmocka_unit_test(test_page_clears),
        cmocka_unit_test(test_merge_overlapping_pages),
        cmocka_unit_test(test_merge_twenty_thousand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
