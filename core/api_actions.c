/* The actions: one function each, which checks its arguments, encodes the request body,
 * has the client send it (api_call_run) and decodes the answer with the codec. */
#include "core/api.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api_call.h"
#include "core/codec.h"
#include "core/trace.h"
#include "core/util.h"

/* ---- request bodies ---------------------------------------------------------------------- */

/* Integers go in as raw number text so every int64/uint64 is exact (no double rounding). */
static void api_add_int(cJSON *obj, const char *name, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    cJSON_AddRawToObject(obj, name, num);
}

static void api_add_uint(cJSON *obj, const char *name, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, v);
    cJSON_AddRawToObject(obj, name, num);
}

/* Prints obj into one buffer of ours: cJSON_Print grows its buffer with realloc, which would
 * leave unwiped copies of a private key in freed memory. A buffer that proves too small is
 * wiped before the next, larger try. */
static void api_finish_body(struct api_call *call, cJSON *obj)
{
    for (size_t size = 4096;; size *= 4) {
        if (size > (size_t)INT_MAX) {
            fprintf(stderr, "certdeck: request too large to encode\n");
            abort();
        }
        char *b = xmalloc(size);
        if (cJSON_PrintPreallocated(obj, b, (int)size, false)) {
            call->body = b;
            call->body_len = strlen(b);
            break;
        }
        secure_zero(b, size);
        free(b);
    }
    cJSON_Delete(obj);
}

static void api_free_body(struct api_call *call)
{
    if (!call->body) return;
    secure_zero(call->body, call->body_len);
    free(call->body);
    call->body = NULL;
}

/* ---- decoders ---------------------------------------------------------------------------- */

static int api_decode_records(const char *body, size_t len, void *out, char *rid, size_t rl,
                              struct api_error *err)
{
    struct records_page *p = out;
    if (codec_decode_records_body(body, len, p, err) != 0) return -1;
    if (p->request_id) strlcpy_safe(rid, p->request_id, rl);
    return 0;
}

static int api_decode_detail(const char *body, size_t len, void *out, char *rid, size_t rl,
                             struct api_error *err)
{
    struct detail_page *p = out;
    if (codec_decode_detail_body(body, len, p, err) != 0) return -1;
    if (p->request_id) strlcpy_safe(rid, p->request_id, rl);
    return 0;
}

static int api_decode_upload(const char *body, size_t len, void *out, char *rid, size_t rl,
                             struct api_error *err)
{
    struct upload_result *r = out;
    if (codec_decode_upload_body(body, len, r, err) != 0) return -1;
    if (r->request_id) strlcpy_safe(rid, r->request_id, rl);
    return 0;
}

static int api_decode_empty(const char *body, size_t len, void *out, char *rid, size_t rl,
                            struct api_error *err)
{
    (void)out;
    return codec_decode_empty_body(body, len, rid, rl, err);
}

/* ---- actions ----------------------------------------------------------------------------- */

static void api_usage(struct api_error *err, const char *what)
{
    apierr_clear(err);
    apierr_set(err, APIERR_USAGE, "%s", what);
}

int api_describe_records(struct api_client *c, const struct records_query *q,
                         struct records_page *out, const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    struct records_query none = {0};
    if (!q) q = &none;
    struct api_call call = {
        .action = "DescribeHostUploadUpdateRecord", .decode = api_decode_records, .out = out};
    cJSON *obj = cJSON_CreateObject();
    api_add_uint(obj, "Offset", q->offset);
    trace_param_uint(call.params, sizeof call.params, "Offset", q->offset);
    if (q->limit) {
        api_add_uint(obj, "Limit", q->limit);
        trace_param_uint(call.params, sizeof call.params, "Limit", q->limit);
    }
    if (q->old_cert_id) {
        cJSON_AddStringToObject(obj, "OldCertificateId", q->old_cert_id);
        trace_param_str(call.params, sizeof call.params, "OldCertificateId", q->old_cert_id);
    }
    api_finish_body(&call, obj);
    int rc = api_call_run(c, &call, cancel, NULL, 0, err);
    api_free_body(&call);
    return rc;
}

int api_describe_detail(struct api_client *c, const struct detail_query *q, struct detail_page *out,
                        const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    if (!q || q->record_id < 0 || q->offset < 0 || q->limit < 0) {
        api_usage(err, "DescribeHostUploadUpdateRecordDetail needs a DeployRecordId and "
                       "non-negative Offset and Limit");
        return -1;
    }
    struct api_call call = {
        .action = "DescribeHostUploadUpdateRecordDetail", .decode = api_decode_detail, .out = out};
    cJSON *obj = cJSON_CreateObject();
    api_add_int(obj, "DeployRecordId", q->record_id);
    api_add_int(obj, "Offset", q->offset);
    trace_param_int(call.params, sizeof call.params, "DeployRecordId", q->record_id);
    trace_param_int(call.params, sizeof call.params, "Offset", q->offset);
    if (q->limit) {
        api_add_int(obj, "Limit", q->limit);
        trace_param_int(call.params, sizeof call.params, "Limit", q->limit);
    }
    api_finish_body(&call, obj);
    int rc = api_call_run(c, &call, cancel, NULL, 0, err);
    api_free_body(&call);
    return rc;
}

