/* The emulator's dataset: the generator (determinism, the official examples, realistic shape,
 * consistent counts), paging, the progress of running tasks, the write actions and their
 * errors, and the --dataset loader with its path-precise errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "core/codec.h"
#include "core/emulator/dataset.h"
#include "core/model.h"
#include "core/util.h"
#include "testutil.h"

#define NOW           1767225600 /* 2026-01-01 00:00:00 UTC */
#define MAX_INSTANCES 5000

static void gen(struct dataset *ds, uint64_t seed, int records, int max_instances)
{
    struct dataset_gen_opts o = {seed, records, max_instances, NOW};
    dataset_generate(ds, &o);
}

/* Every record and run, encoded with the API's field names: two datasets are equal when
 * their dumps are. */
static char *dump(const struct dataset *ds)
{
    struct buf b = {0};
    for (size_t i = 0; i < ds->n_records; i++) {
        const struct dataset_record *r = &ds->records[i];
        cJSON *j = codec_encode_update_record(&r->info);
        char *s = cJSON_PrintUnformatted(j);
        buf_puts(&b, s);
        cJSON_free(s);
        cJSON_Delete(j);
        for (size_t k = 0; k < r->n_runs; k++) {
            j = codec_encode_deploy_run(&r->runs[k]);
            s = cJSON_PrintUnformatted(j);
            buf_puts(&b, s);
            cJSON_free(s);
            cJSON_Delete(j);
        }
        buf_putc(&b, '\n');
    }
    return buf_steal(&b);
}

/* a and b dump the same. */
static void assert_same_dump(const struct dataset *a, const struct dataset *b)
{
    char *da = dump(a), *db = dump(b);
    assert_string_equal(da, db);
    free(da);
    free(db);
}

static bool is_open(int64_t s)
{
    return s == MODEL_STATUS_WAITING || s == MODEL_STATUS_DEPLOYING;
}

static bool run_active(const struct deploy_run *r)
{
    return is_open(r->status);
}

static bool record_active(const struct dataset_record *r)
{
    for (size_t k = 0; k < r->n_runs; k++)
        if (run_active(&r->runs[k])) return true;
    return false;
}

/* Counts equal the sums over the items, groups hold TotalCount items, and the status agrees
 * with the counts. */
static void check_run_consistent(const struct deploy_run *r)
{
    int64_t total = 0, ok = 0, bad = 0, running = 0, pending = 0;
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct resource_group *grp = &r->groups[g];
        assert_int_equal(grp->total_count, (int64_t)grp->n_items);
        for (size_t i = 0; i < grp->n_items; i++) {
            total++;
            switch (grp->items[i].status) {
            case MODEL_STATUS_SUCCESS:
                ok++;
                break;
            case MODEL_STATUS_FAILED:
                bad++;
                assert_true(grp->items[i].error_msg && grp->items[i].error_msg[0]);
                break;
            case MODEL_STATUS_DEPLOYING:
                running++;
                break;
            case MODEL_STATUS_WAITING:
                pending++;
                break;
            default:
                fail_msg("unexpected item status %lld", (long long)grp->items[i].status);
            }
        }
    }
    assert_int_equal(r->total_count, total);
    assert_int_equal(r->success_total_count, ok);
    assert_int_equal(r->failed_total_count, bad);
    if (r->has_pending_total_count) {
        assert_int_equal(r->running_total_count, running);
        assert_int_equal(r->pending_total_count, pending);
    } else {
        assert_int_equal(r->running_total_count, running + pending);
    }
    if (running + pending > 0) {
        assert_true(run_active(r));
    } else if (total > 0) {
        if (r->type == MODEL_RUN_ROLLBACK)
            assert_int_equal(r->status,
                             bad ? MODEL_STATUS_ROLLBACK_FAILED : MODEL_STATUS_ROLLBACK_OK);
        else
            assert_int_equal(r->status, bad ? MODEL_STATUS_FAILED : MODEL_STATUS_SUCCESS);
    }
}

static void check_all_consistent(const struct dataset *ds)
{
    for (size_t i = 0; i < ds->n_records; i++) {
        const struct dataset_record *r = &ds->records[i];
        for (size_t k = 0; k < r->n_runs; k++)
            check_run_consistent(&r->runs[k]);
        /* the row mirrors the latest run (record 2's undocumented 7 excepted) */
        if (r->info.id != 2 && r->n_runs)
            assert_int_equal(r->info.status, r->runs[r->n_runs - 1].status);
    }
}

/* ---- generation ------------------------------------------------------------------------- */

static void test_deterministic(void **state)
{
    (void)state;
    struct dataset a, b, c;
    gen(&a, 7, 40, MAX_INSTANCES);
    gen(&b, 7, 40, MAX_INSTANCES);
    gen(&c, 8, 40, MAX_INSTANCES);
    char *da = dump(&a), *db = dump(&b), *dc = dump(&c);
    assert_string_equal(da, db);
    assert_true(strcmp(da, dc) != 0);
    free(da);
    free(db);
    free(dc);
    dataset_free(&a);
    dataset_free(&b);
    dataset_free(&c);
}

static void test_shape_and_ids(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 1, 40, MAX_INSTANCES);
    assert_int_equal(ds.n_records, 40);
    /* newest first: ids strictly descending, 40 down to 1 */
    for (size_t i = 0; i < ds.n_records; i++)
        assert_int_equal(ds.records[i].info.id, 40 - i);
    /* item ids are unique across the dataset (Retry by DeployRecordDetailId needs that) */
    size_t n = 0, cap = 0;
    uint64_t *ids = NULL;
    for (size_t i = 0; i < ds.n_records; i++)
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            for (size_t g = 0; g < ds.records[i].runs[k].n_groups; g++) {
                const struct resource_group *grp = &ds.records[i].runs[k].groups[g];
                for (size_t j = 0; j < grp->n_items; j++) {
                    ids = xgrow(ids, &cap, n + 1, sizeof *ids);
                    ids[n++] = grp->items[j].id;
                    assert_string_equal(grp->items[j].resource_type, grp->resource_type);
                    assert_string_equal(grp->items[j].old_cert_id, ds.records[i].info.old_cert_id);
                }
            }
    /* sorted (insertion sort: the ids come almost in order), no two equal */
    for (size_t i = 1; i < n; i++) {
        uint64_t v = ids[i];
        size_t j = i;
        while (j > 0 && ids[j - 1] > v) {
            ids[j] = ids[j - 1];
            j--;
        }
        ids[j] = v;
    }
    for (size_t i = 1; i < n; i++)
        assert_true(ids[i] != ids[i - 1]);
    free(ids);
    dataset_free(&ds);
}

