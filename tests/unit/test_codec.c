/* Tests for core/codec: the seed page's example decodes to exactly its values and re-encodes
 * to the same JSON; every field rejects every wrong type with its exact path; nulls, missing
 * fields, numeric strings, ranges, UTF-8, escapes, deep nesting, huge strings, truncation and
 * error envelopes each give their precise result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/codec.h"
#include "core/sanitize.h"
#include "core/util.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static int decode_detail(const char *json, struct detail_page *p, struct api_error *e)
{
    return codec_decode_detail_body(json, strlen(json), p, e);
}

/* Walks "Response.A[1].B" from root. On return *parent is the container holding the node and
 * key/index name the last step (index -1 for an object member). Returns the node or NULL. */
static cJSON *nav(cJSON *root, const char *path, cJSON **parent, char *key, int *index)
{
    cJSON *cur = root;
    *parent = NULL;
    *index = -1;
    key[0] = '\0';
    const char *p = path;
    while (*p && cur) {
        if (*p == '.') p++;
        if (*p == '[') {
            int i = atoi(p + 1);
            *parent = cur;
            *index = i;
            key[0] = '\0';
            cur = cJSON_GetArrayItem(cur, i);
            p = strchr(p, ']') + 1;
        } else {
            size_t n = strcspn(p, ".[");
            memcpy(key, p, n);
            key[n] = '\0';
            *parent = cur;
            *index = -1;
            cur = cJSON_GetObjectItemCaseSensitive(cur, key);
            p += n;
        }
    }
    return cur;
}

/* The seed with the node at path replaced by replacement (JSON text, placed verbatim so
 * numbers keep every digit), or deleted when replacement is NULL, as compact JSON. */
static char *seed_mutated(const char *seed, const char *path, const char *replacement)
{
    cJSON *root = cJSON_Parse(seed);
    assert_non_null(root);
    cJSON *parent;
    char key[128];
    int index;
    cJSON *node = nav(root, path, &parent, key, &index);
    if (!node) fail_msg("test path %s not found in the seed", path);
    if (!replacement) {
        if (index >= 0)
            cJSON_DeleteItemFromArray(parent, index);
        else
            cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
    } else {
        cJSON *r = cJSON_CreateString("@@REPLACEMENT@@");
        if (index >= 0)
            assert_true(cJSON_ReplaceItemInArray(parent, index, r));
        else
            assert_true(cJSON_ReplaceItemInObjectCaseSensitive(parent, key, r));
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!replacement) {
        char *copy = xstrdup(s);
        cJSON_free(s);
        return copy;
    }
    const char *mark = "\"@@REPLACEMENT@@\"";
    char *at = strstr(s, mark);
    assert_non_null(at);
    struct buf b = {0};
    buf_append(&b, s, (size_t)(at - s));
    buf_puts(&b, replacement);
    buf_puts(&b, at + strlen(mark));
    cJSON_free(s);
    return buf_steal(&b);
}

/* Decodes the seed with the node at path replaced (as seed_mutated) as a detail body. */
static int decode_mutated(const char *seed, const char *path, const char *replacement,
                          struct detail_page *p, struct api_error *e)
{
    char *doc = seed_mutated(seed, path, replacement);
    apierr_clear(e);
    int r = decode_detail(doc, p, e);
    free(doc);
    return r;
}

/* Decodes `json` as a detail body and asserts it fails with kind and exactly message. */
static void expect_detail_error(const char *json, size_t len, enum apierr_kind kind,
                                const char *message)
{
    struct detail_page p;
    struct api_error e;
    apierr_clear(&e);
    int r = codec_decode_detail_body(json, len, &p, &e);
    if (r == 0) {
        model_detail_page_clear(&p);
        fail_msg("expected failure \"%s\", decoding succeeded", message);
    }
    assert_int_equal(e.kind, kind);
    assert_string_equal(e.message, message);
    /* On failure out is left empty. */
    assert_null(p.runs);
    assert_int_equal(p.n_runs, 0);
    assert_null(p.request_id);
}

static void expect_mutation_error(const char *seed, const char *path, const char *replacement,
                                  const char *message)
{
    char *doc = seed_mutated(seed, path, replacement);
    expect_detail_error(doc, strlen(doc), APIERR_DECODE, message);
    free(doc);
}

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_items_equal(const struct deploy_item *a, const struct deploy_item *b)
{
    assert_true(a->id == b->id);
    assert_true(str_eq(a->old_cert_id, b->old_cert_id));
    assert_true(str_eq(a->instance_id, b->instance_id));
    assert_true(str_eq(a->instance_name, b->instance_name));
    assert_true(str_eq(a->listener_id, b->listener_id));
    assert_true(str_eq(a->listener_name, b->listener_name));
    assert_int_equal(a->n_domains, b->n_domains);
    for (size_t i = 0; i < a->n_domains; i++)
        assert_true(str_eq(a->domains[i], b->domains[i]));
    assert_int_equal(a->domains_null, b->domains_null);
    assert_true(str_eq(a->protocol, b->protocol));
    assert_true(a->status == b->status);
    assert_true(str_eq(a->error_msg, b->error_msg));
    assert_true(str_eq(a->create_time, b->create_time));
    assert_true(str_eq(a->update_time, b->update_time));
    assert_true(a->sni_switch == b->sni_switch);
    assert_true(str_eq(a->bucket, b->bucket));
    assert_true(str_eq(a->namespace_, b->namespace_));
    assert_true(str_eq(a->secret_name, b->secret_name));
    assert_true(a->port == b->port);
    assert_true(str_eq(a->region, b->region));
    assert_true(a->forward == b->forward);
    assert_true(str_eq(a->ssl_mode, b->ssl_mode));
    assert_true(str_eq(a->resource_type, b->resource_type));
}

static void assert_runs_equal(const struct deploy_run *a, const struct deploy_run *b)
{
    assert_true(a->total_count == b->total_count);
    assert_true(a->success_total_count == b->success_total_count);
    assert_true(a->failed_total_count == b->failed_total_count);
    assert_true(a->running_total_count == b->running_total_count);
    assert_int_equal(a->has_pending_total_count, b->has_pending_total_count);
    if (a->has_pending_total_count) assert_true(a->pending_total_count == b->pending_total_count);
    assert_true(a->type == b->type);
    assert_true(a->status == b->status);
    assert_true(str_eq(a->create_time, b->create_time));
    assert_int_equal(a->groups_null, b->groups_null);
    assert_int_equal(a->n_groups, b->n_groups);
    for (size_t g = 0; g < a->n_groups; g++) {
        const struct resource_group *ga = &a->groups[g], *gb = &b->groups[g];
        assert_true(str_eq(ga->resource_type, gb->resource_type));
        assert_true(ga->total_count == gb->total_count);
        assert_int_equal(ga->list_null, gb->list_null);
        assert_int_equal(ga->n_items, gb->n_items);
        for (size_t i = 0; i < ga->n_items; i++)
            assert_items_equal(tu_item(ga, i), tu_item(gb, i));
    }
}

static void assert_pages_equal(const struct detail_page *a, const struct detail_page *b)
{
    assert_true(str_eq(a->request_id, b->request_id));
    assert_int_equal(a->n_runs, b->n_runs);
    for (size_t r = 0; r < a->n_runs; r++)
        assert_runs_equal(&a->runs[r], &b->runs[r]);
}

/* ---- the seed page ---------------------------------------------------------------------- */

/* env is the seed document, printed compactly (member order included). */
static void assert_is_compact_seed(const char *env, const char *seed)
{
    cJSON *seed_root = cJSON_Parse(seed);
    char *seed_compact = cJSON_PrintUnformatted(seed_root);
    assert_string_equal(env, seed_compact);
    cJSON_free(seed_compact);
    cJSON_Delete(seed_root);
}

