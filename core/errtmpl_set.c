/* Error templates, many items at a time: the failed items of a run grouped by template, with
 * counts, resource types, regions, an example and the items' Ids (see errtmpl.h). One hash
 * table maps a template to its group and one hash set holds the Ids already seen, so adding
 * an item costs the length of its message, whatever the number of items. */
#include "core/errtmpl.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct errtmpl_set {
    struct errtmpl_group *groups; /* in order of first appearance */
    size_t n_groups, cap_groups;
    size_t *slots; /* template hash table: group index + 1, 0 empty */
    size_t n_slots;
    uint64_t *ids; /* Id hash set: Id + 1, 0 empty (an Id of UINT64_MAX is kept apart) */
    size_t n_ids, n_id_slots;
    bool max_id_seen;
    size_t *id_caps; /* per group: capacity of detail_ids */
    struct errtmpl_group *sorted;
    size_t cap_sorted;
    bool dirty; /* sorted (and the groups' Id lists) need sorting again */
    size_t items;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t hash_id(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

struct errtmpl_set *errtmpl_set_new(void)
{
    return xcalloc(1, sizeof(struct errtmpl_set));
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void errtmpl_set_free(struct errtmpl_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_groups; i++) {
        struct errtmpl_group *g = &s->groups[i];
        free(g->text);
        free(g->example);
        free(g->detail_ids);
        free_strv(g->resource_types, g->n_resource_types);
        free_strv(g->regions, g->n_regions);
    }
    free(s->groups);
    free(s->id_caps);
    free(s->slots);
    free(s->ids);
    free(s->sorted);
    free(s);
}

bool errtmpl_item_failed(int64_t status)
{
    return status == MODEL_STATUS_FAILED || status == MODEL_STATUS_ROLLBACK_FAILED;
}

/* ---- the Id set -------------------------------------------------------------------------- */

static void id_insert_slot(uint64_t *slots, size_t n, uint64_t key)
{
    size_t i = (size_t)(hash_id(key) & (n - 1));
    while (slots[i])
        i = (i + 1) & (n - 1);
    slots[i] = key;
}

/* Adds id; false when it was there already. */
static bool id_add(struct errtmpl_set *s, uint64_t id)
{
    if (id == UINT64_MAX) {
        if (s->max_id_seen) return false;
        s->max_id_seen = true;
        return true;
    }
    uint64_t key = id + 1;
    if (s->n_id_slots) {
        size_t i = (size_t)(hash_id(key) & (s->n_id_slots - 1));
        for (; s->ids[i]; i = (i + 1) & (s->n_id_slots - 1))
            if (s->ids[i] == key) return false;
    }
    if ((s->n_ids + 1) * 2 > s->n_id_slots) {
        size_t n = s->n_id_slots ? s->n_id_slots * 2 : 64;
        uint64_t *slots = xcalloc(n, sizeof *slots);
        for (size_t i = 0; i < s->n_id_slots; i++)
            if (s->ids[i]) id_insert_slot(slots, n, s->ids[i]);
        free(s->ids);
        s->ids = slots;
        s->n_id_slots = n;
    }
    id_insert_slot(s->ids, s->n_id_slots, key);
    s->n_ids++;
    return true;
}

/* ---- the template table ------------------------------------------------------------------ */

static void slot_insert(struct errtmpl_set *s, size_t *slots, size_t n, size_t group)
{
    size_t i = (size_t)(hash_str(s->groups[group].text) & (n - 1));
    while (slots[i])
        i = (i + 1) & (n - 1);
    slots[i] = group + 1;
}

/* The group of text (taking ownership of text), created when new. */
static struct errtmpl_group *group_for(struct errtmpl_set *s, char *text)
{
    if (s->n_slots) {
        size_t i = (size_t)(hash_str(text) & (s->n_slots - 1));
        for (; s->slots[i]; i = (i + 1) & (s->n_slots - 1)) {
            struct errtmpl_group *g = &s->groups[s->slots[i] - 1];
            if (strcmp(g->text, text) == 0) {
                free(text);
                return g;
            }
        }
    }
    size_t old_cap = s->cap_groups;
    s->groups = xgrow(s->groups, &s->cap_groups, s->n_groups + 1, sizeof *s->groups);
    if (s->cap_groups != old_cap) {
        size_t c = old_cap;
        s->id_caps = xgrow(s->id_caps, &c, s->cap_groups, sizeof *s->id_caps);
    }
    size_t gi = s->n_groups++;
    struct errtmpl_group *g = &s->groups[gi];
    memset(g, 0, sizeof *g);
    s->id_caps[gi] = 0;
    g->text = text;
    if (s->n_groups * 2 > s->n_slots) {
        size_t n = s->n_slots ? s->n_slots * 2 : 16;
        size_t *slots = xcalloc(n, sizeof *slots);
        for (size_t k = 0; k < s->n_groups; k++)
            slot_insert(s, slots, n, k);
        free(s->slots);
        s->slots = slots;
        s->n_slots = n;
    } else {
        slot_insert(s, s->slots, s->n_slots, gi);
    }
    return g;
}

/* Adds v to the sorted distinct list (short lists: a type or region per group). */
static void add_distinct(char ***v, size_t *n, const char *s)
{
    if (!s || !*s) return;
    size_t at = 0;
    for (; at < *n; at++) {
        int c = strcmp((*v)[at], s);
        if (c == 0) return;
        if (c > 0) break;
    }
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    memmove(*v + at + 1, *v + at, (*n - at) * sizeof **v);
    (*v)[at] = xstrdup(s);
    (*n)++;
}

bool errtmpl_set_add(struct errtmpl_set *s, const struct deploy_item *it, const char *group_type,
                     bool rollback)
{
    if (!it || !errtmpl_item_failed(it->status) || !id_add(s, it->id)) return false;
    struct errtmpl_group *g = group_for(s, errtmpl_of(it->error_msg));
    size_t gi = (size_t)(g - s->groups);
    if (it->status == MODEL_STATUS_ROLLBACK_FAILED || rollback)
        g->rollback_failed++;
    else
        g->failed++;
    g->count++;
    s->items++;
    const char *type = it->resource_type && *it->resource_type ? it->resource_type : group_type;
    add_distinct(&g->resource_types, &g->n_resource_types, type);
    add_distinct(&g->regions, &g->n_regions, it->region);
    g->detail_ids = xgrow(g->detail_ids, &s->id_caps[gi], g->n_detail_ids + 1, sizeof(uint64_t));
    g->detail_ids[g->n_detail_ids++] = it->id;
    if (!g->example || it->id < g->example_id) {
        free(g->example);
        g->example = xstrdup(it->error_msg ? it->error_msg : "");
        g->example_id = it->id;
    }
    s->dirty = true;
    return true;
}

size_t errtmpl_set_add_run(struct errtmpl_set *s, const struct deploy_run *run)
{
    size_t added = 0;
    bool rollback = run->type == MODEL_RUN_ROLLBACK;
    for (size_t k = 0; k < run->n_groups; k++) {
        const struct resource_group *grp = &run->groups[k];
        for (size_t i = 0; i < grp->n_items; i++) {
            struct deploy_item scratch;
            added += errtmpl_set_add(s, model_group_item(grp, i, &scratch), grp->resource_type,
                                     rollback);
        }
    }
    return added;
}

size_t errtmpl_set_items(const struct errtmpl_set *s)
{
    return s->items;
}

static int cmp_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_group(const void *a, const void *b)
{
    const struct errtmpl_group *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->text, y->text);
}

const struct errtmpl_group *errtmpl_set_groups(struct errtmpl_set *s, size_t *n)
{
    if (s->dirty) {
        for (size_t i = 0; i < s->n_groups; i++)
            qsort(s->groups[i].detail_ids, s->groups[i].n_detail_ids, sizeof(uint64_t), cmp_id);
        s->sorted =
            xgrow(s->sorted, &s->cap_sorted, s->n_groups ? s->n_groups : 1, sizeof *s->sorted);
        if (s->n_groups) memcpy(s->sorted, s->groups, s->n_groups * sizeof *s->sorted);
        qsort(s->sorted, s->n_groups, sizeof *s->sorted, cmp_group);
        s->dirty = false;
    }
    *n = s->n_groups;
    return s->sorted;
}
