/* A snapshot as the API: the two read actions answered from the file's data with the emulator's
 * rules (Limit defaults to 10; records above 1000 and detail pages above 200 are clamped; the
 * detail pages every resource-type group alike), as response bodies the client decodes as it
 * decodes live ones. Writes and anything else are refused with an error envelope. */
#include "core/snapshot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/codec.h"
#include "core/emulator/dataset.h"
#include "core/util.h"

#define OFFLINE_REQUEST_ID "offline-snapshot"

static char *refuse(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *refuse(const char *code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return codec_error_envelope(code, msg, NULL); /* no RequestId: no request was made */
}

/* An integer parameter: absent or null gives def; *bad names it when it is not an integer. */
static int64_t int_param(const cJSON *body, const char *name, int64_t def, const char **bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    int64_t x;
    if (!v || cJSON_IsNull(v)) return def;
    if (codec_int_value(v, &x) != 0) {
        *bad = name;
        return def;
    }
    return x;
}

/* The paging rules of the emulator (core/emulator/actions.c): Limit <= 0 or Offset < 0 is
 * InvalidParameter. NULL when they are fine. */
static char *paging_refusal(int64_t limit, int64_t offset, const char *bad)
{
    if (bad) return refuse("InvalidParameter", "Parameter `%s` type error.", bad);
    if (limit <= 0)
        return refuse("InvalidParameter", "Parameter `Limit` is invalid: must be positive.");
    if (offset < 0)
        return refuse("InvalidParameter", "Parameter `Offset` is invalid: must not be negative.");
    return NULL;
}

static char *answer_records(const struct snapshot *s, const cJSON *body)
{
    const char *bad = NULL;
    int64_t limit = int_param(body, "Limit", 10, &bad);
    int64_t offset = int_param(body, "Offset", 0, &bad);
    char *no = paging_refusal(limit, offset, bad);
    if (no) return no;
    if (limit > 1000) limit = 1000;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(body, "OldCertificateId");
    const char *cert = cJSON_IsString(c) && c->valuestring[0] ? c->valuestring : NULL;
    /* Shallow copies: the encoder only reads them. */
    struct records_page page = {0};
    size_t cap = 0;
    for (size_t i = 0; i < s->n_records; i++) {
        const struct update_record *r = &s->records[i];
        if (cert && (!r->old_cert_id || strcmp(r->old_cert_id, cert) != 0)) continue;
        uint64_t idx = page.total_count++;
        if (idx < (uint64_t)offset || idx - (uint64_t)offset >= (uint64_t)limit) continue;
        page.records = xgrow(page.records, &cap, page.n_records + 1, sizeof *page.records);
        page.records[page.n_records++] = *r;
    }
    char *out = codec_envelope(codec_encode_records_page(&page), OFFLINE_REQUEST_ID);
    free(page.records);
    return out;
}

static bool has_record(const struct snapshot *s, uint64_t id)
{
    for (size_t i = 0; i < s->n_records; i++)
        if (s->records[i].id == id) return true;
    return false;
}

static char *answer_detail(const struct snapshot *s, const cJSON *body)
{
    const char *bad = NULL;
    if (!cJSON_GetObjectItemCaseSensitive(body, "DeployRecordId"))
        return refuse("MissingParameter",
                      "The request is missing a required parameter `DeployRecordId`.");
    int64_t id = int_param(body, "DeployRecordId", 0, &bad);
    int64_t limit = int_param(body, "Limit", 10, &bad);
    int64_t offset = int_param(body, "Offset", 0, &bad);
    char *no = paging_refusal(limit, offset, bad);
    if (no) return no;
    const struct snapshot_detail *d = id >= 0 ? snapshot_find_detail(s, (uint64_t)id) : NULL;
    if (!d) {
        if (id >= 0 && has_record(s, (uint64_t)id))
            return refuse("OfflineSnapshot.NotSaved",
                          "offline snapshot: the detail of record %lld was not saved in it",
                          (long long)id);
        return refuse("OfflineSnapshot.NotSaved",
                      "offline snapshot: the snapshot holds no record %lld", (long long)id);
    }
    /* The emulator's own slicing of a record's runs (group paging). */
    struct dataset_record view = {.runs = d->page.runs, .n_runs = d->page.n_runs};
    struct detail_page page;
    dataset_detail_page(&view, offset, limit, &page);
    char *out = codec_envelope(codec_encode_detail_page(&page), OFFLINE_REQUEST_ID);
    model_detail_page_clear(&page);
    return out;
}

static char *answer(void *ctx, const char *action, bool write, const char *body, size_t len)
{
    const struct snapshot *s = ctx;
    if (write)
        return refuse("OfflineSnapshot.WritesDisabled", "offline snapshot: writes are disabled");
    bool records = !strcmp(action, "DescribeHostUploadUpdateRecord");
    if (!records && strcmp(action, "DescribeHostUploadUpdateRecordDetail") != 0)
        return refuse("OfflineSnapshot", "offline snapshot: %s is not available offline", action);
    struct api_error e;
    apierr_clear(&e);
    cJSON *req = codec_parse(body, len, NULL, &e);
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        return refuse("InvalidRequest", "The request body is not a JSON object.");
    }
    char *out = records ? answer_records(s, req) : answer_detail(s, req);
    cJSON_Delete(req);
    return out;
}

struct api_client *snapshot_client_new(const struct snapshot *s)
{
    struct api_source src = {
        .answer = answer,
        .ctx = (void *)s,
        .endpoint = s->endpoint,
        .secret_id_prefix = s->secret_id_prefix,
        .as_of_unix = s->taken_unix,
    };
    return api_client_new_source(&src);
}