/* Decodes json as a records body and asserts it fails with exactly message. */
static void expect_records_error(const char *json, const char *message)
{
    struct records_page p;
    struct api_error e;
    assert_int_equal(codec_decode_records_body(json, strlen(json), &p, &e), -1);
    assert_string_equal(e.message, message);
}

static void test_seed_detail_values(void **state)
{
    (void)state;
    size_t len;
    char *seed = tu_read_testdata("seed_detail_response.json", &len);
    struct detail_page p;
    struct api_error e;
    apierr_clear(&e);
    assert_int_equal(codec_decode_detail_body(seed, len, &p, &e), 0);
    assert_int_equal(e.kind, APIERR_NONE);
    assert_string_equal(p.request_id, "79b4dae4-51a7-4345-9b2b-0c6a29f69291");
    tu_assert_seed_detail(&p);
    model_detail_page_clear(&p);
    free(seed);
}

static void test_seed_detail_encodes_to_the_seed(void **state)
{
    (void)state;
    size_t len;
    char *seed = tu_read_testdata("seed_detail_response.json", &len);
    struct detail_page p;
    struct api_error e;
    assert_int_equal(codec_decode_detail_body(seed, len, &p, &e), 0);

    /* The detail without RequestId equals the seed's Response minus RequestId: as a tree
     * (cJSON_Compare ignores member order) and printed (which checks the order too). */
    cJSON *want_root = cJSON_Parse(seed);
    cJSON *want = cJSON_GetObjectItemCaseSensitive(want_root, "Response");
    cJSON_DeleteItemFromObjectCaseSensitive(want, "RequestId");
    cJSON *got = tu_detail_json(&p);
    assert_true(cJSON_Compare(got, want, 1));
    char *got_s = cJSON_PrintUnformatted(got);
    char *want_s = cJSON_PrintUnformatted(want);
    assert_string_equal(got_s, want_s);
    cJSON_free(got_s);
    cJSON_free(want_s);
    cJSON_Delete(want_root);

    /* The whole envelope is byte-identical to the compact seed. */
    char *env = codec_envelope(got, p.request_id);
    assert_is_compact_seed(env, seed);

    /* And decoding it again gives the same values. */
    struct detail_page again;
    assert_int_equal(codec_decode_detail_body(env, strlen(env), &again, &e), 0);
    assert_pages_equal(&p, &again);
    model_detail_page_clear(&again);
    free(env);
    model_detail_page_clear(&p);
    free(seed);
}

static void test_seed_records_values_and_round_trip(void **state)
{
    (void)state;
    size_t len;
    char *seed = tu_read_testdata("seed_records_response.json", &len);
    struct records_page p;
    struct api_error e;
    assert_int_equal(codec_decode_records_body(seed, len, &p, &e), 0);
    assert_true(p.total_count == 3);
    assert_int_equal(p.n_records, 3);
    assert_string_equal(p.request_id, "2c7e1b0a-9d4f-4e8a-b1c3-5f6a7d8e9f01");
    const uint64_t ids[] = {3, 2, 1};
    const int64_t statuses[] = {0, 7, 4};
    const char *created[] = {"2025-05-27 12:05:26", "2025-05-20 15:03:17", "2025-05-19 10:41:02"};
    for (size_t i = 0; i < 3; i++) {
        const struct update_record *r = &p.records[i];
        assert_true(r->id == ids[i]);
        assert_string_equal(r->old_cert_id, "OMhKAc35");
        assert_int_equal(r->n_resource_types, 1);
        assert_string_equal(r->resource_types[0], "clb");
        assert_int_equal(r->status, statuses[i]);
        assert_string_equal(r->create_time, created[i]);
        assert_non_null(r->update_time);
    }
    assert_string_equal(p.records[0].update_time, "2025-05-27 12:05:26");

    /* Encoding gives back the same document, member order included. */
    char *env = codec_envelope(codec_encode_records_page(&p), NULL);
    assert_is_compact_seed(env, seed);

    struct records_page again;
    assert_int_equal(codec_decode_records_body(env, strlen(env), &again, &e), 0);
    assert_int_equal(again.n_records, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(again.records[i].id == p.records[i].id);
        assert_int_equal(again.records[i].status, p.records[i].status);
        assert_string_equal(again.records[i].update_time, p.records[i].update_time);
    }
    model_records_page_clear(&again);
    free(env);
    model_records_page_clear(&p);
    free(seed);
}

/* ---- truncation ------------------------------------------------------------------------- */

static void truncate_everywhere(const char *name, bool detail)
{
    size_t len;
    char *seed = tu_read_testdata(name, &len);
    size_t end = len; /* the document proper: without trailing whitespace */
    while (end > 0 && strchr(" \t\r\n", seed[end - 1]))
        end--;
    for (size_t n = 0; n <= len; n++) {
        /* An exact-size heap copy: ASan sees any read past the prefix. */
        char *prefix = xmalloc(n ? n : 1);
        memcpy(prefix, seed, n);
        struct api_error e;
        apierr_clear(&e);
        int r;
        if (detail) {
            struct detail_page p;
            r = codec_decode_detail_body(prefix, n, &p, &e);
            if (r == 0) model_detail_page_clear(&p);
        } else {
            struct records_page p;
            r = codec_decode_records_body(prefix, n, &p, &e);
            if (r == 0) model_records_page_clear(&p);
        }
        if (n < end) {
            if (r == 0) fail_msg("a %zu-byte prefix of %s decoded", n, name);
            assert_int_equal(e.kind, APIERR_DECODE);
            if (n == 0)
                assert_string_equal(e.message, "response is empty");
            else
                assert_true(strncmp(e.message, "response is not valid JSON (at byte ", 36) == 0);
        } else {
            assert_int_equal(r, 0);
        }
        free(prefix);
    }
    free(seed);
}

static void test_truncated_prefixes(void **state)
{
    (void)state;
    truncate_everywhere("seed_detail_response.json", true);
    truncate_everywhere("seed_records_response.json", false);
}

/* ---- every field, every wrong type ------------------------------------------------------ */

struct wrong {
    const char *json;
    const char *got;
};

static const struct wrong wrong_for_integer[] = {
    {"\"x\"", "string"}, {"true", "boolean"},   {"{}", "object"},
    {"[]", "array"},     {"1.5", "number 1.5"},
};
static const struct wrong wrong_for_string[] = {
    {"5", "integer"}, {"1.5", "number"}, {"false", "boolean"}, {"{}", "object"}, {"[]", "array"},
};
static const struct wrong wrong_for_array[] = {
    {"{}", "object"},
    {"\"x\"", "string"},
    {"3", "integer"},
    {"true", "boolean"},
};

/* The lists the API documents as possibly null, which the model flags. */
static bool is_flagged_list(const char *key)
{
    return strcmp(key, "List") == 0 || strcmp(key, "Domains") == 0 ||
           strcmp(key, "RecordDetailList") == 0;
}

typedef void (*member_fn)(const char *seed, const char *path, const char *key, const cJSON *value,
                          int *count);

/* Calls fn for every object member below Response (and Response's own members), with the
 * member's path as the decoder names it. Element paths ([i]) are walked too. */
static void walk_members(const char *seed, const cJSON *node, char *path, member_fn fn, int *count)
{
    size_t base = strlen(path);
    if (cJSON_IsObject(node)) {
        for (const cJSON *m = node->child; m; m = m->next) {
            snprintf(path + base, 512 - base, ".%s", m->string);
            fn(seed, path, m->string, m, count);
            walk_members(seed, m, path, fn, count);
        }
    } else if (cJSON_IsArray(node)) {
        int i = 0;
        for (const cJSON *m = node->child; m; m = m->next, i++) {
            snprintf(path + base, 512 - base, "[%d]", i);
            walk_members(seed, m, path, fn, count);
        }
    }
    path[base] = '\0';
}

