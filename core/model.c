/* The typed records of the update family: enum names and tones, and the deep copies and clears
 * of runs, records and pages (a group's items, and the page merge: core/model_items.c). */
#include "core/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* ---- names ------------------------------------------------------------------------------ */

/* Indexed by status; run statuses are 0..5, item (and record) statuses add 6. */
static const char *const status_names[] = {
    "waiting", "success", "failed", "deploying", "rollback ok", "rollback failed", "no resource",
};

const char *model_run_type_name(int64_t type)
{
    switch (type) {
    case MODEL_RUN_DEPLOY:
        return "deploy";
    case MODEL_RUN_ROLLBACK:
        return "rollback";
    default:
        return NULL;
    }
}

const char *model_run_status_name(int64_t status)
{
    if (status < MODEL_STATUS_WAITING || status > MODEL_STATUS_ROLLBACK_FAILED) return NULL;
    return status_names[status];
}

const char *model_item_status_name(int64_t status)
{
    if (status < MODEL_STATUS_WAITING || status > MODEL_STATUS_NO_RESOURCE) return NULL;
    return status_names[status];
}

/* The record list's Status is undocumented; the example shows 0, 4 and 7. We read 0..6 like
 * the item enum and leave everything else (7 included) nameless: the UI shows "status 7". */
const char *model_record_status_name(int64_t status)
{
    return model_item_status_name(status);
}

/* "no resource" (6) means there was nothing to deploy: neither good nor bad, so it gets the
 * same neutral tone as values we do not know. */
enum model_tone model_status_tone(int64_t status)
{
    switch (status) {
    case MODEL_STATUS_WAITING:
        return MODEL_TONE_PENDING;
    case MODEL_STATUS_SUCCESS:
        return MODEL_TONE_SUCCESS;
    case MODEL_STATUS_FAILED:
        return MODEL_TONE_FAILED;
    case MODEL_STATUS_DEPLOYING:
        return MODEL_TONE_RUNNING;
    case MODEL_STATUS_ROLLBACK_OK:
        return MODEL_TONE_ROLLBACK;
    case MODEL_STATUS_ROLLBACK_FAILED:
        return MODEL_TONE_ROLLBACK_FAILED;
    default:
        return MODEL_TONE_UNKNOWN;
    }
}

const char *model_status_label(int64_t status, char *buf, size_t n)
{
    if (!buf || n == 0) return buf;
    const char *name = model_item_status_name(status);
    if (name)
        strlcpy_safe(buf, name, n);
    else
        snprintf(buf, n, "status %lld", (long long)status);
    return buf;
}

/* ---- copies and clears ------------------------------------------------------------------ */

void model_run_copy(struct deploy_run *dst, const struct deploy_run *src)
{
    *dst = *src;
    dst->create_time = xstrdup(src->create_time);
    dst->groups = NULL;
    dst->n_groups = 0;
    if (src->groups && src->n_groups) {
        dst->groups = xcalloc(src->n_groups, sizeof *dst->groups);
        for (size_t i = 0; i < src->n_groups; i++)
            model_group_copy(&dst->groups[i], &src->groups[i]);
        dst->n_groups = src->n_groups;
    }
}

void model_run_clear(struct deploy_run *r)
{
    if (!r) return;
    free(r->create_time);
    for (size_t i = 0; r->groups && i < r->n_groups; i++)
        model_group_clear(&r->groups[i]);
    free(r->groups);
    memset(r, 0, sizeof *r);
}

void model_record_copy(struct update_record *dst, const struct update_record *src)
{
    *dst = *src;
    dst->old_cert_id = xstrdup(src->old_cert_id);
    dst->resource_types = strv_dup(src->resource_types, src->n_resource_types);
    dst->n_resource_types = dst->resource_types ? src->n_resource_types : 0;
    dst->create_time = xstrdup(src->create_time);
    dst->update_time = xstrdup(src->update_time);
}

void model_record_clear(struct update_record *r)
{
    if (!r) return;
    free(r->old_cert_id);
    strv_free(r->resource_types, r->n_resource_types);
    free(r->create_time);
    free(r->update_time);
    memset(r, 0, sizeof *r);
}

void model_detail_page_clear(struct detail_page *p)
{
    if (!p) return;
    for (size_t i = 0; p->runs && i < p->n_runs; i++)
        model_run_clear(&p->runs[i]);
    free(p->runs);
    free(p->request_id);
    memset(p, 0, sizeof *p);
}

void model_records_page_clear(struct records_page *p)
{
    if (!p) return;
    for (size_t i = 0; p->records && i < p->n_records; i++)
        model_record_clear(&p->records[i]);
    free(p->records);
    free(p->request_id);
    memset(p, 0, sizeof *p);
}

void model_upload_result_clear(struct upload_result *r)
{
    if (!r) return;
    for (size_t i = 0; r->progress && i < r->n_progress; i++) {
        struct sync_progress *sp = &r->progress[i];
        free(sp->resource_type);
        for (size_t j = 0; sp->regions && j < sp->n_regions; j++)
            free(sp->regions[j].region);
        free(sp->regions);
    }
    free(r->progress);
    free(r->request_id);
    memset(r, 0, sizeof *r);
}