static void test_minimum_records(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 3, 1, 10);
    assert_int_equal(ds.n_records, 3);
    assert_non_null(dataset_find(&ds, 1));
    assert_non_null(dataset_find(&ds, 2));
    assert_non_null(dataset_find(&ds, 3));
    dataset_free(&ds);
}

/* Record 2 is the seed page's example: encoded like the emulator encodes it, it equals the
 * seed response (minus RequestId), key order included. */
static void test_record2_is_seed_example(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 99, 40, MAX_INSTANCES);
    struct dataset_record *r = dataset_find(&ds, 2);
    assert_non_null(r);
    struct detail_page page;
    dataset_detail_page(r, 0, 15, &page);

    char *text = tu_read_testdata("seed_detail_response.json", NULL);
    cJSON *seed = cJSON_Parse(text);
    assert_non_null(seed);
    cJSON *inner = cJSON_GetObjectItemCaseSensitive(seed, "Response");
    cJSON_DeleteItemFromObjectCaseSensitive(inner, "RequestId");
    char *want = cJSON_PrintUnformatted(inner);
    cJSON *got_j = codec_encode_detail_page(&page);
    char *got = cJSON_PrintUnformatted(got_j);
    assert_string_equal(got, want);
    cJSON_free(want);
    cJSON_free(got);
    cJSON_Delete(got_j);
    cJSON_Delete(seed);
    free(text);
    /* and field by field, from the seed text itself */
    tu_assert_seed_detail(&page);
    model_detail_page_clear(&page);
    dataset_free(&ds);
}

/* Records 3, 2, 1 are the record list example, last in the newest-first list. */
static void test_records_example(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 5, 12, 100);
    static const struct {
        uint64_t id;
        int64_t status;
        const char *ct, *ut;
    } want[] = {{3, 0, "2025-05-27 12:05:26", "2025-05-27 12:05:26"},
                {2, 7, "2025-05-26 18:05:38", "2025-05-26 18:45:12"},
                {1, 4, "2025-05-26 12:51:43", "2025-05-26 17:51:43"}};
    size_t matching = 0;
    for (size_t i = 0; i < ds.n_records; i++)
        if (strcmp(ds.records[i].info.old_cert_id, "OMhKAc35") == 0) matching++;
    assert_int_equal(matching, 3);
    for (size_t k = 0; k < 3; k++) {
        const struct update_record *r = &ds.records[ds.n_records - 3 + k].info;
        assert_int_equal(r->id, want[k].id);
        assert_string_equal(r->old_cert_id, "OMhKAc35");
        assert_int_equal(r->n_resource_types, 1);
        assert_string_equal(r->resource_types[0], "clb");
        assert_int_equal(r->status, want[k].status);
        assert_string_equal(r->create_time, want[k].ct);
        assert_string_equal(r->update_time, want[k].ut);
    }
    /* time passing does not disturb them */
    dataset_advance(&ds, NOW + 100000);
    assert_int_equal(dataset_find(&ds, 3)->info.status, 0);
    assert_int_equal(dataset_find(&ds, 2)->info.status, 7);
    assert_int_equal(dataset_find(&ds, 1)->info.status, 4);
    dataset_free(&ds);
}

static void test_counts_equal_sums(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct dataset ds;
        gen(&ds, seed, 40, 2000);
        check_all_consistent(&ds);
        dataset_free(&ds);
    }
}

