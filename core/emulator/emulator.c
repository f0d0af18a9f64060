/* The local stand-in for ssl.tencentcloudapi.com: libmicrohttpd, one thread per connection
 * (a held or slow request never blocks the others), TC3 verification, the five actions over a
 * dataset guarded by one mutex, a per-action per-SecretId token bucket, and fault injection.
 *
 * The order of checks on a request, and the error each one gives (HTTP 200 with the
 * Response.Error envelope unless noted):
 *   1. method not POST, path not "/", Content-Type not application/json → UnsupportedProtocol
 *      (the emulator implements only the TC3 POST/JSON style); body > 10 MiB →
 *      RequestSizeLimitExceeded
 *   2. X-TC-Action / X-TC-Version missing → MissingParameter
 *   3. Authorization missing or malformed, or not signing both content-type and host →
 *      AuthFailure.InvalidAuthorization
 *   4. X-TC-Timestamp missing → MissingParameter; not an integer → InvalidParameter;
 *      |server now − timestamp| > 300 s → AuthFailure.SignatureExpire
 *   5. unknown SecretId → AuthFailure.SecretIdNotFound
 *   6. a signed header absent from the request, a credential date that is not the UTC date of
 *      the timestamp, or a wrong signature → AuthFailure.SignatureFailure. The service comes
 *      from the credential scope; the host is tried as received, then without its port.
 *   7. token configured and X-TC-Token missing or different → AuthFailure.TokenFailure
 *   8. unknown action → InvalidAction; version other than 2019-12-05 → NoSuchVersion
 *   9. over the rate → RequestLimitExceeded
 *  10. body not a JSON object → InvalidParameter; unknown key → UnknownParameter (the name
 *      quoted sanitized, at most 64 bytes); wrong type → InvalidParameter ("Parameter `Limit`
 *      type error."); a string that is not valid UTF-8 → InvalidParameter; required key
 *      missing → MissingParameter. Integers may be sent as numeric strings ("15"); a null
 *      value counts as absent.
 *  11. the action; an unknown record (or detail item) is
 *      FailedOperation.CertificateDeployNotExist (the real code is unverified, spec §4.3).
 * Paging: Limit ≤ 0 or Offset < 0 → InvalidParameter (the real rule is unverified). Detail:
 * Limit defaults to 10, above 200 is 200, and pages every resource-type group alike (each
 * List is the [Offset, Offset+Limit) slice, TotalCount the group's full size). Record list:
 * Limit defaults to 10, above 1000 is 1000, TotalCount counts the records matching
 * OldCertificateId.
 * Messages follow X-TC-Language: zh-CN gives Chinese, anything else English. */
#include "core/emulator/emulator.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/apierr.h"
#include "core/codec.h"
#include "core/emulator/dataset.h"
#include "core/sanitize.h"
#include "core/tc3.h"
#include "core/util.h"

#define EMU_VERSION         "2019-12-05"
#define EMU_MAX_BODY        ((size_t)10 * 1024 * 1024)
#define EMU_MAX_SKEW_S      300
#define EMU_TIMEOUT_HOLD_MS 30000
#define EMU_HUGE_SIZE       ((uint64_t)40 * 1024 * 1024)

struct bucket {
    char *key; /* SecretId "\n" Action */
    double tokens;
    int64_t last_ms;
};

struct emu {
    struct MHD_Daemon *daemon;
    int port;
    char url[192];
    char *secret_id, *secret_key, *token;
    double rate; /* < 0: unlimited */
    int latency_ms;
    bool log;
    int64_t clock_offset_s;
    enum dataset_paging paging;

    pthread_mutex_t lock; /* everything below */
    pthread_cond_t wake;  /* signalled by emu_stop: ends held and delayed requests */
    bool stopping;
    struct dataset ds;
    struct bucket *buckets;
    size_t n_buckets, cap_buckets;
    enum emu_fault fault;
    int fault_left; /* < 0: every request */

    _Atomic uint64_t requests;
};

/* One request's state across MHD's calls: the body as it arrives. */
struct req {
    struct buf body;
    bool too_big;
};

/* What to send back. */
struct answer {
    unsigned status;
    const char *content_type;
    char *body;
    size_t len;
    const char *code; /* the error code for the log; NULL on success */
    char note[160];   /* why, for the log only (never a secret) */
};

/* ---- messages ------------------------------------------------------------------------------ */

enum lang { LANG_EN, LANG_ZH };

struct message {
    const char *code, *en, *zh;
};

/* Fixed texts (the parameter errors are formatted in param_error). The English ones follow
 * the wording seen in captures of the real service where known (spec §4.1). */
static const struct message messages[] = {
    {"AuthFailure.InvalidAuthorization",
     "The Authorization header is invalid: it must be a TC3-HMAC-SHA256 signature that signs "
     "content-type and host.",
     "请求头部的 Authorization 不符合腾讯云标准。"},
    {"AuthFailure.SecretIdNotFound",
     "The SecretId is not found, please ensure that your SecretId is correct.",
     "密钥不存在。请在控制台检查密钥是否已被删除或者禁用，如状态正常，请检查密钥是否填写正确，"
     "注意前后不得有空格。"},
    {"AuthFailure.SignatureFailure",
     "The provided credentials could not be validated. Please check your signature is correct.",
     "请求签名验证失败，请检查您的签名计算是否正确。"},
    {"AuthFailure.SignatureExpire", "The signature is expired, please request again.",
     "签名过期。Timestamp 和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。"},
    {"AuthFailure.TokenFailure", "The provided token is invalid or missing.", "token 错误。"},
    {"InvalidAction", "The request `Action` is invalid or not found.", "接口不存在。"},
    {"NoSuchVersion", "The requested `Version` does not exist for this action.",
     "接口版本不存在。"},
    {"RequestLimitExceeded",
     "Your request rate is too high, which exceeds the frequency limit. Please try again later.",
     "请求的次数超过了频率限制。"},
    {"UnsupportedProtocol",
     "The HTTP method, path or content type is not supported: use POST / with Content-Type "
     "application/json.",
     "HTTP(S) 请求协议错误，请使用 POST / 和 application/json。"},
    {"RequestSizeLimitExceeded", "The request body exceeds 10 MB.", "请求包超过 10 MB 限制。"},
    {"InternalError",
     "An internal error has occurred. Retry your request, but if the problem persists, contact "
     "us.",
     "内部错误。"},
    {"FailedOperation.CertificateDeployNotExist", NULL, "部署记录不存在。"},
    {"FailedOperation.CertificateDeployHasPendingRecord", NULL,
     "当前有部署中的任务，请等待部署完成后再操作。"},
    {"FailedOperation.CertificateDeployRetryStatusInvalid", NULL,
     "部署记录不是失败状态，无法重试。"},
    {"FailedOperation.CertificateDeployRollbackStatusInvalid", NULL,
     "只有部署成功的记录才能回滚。"},
    {"FailedOperation.CertificateParseError", "The certificate or private key could not be parsed.",
     "证书解析失败。"},
    {"FailedOperation.CertificateHostResourceTypeInvalid", "The resource type is not supported.",
     "资源类型不合法。"},
};