static void for_each_member(const char *seed, member_fn fn, int *count)
{
    cJSON *root = cJSON_Parse(seed);
    char path[512] = "Response";
    walk_members(seed, cJSON_GetObjectItemCaseSensitive(root, "Response"), path, fn, count);
    cJSON_Delete(root);
}

static void wrong_types_of(const char *seed, const char *path, const char *key, const cJSON *value,
                           int *count)
{
    (void)key;
    const struct wrong *w;
    size_t n;
    const char *expected;
    if (cJSON_IsNumber(value)) {
        w = wrong_for_integer, n = ARRAY_LEN(wrong_for_integer), expected = "integer";
    } else if (cJSON_IsString(value)) {
        w = wrong_for_string, n = ARRAY_LEN(wrong_for_string), expected = "string";
    } else if (cJSON_IsArray(value)) {
        w = wrong_for_array, n = ARRAY_LEN(wrong_for_array), expected = "array";
    } else {
        fail_msg("unexpected seed value at %s", path);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: expected %s, got %s", path, expected, w[i].got);
        expect_mutation_error(seed, path, w[i].json, msg);
        (*count)++;
    }
}

static void test_wrong_type_at_every_field(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    int count = 0;
    for_each_member(seed, wrong_types_of, &count);
    /* 2 top-level, 2 runs x (8 + 3 group + 21 item) members, each several ways. */
    assert_true(count > 300);
    free(seed);

    char *records = tu_read_testdata("seed_records_response.json", NULL);
    expect_records_error("{\"Response\":{\"TotalCount\":1,\"DeployRecordList\":[{\"Id\":1,"
                         "\"ResourceTypes\":[\"clb\",7]}]}}",
                         "Response.DeployRecordList[0].ResourceTypes[1]: expected string, got "
                         "integer");
    free(records);
}

static void test_wrong_type_of_elements(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    expect_mutation_error(seed, "Response.DeployRecordDetail[1]", "\"x\"",
                          "Response.DeployRecordDetail[1]: expected object, got string");
    expect_mutation_error(seed, "Response.DeployRecordDetail[0]", "[]",
                          "Response.DeployRecordDetail[0]: expected object, got array");
    expect_mutation_error(seed, "Response.DeployRecordDetail[1].RecordDetailList[0]", "7",
                          "Response.DeployRecordDetail[1].RecordDetailList[0]: expected "
                          "object, got integer");
    expect_mutation_error(seed, "Response.DeployRecordDetail[1].RecordDetailList[0].List[0]",
                          "true",
                          "Response.DeployRecordDetail[1].RecordDetailList[0].List[0]: "
                          "expected object, got boolean");
    expect_mutation_error(
        seed, "Response.DeployRecordDetail[0].RecordDetailList[0].List[0].Domains[0]", "5",
        "Response.DeployRecordDetail[0].RecordDetailList[0].List[0].Domains[0]: expected "
        "string, got integer");
    expect_mutation_error(
        seed, "Response.DeployRecordDetail[0].RecordDetailList[0].List[0].Domains[0]", "null",
        "Response.DeployRecordDetail[0].RecordDetailList[0].List[0].Domains[0]: expected "
        "string, got null");
    expect_mutation_error(seed, "Response.DeployRecordDetail[1]", "null",
                          "Response.DeployRecordDetail[1]: expected object, got null");
    expect_mutation_error(seed, "Response.DeployRecordDetail[0].RecordDetailList[0].List[0]",
                          "null",
                          "Response.DeployRecordDetail[0].RecordDetailList[0].List[0]: "
                          "expected object, got null");
    /* The brief's own example: a string where an integer belongs, deep in a later element. */
    const char *deep = "{\"Response\":{\"DeployRecordDetail\":[{},{\"RecordDetailList\":[{\"List\""
                       ":[{\"Id\":1},{\"Id\":2},{\"Id\":3},{\"Id\":4,\"Port\":\"https\"}]}]}]}}";
    expect_detail_error(deep, strlen(deep), APIERR_DECODE,
                        "Response.DeployRecordDetail[1].RecordDetailList[0].List[3].Port: "
                        "expected integer, got string");
    free(seed);
}

/* ---- nulls and missing fields ----------------------------------------------------------- */

/* The seed with the node at path replaced (as seed_mutated), decoded and re-encoded under
 * "Response": returns the node at path there (NULL when absent), with *root to delete. With
 * refusal, the decoder must instead refuse the document with "<path>: <refusal>": then *root
 * is NULL. */
static cJSON *reencoded(const char *seed, const char *path, const char *replacement,
                        const char *refusal, cJSON **root)
{
    char *doc = seed_mutated(seed, path, replacement);
    cJSON *node = NULL;
    *root = NULL;
    if (refusal) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: %s", path, refusal);
        expect_detail_error(doc, strlen(doc), APIERR_DECODE, msg);
    } else {
        struct detail_page p;
        struct api_error e;
        if (decode_detail(doc, &p, &e) != 0) fail_msg("decode failed: %s", e.message);
        *root = cJSON_CreateObject();
        cJSON_AddItemToObject(*root, "Response", codec_encode_detail_page(&p));
        model_detail_page_clear(&p);
        cJSON *parent;
        char k[128];
        int idx;
        node = nav(*root, path, &parent, k, &idx);
    }
    free(doc);
    return node;
}

static void null_at(const char *seed, const char *path, const char *key, const cJSON *value,
                    int *count)
{
    (*count)++;
    cJSON *root;
    cJSON *node = reencoded(seed, path, "null",
                            cJSON_IsNumber(value) ? "expected integer, got null" : NULL, &root);
    if (!root) return;
    if (cJSON_IsString(value)) {
        assert_null(node); /* a null string is absent: not re-encoded */
    } else if (is_flagged_list(key)) {
        assert_non_null(node);
        assert_true(cJSON_IsNull(node));
    } else {
        /* DeployRecordDetail: a null list without a flag decodes as empty. */
        assert_true(cJSON_IsArray(node));
        assert_int_equal(cJSON_GetArraySize(node), 0);
    }
    cJSON_Delete(root);
}

static void test_nulls_everywhere(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    int count = 0;
    for_each_member(seed, null_at, &count);
    assert_true(count > 60);

    /* The flags themselves. */
    struct detail_page p;
    struct api_error e;
    assert_int_equal(decode_mutated(seed, "Response.DeployRecordDetail[0].RecordDetailList[0].List",
                                    "null", &p, &e),
                     0);
    assert_true(p.runs[0].groups[0].list_null);
    assert_int_equal(p.runs[0].groups[0].n_items, 0);
    assert_false(p.runs[1].groups[0].list_null);
    model_detail_page_clear(&p);

    assert_int_equal(decode_mutated(seed,
                                    "Response.DeployRecordDetail[1].RecordDetailList[0].List[0]"
                                    ".Domains",
                                    "null", &p, &e),
                     0);
    assert_true(tu_item(&p.runs[1].groups[0], 0)->domains_null);
    assert_int_equal(tu_item(&p.runs[1].groups[0], 0)->n_domains, 0);
    model_detail_page_clear(&p);

    assert_int_equal(
        decode_mutated(seed, "Response.DeployRecordDetail[1].RecordDetailList", "null", &p, &e), 0);
    assert_true(p.runs[1].groups_null);
    assert_int_equal(p.runs[1].n_groups, 0);
    assert_false(p.runs[0].groups_null);
    model_detail_page_clear(&p);

    assert_int_equal(decode_mutated(seed,
                                    "Response.DeployRecordDetail[0].RecordDetailList[0].List[0]"
                                    ".ErrorMsg",
                                    "null", &p, &e),
                     0);
    assert_null(tu_item(&p.runs[0].groups[0], 0)->error_msg);
    assert_non_null(tu_item(&p.runs[1].groups[0], 0)->error_msg);
    model_detail_page_clear(&p);

    /* PendingTotalCount is the run's nullable number: null and missing both leave has_ false,
     * a value sets it and is re-encoded after RunningTotalCount. */
    const char *pend = "{\"Response\":{\"DeployRecordDetail\":[{\"PendingTotalCount\":null},"
                       "{\"PendingTotalCount\":\"4\"},{}]}}";
    assert_int_equal(decode_detail(pend, &p, &e), 0);
    assert_false(p.runs[0].has_pending_total_count);
    assert_true(p.runs[1].has_pending_total_count);
    assert_int_equal(p.runs[1].pending_total_count, 4);
    assert_false(p.runs[2].has_pending_total_count);
    cJSON *run = codec_encode_deploy_run(&p.runs[1]);
    char *s = cJSON_PrintUnformatted(run);
    assert_string_equal(s, "{\"TotalCount\":0,\"SuccessTotalCount\":0,\"FailedTotalCount\":0,"
                           "\"RunningTotalCount\":0,\"PendingTotalCount\":4,"
                           "\"RecordDetailList\":[],\"Type\":0,\"Status\":0}");
    cJSON_free(s);
    cJSON_Delete(run);
    run = codec_encode_deploy_run(&p.runs[0]);
    assert_null(cJSON_GetObjectItemCaseSensitive(run, "PendingTotalCount"));
    cJSON_Delete(run);
    model_detail_page_clear(&p);
    free(seed);
}

