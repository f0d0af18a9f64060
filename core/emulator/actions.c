/* The five actions: parameters and their checks, each action's answer over the dataset, and
 * the --paging names.
 *
 * Paging: Limit <= 0 or Offset < 0 is InvalidParameter (the real rule is unverified). Detail:
 * Limit defaults to 10, above 200 is 200, and pages every resource-type group alike (each
 * List is the [Offset, Offset+Limit) slice, TotalCount the group's full size), or flat over
 * each run's groups with --paging flat. Record list: Limit defaults to 10, above 1000 is 1000,
 * TotalCount counts the records matching OldCertificateId. An unknown record (or detail item)
 * is FailedOperation.CertificateDeployNotExist (the real code is unverified, spec §4.3). */
#include "core/emulator/actions.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/apierr.h"
#include "core/codec.h"
#include "core/emulator/certcheck.h"
#include "core/emulator/rtype.h"
#include "core/sanitize.h"
#include "core/util.h"

enum ptype { P_INT, P_STR, P_STRS, P_REGIONS };

struct param {
    const char *name;
    enum ptype type;
    bool required;
};

enum action_id { A_DETAIL, A_RECORDS, A_UPLOAD, A_ROLLBACK, A_RETRY };

struct emu_action_def {
    const char *name;
    enum action_id id;
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
static const struct emu_action_def actions[] = {
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
static bool check_params(const struct emu_action_def *def, const cJSON *body, struct emu_answer *a,
                         const char *rid, enum emu_lang l)
{
    for (const cJSON *k = body->child; k; k = k->next) {
        const struct param *p = NULL;
        for (size_t i = 0; i < def->n_params; i++)
            if (strcmp(def->params[i].name, k->string) == 0) p = &def->params[i];
        if (!p) {
            char *clean = shown_name(k->string);
            emu_answer_param(a, rid, l, EMU_PARAM_UNKNOWN, clean, NULL);
            free(clean);
            return false;
        }
        if (!cJSON_IsNull(k) && !type_ok(k, p->type)) {
            emu_answer_param(a, rid, l, EMU_PARAM_TYPE, p->name, NULL);
            return false;
        }
        if (!utf8_ok(k)) {
            emu_answer_param(a, rid, l, EMU_PARAM_VALUE, p->name,
                             l == EMU_LANG_ZH ? "必须是合法的 UTF-8 字符串。"
                                              : "must be valid UTF-8.");
            return false;
        }
    }
    for (size_t i = 0; i < def->n_params; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, def->params[i].name);
        if (def->params[i].required && (!v || cJSON_IsNull(v))) {
            emu_answer_param(a, rid, l, EMU_PARAM_MISSING, def->params[i].name, NULL);
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

/* Limit <= 0 or Offset < 0 is InvalidParameter (the real rule is unverified). */
static bool paging_ok(int64_t limit, int64_t offset, struct emu_answer *a, const char *rid,
                      enum emu_lang l)
{
    if (limit <= 0) {
        emu_answer_param(a, rid, l, EMU_PARAM_VALUE, "Limit",
                         l == EMU_LANG_ZH ? "必须大于 0。" : "must be positive.");
        return false;
    }
    if (offset < 0) {
        emu_answer_param(a, rid, l, EMU_PARAM_VALUE, "Offset",
                         l == EMU_LANG_ZH ? "不能为负数。" : "must not be negative.");
        return false;
    }
    return true;
}

/* An id that names no record (or detail item) of the dataset. */
static void answer_no_record(struct emu_answer *a, const char *rid, enum emu_lang l, int64_t id)
{
    struct api_error err;
    apierr_clear(&err);
    err.kind = APIERR_API;
    strlcpy_safe(err.code, "FailedOperation.CertificateDeployNotExist", sizeof err.code);
    snprintf(err.message, sizeof err.message, "The deploy record %" PRId64 " does not exist.", id);
    emu_answer_api_error(a, rid, l, &err);
}

static void act_detail(struct emu_actions *s, const cJSON *body, struct emu_answer *a,
                       const char *rid, enum emu_lang l)
{
    int64_t id = int_param(body, "DeployRecordId", 0, NULL);
    int64_t limit = int_param(body, "Limit", 10, NULL);
    int64_t offset = int_param(body, "Offset", 0, NULL);
    if (!paging_ok(limit, offset, a, rid, l)) return;
    struct detail_page page;
    pthread_mutex_lock(&s->lock);
    dataset_advance(&s->ds, emu_actions_data_now(s));
    const struct dataset_record *rec = id > 0 ? dataset_find(&s->ds, (uint64_t)id) : NULL;
    if (rec) dataset_detail_page_mode(rec, s->paging, offset, limit, &page);
    pthread_mutex_unlock(&s->lock);
    if (!rec) {
        answer_no_record(a, rid, l, id);
        return;
    }
    emu_answer_json(a, codec_envelope(codec_encode_detail_page(&page), rid));
    model_detail_page_clear(&page);
}

static void act_records(struct emu_actions *s, const cJSON *body, struct emu_answer *a,
                        const char *rid, enum emu_lang l)
{
    int64_t limit = int_param(body, "Limit", 10, NULL);
    int64_t offset = int_param(body, "Offset", 0, NULL);
    const char *cert = str_param(body, "OldCertificateId");
    if (cert && !*cert) cert = NULL;
    if (!paging_ok(limit, offset, a, rid, l)) return;
    if (limit > 1000) limit = 1000;
    struct records_page page;
    memset(&page, 0, sizeof page);
    pthread_mutex_lock(&s->lock);
    dataset_advance(&s->ds, emu_actions_data_now(s));
    size_t cap = 0;
    for (size_t i = 0; i < s->ds.n_records; i++) {
        const struct update_record *r = &s->ds.records[i].info;
        if (cert && (!r->old_cert_id || strcmp(r->old_cert_id, cert) != 0)) continue;
        uint64_t idx = page.total_count++;
        if (idx < (uint64_t)offset || idx >= (uint64_t)offset + (uint64_t)limit) continue;
        page.records = xgrow(page.records, &cap, page.n_records + 1, sizeof *page.records);
        model_record_copy(&page.records[page.n_records++], r);
    }
    pthread_mutex_unlock(&s->lock);
    emu_answer_json(a, codec_envelope(codec_encode_records_page(&page), rid));
    model_records_page_clear(&page);
}

/* Whether cert's task was being created (and now is not): under lock. */
static bool creating_take(struct emu_actions *s, const char *cert)
{
    for (size_t i = 0; i < s->n_creating; i++)
        if (strcmp(s->creating[i], cert) == 0) {
            free(s->creating[i]);
            s->creating[i] = s->creating[--s->n_creating];
            return true;
        }
    return false;
}

/* The spec's example of a task still being created: DeployRecordId 0, DeployStatus 0, each
 * type's sync pending with null counts. */
static void answer_creating(struct emu_answer *a, const char *rid, char *const *types, size_t n,
                            const char *region)
{
    struct upload_result res;
    memset(&res, 0, sizeof res);
    res.progress = xcalloc(n, sizeof *res.progress);
    res.n_progress = n;
    for (size_t i = 0; i < n; i++) {
        struct sync_progress *sp = &res.progress[i];
        sp->resource_type = xstrdup(types[i]);
        sp->regions = xcalloc(1, sizeof *sp->regions);
        sp->n_regions = 1;
        sp->regions[0].region = xstrdup(region ? region : "ap-guangzhou");
    }
    emu_answer_json(a, codec_envelope(codec_encode_upload_result(&res), rid));
    model_upload_result_clear(&res);
}

static void act_upload(struct emu_actions *s, const cJSON *body, struct emu_answer *a,
                       const char *rid, enum emu_lang l)
{
    const char *cert = str_param(body, "OldCertificateId");
    const char *pub = str_param(body, "CertificatePublicKey");
    const char *key = str_param(body, "CertificatePrivateKey");
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(body, "ResourceTypes");
    size_t n = (size_t)cJSON_GetArraySize(types);
    if (!*cert) {
        emu_answer_param(a, rid, l, EMU_PARAM_VALUE, "OldCertificateId",
                         l == EMU_LANG_ZH ? "不能为空。" : "must not be empty.");
        return;
    }
    if (n == 0) {
        emu_answer_param(a, rid, l, EMU_PARAM_VALUE, "ResourceTypes",
                         l == EMU_LANG_ZH ? "不能为空。" : "must not be empty.");
        return;
    }
    char **tv = xcalloc(n, sizeof *tv);
    size_t i = 0;
    for (const cJSON *t = types->child; t; t = t->next)
        tv[i++] = t->valuestring;
    for (i = 0; i < n; i++) {
        if (rtype_from_name(tv[i]) < 0) {
            emu_answer_std(a, rid, l, "FailedOperation.CertificateHostResourceTypeInvalid",
                           "unknown resource type");
            free(tv);
            return;
        }
    }
    const char *note = NULL;
    const char *code = certcheck_upload(pub, key, &note);
    if (code) {
        emu_answer_std(a, rid, l, code, note);
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
    pthread_mutex_lock(&s->lock);
    int64_t now = emu_actions_data_now(s);
    dataset_advance(&s->ds, now);
    if (!dataset_running_task(&s->ds, cert) && !creating_take(s, cert)) {
        /* A new task: this call starts creating it (DeployRecordId 0, the sync pending). */
        s->creating = xrealloc(s->creating, (s->n_creating + 1) * sizeof *s->creating);
        s->creating[s->n_creating++] = xstrdup(cert);
        pthread_mutex_unlock(&s->lock);
        answer_creating(a, rid, tv, n, region);
        free(tv);
        return;
    }
    res.deploy_record_id = dataset_upload(&s->ds, cert, tv, n, region, now, &created);
    s->ds.advanced_unix = INT64_MIN; /* new items: due transitions are looked for again */
    res.deploy_status = created ? 1 : 0;
    if (created) {
        /* the sync of every type's instance list is done by the time the task exists */
        const struct dataset_record *rec = dataset_find(&s->ds, res.deploy_record_id);
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
    pthread_mutex_unlock(&s->lock);
    free(tv);
    emu_answer_json(a, codec_envelope(codec_encode_upload_result(&res), rid));
    model_upload_result_clear(&res);
}

static void act_write(struct emu_actions *s, enum action_id act, const cJSON *body,
                      struct emu_answer *a, const char *rid, enum emu_lang l)
{
    bool has_rec = false, has_item = false;
    int64_t rec_id = int_param(body, "DeployRecordId", 0, &has_rec);
    int64_t item_id = int_param(body, "DeployRecordDetailId", 0, &has_item);
    if (act == A_RETRY && has_rec && has_item) {
        emu_answer_param(a, rid, l, EMU_PARAM_VALUE, "DeployRecordDetailId",
                         l == EMU_LANG_ZH
                             ? "不能与 `DeployRecordId` 同时指定。"
                             : "give either `DeployRecordId` or `DeployRecordDetailId`, not "
                               "both.");
        return;
    }
    if (act == A_RETRY && !has_rec && !has_item) {
        emu_answer_param(a, rid, l, EMU_PARAM_MISSING, "DeployRecordId` or `DeployRecordDetailId",
                         NULL);
        return;
    }
    struct api_error err;
    apierr_clear(&err);
    int rc;
    pthread_mutex_lock(&s->lock);
    int64_t now = emu_actions_data_now(s);
    dataset_advance(&s->ds, now);
    if (act == A_ROLLBACK)
        rc = rec_id > 0 ? dataset_rollback(&s->ds, (uint64_t)rec_id, now, &err) : -2;
    else if (has_rec)
        rc = rec_id > 0 ? dataset_retry_record(&s->ds, (uint64_t)rec_id, now, &err) : -2;
    else
        rc = item_id > 0 ? dataset_retry_item(&s->ds, (uint64_t)item_id, now, &err) : -2;
    s->ds.advanced_unix = INT64_MIN; /* items reopened: due transitions are looked for again */
    pthread_mutex_unlock(&s->lock);
    if (rc == -2)
        answer_no_record(a, rid, l, has_item && !has_rec ? item_id : rec_id);
    else if (rc != 0)
        emu_answer_api_error(a, rid, l, &err);
    else
        emu_answer_json(a, codec_envelope(cJSON_CreateObject(), rid));
    /* the request log names what a write was about: tests count the retries of each item */
    char *why = xasprintf(
        "%s=%lld%s%s", has_item && !has_rec ? "DeployRecordDetailId" : "DeployRecordId",
        (long long)(has_item && !has_rec ? item_id : rec_id), a->note[0] ? " " : "", a->note);
    strlcpy_safe(a->note, why, sizeof a->note);
    free(why);
}

int emu_actions_open(struct emu_actions *s, const struct emu_config *cfg, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->clock_offset_s = cfg->clock_offset_s;
    s->data_clock_unix = cfg->data_clock_unix;
    s->paging = cfg->paging == EMU_PAGING_FLAT ? DATASET_PAGING_FLAT : DATASET_PAGING_GROUP;
    if (cfg->dataset_file) {
        struct api_error ae;
        apierr_clear(&ae);
        if (dataset_load_file(&s->ds, cfg->dataset_file, &ae) != 0) {
            snprintf(err, errlen, "dataset %s: %s", cfg->dataset_file, ae.message);
            return -1;
        }
        s->ds.started_unix = emu_actions_data_now(s);
    } else {
        struct dataset_gen_opts o = {cfg->seed ? cfg->seed : 1, cfg->records, cfg->max_instances,
                                     emu_actions_data_now(s)};
        dataset_generate(&s->ds, &o);
    }
    return 0;
}

void emu_actions_close(struct emu_actions *s)
{
    dataset_free(&s->ds);
    for (size_t i = 0; i < s->n_creating; i++)
        free(s->creating[i]);
    free(s->creating);
    pthread_mutex_destroy(&s->lock);
}

int64_t emu_actions_now(const struct emu_actions *s)
{
    return now_unix() + s->clock_offset_s;
}

int64_t emu_actions_data_now(const struct emu_actions *s)
{
    return s->data_clock_unix ? s->data_clock_unix : emu_actions_now(s);
}

const struct emu_action_def *emu_actions_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(actions); i++)
        if (strcmp(actions[i].name, name) == 0) return &actions[i];
    return NULL;
}

void emu_actions_run(struct emu_actions *s, const struct emu_action_def *def,
                     const struct buf *body_buf, const char *rid, enum emu_lang l,
                     struct emu_answer *a)
{
    struct api_error perr;
    cJSON *body = codec_parse(body_buf->data, body_buf->len, NULL, &perr);
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        char *msg = l == EMU_LANG_ZH ? xstrdup("请求体不是合法的 JSON 对象。")
                                     : xstrdup("The request body is not a valid JSON object.");
        emu_answer_error(a, rid, "InvalidParameter", msg);
        free(msg);
        return;
    }
    if (check_params(def, body, a, rid, l)) {
        switch (def->id) {
        case A_DETAIL:
            act_detail(s, body, a, rid, l);
            break;
        case A_RECORDS:
            act_records(s, body, a, rid, l);
            break;
        case A_UPLOAD:
            act_upload(s, body, a, rid, l);
            break;
        case A_ROLLBACK:
        case A_RETRY:
            act_write(s, def->id, body, a, rid, l);
            break;
        }
    }
    cJSON_Delete(body);
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
