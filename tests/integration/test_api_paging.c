/* Paging through the emulator: every item of a record whose groups are larger than a page
 * (1,234, 200 and 0 instances), fetched sequentially and concurrently, cancelled and failed
 * half way; the same against an emulator that pages each run's groups concatenated (the
 * spec's other reading, --paging flat), and a record whose items are all in its last group;
 * and the whole records list over several pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/api.h"
#include "core/codec.h"
#include "core/emulator/emulator.h"
#include "core/util.h"
#include "testutil.h"

#define RECORD_ID  4242
#define RECORD2_ID 77
#define RECORD3_ID 4500

/* The groups of the dataset's first run, and of its second. */
static const struct {
    const char *type;
    int n;
    uint64_t first_id;
} groups[] = {{"clb", 1234, 100000}, {"cdn", 200, 200000}, {"waf", 0, 300000}};
#define RUN2_ITEMS 7
/* Record 4500: items only in its last group; clb lists [], cdn null. */
static const struct {
    const char *type;
    int n;
    uint64_t first_id;
    bool null_list;
} last_only[] = {{"clb", 0, 0, false}, {"cdn", 0, 0, true}, {"waf", 450, 500000, false}};

static char *tmp_dir;        /* holds the dataset file */
static struct emu *emu;      /* pages inside each group (the default) */
static struct emu *emu_flat; /* --paging flat, same dataset */

static pthread_mutex_t obs_mu = PTHREAD_MUTEX_INITIALIZER;
static int n_detail_calls;
static atomic_int *cancel_after_first; /* set by the observer after the first page */
static bool fault_after_first;

static void observer(void *ctx, const struct api_trace *t)
{
    (void)ctx;
    pthread_mutex_lock(&obs_mu);
    if (strcmp(t->action, "DescribeHostUploadUpdateRecordDetail") == 0) {
        if (n_detail_calls == 0 && cancel_after_first) atomic_store(cancel_after_first, 1);
        /* Every later answer is garbage: past the retry budget, the page fails. */
        if (n_detail_calls == 0 && fault_after_first) emu_set_fault(emu, EMU_FAULT_GARBAGE, -1);
        n_detail_calls++;
    }
    pthread_mutex_unlock(&obs_mu);
}

/* The server lists a group's items in dataset order; ids are a permutation so that order is
 * not simply ascending. */
static uint64_t perm_id(uint64_t first_id, int n, int i)
{
    return first_id + (uint64_t)((i * 7919) % n);
}

static uint64_t item_id(size_t g, int i)
{
    return perm_id(groups[g].first_id, groups[g].n, i);
}

static cJSON *item_json(uint64_t id, const char *type, int i)
{
    cJSON *it = cJSON_CreateObject();
    cJSON_AddNumberToObject(it, "Id", (double)id);
    cJSON_AddStringToObject(it, "OldCertId", "PAGEcert");
    char buf[64];
    snprintf(buf, sizeof buf, "lb-%06d", i);
    cJSON_AddStringToObject(it, "InstanceId", buf);
    cJSON_AddStringToObject(it, "InstanceName", buf);
    cJSON *domains = cJSON_AddArrayToObject(it, "Domains");
    snprintf(buf, sizeof buf, "d%d.example.com", i);
    cJSON_AddItemToArray(domains, cJSON_CreateString(buf));
    cJSON_AddNumberToObject(it, "Status", 1);
    cJSON_AddStringToObject(it, "ErrorMsg", "");
    cJSON_AddNumberToObject(it, "Port", 443);
    cJSON_AddStringToObject(it, "ResourceType", type);
    cJSON_AddStringToObject(it, "CreateTime", "2025-05-20 15:03:17");
    cJSON_AddStringToObject(it, "UpdateTime", "2025-05-20 15:05:43");
    return it;
}

static cJSON *run_json(int type, int status, int total)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "TotalCount", total);
    cJSON_AddNumberToObject(r, "SuccessTotalCount", total);
    cJSON_AddNumberToObject(r, "FailedTotalCount", 0);
    cJSON_AddNumberToObject(r, "RunningTotalCount", 0);
    cJSON_AddNumberToObject(r, "Type", type);
    cJSON_AddNumberToObject(r, "Status", status);
    cJSON_AddStringToObject(r, "CreateTime", "2025-05-20 15:03:17");
    return r;
}

