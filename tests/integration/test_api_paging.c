/* Paging through the emulator: every item of a record whose groups are larger than a page
 * (1,234, 200 and 0 instances), fetched sequentially and concurrently, cancelled and failed
 * half way; and the whole records list over several pages. */
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

/* The groups of the dataset's first run, and of its second. */
static const struct {
    const char *type;
    int n;
    uint64_t first_id;
} groups[] = {{"clb", 1234, 100000}, {"cdn", 200, 200000}, {"waf", 0, 300000}};
#define RUN2_ITEMS 7

static char *tmp_dir; /* holds the dataset file */
static struct emu *emu;

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
        if (n_detail_calls == 0 && fault_after_first) emu_set_fault(emu, EMU_FAULT_GARBAGE, 1);
        n_detail_calls++;
    }
    pthread_mutex_unlock(&obs_mu);
}

/* The server lists a group's items in dataset order; ids are a permutation so that order is
 * not simply ascending. */
static uint64_t item_id(size_t g, int i)
{
    return groups[g].first_id + (uint64_t)((i * 7919) % groups[g].n);
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
    free(dataset);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    emu_stop(emu);
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
            assert_int_equal(grp->items[i].id, item_id(g, i));
            assert_string_equal(grp->items[i].resource_type, groups[g].type);
        }
    }
    const struct resource_group *g2 = find_group(&d->runs[1], "clb");
    assert_non_null(g2);
    assert_int_equal(g2->n_items, RUN2_ITEMS);
    for (int i = 0; i < RUN2_ITEMS; i++)
        assert_int_equal(g2->items[i].id, 900000 + i);
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

    /* The filtered list of the paging dataset's certificate. */
    api_client_free(c);
    c = client_for(emu);
    assert_int_equal(api_records_all(c, "PAGEcert", &all, NULL, &err), 0);
    assert_int_equal(all.n_records, 2);
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
        cmocka_unit_test(test_records_all_250),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
