/* The bookkeeping of a record's runs: counts and statuses from items, the record row from its
 * latest run, and the ways an item ends or starts again. */
#include "core/emulator/runs.h"

#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/emulator/rtype.h"
#include "core/emulator/strslot.h"
#include "core/util.h"

void runs_recount(struct deploy_run *r)
{
    int64_t total = 0, ok = 0, bad = 0, running = 0, pending = 0;
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct resource_group *grp = &r->groups[g];
        for (size_t i = 0; i < grp->n_items; i++) {
            total++;
            switch (grp->items[i].status) {
            case MODEL_STATUS_FAILED:
            case MODEL_STATUS_ROLLBACK_FAILED:
                bad++;
                break;
            case MODEL_STATUS_DEPLOYING:
                running++;
                break;
            case MODEL_STATUS_WAITING:
                pending++;
                break;
            default: /* success, rollback success, no resource: done without error */
                ok++;
                break;
            }
        }
    }
    r->total_count = total;
    r->success_total_count = ok;
    r->failed_total_count = bad;
    if (running + pending > 0)
        r->status = (running == 0 && ok + bad == 0) ? MODEL_STATUS_WAITING : MODEL_STATUS_DEPLOYING;
    else if (r->type == MODEL_RUN_ROLLBACK)
        r->status = bad ? MODEL_STATUS_ROLLBACK_FAILED : MODEL_STATUS_ROLLBACK_OK;
    else
        r->status = bad ? MODEL_STATUS_FAILED : MODEL_STATUS_SUCCESS;
    if (r->has_pending_total_count) {
        r->running_total_count = running;
        r->pending_total_count = pending;
    } else {
        r->running_total_count = running + pending;
    }
}

bool runs_active(const struct deploy_run *r)
{
    return r->status == MODEL_STATUS_WAITING || r->status == MODEL_STATUS_DEPLOYING;
}

bool runs_any_active(const struct dataset_record *rec)
{
    for (size_t i = 0; i < rec->n_runs; i++)
        if (runs_active(&rec->runs[i])) return true;
    return false;
}

void runs_sync_record(struct dataset_record *rec, int64_t when)
{
    if (rec->n_runs == 0) return;
    rec->info.status = rec->runs[rec->n_runs - 1].status;
    int64_t prev;
    if (!apitime_unix(rec->info.update_time, &prev) || when > prev)
        strslot_set(&rec->info.update_time, apitime_china(when));
}

struct deploy_run *runs_add(struct dataset_record *rec)
{
    rec->runs = xrealloc(rec->runs, (rec->n_runs + 1) * sizeof *rec->runs);
    struct deploy_run *r = &rec->runs[rec->n_runs++];
    memset(r, 0, sizeof *r);
    return r;
}

void runs_copy_for_rollback(struct deploy_run *dst, const struct deploy_run *src, uint64_t *next_id)
{
    dst->groups = xcalloc(src->n_groups ? src->n_groups : 1, sizeof *dst->groups);
    dst->n_groups = src->n_groups;
    for (size_t k = 0; k < src->n_groups; k++) {
        const struct resource_group *sg = &src->groups[k];
        struct resource_group *dg = &dst->groups[k];
        dg->resource_type = xstrdup(sg->resource_type);
        dg->list_null = sg->list_null;
        if (sg->n_items) dg->items = xcalloc(sg->n_items, sizeof *dg->items);
        for (size_t i = 0; i < sg->n_items; i++) {
            if (sg->items[i].status != MODEL_STATUS_SUCCESS) continue;
            struct deploy_item *it = &dg->items[dg->n_items++];
            model_item_copy(it, &sg->items[i]);
            it->id = (*next_id)++;
        }
        dg->total_count = (int64_t)dg->n_items;
    }
}

void runs_finish_item(struct deploy_item *it, bool fails, bool rollback, int64_t when, uint64_t h)
{
    it->status = fails ? MODEL_STATUS_FAILED : MODEL_STATUS_SUCCESS;
    strslot_set(&it->error_msg, fails ? rtype_failure_message(it, rollback, h >> 8) : xstrdup(""));
    strslot_set(&it->update_time, apitime_iso(when));
}

void runs_requeue_item(struct deploy_item *it, int64_t now)
{
    it->status = MODEL_STATUS_WAITING;
    strslot_set(&it->error_msg, xstrdup(""));
    strslot_set(&it->update_time, apitime_iso(now));
}