static cJSON *record_json(uint64_t id)
{
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddNumberToObject(rec, "Id", (double)id);
    cJSON_AddStringToObject(rec, "OldCertId", "PAGEcert");
    cJSON *types = cJSON_AddArrayToObject(rec, "ResourceTypes");
    cJSON_AddItemToArray(types, cJSON_CreateString("clb"));
    cJSON_AddNumberToObject(rec, "Status", 1);
    cJSON_AddStringToObject(rec, "CreateTime", "2025-05-20 15:03:17");
    cJSON_AddStringToObject(rec, "UpdateTime", "2025-05-20 15:23:17");
    return rec;
}

/* {"Records":[…], "Details":{"4242":[run, run], "77":[run]}} */
static void write_dataset(const char *path)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *records = cJSON_AddArrayToObject(root, "Records");
    cJSON_AddItemToArray(records, record_json(RECORD_ID));
    cJSON_AddItemToArray(records, record_json(RECORD2_ID));
    cJSON_AddItemToArray(records, record_json(RECORD3_ID));
    cJSON *details = cJSON_AddObjectToObject(root, "Details");

    int total = 0;
    for (size_t g = 0; g < ARRAY_LEN(groups); g++)
        total += groups[g].n;
    cJSON *runs = cJSON_AddArrayToObject(details, "4242");
    cJSON *run = run_json(0, 1, total);
    cJSON *list = cJSON_AddArrayToObject(run, "RecordDetailList");
    for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
        cJSON *grp = cJSON_CreateObject();
        cJSON_AddStringToObject(grp, "ResourceType", groups[g].type);
        cJSON_AddNumberToObject(grp, "TotalCount", groups[g].n);
        cJSON *items = cJSON_AddArrayToObject(grp, "List");
        for (int i = 0; i < groups[g].n; i++)
            cJSON_AddItemToArray(items, item_json(item_id(g, i), groups[g].type, i));
        cJSON_AddItemToArray(list, grp);
    }
    cJSON_AddItemToArray(runs, run);

    cJSON *run2 = run_json(1, 4, RUN2_ITEMS);
    cJSON *list2 = cJSON_AddArrayToObject(run2, "RecordDetailList");
    cJSON *grp2 = cJSON_CreateObject();
    cJSON_AddStringToObject(grp2, "ResourceType", "clb");
    cJSON_AddNumberToObject(grp2, "TotalCount", RUN2_ITEMS);
    cJSON *items2 = cJSON_AddArrayToObject(grp2, "List");
    for (int i = 0; i < RUN2_ITEMS; i++)
        cJSON_AddItemToArray(items2, item_json(900000 + (uint64_t)i, "clb", i));
    cJSON_AddItemToArray(list2, grp2);
    cJSON_AddItemToArray(runs, run2);

    cJSON *runs77 = cJSON_AddArrayToObject(details, "77");
    cJSON *r77 = run_json(0, 1, 1);
    cJSON *l77 = cJSON_AddArrayToObject(r77, "RecordDetailList");
    cJSON *g77 = cJSON_CreateObject();
    cJSON_AddStringToObject(g77, "ResourceType", "clb");
    cJSON_AddNumberToObject(g77, "TotalCount", 1);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(g77, "List"), item_json(990000, "clb", 0));
    cJSON_AddItemToArray(l77, g77);
    cJSON_AddItemToArray(runs77, r77);

    cJSON *runs3 = cJSON_AddArrayToObject(details, "4500");
    cJSON *r3 = run_json(0, 1, 450);
    cJSON *l3 = cJSON_AddArrayToObject(r3, "RecordDetailList");
    for (size_t g = 0; g < ARRAY_LEN(last_only); g++) {
        cJSON *grp = cJSON_CreateObject();
        cJSON_AddStringToObject(grp, "ResourceType", last_only[g].type);
        cJSON_AddNumberToObject(grp, "TotalCount", last_only[g].n);
        if (last_only[g].null_list) {
            cJSON_AddNullToObject(grp, "List");
        } else {
            cJSON *items = cJSON_AddArrayToObject(grp, "List");
            for (int i = 0; i < last_only[g].n; i++)
                cJSON_AddItemToArray(items,
                                     item_json(perm_id(last_only[g].first_id, last_only[g].n, i),
                                               last_only[g].type, i));
        }
        cJSON_AddItemToArray(l3, grp);
    }
    cJSON_AddItemToArray(runs3, r3);

    char *text = cJSON_PrintUnformatted(root);
    tu_write_file(path, text);
    cJSON_free(text);
    cJSON_Delete(root);
}