static const struct message *message_for(const char *code)
{
    for (size_t i = 0; i < ARRAY_LEN(messages); i++)
        if (strcmp(messages[i].code, code) == 0) return &messages[i];
    return NULL;
}

/* ---- answers ------------------------------------------------------------------------------ */

static void new_request_id(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) {
        /* not expected; a clock-and-counter id is still unique enough for tests */
        static _Atomic uint64_t ctr;
        uint64_t x = (uint64_t)now_ms() ^ (atomic_fetch_add(&ctr, 1) * 0x9E3779B97F4A7C15ull);
        for (int i = 0; i < 16; i++)
            b[i] = (unsigned char)(x >> ((i % 8) * 8)) ^ (unsigned char)i;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static void answer_json(struct answer *a, char *body)
{
    a->status = MHD_HTTP_OK;
    a->content_type = "application/json";
    a->body = body;
    a->len = strlen(body);
}

static void answer_error(struct answer *a, const char *rid, const char *code, const char *msg)
{
    answer_json(a, codec_error_envelope(code, msg, rid));
    a->code = code;
}

/* An error with the table's text for the language. */
static void answer_std(struct answer *a, const char *rid, enum lang l, const char *code,
                       const char *note)
{
    const struct message *m = message_for(code);
    const char *text = m ? (l == LANG_ZH && m->zh ? m->zh : m->en) : NULL;
    answer_error(a, rid, code, text ? text : code);
    if (note) strlcpy_safe(a->note, note, sizeof a->note);
}

enum perr { PERR_MISSING, PERR_TYPE, PERR_UNKNOWN, PERR_VALUE };

static void param_error(struct answer *a, const char *rid, enum lang l, enum perr kind,
                        const char *name, const char *detail)
{
    char *msg;
    const char *code;
    switch (kind) {
    case PERR_MISSING:
        code = "MissingParameter";
        msg = l == LANG_ZH ? xasprintf("缺少必填参数 `%s`。", name)
                           : xasprintf("The request is missing a required parameter `%s`.", name);
        break;
    case PERR_TYPE:
        code = "InvalidParameter";
        msg = l == LANG_ZH ? xasprintf("参数 `%s` 类型错误。", name)
                           : xasprintf("Parameter `%s` type error.", name);
        break;
    case PERR_UNKNOWN:
        code = "UnknownParameter";
        msg = l == LANG_ZH ? xasprintf("未知参数 `%s`。", name)
                           : xasprintf("The parameter `%s` is not recognized.", name);
        break;
    default:
        code = "InvalidParameter";
        msg = l == LANG_ZH ? xasprintf("参数 `%s` 取值错误：%s", name, detail)
                           : xasprintf("Parameter `%s` is invalid: %s", name, detail);
        break;
    }
    answer_error(a, rid, code, msg);
    free(msg);
}

/* A dataset error: its code, the table's Chinese text for zh-CN, else its own message. */
static void answer_api_error(struct answer *a, const char *rid, enum lang l,
                             const struct api_error *err)
{
    const struct message *m = message_for(err->code);
    const char *text = l == LANG_ZH && m && m->zh ? m->zh : err->message;
    answer_error(a, rid, err->code[0] ? err->code : "FailedOperation", text);
    strlcpy_safe(a->note, err->message, sizeof a->note);
}

/* ---- parameters ------------------------------------------------------------------------- */

enum ptype { P_INT, P_STR, P_STRS, P_REGIONS };

struct param {
    const char *name;
    enum ptype type;
    bool required;
};

enum action { A_DETAIL, A_RECORDS, A_UPLOAD, A_ROLLBACK, A_RETRY };

struct action_def {
    const char *name;
    enum action id;
    const struct param *params;
    size_t n_params;
};

static const struct param detail_params[] = {
    {"DeployRecordId", P_INT, true}, {"Limit", P_INT, false}, {"Offset", P_INT, false}};
static const struct param records_params[] = {
    {"Offset", P_INT, false}, {"Limit", P_INT, false}, {"OldCertificateId", P_STR, false}};
static const struct param upload_params[] = {
    {"OldCertificateId", P_STR, true},          {"ResourceTypes", P_STRS, true},
    {"CertificatePublicKey", P_STR, true},      {"CertificatePrivateKey", P_STR, true},
    {"ResourceTypesRegions", P_REGIONS, false}, {"CertificateId", P_STR, false}};
static const struct param rollback_params[] = {{"DeployRecordId", P_INT, true}};
static const struct param retry_params[] = {{"DeployRecordId", P_INT, false},
                                            {"DeployRecordDetailId", P_INT, false}};

#define ACTION(n, id, p)                                                                           \
    {                                                                                              \
        n, id, p, ARRAY_LEN(p)                                                                     \
    }
static const struct action_def actions[] = {
    ACTION("DescribeHostUploadUpdateRecordDetail", A_DETAIL, detail_params),
    ACTION("DescribeHostUploadUpdateRecord", A_RECORDS, records_params),
    ACTION("UploadUpdateCertificateInstance", A_UPLOAD, upload_params),
    ACTION("UploadUpdateCertificateRecordRollback", A_ROLLBACK, rollback_params),
    ACTION("UploadUpdateCertificateRecordRetry", A_RETRY, retry_params),
};

static bool strings_array(const cJSON *v)
{
    if (!cJSON_IsArray(v)) return false;
    for (const cJSON *x = v->child; x; x = x->next)
        if (!cJSON_IsString(x)) return false;
    return true;
}

static bool type_ok(const cJSON *v, enum ptype t)
{
    int64_t dummy;
    switch (t) {
    case P_INT:
        return codec_int_value(v, &dummy) == 0;
    case P_STR:
        return cJSON_IsString(v);
    case P_STRS:
        return strings_array(v);
    case P_REGIONS:
        if (!cJSON_IsArray(v)) return false;
        for (const cJSON *o = v->child; o; o = o->next) {
            if (!cJSON_IsObject(o)) return false;
            for (const cJSON *f = o->child; f; f = f->next) {
                if (strcmp(f->string, "ResourceType") == 0) {
                    if (!cJSON_IsString(f)) return false;
                } else if (strcmp(f->string, "Regions") == 0) {
                    if (!strings_array(f) && !cJSON_IsNull(f)) return false;
                } else {
                    return false;
                }
            }
        }
        return true;
    }
    return false;
}

/* Whether every string in v, a parameter whose shape type_ok accepted (so at most three
 * levels deep), is valid UTF-8. A string that is not would be stored and then served in
 * every later answer, which clients that check UTF-8 could no longer decode. */
static bool utf8_ok(const cJSON *v)
{
    if (cJSON_IsString(v)) return utf8_invalid_offset(v->valuestring, strlen(v->valuestring)) < 0;
    for (const cJSON *c = v->child; c; c = c->next)
        if (!utf8_ok(c)) return false;
    return true;
}

/* An unknown parameter's name, as the answer quotes it: sanitized and cut to 64 bytes (the
 * name is the client's, and may be anything up to the body's size). Heap string. */
static char *shown_name(const char *name)
{
    size_t n = strlen(name);
    if (n <= 64) return sanitize_dup(name);
    char *head = xstrndup(name, 64);
    char *clean = sanitize_dup(head);
    char *shown = xasprintf("%s…", clean);
    free(head);
    free(clean);
    return shown;
}

/* Checks the body against the action's parameters; on failure fills the answer. */
static bool check_params(const struct action_def *def, const cJSON *body, struct answer *a,
                         const char *rid, enum lang l)
{
    for (const cJSON *k = body->child; k; k = k->next) {
        const struct param *p = NULL;
        for (size_t i = 0; i < def->n_params; i++)
            if (strcmp(def->params[i].name, k->string) == 0) p = &def->params[i];
        if (!p) {
            char *clean = shown_name(k->string);
            param_error(a, rid, l, PERR_UNKNOWN, clean, NULL);
            free(clean);
            return false;
        }
        if (!cJSON_IsNull(k) && !type_ok(k, p->type)) {
            param_error(a, rid, l, PERR_TYPE, p->name, NULL);
            return false;
        }
        if (!utf8_ok(k)) {
            param_error(a, rid, l, PERR_VALUE, p->name,
                        l == LANG_ZH ? "必须是合法的 UTF-8 字符串。" : "must be valid UTF-8.");
            return false;
        }
    }
    for (size_t i = 0; i < def->n_params; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, def->params[i].name);
        if (def->params[i].required && (!v || cJSON_IsNull(v))) {
            param_error(a, rid, l, PERR_MISSING, def->params[i].name, NULL);
            return false;
        }
    }
    return true;
}