static void test_every_type_and_feature(void **state)
{
    (void)state;
    static const char *const types[] = {"clb",        "cdn", "ddos", "live", "vod", "waf",
                                        "apigateway", "teo", "tke",  "cos",  "tse", "tcb"};
    struct dataset ds;
    gen(&ds, 1, 40, MAX_INSTANCES);
    bool seen[ARRAY_LEN(types)] = {false};
    bool rollback_ok = false, rollback_failed = false, partial = false, running = false;
    bool cjk_name = false, long_name = false, cjk_error = false, clb_shape = false;
    bool cos_shape = false, tke_shape = false, empty_null = false, empty_list = false;
    int64_t biggest = 0;
    for (size_t i = 0; i < ds.n_records; i++) {
        const struct dataset_record *r = &ds.records[i];
        for (size_t k = 0; k < r->n_runs; k++) {
            const struct deploy_run *run = &r->runs[k];
            rollback_ok |= run->type == 1 && run->status == MODEL_STATUS_ROLLBACK_OK;
            rollback_failed |= run->type == 1 && run->status == MODEL_STATUS_ROLLBACK_FAILED;
            partial |= run->type == 0 && run->status == MODEL_STATUS_FAILED &&
                       run->success_total_count > 0;
            running |= run->status == MODEL_STATUS_DEPLOYING;
            for (size_t g = 0; g < run->n_groups; g++) {
                const struct resource_group *grp = &run->groups[g];
                for (size_t t = 0; t < ARRAY_LEN(types); t++)
                    if (strcmp(grp->resource_type, types[t]) == 0) seen[t] = true;
                if (grp->total_count > biggest) biggest = grp->total_count;
                if (grp->total_count == 0) {
                    empty_null |= grp->list_null;
                    empty_list |= !grp->list_null;
                }
                for (size_t j = 0; j < grp->n_items; j++) {
                    const struct deploy_item *it = &grp->items[j];
                    const unsigned char *name = (const unsigned char *)it->instance_name;
                    if (name && strlen((const char *)name) > 80) long_name = true;
                    for (const unsigned char *p = name; p && *p; p++)
                        if (*p >= 0xe4 && *p <= 0xe9) cjk_name = true;
                    for (const unsigned char *p = (const unsigned char *)it->error_msg; p && *p;
                         p++)
                        if (*p >= 0xe4 && *p <= 0xe9) cjk_error = true;
                    if (strcmp(it->resource_type, "clb") == 0 && r->info.id > 3) {
                        assert_int_equal(strncmp(it->instance_id, "lb-", 3), 0);
                        assert_int_equal(strlen(it->instance_id), 11);
                        assert_int_equal(strncmp(it->listener_id, "lbl-", 4), 0);
                        assert_string_equal(it->protocol, "HTTPS");
                        assert_true(it->port == 443 || it->port == 8443);
                        assert_true(strcmp(it->ssl_mode, "UNIDIRECTIONAL") == 0 ||
                                    strcmp(it->ssl_mode, "MUTUAL") == 0);
                        assert_true(it->n_domains >= 1);
                        clb_shape = true;
                    }
                    if (strcmp(it->resource_type, "cos") == 0) {
                        assert_non_null(strstr(it->bucket, "-1250000000"));
                        assert_true(it->region[0] != '\0');
                        cos_shape = true;
                    }
                    if (strcmp(it->resource_type, "tke") == 0) {
                        assert_true(it->namespace_[0] && it->secret_name[0]);
                        tke_shape = true;
                    }
                    if (strcmp(it->resource_type, "cdn") == 0) assert_true(it->n_domains == 1);
                }
            }
        }
    }
    for (size_t t = 0; t < ARRAY_LEN(types); t++)
        if (!seen[t]) fail_msg("resource type %s never generated", types[t]);
    assert_true(rollback_ok && rollback_failed && partial && running);
    assert_true(cjk_name && long_name && cjk_error);
    assert_true(clb_shape && cos_shape && tke_shape);
    assert_true(empty_null && empty_list);
    assert_int_equal(biggest, MAX_INSTANCES);
    dataset_free(&ds);
}

static void test_biggest_group_follows_max_instances(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 4, 40, 1234);
    int64_t biggest = 0;
    for (size_t i = 0; i < ds.n_records; i++)
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            for (size_t g = 0; g < ds.records[i].runs[k].n_groups; g++)
                if (ds.records[i].runs[k].groups[g].total_count > biggest)
                    biggest = ds.records[i].runs[k].groups[g].total_count;
    assert_int_equal(biggest, 1234);
    dataset_free(&ds);
}

/* ---- paging ----------------------------------------------------------------------------- */

static const struct dataset_record *find_group(const struct dataset *ds, int64_t size, size_t *run,
                                               size_t *group)
{
    for (size_t i = 0; i < ds->n_records; i++)
        for (size_t k = 0; k < ds->records[i].n_runs; k++)
            for (size_t g = 0; g < ds->records[i].runs[k].n_groups; g++)
                if (ds->records[i].runs[k].groups[g].total_count == size) {
                    *run = k;
                    *group = g;
                    return &ds->records[i];
                }
    return NULL;
}

static void check_slice(const struct dataset_record *r, size_t run, size_t group, int64_t offset,
                        int64_t limit, size_t want_n)
{
    struct detail_page p;
    dataset_detail_page(r, offset, limit, &p);
    assert_int_equal(p.n_runs, r->n_runs);
    const struct resource_group *full = &r->runs[run].groups[group];
    const struct resource_group *got = &p.runs[run].groups[group];
    assert_int_equal(got->total_count, full->total_count);
    assert_int_equal(got->n_items, want_n);
    for (size_t i = 0; i < want_n; i++)
        assert_int_equal(got->items[i].id, full->items[(size_t)offset + i].id);
    /* run-level counts are the full run's, not the page's */
    assert_int_equal(p.runs[run].total_count, r->runs[run].total_count);
    model_detail_page_clear(&p);
}

static void test_paging(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 1, 40, 1234);
    size_t run = 0, group = 0;
    const struct dataset_record *r = find_group(&ds, 1234, &run, &group);
    assert_non_null(r);
    check_slice(r, run, group, 0, 300, 200); /* above 200 is 200 */
    check_slice(r, run, group, 0, 200, 200);
    check_slice(r, run, group, 0, 0, 10); /* 0: the default */
    check_slice(r, run, group, 0, -5, 10);
    check_slice(r, run, group, 15, 15, 15);
    check_slice(r, run, group, 1230, 10, 4); /* the tail */
    check_slice(r, run, group, 1234, 10, 0); /* past the end: empty, TotalCount stays */
    check_slice(r, run, group, 99999, 10, 0);

    /* an empty group keeps its null List and TotalCount 0 */
    const struct dataset_record *e = NULL;
    size_t er = 0, eg = 0;
    for (size_t i = 0; i < ds.n_records && !e; i++)
        for (size_t k = 0; k < ds.records[i].n_runs && !e; k++)
            for (size_t g = 0; g < ds.records[i].runs[k].n_groups; g++)
                if (ds.records[i].runs[k].groups[g].list_null) {
                    e = &ds.records[i];
                    er = k;
                    eg = g;
                    break;
                }
    assert_non_null(e);
    struct detail_page p;
    dataset_detail_page(e, 0, 10, &p);
    assert_true(p.runs[er].groups[eg].list_null);
    assert_int_equal(p.runs[er].groups[eg].total_count, 0);
    cJSON *j = codec_encode_detail_page(&p);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(s, "\"List\":null"));
    cJSON_free(s);
    cJSON_Delete(j);
    model_detail_page_clear(&p);
    dataset_free(&ds);
}