static int group_setup(void **state)
{
    (void)state;
    tu_loopback_init();
    tmp_dir = tu_mkdtemp("paging");
    char *dataset = tu_path(tmp_dir, "dataset.json");
    write_dataset(dataset);
    struct emu_config cfg = {.listen = "127.0.0.1:0", .dataset_file = dataset, .rate = -1};
    emu = tu_emu_start(&cfg);
    cfg.paging = EMU_PAGING_FLAT;
    emu_flat = tu_emu_start(&cfg);
    free(dataset);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    emu_stop(emu);
    emu_stop(emu_flat);
    tu_rm_rf(tmp_dir);
    free(tmp_dir);
    http_global_cleanup();
    return 0;
}

static struct api_client *client_for(struct emu *e)
{
    struct api_config cfg = {.rate = -1, .backoff_base_ms = 20};
    struct api_client *c = tu_emu_client(e, &cfg, NULL);
    api_client_set_observer(c, observer, NULL);
    pthread_mutex_lock(&obs_mu);
    n_detail_calls = 0;
    cancel_after_first = NULL;
    fault_after_first = false;
    pthread_mutex_unlock(&obs_mu);
    return c;
}

static const struct resource_group *find_group(const struct deploy_run *r, const char *type)
{
    for (size_t g = 0; g < r->n_groups; g++)
        if (r->groups[g].resource_type && strcmp(r->groups[g].resource_type, type) == 0)
            return &r->groups[g];
    return NULL;
}

/* Exactly the dataset: every item once, in the server's order. */
static void check_detail(const struct detail_page *d)
{
    assert_int_equal(d->n_runs, 2);
    const struct deploy_run *r = &d->runs[0];
    assert_int_equal(r->n_groups, ARRAY_LEN(groups));
    for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
        const struct resource_group *grp = find_group(r, groups[g].type);
        assert_non_null(grp);
        assert_int_equal(grp->total_count, groups[g].n);
        assert_int_equal(grp->n_items, (size_t)groups[g].n);
        for (int i = 0; i < groups[g].n; i++) {
            assert_int_equal(tu_item(grp, i)->id, item_id(g, i));
            assert_string_equal(tu_item(grp, i)->resource_type, groups[g].type);
        }
    }
    const struct resource_group *g2 = find_group(&d->runs[1], "clb");
    assert_non_null(g2);
    assert_int_equal(g2->n_items, RUN2_ITEMS);
    for (int i = 0; i < RUN2_ITEMS; i++)
        assert_int_equal(tu_item(g2, i)->id, 900000 + i);
}

static void reset_detail_calls(void)
{
    pthread_mutex_lock(&obs_mu);
    n_detail_calls = 0;
    pthread_mutex_unlock(&obs_mu);
}

static void test_detail_all_sequential_and_concurrent(void **state)
{
    (void)state;
    struct api_client *c = client_for(emu);
    struct api_error err;
    struct detail_page seq, par;

    assert_int_equal(api_detail_all(c, RECORD_ID, 1, &seq, NULL, &err), 0);
    check_detail(&seq);
    /* One first page, then offsets 200 … 1200 for the 1,234-item group: 7 requests. */
    assert_int_equal(n_detail_calls, 7);

    reset_detail_calls();
    assert_int_equal(api_detail_all(c, RECORD_ID, 4, &par, NULL, &err), 0);
    check_detail(&par);
    assert_int_equal(n_detail_calls, 7);

    cJSON *a = tu_detail_json(&seq), *b = tu_detail_json(&par);
    assert_true(cJSON_Compare(a, b, true));
    cJSON_Delete(a);
    cJSON_Delete(b);

    /* A record that fits in one page takes one request. */
    struct detail_page small;
    reset_detail_calls();
    assert_int_equal(api_detail_all(c, RECORD2_ID, 4, &small, NULL, &err), 0);
    assert_int_equal(n_detail_calls, 1);
    assert_int_equal(small.n_runs, 1);
    assert_int_equal(small.runs[0].groups[0].n_items, 1);

    model_detail_page_clear(&small);
    model_detail_page_clear(&seq);
    model_detail_page_clear(&par);
    api_client_free(c);
}

static void test_detail_all_cancelled(void **state)
{
    (void)state;
    struct api_client *c = client_for(emu);
    struct api_error err;
    struct detail_page d;
    atomic_int cancel = 0;
    pthread_mutex_lock(&obs_mu);
    cancel_after_first = &cancel;
    pthread_mutex_unlock(&obs_mu);
    assert_int_equal(api_detail_all(c, RECORD_ID, 4, &d, &cancel, &err), -1);
    assert_int_equal(err.kind, APIERR_CANCELLED);
    assert_null(d.runs);
    assert_int_equal(d.n_runs, 0);

    /* Cancelled before it starts: nothing at all. */
    uint64_t before = emu_request_count(emu);
    assert_int_equal(api_detail_all(c, RECORD_ID, 4, &d, &cancel, &err), -1);
    assert_int_equal(err.kind, APIERR_CANCELLED);
    assert_int_equal(emu_request_count(emu), before);
    api_client_free(c);
}

