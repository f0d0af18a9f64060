/* The state changes of the write actions: Rollback, Retry of a record or of one item, and the
 * task an upload creates. Each refuses as the real service would, with its error code. */
#include "core/emulator/dataset.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/emulator/instances.h"
#include "core/emulator/rng.h"
#include "core/emulator/rtype.h"
#include "core/emulator/runs.h"
#include "core/emulator/strslot.h"
#include "core/util.h"

static void api_fail(struct api_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void api_fail(struct api_error *err, const char *code, const char *fmt, ...)
{
    if (!err) return;
    apierr_clear(err);
    err->kind = APIERR_API;
    strlcpy_safe(err->code, code, sizeof err->code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

static uint64_t max_item_id(const struct dataset *ds)
{
    uint64_t m = 0;
    for (size_t i = 0; i < ds->n_records; i++)
        for (size_t r = 0; r < ds->records[i].n_runs; r++)
            for (size_t g = 0; g < ds->records[i].runs[r].n_groups; g++) {
                const struct resource_group *grp = &ds->records[i].runs[r].groups[g];
                for (size_t k = 0; k < grp->n_items; k++)
                    if (grp->items[k].id > m) m = grp->items[k].id;
            }
    return m;
}

/* A write to a record while one of its runs is still going. */
static void fail_busy(struct api_error *err, uint64_t record_id)
{
    api_fail(err, "FailedOperation.CertificateDeployHasPendingRecord",
             "A deployment task of record %" PRIu64 " is in progress; retry after it completes.",
             record_id);
}

/* The record a write action (rollback, retry) may change: it must exist and have nothing
 * running. NULL with err set otherwise. */
static struct dataset_record *writable_record(struct dataset *ds, uint64_t record_id,
                                              struct api_error *err)
{
    struct dataset_record *rec = dataset_find(ds, record_id);
    if (!rec) {
        api_fail(err, "FailedOperation.CertificateDeployNotExist",
                 "The deploy record %" PRIu64 " does not exist.", record_id);
        return NULL;
    }
    if (runs_any_active(rec)) {
        fail_busy(err, record_id);
        return NULL;
    }
    return rec;
}

int dataset_rollback(struct dataset *ds, uint64_t record_id, int64_t now_unix,
                     struct api_error *err)
{
    ds->advanced_unix = INT64_MIN; /* items change: dataset_advance looks again */
    struct dataset_record *rec = writable_record(ds, record_id, err);
    if (!rec) return -1;
    /* Only a finished, fully successful deploy that has not been rolled back since can be
     * rolled back; a failed rollback is retried with Retry. */
    const struct deploy_run *last = rec->n_runs ? &rec->runs[rec->n_runs - 1] : NULL;
    if (!last || last->type != MODEL_RUN_DEPLOY || last->status != MODEL_STATUS_SUCCESS) {
        api_fail(err, "FailedOperation.CertificateDeployRollbackStatusInvalid",
                 "Record %" PRIu64 " cannot be rolled back: only a successfully deployed record "
                 "can be rolled back.",
                 record_id);
        return -1;
    }
    uint64_t next_id = max_item_id(ds) + 1;
    size_t src_index = rec->n_runs - 1;
    struct deploy_run *rb = runs_add(rec); /* may move the array: index runs[] again */
    runs_copy_for_rollback(rb, &rec->runs[src_index], &next_id);
    rb->type = MODEL_RUN_ROLLBACK;
    rb->has_pending_total_count = true;
    rb->create_time = apitime_china(now_unix);
    for (size_t k = 0; k < rb->n_groups; k++)
        for (size_t i = 0; i < rb->groups[k].n_items; i++) {
            struct deploy_item *it = &rb->groups[k].items[i];
            runs_requeue_item(it, now_unix);
            strslot_set(&it->create_time, apitime_iso(now_unix));
        }
    runs_recount(rb);
    runs_sync_record(rec, now_unix);
    return 0;
}

int dataset_retry_record(struct dataset *ds, uint64_t record_id, int64_t now_unix,
                         struct api_error *err)
{
    ds->advanced_unix = INT64_MIN;
    struct dataset_record *rec = writable_record(ds, record_id, err);
    if (!rec) return -1;
    /* The failed items of the latest run: the latest deploy, or the rollback that followed
     * it (retrying a failed rollback re-runs the rollback of those items). */
    struct deploy_run *last = rec->n_runs ? &rec->runs[rec->n_runs - 1] : NULL;
    size_t n = 0;
    for (size_t k = 0; last && k < last->n_groups; k++)
        for (size_t i = 0; i < last->groups[k].n_items; i++) {
            struct deploy_item *it = &last->groups[k].items[i];
            if (it->status == MODEL_STATUS_FAILED || it->status == MODEL_STATUS_ROLLBACK_FAILED) {
                runs_requeue_item(it, now_unix);
                n++;
            }
        }
    if (n == 0) {
        api_fail(err, "FailedOperation.CertificateDeployRetryStatusInvalid",
                 "Record %" PRIu64 " has no failed items to retry.", record_id);
        return -1;
    }
    runs_recount(last);
    runs_sync_record(rec, now_unix);
    return 0;
}

int dataset_retry_item(struct dataset *ds, uint64_t detail_id, int64_t now_unix,
                       struct api_error *err)
{
    ds->advanced_unix = INT64_MIN;
    for (size_t ri = 0; ri < ds->n_records; ri++) {
        struct dataset_record *rec = &ds->records[ri];
        for (size_t r = 0; r < rec->n_runs; r++)
            for (size_t k = 0; k < rec->runs[r].n_groups; k++)
                for (size_t i = 0; i < rec->runs[r].groups[k].n_items; i++) {
                    struct deploy_item *it = &rec->runs[r].groups[k].items[i];
                    if (it->id != detail_id) continue;
                    bool failed = it->status == MODEL_STATUS_FAILED ||
                                  it->status == MODEL_STATUS_ROLLBACK_FAILED;
                    /* Items are retried one by one (a bulk retry by error template sends one
                     * request per item): a failed item of the latest run may be retried while
                     * the retries of its siblings run ([G]); anything else waits for them. */
                    if (runs_any_active(rec) && !(failed && r == rec->n_runs - 1)) {
                        fail_busy(err, rec->info.id);
                        return -1;
                    }
                    if (r != rec->n_runs - 1 || !failed) {
                        api_fail(err, "FailedOperation.CertificateDeployRetryStatusInvalid",
                                 "Detail %" PRIu64 " cannot be retried: only a failed item of "
                                 "the latest run can be retried.",
                                 detail_id);
                        return -1;
                    }
                    runs_requeue_item(it, now_unix);
                    runs_recount(&rec->runs[r]);
                    runs_sync_record(rec, now_unix);
                    return 0;
                }
    }
    api_fail(err, "FailedOperation.CertificateDeployNotExist",
             "The deploy record detail %" PRIu64 " does not exist.", detail_id);
    return -1;
}

/* The newest record of a certificate: the highest id (a loaded file need not be ordered). */
static const struct dataset_record *latest_for_cert(const struct dataset *ds, const char *cert)
{
    const struct dataset_record *best = NULL;
    for (size_t i = 0; i < ds->n_records; i++) {
        const struct dataset_record *r = &ds->records[i];
        if (r->info.old_cert_id && strcmp(r->info.old_cert_id, cert) == 0 &&
            (!best || r->info.id > best->info.id))
            best = r;
    }
    return best;
}

static const struct resource_group *deployed_group(const struct dataset_record *r, const char *type)
{
    for (size_t k = r ? r->n_runs : 0; k-- > 0;) {
        if (r->runs[k].type != MODEL_RUN_DEPLOY) continue;
        for (size_t g = 0; g < r->runs[k].n_groups; g++)
            if (r->runs[k].groups[g].resource_type &&
                strcmp(r->runs[k].groups[g].resource_type, type) == 0)
                return &r->runs[k].groups[g];
        return NULL;
    }
    return NULL;
}

uint64_t dataset_running_task(const struct dataset *ds, const char *old_cert_id)
{
    for (size_t i = 0; i < ds->n_records; i++) {
        const struct dataset_record *r = &ds->records[i];
        if (r->info.old_cert_id && strcmp(r->info.old_cert_id, old_cert_id) == 0 &&
            runs_any_active(r))
            return r->info.id;
    }
    return 0;
}

uint64_t dataset_upload(struct dataset *ds, const char *old_cert_id, char *const *types,
                        size_t n_types, const char *region, int64_t now_unix, bool *created)
{
    ds->advanced_unix = INT64_MIN; /* items change: dataset_advance looks again */
    uint64_t max_id = 0;
    for (size_t i = 0; i < ds->n_records; i++) {
        const struct dataset_record *r = &ds->records[i];
        if (r->info.id > max_id) max_id = r->info.id;
        if (r->info.old_cert_id && strcmp(r->info.old_cert_id, old_cert_id) == 0 &&
            runs_any_active(r)) {
            *created = false;
            return r->info.id;
        }
    }
    const struct dataset_record *tpl = latest_for_cert(ds, old_cert_id);

    struct rng rng = {rng_hash2(max_id + 1, (uint64_t)now_unix)};
    uint64_t next_id = max_item_id(ds) + 1;

    struct dataset_record rec;
    memset(&rec, 0, sizeof rec);
    rec.info.id = max_id + 1;
    rec.info.old_cert_id = xstrdup(old_cert_id);
    rec.info.resource_types = n_types ? xcalloc(n_types, sizeof(char *)) : NULL;
    rec.info.n_resource_types = n_types;
    rec.info.create_time = apitime_china(now_unix);
    rec.info.update_time = apitime_china(now_unix);
    struct deploy_run *run = runs_add(&rec);
    run->type = MODEL_RUN_DEPLOY;
    run->has_pending_total_count = true;
    run->create_time = apitime_china(now_unix);
    run->groups = xcalloc(n_types ? n_types : 1, sizeof *run->groups);
    run->n_groups = n_types;
    for (size_t k = 0; k < n_types; k++) {
        rec.info.resource_types[k] = xstrdup(types[k]);
        struct resource_group *grp = &run->groups[k];
        grp->resource_type = xstrdup(types[k]);
        const struct resource_group *src = deployed_group(tpl, types[k]);
        if (src && src->n_items) {
            grp->items = xcalloc(src->n_items, sizeof *grp->items);
            for (size_t i = 0; i < src->n_items; i++)
                model_item_copy(&grp->items[i], &src->items[i]);
            grp->n_items = src->n_items;
        } else {
            int t = rtype_from_name(types[k]);
            size_t n = 1 + rng_below(&rng, 3);
            grp->items = xcalloc(n, sizeof *grp->items);
            grp->n_items = n;
            for (size_t i = 0; i < n; i++) {
                instance_fill(&rng, &grp->items[i], t < 0 ? RT_CLB : (enum rtype)t, i,
                              INSTANCE_MIXED, region ? region : "ap-guangzhou");
                strslot_set(&grp->items[i].resource_type, xstrdup(types[k]));
            }
        }
        for (size_t i = 0; i < grp->n_items; i++) {
            struct deploy_item *it = &grp->items[i];
            it->id = next_id++;
            strslot_set(&it->old_cert_id, xstrdup(old_cert_id));
            strslot_set(&it->create_time, apitime_iso(now_unix));
            runs_requeue_item(it, now_unix);
        }
        grp->total_count = (int64_t)grp->n_items;
    }
    runs_recount(run);
    rec.info.status = run->status;

    ds->records = xrealloc(ds->records, (ds->n_records + 1) * sizeof *ds->records);
    memmove(&ds->records[1], &ds->records[0], ds->n_records * sizeof *ds->records);
    ds->records[0] = rec;
    ds->n_records++;
    *created = true;
    return rec.info.id;
}
