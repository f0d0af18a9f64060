/* Tests for compact storage (core/model_arena, the arena side of core/model): strings decoded
 * into a group's arena equal the JSON's, repeated ones shared; pages merged in place through
 * a persistent Id index (duplicates across and within pages once, the index surviving merges,
 * the items array growing geometrically); refreshes replacing items without copying what did
 * not change; the process-wide byte count and the budget; sizes parsed and printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "core/codec.h"
#include "core/model.h"
#include "core/model_arena.h"
#include "core/store.h"
#include "core/util.h"
#include "testutil.h"

/* A detail body of one run and one clb group holding items first..first+n-1: unique instance
 * Ids and names, repeated types, regions, protocols and error messages, times that repeat
 * every 7 items, one domain list in three shared. */
static char *group_body(uint64_t first, size_t n, int status)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Response\":{\"RequestId\":\"r\",\"DeployRecordDetail\":[{\"TotalCount\":1,"
                 "\"Type\":0,\"Status\":1,\"RecordDetailList\":[{\"ResourceType\":\"clb\","
                 "\"TotalCount\":100000,\"List\":[");
    for (size_t i = 0; i < n; i++) {
        uint64_t id = first + i;
        buf_printf(
            &b,
            "%s{\"Id\":%llu,\"OldCertId\":\"Cert01\",\"Status\":%d,\"ErrorMsg\":\"%s\","
            "\"CreateTime\":\"2025-05-01T10:00:%02uZ\",\"UpdateTime\":\"2025-05-01T11:%02uZ\","
            "\"InstanceId\":\"lb-%llu\",\"InstanceName\":\"负载均衡-%llu\","
            "\"ListenerId\":\"lbl-%llu\",\"ListenerName\":\"https\","
            "\"Domains\":[\"www.example.com\",\"d%llu.example.com\"],\"Protocol\":\"HTTPS\","
            "\"SniSwitch\":1,\"Forward\":1,\"SSLMode\":\"UNIDIRECTIONAL\","
            "\"ResourceType\":\"clb\",\"Region\":\"ap-%s\",\"Bucket\":\"\","
            "\"Namespace\":\"\",\"SecretName\":\"\",\"Port\":443}",
            i ? "," : "", (unsigned long long)id, status, status == 2 ? "listener busy" : "",
            (unsigned)(id % 7), (unsigned)(id % 7), (unsigned long long)id, (unsigned long long)id,
            (unsigned long long)id, (unsigned long long)(id % 3),
            id % 2 ? "guangzhou" : "shanghai");
    }
    buf_puts(&b, "]}]}]}}");
    return buf_steal(&b);
}

static void decode(const char *body, struct detail_page *p)
{
    struct api_error err;
    if (codec_decode_detail_body(body, strlen(body), p, &err) != 0)
        fail_msg("decode: %s", err.message);
}

/* Every field of every item equals the JSON text it was decoded from. */
static void assert_items_match_json(const struct resource_group *g, const char *body)
{
    cJSON *root = cJSON_Parse(body);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetArrayItem(
                    cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(root, "Response"), "DeployRecordDetail"),
                    0),
                "RecordDetailList"),
            0),
        "List");
    assert_int_equal((size_t)cJSON_GetArraySize(list), g->n_items);
    size_t i = 0;
    for (const cJSON *o = list->child; o; o = o->next, i++) {
        const struct deploy_item *it = tu_item(g, i);
#define S(name, m)                                                                                 \
    assert_string_equal(it->m, cJSON_GetObjectItemCaseSensitive(o, name)->valuestring)
        S("OldCertId", old_cert_id);
        S("ErrorMsg", error_msg);
        S("CreateTime", create_time);
        S("UpdateTime", update_time);
        S("InstanceId", instance_id);
        S("InstanceName", instance_name);
        S("ListenerId", listener_id);
        S("ListenerName", listener_name);
        S("Protocol", protocol);
        S("SSLMode", ssl_mode);
        S("ResourceType", resource_type);
        S("Region", region);
        S("Bucket", bucket);
        S("Namespace", namespace_);
        S("SecretName", secret_name);
#undef S
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "Domains");
        assert_int_equal(it->n_domains, (size_t)cJSON_GetArraySize(d));
        for (size_t k = 0; k < it->n_domains; k++)
            assert_string_equal(it->domains[k], cJSON_GetArrayItem(d, (int)k)->valuestring);
        assert_int_equal(it->id, (uint64_t)cJSON_GetObjectItemCaseSensitive(o, "Id")->valuedouble);
        assert_int_equal(it->port, 443);
    }
    cJSON_Delete(root);
}