int api_rollback(struct api_client *c, int64_t record_id, char *request_id, size_t rid_len,
                 struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    if (request_id && rid_len) request_id[0] = '\0';
    if (record_id < 0) {
        api_usage(err, "rollback needs a DeployRecordId");
        return -1;
    }
    struct api_call call = {.action = "UploadUpdateCertificateRecordRollback",
                            .write = true,
                            .decode = api_decode_empty};
    cJSON *obj = cJSON_CreateObject();
    api_add_int(obj, "DeployRecordId", record_id);
    trace_param_int(call.params, sizeof call.params, "DeployRecordId", record_id);
    api_finish_body(&call, obj);
    int rc = api_call_run(c, &call, NULL, request_id, rid_len, err);
    api_free_body(&call);
    return rc;
}

int api_retry(struct api_client *c, int64_t record_id, int64_t detail_id, char *request_id,
              size_t rid_len, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    if (request_id && rid_len) request_id[0] = '\0';
    if ((record_id >= 0) == (detail_id >= 0)) {
        api_usage(err, "retry needs exactly one of DeployRecordId and DeployRecordDetailId");
        return -1;
    }
    struct api_call call = {
        .action = "UploadUpdateCertificateRecordRetry", .write = true, .decode = api_decode_empty};
    cJSON *obj = cJSON_CreateObject();
    if (record_id >= 0) {
        api_add_int(obj, "DeployRecordId", record_id);
        trace_param_int(call.params, sizeof call.params, "DeployRecordId", record_id);
    } else {
        api_add_int(obj, "DeployRecordDetailId", detail_id);
        trace_param_int(call.params, sizeof call.params, "DeployRecordDetailId", detail_id);
    }
    api_finish_body(&call, obj);
    int rc = api_call_run(c, &call, NULL, request_id, rid_len, err);
    api_free_body(&call);
    return rc;
}

int api_upload_update(struct api_client *c, const struct upload_request *req,
                      struct upload_result *out, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    if (!req || !req->old_certificate_id || !req->old_certificate_id[0] || !req->n_resource_types ||
        !req->resource_types || !req->public_key_pem || !req->public_key_pem[0] ||
        !req->private_key_pem || !req->private_key_pem[0]) {
        api_usage(err, "upload needs OldCertificateId, at least one resource type, a "
                       "certificate and a private key");
        return -1;
    }
    struct api_call call = {.action = "UploadUpdateCertificateInstance",
                            .write = true,
                            .decode = api_decode_upload,
                            .out = out};
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "OldCertificateId", req->old_certificate_id);
    cJSON *types = cJSON_AddArrayToObject(obj, "ResourceTypes");
    struct buf summary = {0};
    for (size_t i = 0; i < req->n_resource_types; i++) {
        const char *t = req->resource_types[i] ? req->resource_types[i] : "";
        cJSON_AddItemToArray(types, cJSON_CreateString(t));
        buf_printf(&summary, "%s%s", i ? "," : "", t);
    }
    /* References, not copies: the only copy of the private key is the printed body, which is
     * wiped after the call. */
    cJSON_AddItemToObject(obj, "CertificatePublicKey",
                          cJSON_CreateStringReference(req->public_key_pem));
    cJSON_AddItemToObject(obj, "CertificatePrivateKey",
                          cJSON_CreateStringReference(req->private_key_pem));
    if (req->n_type_regions) {
        cJSON *trr = cJSON_AddArrayToObject(obj, "ResourceTypesRegions");
        buf_puts(&summary, " regions");
        for (size_t i = 0; i < req->n_type_regions; i++) {
            const struct upload_type_regions *tr = &req->type_regions[i];
            cJSON *o = cJSON_CreateObject();
            const char *t = tr->resource_type ? tr->resource_type : "";
            cJSON_AddStringToObject(o, "ResourceType", t);
            cJSON *rs = cJSON_AddArrayToObject(o, "Regions");
            buf_printf(&summary, " %s:", t);
            for (size_t k = 0; k < tr->n_regions; k++) {
                const char *r = tr->regions[k] ? tr->regions[k] : "";
                cJSON_AddItemToArray(rs, cJSON_CreateString(r));
                buf_printf(&summary, "%s%s", k ? "," : "", r);
            }
            cJSON_AddItemToArray(trr, o);
        }
    }
    trace_param_str(call.params, sizeof call.params, "OldCertificateId", req->old_certificate_id);
    trace_param_str(call.params, sizeof call.params, "ResourceTypes", summary.data);
    buf_free(&summary);
    api_finish_body(&call, obj);
    int rc = api_call_run(c, &call, NULL, NULL, 0, err);
    api_free_body(&call);
    return rc;
}
