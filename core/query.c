/* Questions about the model as the store holds it: lookups, run order, run progress and
 * rollback delay. */
#include "core/query.h"

#include <stdio.h>
#include <string.h>

#include "core/apitime.h"
#include "core/util.h"

const struct update_record *query_record(const struct store_records *sr, uint64_t id)
{
    if (!sr) return NULL;
    for (size_t i = 0; i < sr->n_records; i++)
        if (sr->records[i].id == id) return &sr->records[i];
    return NULL;
}

/* a before b in time order: both times readable and a's earlier, or (equal or unreadable)
 * a first in server order. A total order, so the sort below is deterministic. */
static bool run_before(const struct detail_page *p, size_t a, size_t b)
{
    int64_t ta = 0, tb = 0;
    if (apitime_parse(p->runs[a].create_time, &ta) && apitime_parse(p->runs[b].create_time, &tb) &&
        ta != tb)
        return ta < tb;
    return a < b;
}

size_t query_run_order(const struct detail_page *p, size_t *order, size_t cap)
{
    size_t n = p->n_runs < cap ? p->n_runs : cap;
    /* Insertion sort: a record has a handful of runs, and no shared state for a comparator
     * (this runs on the UI thread and in the batch CLI alike). */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && run_before(p, i, order[j - 1])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

int query_run_number(const struct detail_page *p, size_t run_index)
{
    size_t order[256];
    size_t n = query_run_order(p, order, ARRAY_LEN(order));
    for (size_t i = 0; i < n; i++)
        if (order[i] == run_index) return (int)i + 1;
    return 0;
}

const struct deploy_run *query_latest_run(const struct store_detail *sd, bool deploy_only)
{
    if (!sd || !sd->meta.fetched_ms) return NULL;
    size_t order[256];
    size_t n = query_run_order(&sd->page, order, ARRAY_LEN(order));
    while (n-- > 0) {
        const struct deploy_run *r = &sd->page.runs[order[n]];
        if (!deploy_only || r->type == MODEL_RUN_DEPLOY) return r;
    }
    return NULL;
}

const struct deploy_run *query_run(const struct store_detail *d, size_t run_index)
{
    if (!d || run_index >= d->page.n_runs) return NULL;
    return &d->page.runs[run_index];
}

const struct resource_group *query_group(const struct deploy_run *r, const char *type)
{
    if (!r) return NULL;
    for (size_t i = 0; i < r->n_groups; i++) {
        const char *t = r->groups[i].resource_type ? r->groups[i].resource_type : "";
        if (!strcmp(t, type)) return &r->groups[i];
    }
    return NULL;
}

const struct deploy_item *query_item(const struct resource_group *g, uint64_t id,
                                     struct deploy_item *scratch)
{
    size_t at = model_group_position(g, id);
    return at == SIZE_MAX ? NULL : model_group_item(g, at, scratch);
}

bool query_run_in_progress(const struct deploy_run *r)
{
    if (!r) return false;
    return r->status == MODEL_STATUS_WAITING || r->status == MODEL_STATUS_DEPLOYING ||
           r->running_total_count > 0 || (r->has_pending_total_count && r->pending_total_count > 0);
}

bool query_rollback_delay_secs(const struct detail_page *p, size_t run_index, int64_t *secs)
{
    if (run_index >= p->n_runs || p->runs[run_index].type != MODEL_RUN_ROLLBACK) return false;
    int64_t t;
    if (!apitime_parse(p->runs[run_index].create_time, &t)) return false;
    /* The deploy it undoes: the latest deploy that started before it. */
    bool found = false;
    int64_t best = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        int64_t d;
        if (p->runs[i].type != MODEL_RUN_DEPLOY || !apitime_parse(p->runs[i].create_time, &d))
            continue;
        if (d <= t && (!found || d > best)) {
            best = d;
            found = true;
        }
    }
    if (found) *secs = t - best;
    return found;
}

void query_rollback_delay(const struct detail_page *p, size_t run_index, char *buf, size_t n)
{
    buf[0] = '\0';
    int64_t secs;
    if (!query_rollback_delay_secs(p, run_index, &secs)) return;
    char dur[32];
    apitime_duration(secs, dur, sizeof dur);
    snprintf(buf, n, "+%s", dur);
}