/* An integer parameter (already type-checked); absent or null gives def. */
static int64_t int_param(const cJSON *body, const char *name, int64_t def, bool *present)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    int64_t x;
    if (!v || cJSON_IsNull(v) || codec_int_value(v, &x) != 0) {
        if (present) *present = false;
        return def;
    }
    if (present) *present = true;
    return x;
}

static const char *str_param(const cJSON *body, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- the actions ------------------------------------------------------------------------ */

static int64_t server_now(const struct emu *e)
{
    return now_unix() + e->clock_offset_s;
}

static void act_detail(struct emu *e, const cJSON *body, struct answer *a, const char *rid,
                       enum lang l)
{
    int64_t id = int_param(body, "DeployRecordId", 0, NULL);
    int64_t limit = int_param(body, "Limit", 10, NULL);
    int64_t offset = int_param(body, "Offset", 0, NULL);
    if (limit <= 0) {
        param_error(a, rid, l, PERR_VALUE, "Limit",
                    l == LANG_ZH ? "必须大于 0。" : "must be positive.");
        return;
    }
    if (offset < 0) {
        param_error(a, rid, l, PERR_VALUE, "Offset",
                    l == LANG_ZH ? "不能为负数。" : "must not be negative.");
        return;
    }
    struct detail_page page;
    struct api_error err;
    pthread_mutex_lock(&e->lock);
    dataset_advance(&e->ds, server_now(e));
    const struct dataset_record *rec = id > 0 ? dataset_find(&e->ds, (uint64_t)id) : NULL;
    if (rec) dataset_detail_page_mode(rec, e->paging, offset, limit, &page);
    pthread_mutex_unlock(&e->lock);
    if (!rec) {
        apierr_clear(&err);
        err.kind = APIERR_API;
        strlcpy_safe(err.code, "FailedOperation.CertificateDeployNotExist", sizeof err.code);
        snprintf(err.message, sizeof err.message, "The deploy record %" PRId64 " does not exist.",
                 id);
        answer_api_error(a, rid, l, &err);
        return;
    }
    answer_json(a, codec_envelope(codec_encode_detail_page(&page), rid));
    model_detail_page_clear(&page);
}

static void act_records(struct emu *e, const cJSON *body, struct answer *a, const char *rid,
                        enum lang l)
{
    int64_t limit = int_param(body, "Limit", 10, NULL);
    int64_t offset = int_param(body, "Offset", 0, NULL);
    const char *cert = str_param(body, "OldCertificateId");
    if (cert && !*cert) cert = NULL;
    if (limit <= 0) {
        param_error(a, rid, l, PERR_VALUE, "Limit",
                    l == LANG_ZH ? "必须大于 0。" : "must be positive.");
        return;
    }
    if (offset < 0) {
        param_error(a, rid, l, PERR_VALUE, "Offset",
                    l == LANG_ZH ? "不能为负数。" : "must not be negative.");
        return;
    }
    if (limit > 1000) limit = 1000;
    struct records_page page;
    memset(&page, 0, sizeof page);
    pthread_mutex_lock(&e->lock);
    dataset_advance(&e->ds, server_now(e));
    size_t cap = 0;
    for (size_t i = 0; i < e->ds.n_records; i++) {
        const struct update_record *r = &e->ds.records[i].info;
        if (cert && (!r->old_cert_id || strcmp(r->old_cert_id, cert) != 0)) continue;
        uint64_t idx = page.total_count++;
        if (idx < (uint64_t)offset || idx >= (uint64_t)offset + (uint64_t)limit) continue;
        page.records = xgrow(page.records, &cap, page.n_records + 1, sizeof *page.records);
        model_record_copy(&page.records[page.n_records++], r);
    }
    pthread_mutex_unlock(&e->lock);
    answer_json(a, codec_envelope(codec_encode_records_page(&page), rid));
    model_records_page_clear(&page);
}

static const char *const known_types[] = {"clb",        "cdn", "ddos", "live", "vod", "waf",
                                          "apigateway", "teo", "tke",  "cos",  "tse", "tcb"};

static bool known_type(const char *t)
{
    for (size_t i = 0; i < ARRAY_LEN(known_types); i++)
        if (strcmp(known_types[i], t) == 0) return true;
    return false;
}

static void act_upload(struct emu *e, const cJSON *body, struct answer *a, const char *rid,
                       enum lang l)
{
    const char *cert = str_param(body, "OldCertificateId");
    const char *pub = str_param(body, "CertificatePublicKey");
    const char *key = str_param(body, "CertificatePrivateKey");
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(body, "ResourceTypes");
    size_t n = (size_t)cJSON_GetArraySize(types);
    if (!*cert) {
        param_error(a, rid, l, PERR_VALUE, "OldCertificateId",
                    l == LANG_ZH ? "不能为空。" : "must not be empty.");
        return;
    }
    if (n == 0) {
        param_error(a, rid, l, PERR_VALUE, "ResourceTypes",
                    l == LANG_ZH ? "不能为空。" : "must not be empty.");
        return;
    }
    char **tv = xcalloc(n, sizeof *tv);
    size_t i = 0;
    for (const cJSON *t = types->child; t; t = t->next)
        tv[i++] = t->valuestring;
    for (i = 0; i < n; i++) {
        if (!known_type(tv[i])) {
            answer_std(a, rid, l, "FailedOperation.CertificateHostResourceTypeInvalid",
                       "unknown resource type");
            free(tv);
            return;
        }
    }
    if (!strstr(pub, "-----BEGIN CERTIFICATE-----") || !strstr(key, "PRIVATE KEY-----")) {
        answer_std(a, rid, l, "FailedOperation.CertificateParseError", "not PEM");
        free(tv);
        return;
    }
    /* the first region named for any of the types places made-up instances */
    const char *region = NULL;
    const cJSON *trr = cJSON_GetObjectItemCaseSensitive(body, "ResourceTypesRegions");
    for (const cJSON *o = cJSON_IsArray(trr) ? trr->child : NULL; o && !region; o = o->next) {
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(o, "Regions");
        if (cJSON_IsArray(rs) && rs->child && cJSON_IsString(rs->child))
            region = rs->child->valuestring;
    }

    struct upload_result res;
    memset(&res, 0, sizeof res);
    bool created = false;
    pthread_mutex_lock(&e->lock);
    int64_t now = server_now(e);
    dataset_advance(&e->ds, now);
    res.deploy_record_id = dataset_upload(&e->ds, cert, tv, n, region, now, &created);
    res.deploy_status = created ? 1 : 0;
    if (created) {
        /* the sync of every type's instance list is done by the time the task exists */
        const struct dataset_record *rec = dataset_find(&e->ds, res.deploy_record_id);
        const struct deploy_run *run = rec && rec->n_runs ? &rec->runs[0] : NULL;
        res.progress = xcalloc(n, sizeof *res.progress);
        res.n_progress = n;
        for (i = 0; i < n; i++) {
            struct sync_progress *sp = &res.progress[i];
            sp->resource_type = xstrdup(tv[i]);
            sp->status = 1;
            sp->regions = xcalloc(1, sizeof *sp->regions);
            sp->n_regions = 1;
            int64_t count = run && i < run->n_groups ? run->groups[i].total_count : 0;
            const char *rg = run && i < run->n_groups && run->groups[i].n_items &&
                                     run->groups[i].items[0].region &&
                                     run->groups[i].items[0].region[0]
                                 ? run->groups[i].items[0].region
                                 : (region ? region : "ap-guangzhou");
            sp->regions[0].region = xstrdup(rg);
            sp->regions[0].total_count = count;
            sp->regions[0].has_total_count = true;
            sp->regions[0].offset_count = count;
            sp->regions[0].has_offset_count = true;
            sp->regions[0].status = 1;
        }
    }
    pthread_mutex_unlock(&e->lock);
    free(tv);
    answer_json(a, codec_envelope(codec_encode_upload_result(&res), rid));
    model_upload_result_clear(&res);
}

static void act_write(struct emu *e, enum action act, const cJSON *body, struct answer *a,
                      const char *rid, enum lang l)
{
    bool has_rec = false, has_item = false;
    int64_t rec_id = int_param(body, "DeployRecordId", 0, &has_rec);
    int64_t item_id = int_param(body, "DeployRecordDetailId", 0, &has_item);
    if (act == A_RETRY && has_rec && has_item) {
        param_error(a, rid, l, PERR_VALUE, "DeployRecordDetailId",
                    l == LANG_ZH ? "不能与 `DeployRecordId` 同时指定。"
                                 : "give either `DeployRecordId` or `DeployRecordDetailId`, not "
                                   "both.");
        return;
    }
    if (act == A_RETRY && !has_rec && !has_item) {
        param_error(a, rid, l, PERR_MISSING, "DeployRecordId` or `DeployRecordDetailId", NULL);
        return;
    }
    struct api_error err;
    apierr_clear(&err);
    int rc;
    pthread_mutex_lock(&e->lock);
    int64_t now = server_now(e);
    dataset_advance(&e->ds, now);
    if (act == A_ROLLBACK)
        rc = rec_id > 0 ? dataset_rollback(&e->ds, (uint64_t)rec_id, now, &err) : -2;
    else if (has_rec)
        rc = rec_id > 0 ? dataset_retry_record(&e->ds, (uint64_t)rec_id, now, &err) : -2;
    else
        rc = item_id > 0 ? dataset_retry_item(&e->ds, (uint64_t)item_id, now, &err) : -2;
    pthread_mutex_unlock(&e->lock);
    if (rc == -2) {
        err.kind = APIERR_API;
        strlcpy_safe(err.code, "FailedOperation.CertificateDeployNotExist", sizeof err.code);
        snprintf(err.message, sizeof err.message, "The deploy record %" PRId64 " does not exist.",
                 has_item && !has_rec ? item_id : rec_id);
    }
    if (rc != 0) {
        answer_api_error(a, rid, l, &err);
        return;
    }
    answer_json(a, codec_envelope(cJSON_CreateObject(), rid));
}

/* ---- rate limit ------------------------------------------------------------------------ */

/* A token bucket per (SecretId, Action): bursts of `rate`, refilled at `rate` per second. */
static bool rate_allow(struct emu *e, const char *secret_id, const char *action)
{
    if (e->rate < 0) return true;
    char key[256];
    snprintf(key, sizeof key, "%s\n%s", secret_id, action);
    int64_t now = now_ms();
    double cap = e->rate < 1 ? 1 : e->rate;
    pthread_mutex_lock(&e->lock);
    struct bucket *b = NULL;
    for (size_t i = 0; i < e->n_buckets; i++)
        if (strcmp(e->buckets[i].key, key) == 0) b = &e->buckets[i];
    if (!b) {
        e->buckets = xgrow(e->buckets, &e->cap_buckets, e->n_buckets + 1, sizeof *e->buckets);
        b = &e->buckets[e->n_buckets++];
        b->key = xstrdup(key);
        b->tokens = cap;
        b->last_ms = now;
    }
    b->tokens += (double)(now - b->last_ms) * e->rate / 1000.0;
    if (b->tokens > cap) b->tokens = cap;
    b->last_ms = now;
    bool ok = b->tokens >= 1.0;
    if (ok) b->tokens -= 1.0;
    pthread_mutex_unlock(&e->lock);
    return ok;
}

/* ---- the request -------------------------------------------------------------------------- */

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static bool parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s) return false;
    const char *p = s;
    if (*p == '-') p++;
    if (!*p) return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno) return false;
    *out = v;
    return true;
}