/* Flat paging: within each run, [offset, offset+limit) of the run's groups concatenated in
 * order. Checked against that definition: the page's lists, concatenated, are exactly the
 * slice, and each group holds just the part of the slice inside its own range. Every group
 * keeps its full TotalCount and the run its counts. Returns the items on the page. */
static size_t check_flat(const struct dataset_record *r, int64_t offset, int64_t limit)
{
    struct detail_page p;
    dataset_detail_page_mode(r, DATASET_PAGING_FLAT, offset, limit, &p);
    int64_t lim = limit <= 0 ? 10 : limit > 200 ? 200 : limit;
    int64_t from = offset < 0 ? 0 : offset;
    int64_t to = from > INT64_MAX - lim ? INT64_MAX : from + lim; /* the window [from, to) */
    size_t on_page = 0;
    assert_int_equal(p.n_runs, r->n_runs);
    for (size_t k = 0; k < r->n_runs; k++) {
        const struct deploy_run *full = &r->runs[k], *got = &p.runs[k];
        assert_int_equal(got->total_count, full->total_count);
        assert_int_equal(got->status, full->status);
        assert_int_equal(got->n_groups, full->n_groups);
        int64_t base = 0, want_pos = from; /* where the next listed item must come from */
        for (size_t g = 0; g < full->n_groups; g++) {
            const struct resource_group *fg = &full->groups[g], *pg = &got->groups[g];
            assert_string_equal(pg->resource_type, fg->resource_type);
            assert_int_equal(pg->total_count, fg->total_count);
            int64_t n = (int64_t)fg->n_items;
            int64_t lo = from > base ? from : base;
            int64_t hi = to < base + n ? to : base + n;
            size_t want_n = hi > lo ? (size_t)(hi - lo) : 0;
            assert_int_equal(pg->n_items, want_n);
            for (size_t i = 0; i < want_n; i++, want_pos++) {
                assert_true(want_pos >= base && want_pos < base + n);
                assert_int_equal(pg->items[i].id, fg->items[want_pos - base].id);
            }
            /* a group with items outside the page lists [] (a null List stays null) */
            assert_int_equal(pg->list_null, fg->list_null);
            on_page += want_n;
            base += n;
        }
        /* the page is contiguous: it ends at the end of the window or of the run */
        assert_int_equal(want_pos, from > base ? from : (to < base ? to : base));
    }
    model_detail_page_clear(&p);
    return on_page;
}

/* {"ResourceType":type, "TotalCount":n, "List":[n items with ids from first_id] or null}. */
static cJSON *flat_group_json(const char *type, int n, int first_id, bool null_list)
{
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "ResourceType", type);
    cJSON_AddNumberToObject(g, "TotalCount", n);
    if (null_list) {
        cJSON_AddNullToObject(g, "List");
        return g;
    }
    cJSON *list = cJSON_AddArrayToObject(g, "List");
    for (int i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "Id", first_id + i);
        cJSON_AddNumberToObject(it, "Status", 1);
        cJSON_AddStringToObject(it, "ResourceType", type);
        cJSON_AddItemToArray(list, it);
    }
    return g;
}

/* One record, two runs: clb 3, cdn null, waf 250, live 2; and a rollback of clb 3. */
static void load_flat_dataset(struct dataset *ds)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddNumberToObject(rec, "Id", 5);
    cJSON_AddStringToObject(rec, "OldCertId", "FLATcert");
    cJSON_AddNumberToObject(rec, "Status", 1);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "Records"), rec);
    cJSON *runs = cJSON_AddArrayToObject(cJSON_AddObjectToObject(root, "Details"), "5");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddNumberToObject(run, "TotalCount", 255);
    cJSON_AddNumberToObject(run, "Type", 0);
    cJSON_AddNumberToObject(run, "Status", 1);
    cJSON *groups = cJSON_AddArrayToObject(run, "RecordDetailList");
    cJSON_AddItemToArray(groups, flat_group_json("clb", 3, 1000, false));
    cJSON_AddItemToArray(groups, flat_group_json("cdn", 0, 0, true));
    cJSON_AddItemToArray(groups, flat_group_json("waf", 250, 2000, false));
    cJSON_AddItemToArray(groups, flat_group_json("live", 2, 3000, false));
    cJSON_AddItemToArray(runs, run);
    cJSON *rb = cJSON_CreateObject();
    cJSON_AddNumberToObject(rb, "TotalCount", 3);
    cJSON_AddNumberToObject(rb, "Type", 1);
    cJSON_AddNumberToObject(rb, "Status", 4);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(rb, "RecordDetailList"),
                         flat_group_json("clb", 3, 4000, false));
    cJSON_AddItemToArray(runs, rb);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    struct api_error err;
    apierr_clear(&err);
    int rc = dataset_load_json(ds, text, strlen(text), &err);
    cJSON_free(text);
    if (rc != 0) fail_msg("%s", err.message);
}