static void test_decode_into_arena(void **state)
{
    (void)state;
    size_t before = model_mem_held();
    char *body = group_body(1, 600, 2);
    struct detail_page p;
    decode(body, &p);
    struct resource_group *g = &p.runs[0].groups[0];
    assert_non_null(g->arena);
    assert_items_match_json(g, body);
    /* Repeated values are one string; unique ones are not shared. */
    for (size_t i = 1; i < g->n_items; i++) {
        assert_ptr_equal(tu_item(g, i)->resource_type, tu_item(g, 0)->resource_type);
        assert_ptr_equal(tu_item(g, i)->protocol, tu_item(g, 0)->protocol);
        assert_ptr_equal(tu_item(g, i)->error_msg, tu_item(g, 0)->error_msg);
        assert_ptr_equal(tu_item(g, i)->domains[0], tu_item(g, 0)->domains[0]);
        assert_ptr_equal(tu_item(g, i)->bucket, tu_item(g, i)->namespace_); /* the one "" */
        assert_ptr_not_equal(tu_item(g, i)->instance_id, tu_item(g, 0)->instance_id);
    }
    assert_ptr_equal(tu_item(g, 7)->create_time, tu_item(g, 0)->create_time);
    /* Held compactly: besides the items array, under 100 bytes an item for its 17 strings
     * (separately allocated, they took over 500 with malloc's overhead). */
    size_t held = model_mem_held() - before;
    assert_true(g->arena->items_cap >= 600);
    assert_true(held - g->arena->items_cap * sizeof(struct deploy_item) < 600 * 100);
    /* The group's own name and the run's strings stay heap strings (freed one by one). */
    model_detail_page_clear(&p);
    assert_int_equal(model_mem_held(), before);
    free(body);
}

/* Pages of one group merged in place: duplicates across pages and inside one once, the Id
 * index kept by the group and grown with it, the items array growing geometrically (a few
 * reallocations for 10,000 items, not one a page), every value equal to its JSON. */
static void test_merge_pages_in_place(void **state)
{
    (void)state;
    size_t before = model_mem_held();
    char *body0 = group_body(1, 200, 1);
    struct detail_page out;
    decode(body0, &out);
    struct resource_group *dst = &out.runs[0].groups[0];
    size_t reallocs = 0;
    const void *last = dst->items;
    for (uint64_t first = 151; first <= 10000; first += 150) { /* pages overlap by 50 */
        size_t n = first + 199 > 10000 ? (size_t)(10001 - first) : 200;
        char *body = group_body(first, n, 1);
        struct detail_page page;
        decode(body, &page);
        size_t had = dst->n_items;
        size_t added = model_group_merge(dst, &page.runs[0].groups[0]);
        assert_int_equal(dst->n_items, had + added);
        if ((const void *)dst->packed != last) reallocs++;
        last = dst->packed;
        /* the page is left as it was, and freeing it frees none of dst's strings */
        assert_int_equal(page.runs[0].groups[0].n_items, n);
        model_detail_page_clear(&page);
        free(body);
    }
    assert_int_equal(dst->n_items, 10000);
    assert_true(reallocs <= 12);
    for (size_t i = 0; i < dst->n_items; i++) {
        assert_int_equal(tu_item(dst, i)->id, i + 1);
        char want[32];
        snprintf(want, sizeof want, "lb-%zu", i + 1);
        assert_string_equal(tu_item(dst, i)->instance_id, want);
        assert_string_equal(tu_item(dst, i)->domains[0], "www.example.com");
        assert_ptr_equal(tu_item(dst, i)->region, tu_item(dst, i % 2)->region);
    }
    /* The index answers for every Id and none other. */
    struct deploy_item scratch;
    for (uint64_t id = 1; id <= 10000; id += 37)
        assert_int_equal(model_group_find(dst, id, &scratch)->id, id);
    assert_null(model_group_find(dst, 10001, &scratch));
    assert_null(model_group_find(dst, 0, &scratch));

    /* Duplicates inside one page, and the whole group again: nothing added. */
    char *dup = group_body(5000, 200, 1);
    struct detail_page page;
    decode(dup, &page);
    page.runs[0].groups[0].items[1].id = 5000;
    assert_int_equal(model_group_merge(dst, &page.runs[0].groups[0]), 0);
    model_detail_page_clear(&page);
    free(dup);
    assert_int_equal(dst->n_items, 10000);

    /* An item cut from the end by hand is indexed again, not found at a stale position. */
    dst->n_items = 9000;
    assert_null(model_group_find(dst, 9500, &scratch));
    assert_int_equal(model_group_find(dst, 8999, &scratch)->id, 8999);
    dst->n_items = 10000;
    model_detail_page_clear(&out);
    assert_int_equal(model_mem_held(), before);
    free(body0);
}