/* Host without its port: "127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"; NULL if there
 * was no port. */
static char *host_without_port(const char *host)
{
    const char *colon;
    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        if (!end || end[1] != ':') return NULL;
        colon = end + 1;
    } else {
        colon = strrchr(host, ':');
        if (!colon || strchr(host, ':') != colon) return NULL;
    }
    return xstrndup(host, (size_t)(colon - host));
}

/* Verifies the TC3 signature over the headers the client says it signed. 0 ok, -1 a signed
 * header is missing (note says which), -2 signature mismatch. */
static int verify_signature(struct emu *e, struct MHD_Connection *c, const struct tc3_auth *auth,
                            const struct req *rq, int64_t ts, char *note, size_t note_len)
{
    struct tc3_header hs[32];
    char names[sizeof auth->signed_headers];
    strlcpy_safe(names, auth->signed_headers, sizeof names);
    size_t n = 0;
    int host_index = -1;
    char *save = NULL;
    for (char *tok = strtok_r(names, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        if (n == ARRAY_LEN(hs)) {
            snprintf(note, note_len, "too many signed headers");
            return -1;
        }
        const char *v = header(c, tok);
        if (!v) {
            snprintf(note, note_len, "signed header %s is not in the request", tok);
            return -1;
        }
        if (strcasecmp(tok, "host") == 0) host_index = (int)n;
        hs[n].name = tok;
        hs[n].value = v;
        n++;
    }
    const char *cs = header(c, "X-TC-Content-SHA256");
    struct tc3_request tr = {
        .method = "POST",
        .uri = "/",
        .query = "",
        .headers = hs,
        .n_headers = n,
        .payload = rq->body.data ? rq->body.data : "",
        .payload_len = rq->body.len,
        .unsigned_payload = cs && strcmp(cs, "UNSIGNED-PAYLOAD") == 0,
    };
    if (tc3_verify(&tr, auth, ts, e->secret_key)) return 0;
    if (host_index >= 0) {
        char *bare = host_without_port(hs[host_index].value);
        if (bare) {
            /* tr.headers points at hs: the retry below reads this. */
            hs[host_index].value = bare; // cppcheck-suppress unreadVariable
            bool ok = tc3_verify(&tr, auth, ts, e->secret_key);
            free(bare);
            if (ok) return 0;
        }
    }
    char date[11];
    tc3_utc_date(ts, date);
    if (strcmp(date, auth->date) != 0)
        snprintf(note, note_len, "credential date %s is not the UTC date %s of the timestamp",
                 auth->date, date);
    else
        snprintf(note, note_len, "signature mismatch");
    return -2;
}

/* Compares a received token with ours in time that does not depend on where they differ. */
static bool same_secret(const char *got, const char *want)
{
    size_t n = strlen(want);
    return strlen(got) == n && CRYPTO_memcmp(got, want, n) == 0;
}

static bool has_signed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncasecmp(p, name, n) == 0) return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