static void test_detail_all_first_error_fails_all(void **state)
{
    (void)state;
    int conc[] = {1, 4};
    for (size_t i = 0; i < ARRAY_LEN(conc); i++) {
        struct api_client *c = client_for(emu);
        struct api_error err;
        struct detail_page d;
        pthread_mutex_lock(&obs_mu);
        fault_after_first = true;
        pthread_mutex_unlock(&obs_mu);
        assert_int_equal(api_detail_all(c, RECORD_ID, conc[i], &d, NULL, &err), -1);
        assert_int_equal(err.kind, APIERR_DECODE);
        assert_null(d.runs);
        emu_set_fault(emu, EMU_FAULT_NONE, 0);
        api_client_free(c);
    }
}

/* Requests one page of record 4242 as the server pages it. */
static void get_page(struct api_client *c, int64_t offset, int64_t limit, struct detail_page *p)
{
    struct detail_query q = {RECORD_ID, offset, limit};
    struct api_error err;
    if (api_describe_detail(c, &q, p, NULL, &err) != 0) fail_msg("%s", err.message);
}

/* The flat emulator over HTTP: offset 1200 is the tail of clb and the head of cdn, every
 * group listed with its full TotalCount; the group emulator gives clb's tail alone. */
static void test_flat_page_spans_groups(void **state)
{
    (void)state;
    struct api_client *c = client_for(emu_flat);
    struct detail_page p;
    get_page(c, 1200, 200, &p);
    const struct deploy_run *r = &p.runs[0];
    assert_int_equal(r->n_groups, ARRAY_LEN(groups));
    const int head = 1200 + 200 - groups[0].n; /* cdn items on the page */
    assert_int_equal(r->groups[0].n_items, (size_t)(groups[0].n - 1200));
    assert_int_equal(r->groups[1].n_items, (size_t)head);
    assert_int_equal(r->groups[2].n_items, 0);
    for (size_t g = 0; g < ARRAY_LEN(groups); g++)
        assert_int_equal(r->groups[g].total_count, groups[g].n);
    for (int i = 0; i < groups[0].n - 1200; i++)
        assert_int_equal(tu_item(&r->groups[0], i)->id, item_id(0, 1200 + i));
    for (int i = 0; i < head; i++)
        assert_int_equal(tu_item(&r->groups[1], i)->id, item_id(1, i));
    assert_int_equal(p.runs[1].groups[0].n_items, 0); /* the rollback run is 7 long */
    model_detail_page_clear(&p);

    /* Past the end of the first run: nothing at all, the counts still full. */
    get_page(c, 1434, 200, &p);
    for (size_t g = 0; g < ARRAY_LEN(groups); g++) {
        assert_int_equal(p.runs[0].groups[g].n_items, 0);
        assert_int_equal(p.runs[0].groups[g].total_count, groups[g].n);
    }
    model_detail_page_clear(&p);
    api_client_free(c);

    c = client_for(emu);
    get_page(c, 1200, 200, &p);
    assert_int_equal(p.runs[0].groups[0].n_items, (size_t)(groups[0].n - 1200));
    assert_int_equal(p.runs[0].groups[1].n_items, 0);
    model_detail_page_clear(&p);
    api_client_free(c);
}

/* api_detail_all against the flat emulator: exactly the dataset, each Id once, the same for
 * concurrency 1 and 4 and the same as against the group emulator; in as many requests as
 * the first run has pages (1,434 items: 8), whatever the concurrency. */