/* A refresh (model_group_upsert, what the store does with every page): items of known Ids
 * take the new values; strings that did not change keep their storage, so refreshing the same
 * page again and again does not grow the arena. */
static void test_upsert_replaces_without_growth(void **state)
{
    (void)state;
    char *ok = group_body(1, 200, 1), *failed = group_body(1, 200, 2);
    struct detail_page out, page;
    decode(ok, &out);
    struct resource_group *dst = &out.runs[0].groups[0];
    /* The first refresh packs the decoded page into an arena of its own. */
    decode(ok, &page);
    assert_int_equal(model_group_upsert(dst, &page.runs[0].groups[0]), 0);
    model_detail_page_clear(&page);
    assert_null(dst->items);
    assert_non_null(dst->packed);
    const char *name0 = tu_item(dst, 0)->instance_name;

    decode(failed, &page);
    assert_int_equal(model_group_upsert(dst, &page.runs[0].groups[0]), 0);
    model_detail_page_clear(&page);
    assert_items_match_json(dst, failed);
    assert_ptr_equal(tu_item(dst, 0)->instance_name, name0);
    assert_int_equal(tu_item(dst, 0)->status, 2);

    size_t held = model_mem_held();
    for (int round = 0; round < 20; round++) {
        decode(failed, &page);
        model_group_upsert(dst, &page.runs[0].groups[0]);
        model_detail_page_clear(&page);
    }
    assert_int_equal(model_mem_held(), held);
    assert_items_match_json(dst, failed);

    /* A page of new Ids is appended, and the old ones stay. */
    char *more = group_body(201, 50, 1);
    decode(more, &page);
    assert_int_equal(model_group_upsert(dst, &page.runs[0].groups[0]), 50);
    model_detail_page_clear(&page);
    assert_int_equal(dst->n_items, 250);
    assert_int_equal(tu_item(dst, 249)->id, 250);
    model_detail_page_clear(&out);
    free(ok);
    free(failed);
    free(more);
}

/* A group built by hand (its items own their strings) merged into: they move into an arena. */
static void test_hand_built_group_moves_into_arena(void **state)
{
    (void)state;
    struct resource_group g = {0};
    g.resource_type = xstrdup("cdn");
    g.items = xcalloc(2, sizeof *g.items);
    g.n_items = 2;
    for (size_t i = 0; i < 2; i++) {
        g.items[i].id = i + 1;
        g.items[i].instance_id = xasprintf("cdn-%zu", i);
        g.items[i].domains = xcalloc(1, sizeof(char *));
        g.items[i].domains[0] = xstrdup("x.example.com");
        g.items[i].n_domains = 1;
    }
    struct resource_group page = {0};
    page.items = xcalloc(1, sizeof *page.items);
    page.n_items = 1;
    page.items[0].id = 3;
    page.items[0].instance_id = xstrdup("cdn-3");
    assert_int_equal(model_group_merge(&g, &page), 1);
    assert_non_null(g.arena);
    assert_string_equal(tu_item(&g, 0)->instance_id, "cdn-0");
    assert_string_equal(tu_item(&g, 1)->domains[0], "x.example.com");
    assert_ptr_equal(tu_item(&g, 0)->domains[0], tu_item(&g, 1)->domains[0]);
    assert_string_equal(tu_item(&g, 2)->instance_id, "cdn-3");
    model_group_clear(&page);
    model_group_clear(&g); /* ASan: nothing leaked, nothing freed twice */
}