static bool content_type_json(const char *ct)
{
    if (!ct) return false;
    static const char want[] = "application/json";
    if (strncasecmp(ct, want, sizeof want - 1) != 0) return false;
    char next = ct[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ';
}

/* Everything but faults: computes the answer to one complete request. */
static void handle(struct emu *e, struct MHD_Connection *c, const char *url, const char *method,
                   const struct req *rq, const char *rid, struct answer *a, const char **action_out)
{
    const char *lang_h = header(c, "X-TC-Language");
    enum lang l = lang_h && strcasecmp(lang_h, "zh-CN") == 0 ? LANG_ZH : LANG_EN;
    const char *action = header(c, "X-TC-Action");
    *action_out = action;

    if (strcmp(method, "POST") != 0) {
        answer_std(a, rid, l, "UnsupportedProtocol", "method is not POST");
        return;
    }
    if (strcmp(url, "/") != 0) {
        answer_std(a, rid, l, "UnsupportedProtocol", "path is not /");
        return;
    }
    if (rq->too_big) {
        answer_std(a, rid, l, "RequestSizeLimitExceeded", NULL);
        return;
    }
    if (!content_type_json(header(c, "Content-Type"))) {
        answer_std(a, rid, l, "UnsupportedProtocol", "Content-Type is not application/json");
        return;
    }
    if (!action || !*action) {
        param_error(a, rid, l, PERR_MISSING, "Action", NULL);
        return;
    }
    const char *version = header(c, "X-TC-Version");
    if (!version || !*version) {
        param_error(a, rid, l, PERR_MISSING, "Version", NULL);
        return;
    }

    struct tc3_auth auth;
    const char *authz = header(c, "Authorization");
    if (!authz) {
        answer_std(a, rid, l, "AuthFailure.InvalidAuthorization", "no Authorization header");
        return;
    }
    if (tc3_parse_authorization(authz, &auth) != 0) {
        answer_std(a, rid, l, "AuthFailure.InvalidAuthorization", "malformed Authorization");
        return;
    }
    if (!has_signed(auth.signed_headers, "content-type") ||
        !has_signed(auth.signed_headers, "host")) {
        answer_std(a, rid, l, "AuthFailure.InvalidAuthorization",
                   "SignedHeaders must include content-type and host");
        return;
    }
    const char *ts_h = header(c, "X-TC-Timestamp");
    int64_t ts;
    if (!ts_h || !*ts_h) {
        param_error(a, rid, l, PERR_MISSING, "Timestamp", NULL);
        return;
    }
    if (!parse_i64(ts_h, &ts)) {
        param_error(a, rid, l, PERR_TYPE, "Timestamp", NULL);
        return;
    }
    int64_t skew = server_now(e) - ts;
    if (skew > EMU_MAX_SKEW_S || skew < -EMU_MAX_SKEW_S) {
        char note[96];
        snprintf(note, sizeof note, "timestamp is %" PRId64 " s off", skew);
        answer_std(a, rid, l, "AuthFailure.SignatureExpire", note);
        return;
    }
    if (strcmp(auth.secret_id, e->secret_id) != 0) {
        answer_std(a, rid, l, "AuthFailure.SecretIdNotFound", "unknown SecretId");
        return;
    }
    char note[160] = "";
    if (verify_signature(e, c, &auth, rq, ts, note, sizeof note) != 0) {
        answer_std(a, rid, l, "AuthFailure.SignatureFailure", note);
        return;
    }
    if (e->token) {
        const char *tok = header(c, "X-TC-Token");
        if (!tok || !same_secret(tok, e->token)) {
            answer_std(a, rid, l, "AuthFailure.TokenFailure",
                       tok ? "X-TC-Token differs" : "no X-TC-Token");
            return;
        }
    }

    const struct action_def *def = NULL;
    for (size_t i = 0; i < ARRAY_LEN(actions); i++)
        if (strcmp(actions[i].name, action) == 0) def = &actions[i];
    if (!def) {
        answer_std(a, rid, l, "InvalidAction", NULL);
        return;
    }
    if (strcmp(version, EMU_VERSION) != 0) {
        answer_std(a, rid, l, "NoSuchVersion", NULL);
        return;
    }
    if (!rate_allow(e, auth.secret_id, def->name)) {
        answer_std(a, rid, l, "RequestLimitExceeded", NULL);
        return;
    }

    struct api_error perr;
    cJSON *body = codec_parse(rq->body.data, rq->body.len, NULL, &perr);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        char *msg = l == LANG_ZH ? xstrdup("请求体不是合法的 JSON 对象。")
                                 : xstrdup("The request body is not a valid JSON object.");
        answer_error(a, rid, "InvalidParameter", msg);
        free(msg);
        return;
    }
    if (check_params(def, body, a, rid, l)) {
        switch (def->id) {
        case A_DETAIL:
            act_detail(e, body, a, rid, l);
            break;
        case A_RECORDS:
            act_records(e, body, a, rid, l);
            break;
        case A_UPLOAD:
            act_upload(e, body, a, rid, l);
            break;
        case A_ROLLBACK:
        case A_RETRY:
            act_write(e, def->id, body, a, rid, l);
            break;
        }
    }
    cJSON_Delete(body);
}