static void test_detail_all_flat(void **state)
{
    (void)state;
    struct api_client *c = client_for(emu);
    struct api_error err;
    struct detail_page by_group;
    assert_int_equal(api_detail_all(c, RECORD_ID, 4, &by_group, NULL, &err), 0);
    api_client_free(c);
    cJSON *want = tu_detail_json(&by_group);

    int run_items = 0;
    for (size_t g = 0; g < ARRAY_LEN(groups); g++)
        run_items += groups[g].n;
    const int pages = (run_items + API_DETAIL_MAX_LIMIT - 1) / API_DETAIL_MAX_LIMIT;

    const int conc[] = {1, 4};
    for (size_t k = 0; k < ARRAY_LEN(conc); k++) {
        c = client_for(emu_flat);
        struct detail_page d;
        assert_int_equal(api_detail_all(c, RECORD_ID, conc[k], &d, NULL, &err), 0);
        check_detail(&d);
        /* each Id once across the whole record */
        size_t n = 0;
        uint64_t *ids = NULL;
        for (size_t r = 0; r < d.n_runs; r++)
            for (size_t g = 0; g < d.runs[r].n_groups; g++)
                for (size_t i = 0; i < d.runs[r].groups[g].n_items; i++) {
                    ids = xrealloc(ids, (n + 1) * sizeof *ids);
                    ids[n++] = tu_item(&d.runs[r].groups[g], i)->id;
                }
        assert_int_equal(n, (size_t)run_items + RUN2_ITEMS);
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (ids[i] == ids[j]) fail_msg("Id %llu twice", (unsigned long long)ids[i]);
        free(ids);
        cJSON *got = tu_detail_json(&d);
        assert_true(cJSON_Compare(want, got, true));
        cJSON_Delete(got);
        assert_int_equal(n_detail_calls, pages);
        model_detail_page_clear(&d);
        api_client_free(c);
    }
    cJSON_Delete(want);
    model_detail_page_clear(&by_group);
}

/* Groups of 0, 0 and 450: under both readings the paging completes with the 450 in order
 * and the empty groups still there. */
static void test_detail_all_items_only_in_last_group(void **state)
{
    (void)state;
    struct emu *emus[] = {emu, emu_flat};
    const int conc[] = {1, 4};
    cJSON *first = NULL;
    for (size_t e = 0; e < ARRAY_LEN(emus); e++)
        for (size_t k = 0; k < ARRAY_LEN(conc); k++) {
            struct api_client *c = client_for(emus[e]);
            struct api_error err;
            struct detail_page d;
            assert_int_equal(api_detail_all(c, RECORD3_ID, conc[k], &d, NULL, &err), 0);
            assert_int_equal(d.n_runs, 1);
            assert_int_equal(d.runs[0].n_groups, ARRAY_LEN(last_only));
            for (size_t g = 0; g < ARRAY_LEN(last_only); g++) {
                const struct resource_group *grp = find_group(&d.runs[0], last_only[g].type);
                assert_non_null(grp);
                assert_int_equal(grp->total_count, last_only[g].n);
                assert_int_equal(grp->n_items, (size_t)last_only[g].n);
                for (int i = 0; i < last_only[g].n; i++)
                    assert_int_equal(tu_item(grp, i)->id,
                                     perm_id(last_only[g].first_id, last_only[g].n, i));
            }
            cJSON *j = tu_detail_json(&d);
            if (!first) {
                first = j;
            } else {
                assert_true(cJSON_Compare(first, j, true));
                cJSON_Delete(j);
            }
            model_detail_page_clear(&d);
            api_client_free(c);
        }
    cJSON_Delete(first);
}

static void test_records_all_250(void **state)
{
    (void)state;
    struct emu_config cfg = {
        .listen = "127.0.0.1:0", .records = 250, .max_instances = 5, .rate = -1};
    struct emu *big = tu_emu_start(&cfg);
    struct api_client *c = client_for(big);
    struct api_error err;
    struct records_page all;
    assert_int_equal(api_records_all(c, NULL, &all, NULL, &err), 0);
    assert_int_equal(all.total_count, 250);
    assert_int_equal(all.n_records, 250);
    for (size_t i = 0; i < all.n_records; i++)
        for (size_t j = i + 1; j < all.n_records; j++)
            assert_true(all.records[i].id != all.records[j].id);
    /* Server order (newest first), page after page. */
    struct records_page first;
    struct records_query q = {.offset = 0, .limit = 100};
    assert_int_equal(api_describe_records(c, &q, &first, NULL, &err), 0);
    for (size_t i = 0; i < first.n_records; i++)
        assert_int_equal(all.records[i].id, first.records[i].id);
    model_records_page_clear(&first);
    model_records_page_clear(&all);

    /* The filtered list of the paging dataset's certificate: its three records. */
    api_client_free(c);
    c = client_for(emu);
    assert_int_equal(api_records_all(c, "PAGEcert", &all, NULL, &err), 0);
    assert_int_equal(all.n_records, 3);
    model_records_page_clear(&all);
    api_client_free(c);
    emu_stop(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_all_sequential_and_concurrent),
        cmocka_unit_test(test_detail_all_cancelled),
        cmocka_unit_test(test_detail_all_first_error_fails_all),
        cmocka_unit_test(test_flat_page_spans_groups),
        cmocka_unit_test(test_detail_all_flat),
        cmocka_unit_test(test_detail_all_items_only_in_last_group),
        cmocka_unit_test(test_records_all_250),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