static void test_flat_paging(void **state)
{
    (void)state;
    struct dataset ds;
    load_flat_dataset(&ds);
    const struct dataset_record *r = &ds.records[0];

    /* Written out once: offset 2, limit 3 ends clb, skips the null cdn, starts waf. */
    struct detail_page p;
    dataset_detail_page_mode(r, DATASET_PAGING_FLAT, 2, 3, &p);
    const struct deploy_run *d = &p.runs[0];
    assert_int_equal(d->groups[0].n_items, 1);
    assert_int_equal(d->groups[0].items[0].id, 1002);
    assert_true(d->groups[1].list_null);
    assert_int_equal(d->groups[2].n_items, 2);
    assert_int_equal(d->groups[2].items[0].id, 2000);
    assert_int_equal(d->groups[2].items[1].id, 2001);
    assert_int_equal(d->groups[2].total_count, 250);
    assert_int_equal(d->groups[3].n_items, 0);
    assert_int_equal(d->groups[3].total_count, 2);
    assert_int_equal(p.runs[1].groups[0].n_items, 1); /* the rollback's own window */
    assert_int_equal(p.runs[1].groups[0].items[0].id, 4002);
    cJSON *j = codec_encode_detail_page(&p);
    char *s = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(s, "\"ResourceType\":\"cdn\",\"List\":null"));
    assert_non_null(strstr(s, "\"ResourceType\":\"live\",\"List\":[]"));
    cJSON_free(s);
    cJSON_Delete(j);
    model_detail_page_clear(&p);

    /* Counts below are of both runs: the deploy run's window, and the rollback's (clb 3),
     * which is full at offset 0 and empty from offset 3. Above 200 is 200, across clb and into
     * waf; 0 and below are the default 10. */
    assert_int_equal(check_flat(r, 0, 300), 200 + 3);
    assert_int_equal(check_flat(r, 0, 200), 200 + 3);
    assert_int_equal(check_flat(r, 0, 0), 10 + 3);
    assert_int_equal(check_flat(r, 0, -1), 10 + 3);
    assert_int_equal(check_flat(r, -7, 4), 4 + 3); /* a negative offset is 0 */
    /* Every offset around each group boundary (3, 253) and the end (255). */
    const int64_t offsets[] = {1, 2, 3, 4, 200, 252, 253, 254, 255, 256, 99999, INT64_MAX};
    const int64_t limits[] = {1, 2, 3, 200, 201};
    for (size_t i = 0; i < ARRAY_LEN(offsets); i++)
        for (size_t k = 0; k < ARRAY_LEN(limits); k++)
            check_flat(r, offsets[i], limits[k]);
    assert_int_equal(check_flat(r, 53, 200), 200); /* ends with the last of waf */
    assert_int_equal(check_flat(r, 54, 300), 200); /* takes the first of live */
    assert_int_equal(check_flat(r, 253, 200), 2);  /* live alone */
    assert_int_equal(check_flat(r, 255, 200), 0);  /* past the end: counts stay, lists empty */
    assert_int_equal(check_flat(r, INT64_MAX, 200), 0);

    /* Paging a generated dataset flat through, page by page, gives every item once. */
    dataset_free(&ds);
    gen(&ds, 7, 40, 700);
    for (size_t i = 0; i < ds.n_records; i++) {
        const struct dataset_record *rec = &ds.records[i];
        int64_t longest = 0, all = 0;
        for (size_t k = 0; k < rec->n_runs; k++) {
            int64_t n = 0;
            for (size_t g = 0; g < rec->runs[k].n_groups; g++)
                n += (int64_t)rec->runs[k].groups[g].n_items;
            longest = n > longest ? n : longest;
            all += n;
        }
        int64_t seen = 0;
        for (int64_t off = 0; off < longest + 200; off += 200)
            seen += (int64_t)check_flat(rec, off, 200);
        assert_int_equal(seen, all);
    }
    dataset_free(&ds);
}

/* ---- progress ----------------------------------------------------------------------------- */

static size_t active_records(const struct dataset *ds)
{
    size_t n = 0;
    for (size_t i = 0; i < ds->n_records; i++)
        n += record_active(&ds->records[i]);
    return n;
}

static void test_advance_completes_running_tasks(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 1, 40, 800);
    size_t before = active_records(&ds);
    /* record 3 (the example's waiting task) has no items and stays waiting forever */
    assert_true(before >= 3);

    int64_t done_before = 0;
    for (size_t i = 0; i < ds.n_records; i++)
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            done_before += ds.records[i].runs[k].success_total_count +
                           ds.records[i].runs[k].failed_total_count;

    dataset_advance(&ds, NOW + 30);
    check_all_consistent(&ds);
    int64_t done_mid = 0;
    for (size_t i = 0; i < ds.n_records; i++)
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            done_mid += ds.records[i].runs[k].success_total_count +
                        ds.records[i].runs[k].failed_total_count;
    assert_true(done_mid > done_before);

    dataset_advance(&ds, NOW + 3600);
    check_all_consistent(&ds);
    assert_int_equal(active_records(&ds), 1);
    assert_true(record_active(dataset_find(&ds, 3)));
    /* a finished rollback that was running is a successful rollback (they never fail) */
    for (size_t i = 0; i < ds.n_records; i++) {
        const struct dataset_record *r = &ds.records[i];
        if (r->info.id == 3) continue;
        assert_false(is_open(r->info.status));
    }
    dataset_free(&ds);
}

/* The state at a time depends on that time only, not on how often time was looked at. */
static void test_advance_deterministic(void **state)
{
    (void)state;
    struct dataset a, b;
    gen(&a, 11, 30, 600);
    gen(&b, 11, 30, 600);
    for (int64_t t = NOW; t <= NOW + 200; t += 7)
        dataset_advance(&a, t);
    dataset_advance(&b, NOW + 200);
    assert_same_dump(&a, &b);
    /* and going back in time changes nothing */
    dataset_advance(&a, NOW);
    assert_same_dump(&a, &b);
    dataset_free(&a);
    dataset_free(&b);
}

/* ---- write actions ------------------------------------------------------------------------ */

static struct dataset_record *find_finished(struct dataset *ds, int64_t type, int64_t status)
{
    for (size_t i = 0; i < ds->n_records; i++) {
        struct dataset_record *r = &ds->records[i];
        if (r->info.id <= 3 || !r->n_runs || record_active(r)) continue;
        const struct deploy_run *last = &r->runs[r->n_runs - 1];
        if (last->type == type && last->status == status) return r;
    }
    return NULL;
}

/* A generated dataset (seed, 40 records, groups of up to 300) at NOW, and a finished record of
 * it whose last run has type and status. */
static struct dataset_record *finished_record(struct dataset *ds, uint64_t seed, int64_t type,
                                              int64_t status)
{
    gen(ds, seed, 40, 300);
    dataset_advance(ds, NOW);
    struct dataset_record *r = find_finished(ds, type, status);
    assert_non_null(r);
    return r;
}

