/* A resource-type group and its items (core/model_items.c): the item as the API sends it
 * (struct deploy_item), the group that holds a page or all of them, and the group's
 * operations: reading an item whichever form it is held in, copies and clears, and merging
 * pages in place. The rest of the update family's records are in core/model.h. */
#ifndef CERTDECK_MODEL_ITEMS_H
#define CERTDECK_MODEL_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DeployRecordItem: one instance of one resource-type group. */
struct deploy_item {
    uint64_t id;
    char *old_cert_id;
    char *instance_id;
    char *instance_name;
    char *listener_id;
    char *listener_name;
    char **domains;
    size_t n_domains;
    bool domains_null;
    char *protocol;
    int64_t status;
    char *error_msg;
    char *create_time;
    char *update_time;
    int64_t sni_switch;
    char *bucket;
    char *namespace_;
    char *secret_name;
    int64_t port;
    char *region;
    int64_t forward;
    char *ssl_mode;
    char *resource_type;
};

struct model_arena; /* core/model_arena.h */
struct item_packed; /* core/model_items.c */

/* DeployRecordList: one resource-type group of a run. It holds n_items items, the page's or
 * (after paging) the whole group's, and total_count, the group's full size on the server.
 *
 * Items are held in one of two forms; read them only through model_group_item (or _id,
 * _status), which serves both:
 * - items (arena NULL or not): struct deploy_item as decoded or built by hand (the emulator,
 *   tests). With arena NULL each item owns its strings, freed by model_item_clear; a decoded
 *   page keeps them in its arena.
 * - packed (items NULL, arena set): the compact form every group takes once something is merged
 *   into it or it is copied (model_group_merge / _upsert / _copy); strings and Domains live
 *   in the arena, some shared between items. Change such a group only through those.
 * Either way the group owns its arrays and resource_type, and model_group_clear frees all. */
struct resource_group {
    char *resource_type;
    struct deploy_item *items;
    struct item_packed *packed;
    size_t n_items;
    bool list_null; /* the API sent "List": null */
    int64_t total_count;
    struct model_arena *arena;
};

/* Deep copies (dst is overwritten, not freed first) and clears (free the members and zero the
 * struct; clearing a zeroed struct is a no-op). */
void model_item_copy(struct deploy_item *dst, const struct deploy_item *src);
void model_item_clear(struct deploy_item *it);
void model_group_copy(struct resource_group *dst, const struct resource_group *src);
void model_group_clear(struct resource_group *g);

/* Item i (< g->n_items) of g: a pointer into g, or scratch filled with the unpacked item. Its
 * strings belong to g (never free or change them) and stay valid until g is cleared. */
const struct deploy_item *model_group_item(const struct resource_group *g, size_t i,
                                           struct deploy_item *scratch);
/* Item i's Id and Status, without unpacking the rest. */
uint64_t model_group_item_id(const struct resource_group *g, size_t i);
int64_t model_group_item_status(const struct resource_group *g, size_t i);

/* Appends a copy of it to g (packed first), Id or not already there: a list read as it is. */
void model_group_append(struct resource_group *g, const struct deploy_item *it);
/* Appends src's items to dst, skipping items whose Id dst already holds; returns how many were
 * added. Used to merge pages of one group: dst is packed (its own items move into its arena),
 * the new items are packed into it, and its Id index persists and grows, so merging N items
 * in pages costs O(N) in all. src is left as it was. */
size_t model_group_merge(struct resource_group *dst, const struct resource_group *src);
/* As model_group_merge, and the items of src whose Id dst holds replace dst's (a refresh
 * bringing current statuses); strings that did not change are kept, not copied again. Returns
 * how many were added. */
size_t model_group_upsert(struct resource_group *dst, const struct resource_group *src);
/* The item with this Id (through g's index; g is packed first), as model_group_item, or NULL. */
const struct deploy_item *model_group_find(struct resource_group *g, uint64_t id,
                                           struct deploy_item *scratch);
/* The position of the first item with this Id, or SIZE_MAX: through g's index when it covers
 * every item (a merged group), else a scan. */
size_t model_group_position(const struct resource_group *g, uint64_t id);
/* The bytes a packed item takes (for the benchmarks' figures). */
size_t model_item_packed_size(void);

#endif
