/* The in-memory dataset: its lifetime, lookup by record id, and the pages of a record's detail
 * that DescribeHostUploadUpdateRecordDetail serves. */
#include "core/emulator/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void dataset_free(struct dataset *ds)
{
    if (!ds) return;
    for (size_t i = 0; ds->records && i < ds->n_records; i++) {
        struct dataset_record *r = &ds->records[i];
        model_record_clear(&r->info);
        for (size_t k = 0; r->runs && k < r->n_runs; k++)
            model_run_clear(&r->runs[k]);
        free(r->runs);
    }
    free(ds->records);
    memset(ds, 0, sizeof *ds);
}

struct dataset_record *dataset_find(struct dataset *ds, uint64_t id)
{
    for (size_t i = 0; i < ds->n_records; i++)
        if (ds->records[i].info.id == id) return &ds->records[i];
    return NULL;
}

/* Deep copies into dst the items of src that fall in [from, from + limit) of src's own
 * positions; from may be negative (the window starts before this group). The one slicing
 * code path of both paging modes. */
static void group_slice(struct resource_group *dst, const struct resource_group *src, int64_t from,
                        int64_t limit)
{
    dst->resource_type = xstrdup(src->resource_type);
    dst->total_count = src->total_count;
    dst->list_null = src->list_null;
    int64_t n = (int64_t)src->n_items;
    int64_t lo = from < 0 ? 0 : from;
    int64_t hi = from > n - limit ? n : from + limit; /* min(from + limit, n), no overflow */
    if (hi <= lo) return;
    dst->items = xcalloc((size_t)(hi - lo), sizeof *dst->items);
    for (int64_t i = lo; i < hi; i++) {
        struct deploy_item scratch; /* a snapshot's groups are packed */
        model_item_copy(&dst->items[i - lo], model_group_item(src, (size_t)i, &scratch));
    }
    dst->n_items = (size_t)(hi - lo);
}

void dataset_detail_page_mode(const struct dataset_record *r, enum dataset_paging mode,
                              int64_t offset, int64_t limit, struct detail_page *out)
{
    memset(out, 0, sizeof *out);
    if (limit <= 0) limit = 10;
    if (limit > 200) limit = 200;
    if (offset < 0) offset = 0;
    if (r->n_runs == 0) return;
    out->runs = xcalloc(r->n_runs, sizeof *out->runs);
    out->n_runs = r->n_runs;
    for (size_t k = 0; k < r->n_runs; k++) {
        const struct deploy_run *src = &r->runs[k];
        struct deploy_run *dst = &out->runs[k];
        *dst = *src;
        dst->create_time = xstrdup(src->create_time);
        dst->groups = NULL;
        dst->n_groups = 0;
        if (!src->n_groups) continue;
        dst->groups = xcalloc(src->n_groups, sizeof *dst->groups);
        dst->n_groups = src->n_groups;
        /* Where the window starts in each group's own positions: at offset in every group,
         * or (flat) offset minus the items of the groups before it in the run. */
        int64_t before = 0;
        for (size_t g = 0; g < src->n_groups; g++) {
            const struct resource_group *sg = &src->groups[g];
            int64_t from = mode == DATASET_PAGING_FLAT ? offset - before : offset;
            group_slice(&dst->groups[g], sg, from, limit);
            before += (int64_t)sg->n_items;
        }
    }
}

void dataset_detail_page(const struct dataset_record *r, int64_t offset, int64_t limit,
                         struct detail_page *out)
{
    dataset_detail_page_mode(r, DATASET_PAGING_GROUP, offset, limit, out);
}