static void expect_api_error(int rc, const struct api_error *err, const char *code)
{
    assert_int_equal(rc, -1);
    assert_int_equal(err->kind, APIERR_API);
    assert_string_equal(err->code, code);
    assert_true(err->message[0] != '\0');
}

static void test_rollback(void **state)
{
    (void)state;
    struct dataset ds;
    struct api_error err;
    struct dataset_record *r = finished_record(&ds, 1, MODEL_RUN_DEPLOY, MODEL_STATUS_SUCCESS);
    uint64_t id = r->info.id;
    size_t runs = r->n_runs;
    int64_t deployed = r->runs[runs - 1].success_total_count;

    apierr_clear(&err);
    assert_int_equal(dataset_rollback(&ds, id, NOW + 10, &err), 0);
    r = dataset_find(&ds, id);
    assert_int_equal(r->n_runs, runs + 1);
    const struct deploy_run *rb = &r->runs[runs];
    assert_int_equal(rb->type, MODEL_RUN_ROLLBACK);
    assert_true(run_active(rb));
    assert_int_equal(rb->total_count, deployed);
    check_run_consistent(rb);
    assert_true(is_open(r->info.status));

    /* while it runs: no second rollback, no retry */
    expect_api_error(dataset_rollback(&ds, id, NOW + 11, &err), &err,
                     "FailedOperation.CertificateDeployHasPendingRecord");
    expect_api_error(dataset_retry_record(&ds, id, NOW + 11, &err), &err,
                     "FailedOperation.CertificateDeployHasPendingRecord");

    dataset_advance(&ds, NOW + 4000);
    r = dataset_find(&ds, id);
    assert_int_equal(r->runs[runs].status, MODEL_STATUS_ROLLBACK_OK);
    assert_int_equal(r->info.status, MODEL_STATUS_ROLLBACK_OK);
    check_run_consistent(&r->runs[runs]);

    /* rolled back already: not again */
    expect_api_error(dataset_rollback(&ds, id, NOW + 4001, &err), &err,
                     "FailedOperation.CertificateDeployRollbackStatusInvalid");
    /* never deployed successfully */
    struct dataset_record *failed = find_finished(&ds, MODEL_RUN_DEPLOY, MODEL_STATUS_FAILED);
    assert_non_null(failed);
    expect_api_error(dataset_rollback(&ds, failed->info.id, NOW + 4001, &err), &err,
                     "FailedOperation.CertificateDeployRollbackStatusInvalid");
    /* the example's records: 2 was rolled back, 3 is waiting */
    expect_api_error(dataset_rollback(&ds, 2, NOW + 4001, &err), &err,
                     "FailedOperation.CertificateDeployRollbackStatusInvalid");
    expect_api_error(dataset_rollback(&ds, 3, NOW + 4001, &err), &err,
                     "FailedOperation.CertificateDeployHasPendingRecord");
    expect_api_error(dataset_rollback(&ds, 424242, NOW + 4001, &err), &err,
                     "FailedOperation.CertificateDeployNotExist");
    dataset_free(&ds);
}

static void test_retry_record(void **state)
{
    (void)state;
    struct dataset ds;
    struct api_error err;
    struct dataset_record *r = finished_record(&ds, 1, MODEL_RUN_DEPLOY, MODEL_STATUS_FAILED);
    uint64_t id = r->info.id;
    size_t last = r->n_runs - 1;
    int64_t failed = r->runs[last].failed_total_count;
    int64_t ok = r->runs[last].success_total_count;
    assert_true(failed > 0);

    /* retried long after the dataset started: the items run from the retry on */
    assert_int_equal(dataset_retry_record(&ds, id, NOW + 1000, &err), 0);
    dataset_advance(&ds, NOW + 1000);
    r = dataset_find(&ds, id);
    assert_int_equal(r->n_runs, last + 1); /* a retry re-runs items, it adds no run */
    assert_int_equal(r->runs[last].failed_total_count, 0);
    assert_int_equal(r->runs[last].success_total_count, ok);
    assert_int_equal(r->runs[last].pending_total_count + r->runs[last].running_total_count, failed);
    check_run_consistent(&r->runs[last]);
    assert_int_equal(r->info.status, MODEL_STATUS_DEPLOYING);

    dataset_advance(&ds, NOW + 5000);
    r = dataset_find(&ds, id);
    check_run_consistent(&r->runs[last]);
    assert_false(run_active(&r->runs[last]));
    assert_true(strcmp(r->info.update_time, "2026-01-01 08:16:40") > 0); /* after the retry */
    /* retried items are pending→running→done: fewer failures (8% fail again) */
    assert_true(r->runs[last].failed_total_count < failed || failed == 1);

    expect_api_error(dataset_retry_record(&ds, 2, NOW + 5000, &err), &err,
                     "FailedOperation.CertificateDeployRetryStatusInvalid");
    expect_api_error(dataset_retry_record(&ds, 424242, NOW + 5000, &err), &err,
                     "FailedOperation.CertificateDeployNotExist");
    dataset_free(&ds);
}

static void test_retry_item(void **state)
{
    (void)state;
    struct dataset ds;
    struct api_error err;
    struct dataset_record *r = finished_record(&ds, 2, MODEL_RUN_DEPLOY, MODEL_STATUS_FAILED);
    uint64_t rid = r->info.id;
    const struct deploy_run *run = &r->runs[r->n_runs - 1];
    uint64_t item = 0, good = 0;
    for (size_t g = 0; g < run->n_groups; g++)
        for (size_t i = 0; i < run->groups[g].n_items; i++) {
            if (!item && run->groups[g].items[i].status == MODEL_STATUS_FAILED)
                item = run->groups[g].items[i].id;
            if (!good && run->groups[g].items[i].status == MODEL_STATUS_SUCCESS)
                good = run->groups[g].items[i].id;
        }
    assert_true(item && good);
    int64_t failed = run->failed_total_count;

    expect_api_error(dataset_retry_item(&ds, good, NOW + 1, &err), &err,
                     "FailedOperation.CertificateDeployRetryStatusInvalid");
    assert_int_equal(dataset_retry_item(&ds, item, NOW + 1, &err), 0);
    r = dataset_find(&ds, rid);
    run = &r->runs[r->n_runs - 1];
    assert_int_equal(run->failed_total_count, failed - 1);
    check_run_consistent(run);
    expect_api_error(dataset_retry_item(&ds, item, NOW + 2, &err), &err,
                     "FailedOperation.CertificateDeployHasPendingRecord");
    expect_api_error(dataset_retry_item(&ds, 57, NOW + 2, &err), &err,
                     "FailedOperation.CertificateDeployRetryStatusInvalid");
    expect_api_error(dataset_retry_item(&ds, 999999999, NOW + 2, &err), &err,
                     "FailedOperation.CertificateDeployNotExist");
    dataset_advance(&ds, NOW + 5000);
    check_all_consistent(&ds);
    dataset_free(&ds);
}