/* ---- faults -------------------------------------------------------------------------------- */

static enum emu_fault take_fault(struct emu *e)
{
    pthread_mutex_lock(&e->lock);
    enum emu_fault f = e->fault;
    if (f != EMU_FAULT_NONE && e->fault_left > 0 && --e->fault_left == 0) e->fault = EMU_FAULT_NONE;
    pthread_mutex_unlock(&e->lock);
    return f;
}

/* Sleeps ms, or less if the emulator stops. Returns false when it is stopping. */
static bool emu_sleep(struct emu *e, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->lock);
    while (!e->stopping) {
        if (pthread_cond_timedwait(&e->wake, &e->lock, &until) == ETIMEDOUT) break;
    }
    bool stopping = e->stopping;
    pthread_mutex_unlock(&e->lock);
    return !stopping;
}

/* Replaces integers of a success body with wrongly typed values: every item's Port becomes
 * "x" (and so on for the other actions), as a broken backend might send. */
static void wrong_types(struct answer *a)
{
    struct api_error perr;
    cJSON *root = codec_parse(a->body, a->len, NULL, &perr);
    cJSON *resp = cJSON_GetObjectItemCaseSensitive(root, "Response");
    if (!cJSON_IsObject(resp)) {
        cJSON_Delete(root);
        return;
    }
    bool done = false;
    cJSON *runs = cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordDetail");
    cJSON *run;
    cJSON_ArrayForEach(run, runs)
    {
        cJSON *group;
        cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(run, "RecordDetailList"))
        {
            cJSON *item;
            cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(group, "List"))
            {
                cJSON_ReplaceItemInObjectCaseSensitive(item, "Port", cJSON_CreateString("x"));
                done = true;
            }
        }
        if (!done) {
            cJSON_ReplaceItemInObjectCaseSensitive(run, "TotalCount", cJSON_CreateString("x"));
            done = true;
        }
    }
    static const char *const ints[] = {"DeployRecordDetail", "TotalCount", "DeployStatus"};
    for (size_t i = 0; !done && i < ARRAY_LEN(ints); i++)
        if (cJSON_GetObjectItemCaseSensitive(resp, ints[i])) {
            cJSON_ReplaceItemInObjectCaseSensitive(resp, ints[i], cJSON_CreateString("x"));
            done = true;
        }
    if (!done) cJSON_ReplaceItemInObjectCaseSensitive(resp, "RequestId", cJSON_CreateNumber(42));
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!s) return;
    free(a->body);
    a->body = xstrdup(s);
    a->len = strlen(a->body);
    cJSON_free(s);
}

struct huge_body {
    char head[128];
    size_t head_len;
    uint64_t total;
};

/* Streams {"Response":{"RequestId":"…","Padding":"xxxx…"}} of exactly total bytes. */
static ssize_t huge_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    const struct huge_body *h = cls;
    if (pos >= h->total) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = 0;
    static const char tail[] = "\"}}";
    while (n < max && pos < h->total) {
        char ch;
        if (pos < h->head_len)
            ch = h->head[pos];
        else if (pos >= h->total - (sizeof tail - 1))
            ch = tail[pos - (h->total - (sizeof tail - 1))];
        else
            ch = 'x';
        buf[n++] = ch;
        pos++;
    }
    return (ssize_t)n;
}

