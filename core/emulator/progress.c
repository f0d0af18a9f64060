/* The clock-driven progress of running tasks (dataset_advance).
 *
 * Progress model. An item whose status is pending (0) or deploying (3) has a base time: the
 * later of its UpdateTime and the dataset's started_unix (so a loaded or freshly generated
 * task starts progressing when the emulator starts, and a retried item from its retry). From
 * a hash of (item Id, base) come its start (base + [0, span)), its finish (start + 2..21 s)
 * and its outcome (8% fail on a deploy; a rollback never fails). dataset_advance applies every
 * transition due by `now`; an item's UpdateTime becomes its finish time, and only then, so the
 * schedule never moves. The result depends on the data and `now` only, not on how often
 * dataset_advance ran. Run counts and statuses are recomputed from the items of every run
 * that changed. */
#include "core/emulator/dataset.h"

#include <stdbool.h>
#include <stdint.h>

#include "core/apitime.h"
#include "core/emulator/rng.h"
#include "core/emulator/runs.h"

static bool item_open(int64_t status)
{
    return status == MODEL_STATUS_WAITING || status == MODEL_STATUS_DEPLOYING;
}

struct schedule {
    int64_t start, finish;
    bool fails;
    uint64_t h;
};

static int64_t run_span(const struct deploy_run *r)
{
    int64_t span = r->total_count / 10;
    return span < 20 ? 20 : span > 240 ? 240 : span;
}

static int64_t item_base(const struct dataset *ds, const struct deploy_item *it)
{
    int64_t t;
    if (!apitime_unix(it->update_time, &t) || t < ds->started_unix) t = ds->started_unix;
    return t;
}

static struct schedule item_schedule(const struct deploy_item *it, int64_t base, int64_t span,
                                     bool rollback)
{
    struct schedule s;
    s.h = rng_hash2(it->id, (uint64_t)base);
    s.start = base + (int64_t)(s.h % (uint64_t)span);
    s.finish = s.start + 2 + (int64_t)((s.h >> 20) % 20);
    s.fails = !rollback && (s.h >> 40) % 100 < 8;
    return s;
}

void dataset_advance(struct dataset *ds, int64_t now_unix)
{
    /* The result depends on the data and now only: once per second of the data's clock (and
     * after each write) is enough. */
    if (ds->advanced && ds->advanced_now == now_unix && ds->advanced_started == ds->started_unix)
        return;
    ds->advanced = true;
    ds->advanced_now = now_unix;
    ds->advanced_started = ds->started_unix;
    for (size_t ri = 0; ri < ds->n_records; ri++) {
        struct dataset_record *rec = &ds->records[ri];
        int64_t latest = INT64_MIN;
        for (size_t k = 0; k < rec->n_runs; k++) {
            struct deploy_run *run = &rec->runs[k];
            if (!runs_active(run)) continue;
            bool rollback = run->type == MODEL_RUN_ROLLBACK;
            int64_t span = run_span(run);
            bool changed = false;
            for (size_t g = 0; g < run->n_groups; g++) {
                struct resource_group *grp = &run->groups[g];
                for (size_t i = 0; i < grp->n_items; i++) {
                    struct deploy_item *it = &grp->items[i];
                    if (!item_open(it->status)) continue;
                    struct schedule s = item_schedule(it, item_base(ds, it), span, rollback);
                    if (now_unix >= s.finish) {
                        runs_finish_item(it, s.fails, rollback, s.finish, s.h);
                        if (s.finish > latest) latest = s.finish;
                        changed = true;
                    } else if (now_unix >= s.start && it->status == MODEL_STATUS_WAITING) {
                        it->status = MODEL_STATUS_DEPLOYING;
                        if (s.start > latest) latest = s.start;
                        changed = true;
                    }
                }
            }
            if (changed) runs_recount(run);
        }
        if (latest != INT64_MIN) runs_sync_record(rec, latest);
    }
}