static void missing_at(const char *seed, const char *path, const char *key, const cJSON *value,
                       int *count)
{
    (*count)++;
    bool required = strcmp(key, "Id") == 0 || strcmp(path, "Response.DeployRecordDetail") == 0;
    cJSON *root;
    cJSON *node = reencoded(seed, path, NULL, required ? "missing" : NULL, &root);
    if (!root) return;
    if (cJSON_IsString(value)) {
        assert_null(node);
    } else if (cJSON_IsNumber(value)) {
        assert_true(cJSON_IsNumber(node));
        assert_true(node->valuedouble == 0);
    } else {
        assert_true(cJSON_IsArray(node));
        assert_int_equal(cJSON_GetArraySize(node), 0);
    }
    cJSON_Delete(root);
}

static void test_missing_fields(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    int count = 0;
    for_each_member(seed, missing_at, &count);
    assert_true(count > 60);
    free(seed);

    expect_records_error("{\"Response\":{\"DeployRecordList\":[]}}",
                         "Response.TotalCount: missing");
    expect_records_error("{\"Response\":{\"TotalCount\":0}}", "Response.DeployRecordList: missing");
    expect_records_error("{\"Response\":{\"TotalCount\":1,\"DeployRecordList\":[{\"Status\":1}]}}",
                         "Response.DeployRecordList[0].Id: missing");
    struct records_page p;
    struct api_error e;

    /* Unknown fields at every level are ignored. */
    const char *extra = "{\"Extra\":1,\"Response\":{\"TotalCount\":1,\"Foo\":[{\"x\":null}],"
                        "\"DeployRecordList\":[{\"Id\":9,\"Bar\":{\"y\":[1,2]}}],"
                        "\"RequestId\":\"r\"}}";
    assert_int_equal(codec_decode_records_body(extra, strlen(extra), &p, &e), 0);
    assert_int_equal(p.n_records, 1);
    assert_true(p.records[0].id == 9);
    assert_null(p.records[0].old_cert_id);
    assert_null(p.records[0].resource_types);
    model_records_page_clear(&p);
}

/* ---- integers --------------------------------------------------------------------------- */

#define ITEM_PATH "Response.DeployRecordDetail[0].RecordDetailList[0].List[0]"

/* Decodes the seed with one item field replaced and returns the first item's field value
 * through the callback-free route: the decoded page. */
static int decode_item_field(const char *seed, const char *field, const char *json,
                             struct detail_page *p, struct api_error *e)
{
    char path[256];
    snprintf(path, sizeof path, "%s.%s", ITEM_PATH, field);
    return decode_mutated(seed, path, json, p, e);
}

/* The seed with the first item's Port set to json decodes to port. */
static void expect_port(const char *seed, const char *json, int64_t port)
{
    struct detail_page p;
    struct api_error e;
    assert_int_equal(decode_item_field(seed, "Port", json, &p, &e), 0);
    assert_true(tu_item(&p.runs[0].groups[0], 0)->port == port);
    model_detail_page_clear(&p);
}

static void expect_item_field_error(const char *seed, const char *field, const char *json,
                                    const char *what)
{
    char path[256], msg[600];
    snprintf(path, sizeof path, "%s.%s", ITEM_PATH, field);
    snprintf(msg, sizeof msg, "%s: %s", path, what);
    expect_mutation_error(seed, path, json, msg);
}

static void test_numeric_strings(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    struct detail_page p;
    struct api_error e;
    struct {
        const char *json;
        int64_t port;
    } ok[] = {
        {"\"443\"", 443},
        {"\"-3\"", -3},
        {"\"-0\"", 0},
        {"\"007\"", 7},
        {"\"9223372036854775807\"", INT64_MAX},
        {"\"-9223372036854775808\"", INT64_MIN},
    };
    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        expect_port(seed, ok[i].json, ok[i].port);
    assert_int_equal(decode_item_field(seed, "Id", "\"18446744073709551615\"", &p, &e), 0);
    assert_true(tu_item(&p.runs[0].groups[0], 0)->id == UINT64_MAX);
    model_detail_page_clear(&p);

    expect_item_field_error(seed, "Port", "\"9223372036854775808\"",
                            "expected integer in int64 range, got string "
                            "\"9223372036854775808\"");
    expect_item_field_error(seed, "Port", "\"-9223372036854775809\"",
                            "expected integer in int64 range, got string "
                            "\"-9223372036854775809\"");
    expect_item_field_error(seed, "Id", "\"18446744073709551616\"",
                            "expected integer in uint64 range, got string "
                            "\"18446744073709551616\"");
    expect_item_field_error(seed, "Id", "\"-1\"",
                            "expected non-negative integer, got string \"-1\"");
    expect_item_field_error(seed, "Port", "\"99999999999999999999999999999999999999999\"",
                            "expected integer in int64 range, got string "
                            "\"99999999999999999999999999999999…\"");
    const char *not_numbers[] = {"\"\"",    "\"-\"",   "\"1.5\"",  "\" 15\"", "\"15 \"",
                                 "\"+15\"", "\"15a\"", "\"0x10\"", "\"1e3\"", "\"--1\""};
    for (size_t i = 0; i < ARRAY_LEN(not_numbers); i++)
        expect_item_field_error(seed, "Port", not_numbers[i], "expected integer, got string");
    free(seed);
}