static void test_upload(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 1, 20, 100);
    char *types[] = {"clb", "cdn"};
    bool created = false;
    uint64_t id = dataset_upload(&ds, "NewCert01", types, 2, "ap-shanghai", NOW + 1, &created);
    assert_true(created);
    assert_int_equal(id, 21);
    assert_int_equal(ds.n_records, 21);
    assert_int_equal(ds.records[0].info.id, 21); /* newest first */
    const struct dataset_record *r = &ds.records[0];
    assert_string_equal(r->info.old_cert_id, "NewCert01");
    assert_int_equal(r->n_runs, 1);
    assert_int_equal(r->runs[0].n_groups, 2);
    assert_true(r->runs[0].total_count > 0);
    assert_int_equal(r->runs[0].status, MODEL_STATUS_WAITING);
    check_run_consistent(&r->runs[0]);
    assert_string_equal(r->runs[0].groups[0].items[0].region, "ap-shanghai");

    /* a second upload while that one runs returns it */
    uint64_t again = dataset_upload(&ds, "NewCert01", types, 2, NULL, NOW + 2, &created);
    assert_false(created);
    assert_int_equal(again, 21);
    assert_int_equal(ds.n_records, 21);

    /* a certificate with history deploys to the instances it was on */
    struct dataset_record *old = &ds.records[ds.n_records - 4]; /* the oldest generated one */
    char *cert = xstrdup(old->info.old_cert_id);
    char *t0[] = {old->runs[0].groups[0].resource_type};
    bool busy = record_active(old);
    for (size_t i = 0; i < ds.n_records; i++)
        if (strcmp(ds.records[i].info.old_cert_id, cert) == 0 && record_active(&ds.records[i]))
            busy = true;
    if (!busy) {
        dataset_advance(&ds, NOW + 3);
        uint64_t nid = dataset_upload(&ds, cert, t0, 1, NULL, NOW + 3, &created);
        assert_true(created);
        assert_int_equal(nid, 22);
        assert_string_equal(ds.records[0].info.old_cert_id, cert);
    }
    free(cert);
    dataset_advance(&ds, NOW + 5000);
    check_all_consistent(&ds);
    assert_false(record_active(&ds.records[0]));
    dataset_free(&ds);
}

/* ---- loading ------------------------------------------------------------------------------ */

/* Loads tests/data/<name>, failing the test with the loader's reason if it refuses. */
static void load_testdata(struct dataset *ds, const char *name)
{
    char *path = tu_testdata(name);
    struct api_error err;
    apierr_clear(&err);
    int rc = dataset_load_file(ds, path, &err);
    if (rc != 0) fail_msg("%s: %s", path, err.message);
    free(path);
}

static void test_load_small(void **state)
{
    (void)state;
    struct dataset ds;
    load_testdata(&ds, "dataset_small.json");
    assert_true(ds.n_records >= 3 && ds.n_records <= 4);
    bool rollback = false, failures = false, running = false;
    for (size_t i = 0; i < ds.n_records; i++) {
        const struct dataset_record *r = &ds.records[i];
        assert_true(r->n_runs > 0);
        for (size_t k = 0; k < r->n_runs; k++) {
            check_run_consistent(&r->runs[k]);
            rollback |= r->runs[k].type == MODEL_RUN_ROLLBACK;
            failures |= r->runs[k].failed_total_count > 0;
            running |= run_active(&r->runs[k]);
        }
    }
    assert_true(rollback && failures && running);

    /* the loaded running task progresses too, from the moment it was loaded */
    dataset_advance(&ds, ds.started_unix + 3600);
    for (size_t i = 0; i < ds.n_records; i++) {
        assert_false(record_active(&ds.records[i]));
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            check_run_consistent(&ds.records[i].runs[k]);
    }
    dataset_free(&ds);
}

static void test_load_hostile(void **state)
{
    (void)state;
    struct dataset ds;
    load_testdata(&ds, "dataset_hostile.json");
    /* the dangerous bytes survive loading verbatim (sanitizing is the sinks' job) */
    static const char *const needles[] = {"\x1b[31m", "\x1b]0;",  "\x07",
                                          "\r",       "\xc2\x9b", "\xe2\x80\xae"};
    struct buf raw = {0};
    for (size_t i = 0; i < ds.n_records; i++)
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            for (size_t g = 0; g < ds.records[i].runs[k].n_groups; g++)
                for (size_t j = 0; j < ds.records[i].runs[k].groups[g].n_items; j++) {
                    const struct deploy_item *it = &ds.records[i].runs[k].groups[g].items[j];
                    buf_puts(&raw, it->instance_name ? it->instance_name : "");
                    buf_puts(&raw, it->error_msg ? it->error_msg : "");
                    for (size_t d = 0; d < it->n_domains; d++)
                        buf_puts(&raw, it->domains[d]);
                }
    for (size_t i = 0; i < ARRAY_LEN(needles); i++)
        if (!strstr(raw.data, needles[i])) fail_msg("hostile needle %zu missing", i);
    buf_free(&raw);
    for (size_t i = 0; i < ds.n_records; i++)
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            check_run_consistent(&ds.records[i].runs[k]);
    dataset_free(&ds);
}