static struct MHD_Response *fault_response(enum emu_fault f, const char *rid, unsigned *status)
{
    static const char html500[] =
        "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center>"
        "<h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
        "</html>\r\n";
    static const char html503[] =
        "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
        "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx"
        "</center>\r\n</body>\r\n</html>\r\n";
    static const char garbage[] = "\x1f\x8b\x08\x00<html><body>upstream sent an invalid "
                                  "response</body></html>\xff\xfe";
    struct MHD_Response *r = NULL;
    const char *ct = "text/html";
    switch (f) {
    case EMU_FAULT_HTTP_500:
        *status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        r = MHD_create_response_from_buffer(sizeof html500 - 1, (void *)html500,
                                            MHD_RESPMEM_PERSISTENT);
        break;
    case EMU_FAULT_HTTP_503:
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        r = MHD_create_response_from_buffer(sizeof html503 - 1, (void *)html503,
                                            MHD_RESPMEM_PERSISTENT);
        break;
    case EMU_FAULT_GARBAGE:
        *status = MHD_HTTP_OK;
        ct = "application/json";
        r = MHD_create_response_from_buffer(sizeof garbage - 1, (void *)garbage,
                                            MHD_RESPMEM_PERSISTENT);
        break;
    case EMU_FAULT_HUGE: {
        *status = MHD_HTTP_OK;
        ct = "application/json";
        struct huge_body *h = xcalloc(1, sizeof *h);
        h->head_len = (size_t)snprintf(h->head, sizeof h->head,
                                       "{\"Response\":{\"RequestId\":\"%s\",\"Padding\":\"", rid);
        h->total = EMU_HUGE_SIZE;
        r = MHD_create_response_from_callback(h->total, (size_t)64 * 1024, huge_reader, h, free);
        break;
    }
    default:
        break;
    }
    if (r) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
    return r;
}