static void test_numbers_out_of_range(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    struct {
        const char *json;
        int64_t port;
    } ok[] = {
        {"9007199254740991", 9007199254740991LL},
        {"-9007199254740991", -9007199254740991LL},
        {"2.0", 2},
        {"1e3", 1000},
        {"-0", 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(ok); i++)
        expect_port(seed, ok[i].json, ok[i].port);
    expect_item_field_error(seed, "Port", "1.5", "expected integer, got number 1.5");
    expect_item_field_error(seed, "Port", "-0.25", "expected integer, got number -0.25");
    expect_item_field_error(seed, "Port", "9007199254740992",
                            "expected integer within ±9007199254740991, got number "
                            "9007199254740992");
    expect_item_field_error(seed, "Port", "-9007199254740993",
                            "expected integer within ±9007199254740991, got number "
                            "-9007199254740992");
    expect_item_field_error(seed, "Port", "1e300",
                            "expected integer within ±9007199254740991, got number 1e+300");
    expect_item_field_error(seed, "Id", "18446744073709551615",
                            "expected integer within ±9007199254740991, got number "
                            "1.8446744073709552e+19");
    expect_item_field_error(seed, "Id", "-1", "expected non-negative integer, got -1");

    /* The record list's Status is uint64 in the API (an int64 in the model). */
    expect_records_error("{\"Response\":{\"TotalCount\":1,\"DeployRecordList\":[{\"Id\":1,"
                         "\"Status\":-7}]}}",
                         "Response.DeployRecordList[0].Status: expected non-negative integer, "
                         "got -7");
    expect_records_error("{\"Response\":{\"TotalCount\":\"-2\",\"DeployRecordList\":[]}}",
                         "Response.TotalCount: expected non-negative integer, got string \"-2\"");
    free(seed);
}

static void test_codec_int_value(void **state)
{
    (void)state;
    struct {
        const char *json;
        int rc;
        int64_t v;
    } cases[] = {
        {"15", 0, 15},
        {"\"15\"", 0, 15},
        {"\"-3\"", 0, -3},
        {"-3", 0, -3},
        {"0", 0, 0},
        {"\"9223372036854775807\"", 0, INT64_MAX},
        {"\"9223372036854775808\"", -1, 0},
        {"1.5", -1, 0},
        {"1e100", -1, 0},
        {"\"x\"", -1, 0},
        {"true", -1, 0},
        {"null", -1, 0},
        {"[1]", -1, 0},
        {"{}", -1, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        cJSON *v = cJSON_Parse(cases[i].json);
        assert_non_null(v);
        int64_t out = 12345;
        int rc = codec_int_value(v, &out);
        if (rc != cases[i].rc) fail_msg("codec_int_value(%s) returned %d", cases[i].json, rc);
        assert_true(out == (rc == 0 ? cases[i].v : 12345)); /* untouched on failure */
        cJSON_Delete(v);
    }
    int64_t out;
    assert_int_equal(codec_int_value(NULL, &out), -1);
}

/* ---- strings ---------------------------------------------------------------------------- */

/* The seed with one item string field set to raw bytes (placed verbatim in the body). */
static char *seed_with_raw_string(const char *seed, const char *field, const char *raw)
{
    char path[256];
    snprintf(path, sizeof path, "%s.%s", ITEM_PATH, field);
    char *doc = seed_mutated(seed, path, "\"@@RAW@@\"");
    char *at = strstr(doc, "@@RAW@@");
    assert_non_null(at);
    struct buf b = {0};
    buf_append(&b, doc, (size_t)(at - doc));
    buf_puts(&b, raw);
    buf_puts(&b, at + 7);
    free(doc);
    return buf_steal(&b);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    struct {
        const char *field, *raw;
        long at;
    } bad[] = {
        {"InstanceName",
         "ab\xff"
         "cd",
         2},
        {"InstanceName", "\xe4\xb8\xad\xe6\x96", 3}, /* "中" then a cut-off character */
        {"ErrorMsg", "\xc0\xaf", 0},                 /* overlong '/' */
        {"ErrorMsg", "ok\xed\xa0\x80", 2},           /* a UTF-16 surrogate */
        {"Region", "\x80", 0},                       /* lone continuation byte */
        {"ListenerName", "abc\xf8\x88\x80\x80\x80", 3},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *doc = seed_with_raw_string(seed, bad[i].field, bad[i].raw);
        char msg[300];
        snprintf(msg, sizeof msg, "%s.%s: invalid UTF-8 at byte %ld", ITEM_PATH, bad[i].field,
                 bad[i].at);
        expect_detail_error(doc, strlen(doc), APIERR_DECODE, msg);
        free(doc);
    }
    /* In a Domains element and in RequestId. */
    char *doc = seed_mutated(seed, ITEM_PATH ".Domains", "[\"a.com\",\"@@RAW@@\"]");
    char *at = strstr(doc, "@@RAW@@");
    memcpy(at, "b.c\xfe.om", 7);
    expect_detail_error(doc, strlen(doc), APIERR_DECODE,
                        ITEM_PATH ".Domains[1]: invalid UTF-8 at byte 3");
    free(doc);

    /* Valid multi-byte text passes unchanged; bytes in unknown fields are not our business. */
    doc = seed_with_raw_string(seed, "InstanceName",
                               "\xe8\xb4\x9f\xe8\xbd\xbd\xe5\x9d\x87\xe8\xa1\xa1-\xf0\x9f\x94\x92");
    struct detail_page p;
    struct api_error e;
    assert_int_equal(decode_detail(doc, &p, &e), 0);
    assert_string_equal(tu_item(&p.runs[0].groups[0], 0)->instance_name,
                        "\xe8\xb4\x9f\xe8\xbd\xbd\xe5\x9d\x87\xe8\xa1\xa1-\xf0\x9f\x94\x92");
    model_detail_page_clear(&p);
    free(doc);
    const char *unknown = "{\"Response\":{\"Junk\":\"\xff\xfe\",\"DeployRecordDetail\":[]}}";
    assert_int_equal(decode_detail(unknown, &p, &e), 0);
    model_detail_page_clear(&p);
    free(seed);
}

static void test_escapes_decoded_verbatim(void **state)
{
    (void)state;
    char *seed = tu_read_testdata("seed_detail_response.json", NULL);
    struct detail_page p;
    struct api_error e;
    struct {
        const char *json, *want;
    } cases[] = {
        {"\"\\u001b[31mred\\u001b[0m\"", "\x1b[31mred\x1b[0m"},
        {"\"a\\r\\n\\tb\\\"c\\\\d\\/e\\b\\f\"", "a\r\n\tb\"c\\d/e\b\f"},
        {"\"\\u4e2d\\u6587\"", "\xe4\xb8\xad\xe6\x96\x87"},
        {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80"},
        {"\"\\u009b2J\\u202e\"", "\xc2\x9b"
                                 "2J\xe2\x80\xae"},
        {"\"ab\\u0000cd\"", "ab"}, /* cJSON strings end at an escaped NUL */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        assert_int_equal(decode_item_field(seed, "ErrorMsg", cases[i].json, &p, &e), 0);
        const char *got = tu_item(&p.runs[0].groups[0], 0)->error_msg;
        assert_string_equal(got, cases[i].want);

        /* Re-encoding escapes control characters again and decodes to the same bytes. */
        char *env = codec_envelope(codec_encode_detail_page(&p), NULL);
        for (const char *c = env; *c; c++)
            assert_true((unsigned char)*c >= 0x20);
        struct detail_page again;
        assert_int_equal(codec_decode_detail_body(env, strlen(env), &again, &e), 0);
        assert_string_equal(tu_item(&again.runs[0].groups[0], 0)->error_msg, cases[i].want);
        model_detail_page_clear(&again);
        free(env);
        model_detail_page_clear(&p);
    }
    /* A lone surrogate escape is not valid JSON. */
    char path[256];
    snprintf(path, sizeof path, "%s.ErrorMsg", ITEM_PATH);
    char *doc = seed_mutated(seed, path, "\"@@RAW@@\"");
    struct buf b = {0};
    char *at = strstr(doc, "@@RAW@@");
    buf_append(&b, doc, (size_t)(at - doc));
    buf_puts(&b, "\\ud800x");
    buf_puts(&b, at + 7);
    assert_int_equal(decode_detail(b.data, &p, &e), -1);
    assert_int_equal(e.kind, APIERR_DECODE);
    assert_true(strncmp(e.message, "response is not valid JSON (at byte ", 36) == 0);
    buf_free(&b);
    free(doc);
    free(seed);
}

static void test_ten_megabyte_string(void **state)
{
    (void)state;
    const size_t big = 10u * 1024u * 1024u;
    struct buf b = {0};
    buf_puts(&b, "{\"Response\":{\"DeployRecordDetail\":[{\"RecordDetailList\":[{\"List\":[{"
                 "\"Id\":1,\"ErrorMsg\":\"");
    size_t start = b.len;
    for (size_t i = 0; i < big; i++)
        buf_putc(&b, (char)('a' + i % 26));
    buf_puts(&b, "\"}]}]}],\"RequestId\":\"big\"}}");
    struct detail_page p;
    struct api_error e;
    assert_int_equal(codec_decode_detail_body(b.data, b.len, &p, &e), 0);
    const char *msg = tu_item(&p.runs[0].groups[0], 0)->error_msg;
    assert_int_equal(strlen(msg), big);
    assert_memory_equal(msg, b.data + start, big);
    model_detail_page_clear(&p);

    /* The same with one bad byte at the very end: the offset is exact. */
    b.data[start + big - 1] = '\xff';
    expect_detail_error(b.data, b.len, APIERR_DECODE,
                        "Response.DeployRecordDetail[0].RecordDetailList[0].List[0].ErrorMsg: "
                        "invalid UTF-8 at byte 10485759");

    /* Ten megabytes of digits for an integer: refused with a bounded message. */
    buf_reset(&b);
    buf_puts(&b, "{\"Response\":{\"DeployRecordDetail\":[{\"TotalCount\":\"");
    for (size_t i = 0; i < big; i++)
        buf_putc(&b, '7');
    buf_puts(&b, "\"}]}}");
    expect_detail_error(b.data, b.len, APIERR_DECODE,
                        "Response.DeployRecordDetail[0].TotalCount: expected integer in int64 "
                        "range, got string \"77777777777777777777777777777777…\"");
    buf_free(&b);
}

/* ---- structure: nesting, envelopes, empty bodies ---------------------------------------- */

static void test_deep_nesting(void **state)
{
    (void)state;
    struct buf b = {0};
    for (int i = 0; i < 10000; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 10000; i++)
        buf_putc(&b, ']');
    /* cJSON accepts 1000 levels; the 1001st bracket is at byte 1000. */
    expect_detail_error(b.data, b.len, APIERR_DECODE,
                        "response is nested too deeply (more than 1000 levels, at byte 1000)");

    buf_reset(&b);
    const char *head = "{\"Response\":{\"DeployRecordDetail\":";
    buf_puts(&b, head);
    for (int i = 0; i < 10000; i++)
        buf_puts(&b, "{\"a\":");
    char msg[200];
    /* Two levels are open before the first {"a": */
    snprintf(msg, sizeof msg, "response is nested too deeply (more than 1000 levels, at byte %zu)",
             strlen(head) + 998 * 5);
    expect_detail_error(b.data, b.len, APIERR_DECODE, msg);

    /* Deep but within the limit: parsed, then refused by type without descending. */
    buf_reset(&b);
    buf_puts(&b, head);
    for (int i = 0; i < 990; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 990; i++)
        buf_putc(&b, ']');
    buf_puts(&b, "}}");
    expect_detail_error(b.data, b.len, APIERR_DECODE,
                        "Response.DeployRecordDetail[0]: expected object, got array");

    /* Deep inside an unknown field: ignored. */
    buf_reset(&b);
    buf_puts(&b, "{\"Response\":{\"DeployRecordDetail\":[],\"Junk\":");
    for (int i = 0; i < 990; i++)
        buf_putc(&b, '[');
    for (int i = 0; i < 990; i++)
        buf_putc(&b, ']');
    buf_puts(&b, "}}");
    struct detail_page p;
    struct api_error e;
    assert_int_equal(codec_decode_detail_body(b.data, b.len, &p, &e), 0);
    model_detail_page_clear(&p);
    buf_free(&b);
}

static void test_envelope_errors(void **state)
{
    (void)state;
    expect_detail_error("", 0, APIERR_DECODE, "response is empty");
    expect_detail_error(NULL, 0, APIERR_DECODE, "response is empty");
    expect_detail_error("<html>502 Bad Gateway</html>", 28, APIERR_DECODE,
                        "response is not valid JSON (at byte 0)");
    expect_detail_error("null", 4, APIERR_DECODE, "response: expected object, got null");
    expect_detail_error("[]", 2, APIERR_DECODE, "response: expected object, got array");
    expect_detail_error("\"Response\"", 10, APIERR_DECODE, "response: expected object, got string");
    expect_detail_error("{}", 2, APIERR_DECODE, "Response: missing");
    expect_detail_error("{\"response\":{}}", 15, APIERR_DECODE, "Response: missing");
    expect_detail_error("{\"Response\":null}", 17, APIERR_DECODE,
                        "Response: expected object, got null");
    expect_detail_error("{\"Response\":[]}", 15, APIERR_DECODE,
                        "Response: expected object, got array");
    expect_detail_error("{\"Response\":\"ok\"}", 17, APIERR_DECODE,
                        "Response: expected object, got string");
    expect_detail_error("{\"Response\":{}}", 15, APIERR_DECODE,
                        "Response.DeployRecordDetail: missing");
    /* Trailing data after the value, and whitespace around it. */
    const char *valid = "{\"Response\":{\"DeployRecordDetail\":[]}}";
    size_t vlen = strlen(valid);
    char msg[100];
    const char *trailing = "{\"Response\":{\"DeployRecordDetail\":[]}} {}";
    snprintf(msg, sizeof msg, "response is not valid JSON (at byte %zu)", vlen + 1);
    expect_detail_error(trailing, strlen(trailing), APIERR_DECODE, msg);
    const char *nul = "{\"Response\":{\"DeployRecordDetail\":[]}}\0";
    snprintf(msg, sizeof msg, "response is not valid JSON (at byte %zu)", vlen);
    expect_detail_error(nul, vlen + 1, APIERR_DECODE, msg);
    const char *spaced = " \r\n\t{\"Response\":{\"DeployRecordDetail\":[]}}\n\n ";
    struct detail_page p;
    struct api_error e;
    assert_int_equal(decode_detail(spaced, &p, &e), 0);
    assert_int_equal(p.n_runs, 0);
    model_detail_page_clear(&p);
    /* A body need not be NUL-terminated: only len bytes are read. */
    const char *longer = "{\"Response\":{\"DeployRecordDetail\":[]}}garbage";
    assert_int_equal(codec_decode_detail_body(longer, vlen, &p, &e), 0);
    model_detail_page_clear(&p);

    /* A decode error carries the RequestId (for the bug report). */
    const char *typed = "{\"Response\":{\"DeployRecordDetail\":{},\"RequestId\":\"rid-7\"}}";
    expect_detail_error(typed, strlen(typed), APIERR_DECODE,
                        "Response.DeployRecordDetail: expected array, got object");
    assert_int_equal(decode_detail(typed, &p, &e), -1);
    assert_string_equal(e.request_id, "rid-7");
    assert_string_equal(e.code, "");
}

/* Decodes json as a detail body and asserts it is the API error with these code, message and
 * request id (NULL: not compared), out left empty. */
static void expect_api_error(const char *json, const char *code, const char *message,
                             const char *request_id)
{
    struct detail_page p;
    struct api_error e;
    assert_int_equal(decode_detail(json, &p, &e), -1);
    assert_int_equal(e.kind, APIERR_API);
    if (code) assert_string_equal(e.code, code);
    if (message) assert_string_equal(e.message, message);
    if (request_id) assert_string_equal(e.request_id, request_id);
    assert_null(p.runs);
}

static void test_error_envelopes(void **state)
{
    (void)state;
    struct detail_page p;
    struct api_error e;
    const char *full =
        "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.SignatureFailure\",\"Message\":\"The "
        "provided credentials could not be validated.\"},\"RequestId\":\"79b4dae4\"}}";
    expect_api_error(full, "AuthFailure.SignatureFailure",
                     "The provided credentials could not be validated.", "79b4dae4");

    /* Every decoder sees the same envelope. */
    struct records_page rp;
    assert_int_equal(codec_decode_records_body(full, strlen(full), &rp, &e), -1);
    assert_int_equal(e.kind, APIERR_API);
    struct upload_result ur;
    assert_int_equal(codec_decode_upload_body(full, strlen(full), &ur, &e), -1);
    assert_string_equal(e.code, "AuthFailure.SignatureFailure");
    char rid[80] = "stale";
    assert_int_equal(codec_decode_empty_body(full, strlen(full), rid, sizeof rid, &e), -1);
    assert_string_equal(e.request_id, "79b4dae4");
    assert_string_equal(rid, "");

    /* The error wins even when success fields are present too. */
    expect_api_error("{\"Response\":{\"DeployRecordDetail\":[],\"Error\":{\"Code\":"
                     "\"InternalError\"}}}",
                     "InternalError", "", "");
    expect_api_error("{\"Response\":{\"Error\":{\"Code\":\"X\",\"Message\":null,\"Extra\":1}}}",
                     NULL, "", NULL);

    /* Malformed errors are decode errors with their path. */
    struct {
        const char *json, *msg;
    } odd[] = {
        {"{\"Response\":{\"Error\":{}}}", "Response.Error.Code: missing"},
        {"{\"Response\":{\"Error\":{\"Message\":\"m\"},\"RequestId\":\"r1\"}}",
         "Response.Error.Code: missing"},
        {"{\"Response\":{\"Error\":{\"Code\":5}}}",
         "Response.Error.Code: expected string, got integer"},
        {"{\"Response\":{\"Error\":{\"Code\":null}}}",
         "Response.Error.Code: expected string, got null"},
        {"{\"Response\":{\"Error\":{\"Code\":\"X\",\"Message\":[]}}}",
         "Response.Error.Message: expected string, got array"},
        {"{\"Response\":{\"Error\":\"AuthFailure\"}}",
         "Response.Error: expected object, got string"},
        {"{\"Response\":{\"Error\":[]}}", "Response.Error: expected object, got array"},
        {"{\"Response\":{\"Error\":{\"Code\":\"X\"},\"RequestId\":5}}",
         "Response.DeployRecordDetail: missing"},
    };
    for (size_t i = 0; i < ARRAY_LEN(odd); i++) {
        if (i == ARRAY_LEN(odd) - 1) {
            /* A non-string RequestId does not hide the API error: it is just not copied. */
            expect_api_error(odd[i].json, NULL, NULL, "");
            continue;
        }
        expect_detail_error(odd[i].json, strlen(odd[i].json), APIERR_DECODE, odd[i].msg);
    }
    assert_int_equal(decode_detail(odd[1].json, &p, &e), -1);
    assert_string_equal(e.request_id, "r1");

    /* An Error: null is no error. */
    const char *null_err = "{\"Response\":{\"Error\":null,\"DeployRecordDetail\":[]}}";
    assert_int_equal(decode_detail(null_err, &p, &e), 0);
    model_detail_page_clear(&p);

    /* Oversized fields are cut to their buffers, at a character boundary, never overflowing. */
    struct buf b = {0};
    buf_puts(&b, "{\"Response\":{\"Error\":{\"Code\":\"");
    for (int i = 0; i < 300; i++)
        buf_putc(&b, 'C');
    buf_puts(&b, "\",\"Message\":\"");
    for (int i = 0; i < 2000; i++)
        buf_puts(&b, "\xe4\xb8\xad"); /* 3-byte characters: 1023 is not a boundary + 1 */
    buf_puts(&b, "\"},\"RequestId\":\"");
    for (int i = 0; i < 200; i++)
        buf_putc(&b, 'r');
    buf_puts(&b, "\"}}");
    memset(&e, 0x55, sizeof e);
    assert_int_equal(codec_decode_detail_body(b.data, b.len, &p, &e), -1);
    assert_int_equal(e.kind, APIERR_API);
    assert_int_equal(strlen(e.code), sizeof e.code - 1);
    assert_int_equal(strlen(e.request_id), sizeof e.request_id - 1);
    assert_int_equal(strlen(e.message), 1023 / 3 * 3);
    assert_int_equal(utf8_invalid_offset(e.message, strlen(e.message)), -1);
    assert_int_equal(e.http_status, 0);
    assert_string_equal(e.transport, "");
    buf_free(&b);
}

/* ---- the other bodies ------------------------------------------------------------------- */

static void test_upload_and_empty_bodies(void **state)
{
    (void)state;
    const char *upload = "{\"Response\":{\"DeployRecordId\":0,\"DeployStatus\":0,"
                         "\"UpdateSyncProgress\":[{\"ResourceType\":\"clb\","
                         "\"UpdateSyncProgressRegions\":[{\"TotalCount\":null,\"OffsetCount\":"
                         "null,\"Status\":0,\"Region\":\"ap-qingyuan\"},{\"TotalCount\":12,"
                         "\"OffsetCount\":5,\"Status\":3,\"Region\":\"ap-guangzhou\"}],"
                         "\"Status\":0}],\"RequestId\":\"u-1\"}}";
    struct upload_result u;
    struct api_error e;
    assert_int_equal(codec_decode_upload_body(upload, strlen(upload), &u, &e), 0);
    assert_true(u.deploy_record_id == 0);
    assert_int_equal(u.deploy_status, 0);
    assert_string_equal(u.request_id, "u-1");
    assert_int_equal(u.n_progress, 1);
    assert_string_equal(u.progress[0].resource_type, "clb");
    assert_int_equal(u.progress[0].n_regions, 2);
    const struct sync_progress_region *r0 = &u.progress[0].regions[0];
    const struct sync_progress_region *r1 = &u.progress[0].regions[1];
    assert_false(r0->has_total_count);
    assert_false(r0->has_offset_count);
    assert_string_equal(r0->region, "ap-qingyuan");
    assert_true(r1->has_total_count);
    assert_int_equal(r1->total_count, 12);
    assert_true(r1->has_offset_count);
    assert_int_equal(r1->offset_count, 5);
    assert_int_equal(r1->status, 3);
    char *env = codec_envelope(codec_encode_upload_result(&u), NULL);
    assert_string_equal(env, upload);
    free(env);
    model_upload_result_clear(&u);

    const char *no_id = "{\"Response\":{\"DeployStatus\":1}}";
    assert_int_equal(codec_decode_upload_body(no_id, strlen(no_id), &u, &e), -1);
    assert_string_equal(e.message, "Response.DeployRecordId: missing");
    const char *bad_region = "{\"Response\":{\"DeployRecordId\":3,\"UpdateSyncProgress\":[{"
                             "\"UpdateSyncProgressRegions\":[{\"OffsetCount\":\"x\"}]}]}}";
    assert_int_equal(codec_decode_upload_body(bad_region, strlen(bad_region), &u, &e), -1);
    assert_string_equal(e.message, "Response.UpdateSyncProgress[0].UpdateSyncProgressRegions[0]"
                                   ".OffsetCount: expected integer, got string");

    char rid[16];
    const char *empty = "{\"Response\":{\"RequestId\":\"0123456789abcdefXYZ\"}}";
    assert_int_equal(codec_decode_empty_body(empty, strlen(empty), rid, sizeof rid, &e), 0);
    assert_string_equal(rid, "0123456789abcde");
    assert_int_equal(codec_decode_empty_body(empty, strlen(empty), NULL, 0, &e), 0);
    const char *no_rid = "{\"Response\":{}}";
    strcpy(rid, "stale");
    assert_int_equal(codec_decode_empty_body(no_rid, strlen(no_rid), rid, sizeof rid, &e), 0);
    assert_string_equal(rid, "");
    const char *bad_rid = "{\"Response\":{\"RequestId\":[]}}";
    assert_int_equal(codec_decode_empty_body(bad_rid, strlen(bad_rid), rid, sizeof rid, &e), -1);
    assert_string_equal(e.message, "Response.RequestId: expected string, got array");
}

static void test_single_object_decoders(void **state)
{
    (void)state;
    struct api_error e;
    struct deploy_run run;
    cJSON *obj = cJSON_Parse("{\"Type\":1,\"Status\":\"5\",\"RecordDetailList\":[{"
                             "\"ResourceType\":\"cdn\",\"List\":[{\"Id\":\"12\"}]}]}");
    assert_int_equal(codec_decode_deploy_run(obj, "Details.2[0]", &run, &e), 0);
    assert_int_equal(run.type, 1);
    assert_int_equal(run.status, 5);
    assert_true(tu_item(&run.groups[0], 0)->id == 12);
    model_run_clear(&run);
    cJSON_Delete(obj);

    obj = cJSON_Parse("{\"Status\":\"failed\"}");
    assert_int_equal(codec_decode_deploy_run(obj, "Details.2[0]", &run, &e), -1);
    assert_int_equal(e.kind, APIERR_DECODE);
    assert_string_equal(e.message, "Details.2[0].Status: expected integer, got string");
    assert_null(run.groups);
    cJSON_Delete(obj);

    obj = cJSON_Parse("[1]");
    struct update_record rec;
    assert_int_equal(codec_decode_update_record(obj, "Records[4]", &rec, &e), -1);
    assert_string_equal(e.message, "Records[4]: expected object, got array");
    cJSON_Delete(obj);
    assert_int_equal(codec_decode_update_record(NULL, "Records[4]", &rec, &e), -1);
    assert_string_equal(e.message, "Records[4]: expected object, got nothing");

    obj = cJSON_Parse("{\"Id\":4,\"ResourceTypes\":[\"clb\",\"cdn\"],\"Status\":7}");
    assert_int_equal(codec_decode_update_record(obj, "Records[4]", &rec, &e), 0);
    assert_int_equal(rec.n_resource_types, 2);
    assert_string_equal(rec.resource_types[1], "cdn");
    assert_int_equal(rec.status, 7);
    model_record_clear(&rec);
    cJSON_Delete(obj);
}

static void test_encoding_absent_and_envelopes(void **state)
{
    (void)state;
    struct deploy_item it = {0};
    it.id = 7;
    it.port = 443;
    cJSON *j = codec_encode_deploy_item(&it);
    char *s = cJSON_PrintUnformatted(j);
    /* NULL strings are omitted; a non-null empty list is []. */
    assert_string_equal(s, "{\"Id\":7,\"Status\":0,\"Domains\":[],\"SniSwitch\":0,\"Forward\":0,"
                           "\"Port\":443}");
    cJSON_free(s);
    cJSON_Delete(j);
    it.domains_null = true;
    j = codec_encode_deploy_item(&it);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "Domains")));
    cJSON_Delete(j);

    /* Integers keep every digit, also where a double would not (cJSON prints 15 digits). */
    it.domains_null = false;
    it.id = UINT64_MAX;
    it.port = INT64_MIN;
    it.status = 999999999999999LL;
    it.sni_switch = 1000000000000000LL;
    it.forward = -9007199254740991LL;
    j = codec_encode_deploy_item(&it);
    s = cJSON_PrintUnformatted(j);
    assert_string_equal(s, "{\"Id\":18446744073709551615,\"Status\":999999999999999,"
                           "\"Domains\":[],\"SniSwitch\":1000000000000000,"
                           "\"Forward\":-9007199254740991,\"Port\":-9223372036854775808}");
    cJSON_free(s);
    cJSON_Delete(j);
    /* Within ±(2^53-1) they decode back exactly. */
    it.id = 9007199254740991ULL;
    it.port = -9007199254740991LL;
    j = cJSON_CreateObject();
    cJSON *run = cJSON_AddObjectToObject(j, "Response");
    cJSON *runs = cJSON_AddArrayToObject(run, "DeployRecordDetail");
    cJSON *r0 = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, r0);
    cJSON *groups = cJSON_AddArrayToObject(r0, "RecordDetailList");
    cJSON *g0 = cJSON_CreateObject();
    cJSON_AddItemToArray(groups, g0);
    cJSON *list = cJSON_AddArrayToObject(g0, "List");
    cJSON_AddItemToArray(list, codec_encode_deploy_item(&it));
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    struct detail_page big;
    struct api_error be;
    assert_int_equal(decode_detail(s, &big, &be), 0);
    assert_true(tu_item(&big.runs[0].groups[0], 0)->id == 9007199254740991ULL);
    assert_true(tu_item(&big.runs[0].groups[0], 0)->port == -9007199254740991LL);
    assert_true(tu_item(&big.runs[0].groups[0], 0)->sni_switch == 1000000000000000LL);
    assert_true(tu_item(&big.runs[0].groups[0], 0)->status == 999999999999999LL);
    model_detail_page_clear(&big);
    cJSON_free(s);

    struct resource_group g = {0};
    g.list_null = true;
    g.total_count = 11;
    j = codec_encode_deploy_run(&(struct deploy_run){.groups = &g, .n_groups = 1});
    s = cJSON_PrintUnformatted(j);
    assert_string_equal(s, "{\"TotalCount\":0,\"SuccessTotalCount\":0,\"FailedTotalCount\":0,"
                           "\"RunningTotalCount\":0,\"RecordDetailList\":[{\"List\":null,"
                           "\"TotalCount\":11}],\"Type\":0,\"Status\":0}");
    cJSON_free(s);
    cJSON_Delete(j);

    /* The envelope puts RequestId last, once, even if inner had one. */
    struct detail_page p = {0};
    p.request_id = "old";
    char *env = codec_envelope(codec_encode_detail_page(&p), "new");
    assert_string_equal(env, "{\"Response\":{\"DeployRecordDetail\":[],\"RequestId\":\"new\"}}");
    free(env);
    env = codec_envelope(NULL, "x");
    assert_string_equal(env, "{\"Response\":{\"RequestId\":\"x\"}}");
    free(env);
    env = codec_envelope(codec_encode_detail_page(&p), NULL);
    assert_string_equal(env, "{\"Response\":{\"DeployRecordDetail\":[],\"RequestId\":\"old\"}}");
    free(env);

    env = codec_error_envelope("InvalidParameter", "bad \"x\"\n", "r-1");
    assert_string_equal(env, "{\"Response\":{\"Error\":{\"Code\":\"InvalidParameter\","
                             "\"Message\":\"bad \\\"x\\\"\\n\"},\"RequestId\":\"r-1\"}}");
    struct api_error e;
    struct detail_page dp;
    assert_int_equal(decode_detail(env, &dp, &e), -1);
    assert_int_equal(e.kind, APIERR_API);
    assert_string_equal(e.code, "InvalidParameter");
    assert_string_equal(e.message, "bad \"x\" "); /* error fields are sanitized at ingress */
    assert_string_equal(e.request_id, "r-1");
    free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_detail_values),
        cmocka_unit_test(test_seed_detail_encodes_to_the_seed),
        cmocka_unit_test(test_seed_records_values_and_round_trip),
        cmocka_unit_test(test_truncated_prefixes),
        cmocka_unit_test(test_wrong_type_at_every_field),
        cmocka_unit_test(test_wrong_type_of_elements),
        cmocka_unit_test(test_nulls_everywhere),
        cmocka_unit_test(test_missing_fields),
        cmocka_unit_test(test_numeric_strings),
        cmocka_unit_test(test_numbers_out_of_range),
        cmocka_unit_test(test_codec_int_value),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_escapes_decoded_verbatim),
        cmocka_unit_test(test_ten_megabyte_string),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_envelope_errors),
        cmocka_unit_test(test_error_envelopes),
        cmocka_unit_test(test_upload_and_empty_bodies),
        cmocka_unit_test(test_single_object_decoders),
        cmocka_unit_test(test_encoding_absent_and_envelopes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