struct bad_doc {
    const char *json;
    const char *want_prefix; /* the error message starts with this */
};

static void test_load_errors(void **state)
{
    (void)state;
    static const struct bad_doc docs[] = {
        {"{\"Records\": [", "invalid JSON at line 1"},
        {"{\n  \"Records\": [],\n  oops\n}", "invalid JSON at line 3"},
        {"[]", "(top level): expected object, got array"},
        {"{}", "Records: missing"},
        {"{\"Records\": {}}", "Records: expected array, got object"},
        {"{\"Records\": [], \"Detail\": {}}", "Detail: unknown key"},
        {"{\"Records\": [{\"Id\": 1, \"OldCertId\": \"a\", \"ResourceTypes\": [\"clb\"], "
         "\"Status\": 1}, {\"Id\": 2, \"Status\": \"high\"}]}",
         "Records[1].Status"},
        {"{\"Records\": [{\"Id\": 1}, {\"Id\": 1}]}", "Records[1].Id: duplicate record id 1"},
        {"{\"Records\": [{\"Id\": 2}], \"Details\": []}", "Details: expected object, got array"},
        {"{\"Records\": [{\"Id\": 2}], \"Details\": {\"x\": []}}",
         "Details.x: key is not a record id"},
        {"{\"Records\": [{\"Id\": 2}], \"Details\": {\"9\": []}}",
         "Details.9: no record with Id 9 in Records"},
        {"{\"Records\": [{\"Id\": 2}], \"Details\": {\"2\": {}}}",
         "Details.2: expected array, got object"},
        {"{\"Records\": [{\"Id\": 2}], \"Details\": {\"2\": [{\"Type\": 0, \"Status\": \"x\"}]}}",
         "Details.2[0].Status"},
        {"{\"Records\": [{\"Id\": 2}], \"Details\": {\"2\": [{\"Type\": 0, \"Status\": 1, "
         "\"RecordDetailList\": [{\"ResourceType\": \"clb\", \"TotalCount\": 1, \"List\": "
         "[{\"Id\": 5, \"Port\": \"x\"}]}]}]}}",
         "Details.2[0].RecordDetailList[0].List[0].Port"},
    };
    char *dir = tu_mkdtemp("dataset");
    for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
        char *path = xasprintf("%s/bad%zu.json", dir, i);
        tu_write_file(path, docs[i].json);
        struct dataset ds;
        struct api_error err;
        apierr_clear(&err);
        assert_int_equal(dataset_load_file(&ds, path, &err), -1);
        assert_int_equal(err.kind, APIERR_DECODE);
        if (strncmp(err.message, docs[i].want_prefix, strlen(docs[i].want_prefix)) != 0)
            fail_msg("doc %zu: got \"%s\", want a message starting \"%s\"", i, err.message,
                     docs[i].want_prefix);
        assert_int_equal(ds.n_records, 0); /* nothing to free on failure */
        unlink(path);
        free(path);
    }
    /* a file that is not there */
    char *missing = tu_path(dir, "nope.json");
    struct dataset ds;
    struct api_error err;
    assert_int_equal(dataset_load_file(&ds, missing, &err), -1);
    assert_non_null(strstr(err.message, "cannot open"));
    free(missing);
    tu_rm_rf(dir);
    free(dir);
}

/* A dataset that a record references by the API's own names round-trips through the loader. */
static void test_load_roundtrip_of_generated(void **state)
{
    (void)state;
    struct dataset ds;
    gen(&ds, 21, 8, 40);
    cJSON *root = cJSON_CreateObject();
    cJSON *recs = cJSON_AddArrayToObject(root, "Records");
    cJSON *details = cJSON_AddObjectToObject(root, "Details");
    for (size_t i = 0; i < ds.n_records; i++) {
        cJSON_AddItemToArray(recs, codec_encode_update_record(&ds.records[i].info));
        cJSON *runs = cJSON_CreateArray();
        for (size_t k = 0; k < ds.records[i].n_runs; k++)
            cJSON_AddItemToArray(runs, codec_encode_deploy_run(&ds.records[i].runs[k]));
        char key[32];
        snprintf(key, sizeof key, "%llu", (unsigned long long)ds.records[i].info.id);
        cJSON_AddItemToObject(details, key, runs);
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    struct dataset back;
    struct api_error err;
    assert_int_equal(dataset_load_json(&back, text, strlen(text), &err), 0);
    assert_same_dump(&ds, &back);
    cJSON_free(text);
    dataset_free(&back);
    dataset_free(&ds);
}

static void test_large_group(void **state)
{
    (void)state;
    /* a group of tens of thousands: generated in full, every item its own */
    struct dataset ds;
    gen(&ds, 1, 40, 20000);
    size_t run, group;
    const struct dataset_record *r = find_group(&ds, 20000, &run, &group);
    assert_non_null(r);
    const struct resource_group *g = &r->runs[run].groups[group];
    assert_int_equal(g->n_items, 20000);
    assert_true(g->items[0].id != g->items[19999].id);
    dataset_free(&ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_shape_and_ids),
        cmocka_unit_test(test_minimum_records),
        cmocka_unit_test(test_record2_is_seed_example),
        cmocka_unit_test(test_records_example),
        cmocka_unit_test(test_counts_equal_sums),
        cmocka_unit_test(test_every_type_and_feature),
        cmocka_unit_test(test_biggest_group_follows_max_instances),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_flat_paging),
        cmocka_unit_test(test_advance_completes_running_tasks),
        cmocka_unit_test(test_advance_deterministic),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_retry_record),
        cmocka_unit_test(test_retry_item),
        cmocka_unit_test(test_upload),
        cmocka_unit_test(test_load_small),
        cmocka_unit_test(test_load_hostile),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_roundtrip_of_generated),
        cmocka_unit_test(test_large_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