/* Every member of a equals b's (strings by content, NULL as NULL). */
static void assert_item_equal(const struct deploy_item *a, const struct deploy_item *b)
{
    assert_true(a->id == b->id);
#define S(m)                                                                                       \
    do {                                                                                           \
        if (!b->m)                                                                                 \
            assert_null(a->m);                                                                     \
        else                                                                                       \
            assert_string_equal(a->m, b->m);                                                       \
    } while (0)
    S(old_cert_id);
    S(instance_id);
    S(instance_name);
    S(listener_id);
    S(listener_name);
    S(protocol);
    S(error_msg);
    S(create_time);
    S(update_time);
    S(bucket);
    S(namespace_);
    S(secret_name);
    S(region);
    S(ssl_mode);
    S(resource_type);
    assert_int_equal(a->n_domains, b->n_domains);
    assert_int_equal(!a->domains, !b->domains);
    for (size_t k = 0; k < b->n_domains; k++)
        S(domains[k]);
#undef S
    assert_int_equal(a->domains_null, b->domains_null);
    assert_true(a->status == b->status);
    assert_true(a->sni_switch == b->sni_switch);
    assert_true(a->port == b->port);
    assert_true(a->forward == b->forward);
}

/* A hand-built group of n items whose members take every form a packed item must keep: NULL
 * and empty strings, a string longer than a block, a null and a shared Domains list, numbers
 * past 32 bits either way. */
static void make_varied_group(struct resource_group *g, size_t n)
{
    memset(g, 0, sizeof *g);
    g->resource_type = xstrdup("clb");
    g->items = xcalloc(n, sizeof *g->items);
    g->n_items = n;
    for (size_t i = 0; i < n; i++) {
        struct deploy_item *it = &g->items[i];
        it->id = 1000 + i;
        it->old_cert_id = xstrdup("Cert01");
        it->instance_id = xasprintf("lb-%zu", i);
        it->instance_name = i % 5 ? xasprintf("名前-%zu", i) : NULL;
        it->listener_id = xstrdup(i % 3 ? "" : "lbl-1");
        it->listener_name = xstrdup(i % 2 ? "https" : "监听器");
        it->protocol = xstrdup("HTTPS");
        it->error_msg = xstrdup(i % 4 ? "" : "listener busy");
        it->create_time = xstrdup("2025-05-01 10:00:00");
        it->update_time = xasprintf("2025-05-01 10:%02zu:00", i % 60);
        it->bucket = xstrdup("");
        it->region = xstrdup(i % 2 ? "ap-guangzhou" : "ap-shanghai");
        it->ssl_mode = i % 7 ? NULL : xstrdup("MUTUAL");
        it->resource_type = xstrdup("clb");
        it->status = (int64_t)(i % 3);
        it->sni_switch = 1;
        it->port = 443;
        it->forward = (int64_t)(i % 2);
        if (i % 10 == 9) {
            it->domains_null = true;
        } else {
            it->n_domains = i % 2 ? 1 : 2;
            it->domains = xcalloc(it->n_domains, sizeof(char *));
            it->domains[0] = xstrdup("www.example.com");
            if (it->n_domains == 2) it->domains[1] = xasprintf("d%zu.example.com", i % 4);
        }
    }
    struct deploy_item *w = &g->items[7];
    w->port = (int64_t)1 << 40;
    w->status = INT64_MIN;
    g->items[8].port = -70000;
    g->items[8].forward = INT32_MIN;
    free(g->items[11].error_msg);
    g->items[11].error_msg = xcalloc(1, 100001);
    memset(g->items[11].error_msg, 'x', 100000);
}