/* Closes the connection with a TCP reset rather than a FIN where the OS allows it. */
static void arrange_reset(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return;
    struct linger lg = {1, 0};
    setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

/* ---- libmicrohttpd glue ----------------------------------------------------------------- */

static void log_line(struct emu *e, const char *method, const char *action, const char *outcome,
                     const char *note, int64_t ms)
{
    if (!e->log) return;
    char *a = sanitize_dup(action ? action : "-");
    char *m = sanitize_dup(method);
    char *n = sanitize_dup(note);
    fprintf(stderr, "certdeck-emulator: %s %s -> %s%s%s (%" PRId64 " ms)\n", m, a, outcome,
            *n ? ": " : "", n, ms);
    free(a);
    free(m);
    free(n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct emu *e = cls;
    struct req *rq = *con_cls;
    if (!rq) {
        rq = xcalloc(1, sizeof *rq);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (rq->body.len + *upload_data_size > EMU_MAX_BODY)
            rq->too_big = true;
        else
            buf_append(&rq->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    /* the whole request is in */
    int64_t t0 = now_ms();
    atomic_fetch_add(&e->requests, 1);
    enum emu_fault f = take_fault(e);
    if (f == EMU_FAULT_TIMEOUT) {
        int64_t hold = e->latency_ms > EMU_TIMEOUT_HOLD_MS ? e->latency_ms : EMU_TIMEOUT_HOLD_MS;
        log_line(e, method, header(c, "X-TC-Action"), "fault timeout", NULL, 0);
        emu_sleep(e, hold);
        return MHD_NO;
    }
    if (e->latency_ms > 0 && !emu_sleep(e, e->latency_ms)) return MHD_NO;
    if (f == EMU_FAULT_RESET) {
        log_line(e, method, header(c, "X-TC-Action"), "fault reset", NULL, now_ms() - t0);
        arrange_reset(c);
        return MHD_NO;
    }

    char rid[37];
    new_request_id(rid);
    unsigned status = MHD_HTTP_OK;
    struct MHD_Response *resp = fault_response(f, rid, &status);
    const char *action = NULL;
    if (resp) {
        log_line(e, method, header(c, "X-TC-Action"), "fault", emu_fault_name(f), now_ms() - t0);
    } else {
        struct answer a;
        memset(&a, 0, sizeof a);
        if (f == EMU_FAULT_RATE_LIMIT || f == EMU_FAULT_INTERNAL) {
            action = header(c, "X-TC-Action");
            answer_std(&a, rid, LANG_EN,
                       f == EMU_FAULT_RATE_LIMIT ? "RequestLimitExceeded" : "InternalError",
                       "fault");
        } else {
            handle(e, c, url, method, rq, rid, &a, &action);
        }
        if (!a.body) answer_std(&a, rid, LANG_EN, "InternalError", "no answer"); /* defensive */
        if (f == EMU_FAULT_WRONG_TYPES && !a.code) wrong_types(&a);
        if (f == EMU_FAULT_TRUNCATED) a.len /= 2;
        log_line(e, method, action, a.code ? a.code : "OK", a.note, now_ms() - t0);
        status = a.status;
        resp = MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(a.body);
            return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a.content_type);
    }
    if (!resp) return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct req *rq = *con_cls;
    if (!rq) return;
    /* An upload's body holds a private key. */
    if (rq->body.data) secure_zero(rq->body.data, rq->body.len);
    buf_free(&rq->body);
    free(rq);
    *con_cls = NULL;
}

/* ---- start and stop ------------------------------------------------------------------------ */

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" into a bound, listening socket. */
static int open_listener(const char *listen_addr, int *port_out, char *url, size_t url_len,
                         bool *v6_out, char *err, size_t errlen)
{
    char host[128];
    const char *port_s;
    if (listen_addr[0] == '[') {
        const char *end = strchr(listen_addr, ']');
        if (!end || end[1] != ':' || (size_t)(end - listen_addr - 1) >= sizeof host) goto bad;
        memcpy(host, listen_addr + 1, (size_t)(end - listen_addr - 1));
        host[end - listen_addr - 1] = '\0';
        port_s = end + 2;
    } else {
        const char *colon = strrchr(listen_addr, ':');
        if (!colon || (size_t)(colon - listen_addr) >= sizeof host) goto bad;
        memcpy(host, listen_addr, (size_t)(colon - listen_addr));
        host[colon - listen_addr] = '\0';
        port_s = colon + 1;
    }
    if (!*host) strlcpy_safe(host, "127.0.0.1", sizeof host);
    if (strcmp(host, "localhost") == 0) strlcpy_safe(host, "127.0.0.1", sizeof host);
    int64_t port;
    if (!parse_i64(port_s, &port) || port < 0 || port > 65535) goto bad;

    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    bool v6 = false;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        sl = sizeof *s6;
        v6 = true;
    } else {
        goto bad;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 128) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", listen_addr, strerror(errno));
        close(fd);
        return -1;
    }
    sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port_out = ntohs(v6 ? s6->sin6_port : s4->sin_port);
    *v6_out = v6;
    snprintf(url, url_len, v6 ? "http://[%s]:%d" : "http://%s:%d", host, *port_out);
    return fd;
bad:
    snprintf(err, errlen, "bad listen address \"%s\" (expected HOST:PORT, e.g. 127.0.0.1:0)",
             listen_addr);
    return -1;
}

static void emu_free(struct emu *e)
{
    dataset_free(&e->ds);
    for (size_t i = 0; i < e->n_buckets; i++)
        free(e->buckets[i].key);
    free(e->buckets);
    free(e->secret_id);
    if (e->secret_key) secure_zero(e->secret_key, strlen(e->secret_key));
    free(e->secret_key);
    if (e->token) secure_zero(e->token, strlen(e->token));
    free(e->token);
    pthread_cond_destroy(&e->wake);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

struct emu *emu_start(const struct emu_config *cfg, char *err, size_t errlen)
{
    static const struct emu_config defaults = {0};
    if (!cfg) cfg = &defaults;
    char dummy[8];
    if (!err) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';

    struct emu *e = xcalloc(1, sizeof *e);
    pthread_mutex_init(&e->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->wake, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&e->requests, 0);
    bool demo = !cfg->secret_id || !cfg->secret_key;
    e->secret_id = xstrdup(demo ? EMU_DEMO_SECRET_ID : cfg->secret_id);
    e->secret_key = xstrdup(demo ? EMU_DEMO_SECRET_KEY : cfg->secret_key);
    e->token = cfg->token && *cfg->token ? xstrdup(cfg->token) : NULL;
    e->rate = cfg->rate == 0 ? 20 : cfg->rate;
    e->latency_ms = cfg->latency_ms > 0 ? cfg->latency_ms : 0;
    e->log = cfg->log_requests;
    e->clock_offset_s = cfg->clock_offset_s;
    e->paging = cfg->paging == EMU_PAGING_FLAT ? DATASET_PAGING_FLAT : DATASET_PAGING_GROUP;

    if (cfg->dataset_file) {
        struct api_error ae;
        apierr_clear(&ae);
        if (dataset_load_file(&e->ds, cfg->dataset_file, &ae) != 0) {
            snprintf(err, errlen, "dataset %s: %s", cfg->dataset_file, ae.message);
            emu_free(e);
            return NULL;
        }
        e->ds.started_unix = server_now(e);
    } else {
        struct dataset_gen_opts o = {cfg->seed ? cfg->seed : 1, cfg->records, cfg->max_instances,
                                     server_now(e)};
        dataset_generate(&e->ds, &o);
    }

    bool v6 = false;
    int fd = open_listener(cfg->listen ? cfg->listen : "127.0.0.1:0", &e->port, e->url,
                           sizeof e->url, &v6, err, errlen);
    if (fd < 0) {
        emu_free(e);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_AUTO | (v6 ? MHD_USE_IPv6 : 0);
    e->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, e, MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, e,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512, MHD_OPTION_END);
    if (!e->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server on %s", e->url);
        close(fd);
        emu_free(e);
        return NULL;
    }
    return e;
}

int emu_port(const struct emu *e)
{
    return e ? e->port : 0;
}

const char *emu_url(const struct emu *e)
{
    return e ? e->url : "";
}

void emu_set_fault(struct emu *e, enum emu_fault fault, int count)
{
    if (!e) return;
    pthread_mutex_lock(&e->lock);
    e->fault = count == 0 ? EMU_FAULT_NONE : fault;
    e->fault_left = count;
    pthread_mutex_unlock(&e->lock);
}

uint64_t emu_request_count(struct emu *e)
{
    return e ? atomic_load(&e->requests) : 0;
}

void emu_stop(struct emu *e)
{
    if (!e) return;
    /* wake held (TIMEOUT) and delayed requests first: MHD joins their threads */
    pthread_mutex_lock(&e->lock);
    e->stopping = true;
    pthread_cond_broadcast(&e->wake);
    pthread_mutex_unlock(&e->lock);
    MHD_stop_daemon(e->daemon);
    emu_free(e);
}

/* ---- fault names --------------------------------------------------------------------------- */

static const struct {
    enum emu_fault f;
    const char *name;
} fault_names[] = {
    /* The first entry for each fault is its canonical name; "500" and "503" are aliases. */
    {EMU_FAULT_NONE, "none"},
    {EMU_FAULT_HTTP_500, "http-500"},
    {EMU_FAULT_HTTP_503, "http-503"},
    {EMU_FAULT_RESET, "reset"},
    {EMU_FAULT_TIMEOUT, "timeout"},
    {EMU_FAULT_TRUNCATED, "truncated"},
    {EMU_FAULT_GARBAGE, "garbage"},
    {EMU_FAULT_HUGE, "huge"},
    {EMU_FAULT_WRONG_TYPES, "wrong-types"},
    {EMU_FAULT_RATE_LIMIT, "rate-limit"},
    {EMU_FAULT_INTERNAL, "internal"},
    {EMU_FAULT_HTTP_500, "500"},
    {EMU_FAULT_HTTP_503, "503"},
};

/* Lowercase, without '-' and '_': "Wrong_Types" and "wrong-types" compare equal. Returns
 * false when the name does not fit. */
static bool fault_name_norm(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (const char *p = name; *p; p++) {
        if (*p == '-' || *p == '_') continue;
        if (k + 1 >= n) return false;
        out[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    out[k] = '\0';
    return true;
}

/* Lookups ignore case, '-' and '_', and also take "500" and "503". */
int emu_fault_from_name(const char *name)
{
    char want[32], have[32];
    if (!name || !fault_name_norm(name, want, sizeof want)) return -1;
    for (size_t i = 0; i < ARRAY_LEN(fault_names); i++)
        if (fault_name_norm(fault_names[i].name, have, sizeof have) && strcmp(have, want) == 0)
            return (int)fault_names[i].f;
    return -1;
}

const char *emu_fault_name(enum emu_fault f)
{
    for (size_t i = 0; i < ARRAY_LEN(fault_names); i++)
        if (fault_names[i].f == f) return fault_names[i].name;
    return NULL;
}

int emu_paging_from_name(const char *name)
{
    if (name && strcasecmp(name, "group") == 0) return EMU_PAGING_GROUP;
    if (name && strcasecmp(name, "flat") == 0) return EMU_PAGING_FLAT;
    return -1;
}

const char *emu_paging_name(enum emu_paging p)
{
    switch (p) {
    case EMU_PAGING_GROUP:
        return "group";
    case EMU_PAGING_FLAT:
        return "flat";
    }
    return NULL;
}