/* Packed and unpacked again, every item equals what was merged; items share their shape and
 * their Domains lists; a packed item takes 48 bytes; a refresh changes only what changed. */
static void test_packed_items_round_trip(void **state)
{
    (void)state;
    struct resource_group src, dst = {0};
    make_varied_group(&src, 600);
    assert_int_equal(model_group_merge(&dst, &src), 600);
    assert_null(dst.items);
    assert_non_null(dst.packed);
    for (size_t i = 0; i < 600; i++) {
        assert_item_equal(tu_item(&dst, i), &src.items[i]);
        assert_true(model_group_item_id(&dst, i) == src.items[i].id);
        assert_true(model_group_item_status(&dst, i) == src.items[i].status);
    }
    assert_int_equal(model_item_packed_size(), 48);
    /* 600 items, a few dozen shapes (status x region x listener name x SSL mode, the two with
     * wide numbers) and a handful of Domains lists. */
    assert_true(dst.arena->recs.n <= 2 * 3 * 2 * 2 + 4);
    assert_ptr_equal(tu_item(&dst, 1)->domains, tu_item(&dst, 3)->domains);
    assert_ptr_equal(tu_item(&dst, 5)->region, tu_item(&dst, 3)->region);

    /* A copy of a packed group is packed and equal. */
    struct resource_group copy;
    model_group_copy(&copy, &dst);
    for (size_t i = 0; i < 600; i += 7)
        assert_item_equal(tu_item(&copy, i), &src.items[i]);
    model_group_clear(&copy);

    /* A refresh: item 2 fails, item 7's numbers become narrow; names keep their storage. */
    const char *name2 = tu_item(&dst, 2)->instance_name;
    src.items[2].status = MODEL_STATUS_FAILED;
    src.items[7].port = 8443;
    src.items[7].status = 1;
    assert_int_equal(model_group_upsert(&dst, &src), 0);
    assert_int_equal(model_group_item_status(&dst, 2), MODEL_STATUS_FAILED);
    assert_ptr_equal(tu_item(&dst, 2)->instance_name, name2);
    for (size_t i = 0; i < 600; i++)
        assert_item_equal(tu_item(&dst, i), &src.items[i]);
    size_t pos = model_group_position(&dst, 1000 + 599);
    assert_int_equal(pos, 599);
    assert_int_equal(model_group_position(&dst, 999), SIZE_MAX);
    model_group_clear(&src);
    model_group_clear(&dst);
}

/* An arena out of blocks is full: what did not fit is lost, and the memory check says so
 * until the arena is freed; reading the group never crashes. */
static void test_full_arena_is_reported(void **state)
{
    (void)state;
    struct resource_group src, dst = {0};
    make_varied_group(&src, 600);
    model_arena_limit_blocks(3);
    size_t full_before = model_mem_full();
    model_group_merge(&dst, &src);
    assert_true(dst.arena->full);
    assert_int_equal(model_mem_full(), full_before + 1);
    assert_true(model_mem_over());
    for (size_t i = 0; i < dst.n_items; i++) {
        const struct deploy_item *it = tu_item(&dst, i);
        assert_true(it->id == 1000 + i); /* the Ids are in the items array, never lost */
        if (it->instance_id) assert_string_equal(it->instance_id, src.items[i].instance_id);
    }
    model_arena_limit_blocks(0);
    model_group_clear(&dst);
    model_group_clear(&src);
    assert_int_equal(model_mem_full(), full_before);
}

/* Past the budget the store forgets other records' idle details first; when that is not
 * enough it fails the entry with the option named, keeping what it loaded and dropping the
 * pages that arrive after. */
static void test_store_budget(void **state)
{
    (void)state;
    struct store *s = store_new();
    char *p0 = group_body(1, 200, 1), *p1 = group_body(201, 200, 1);
    struct detail_page page;
    store_detail_begin(s, 8, false); /* another record, loaded and idle */
    decode(p0, &page);
    store_detail_put(s, 8, 0, 200, &page);
    model_detail_page_clear(&page);

    decode(p0, &page);
    model_mem_set_budget(model_mem_held() + 1); /* room for one record's page, not two */
    store_detail_begin(s, 9, false);
    store_detail_put(s, 9, 0, 200, &page);
    model_detail_page_clear(&page);
    store_lock(s);
    assert_null(store_detail(s, 8)); /* forgotten to make room */
    assert_int_equal(store_detail(s, 9)->meta.state, STORE_LOADED);
    store_unlock(s);

    model_mem_set_budget(model_mem_held()); /* spent: the next page passes it */
    store_detail_begin(s, 9, false);
    decode(p1, &page);
    store_detail_put(s, 9, 200, 200, &page);
    model_detail_page_clear(&page);
    model_mem_set_budget(0);

    store_lock(s);
    const struct store_detail *d = store_detail(s, 9);
    assert_int_equal(d->meta.state, STORE_ERROR);
    assert_int_equal(d->meta.last_error.kind, APIERR_MEMORY);
    assert_non_null(strstr(d->meta.last_error.message, "more than --max-memory"));
    /* what was loaded stays; the page that found the budget spent was dropped */
    assert_int_equal(d->page.runs[0].groups[0].n_items, 200);
    store_unlock(s);

    /* Pages still on their way are dropped too: the entry stays in error, no bigger. */
    size_t held = model_mem_held();
    model_mem_set_budget(held);
    char *p2 = group_body(401, 200, 1);
    decode(p2, &page);
    store_detail_put(s, 9, 400, 200, &page);
    model_detail_page_clear(&page);
    model_mem_set_budget(0);
    store_lock(s);
    d = store_detail(s, 9);
    assert_int_equal(d->meta.state, STORE_ERROR);
    assert_int_equal(d->page.runs[0].groups[0].n_items, 200);
    store_unlock(s);
    assert_int_equal(model_mem_held(), held);
    free(p2);
    store_free(s);
    free(p0);
    free(p1);
}

static void test_sizes(void **state)
{
    (void)state;
    size_t v;
    assert_int_equal(model_mem_parse_size("512M", &v), 0);
    assert_int_equal(v, (size_t)512 << 20);
    assert_int_equal(model_mem_parse_size("4g", &v), 0);
    assert_int_equal(v, (size_t)4 << 30);
    assert_int_equal(model_mem_parse_size("1500KiB", &v), 0);
    assert_int_equal(v, (size_t)1500 << 10);
    assert_int_equal(model_mem_parse_size("2GB", &v), 0);
    assert_int_equal(model_mem_parse_size("1073741824", &v), 0);
    assert_int_equal(v, (size_t)1 << 30);
    static const char *const bad[] = {
        "",  "M", "0", "0G", "-1G", "1.5G", "12Q", "1G ", "99999999999999999999", "17179869184T",
        NULL};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        assert_int_equal(model_mem_parse_size(bad[i], &v), -1);
    char buf[32];
    assert_string_equal(model_mem_format(512, buf, sizeof buf), "512 B");
    assert_string_equal(model_mem_format((size_t)1 << 20, buf, sizeof buf), "1 MiB");
    assert_string_equal(model_mem_format((size_t)3 << 29, buf, sizeof buf), "1.5 GiB");
    assert_true(model_mem_default_budget() >= (size_t)256 << 20);
    model_mem_set_budget(1);
    size_t held = model_mem_held();
    assert_int_equal(model_mem_over(), held > 1);
    model_mem_set_budget(0);
    assert_false(model_mem_over());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_into_arena),
        cmocka_unit_test(test_merge_pages_in_place),
        cmocka_unit_test(test_upsert_replaces_without_growth),
        cmocka_unit_test(test_hand_built_group_moves_into_arena),
        cmocka_unit_test(test_packed_items_round_trip),
        cmocka_unit_test(test_full_arena_is_reported),
        cmocka_unit_test(test_store_budget),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
