/* The typed records of the SSL "update, certificate ID unchanged" family (spec/API.md §2) and
 * their enums with names. Strings are UTF-8 exactly as the API sent them (not sanitized:
 * every text sink sanitizes); a NULL string means the field was absent or null and is not
 * re-encoded. A group's items keep their strings in the group's arena (struct
 * resource_group); every other string is owned by its struct. Every struct here is freed with
 * its model_*_clear function. */
#ifndef CERTDECK_MODEL_H
#define CERTDECK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DeployRecord.Type */
enum { MODEL_RUN_DEPLOY = 0, MODEL_RUN_ROLLBACK = 1 };

/* DeployRecord.Status (documented 0..5) and item status (sibling enum 0..6, [G]). */
enum {
    MODEL_STATUS_WAITING = 0,
    MODEL_STATUS_SUCCESS = 1,
    MODEL_STATUS_FAILED = 2,
    MODEL_STATUS_DEPLOYING = 3,
    MODEL_STATUS_ROLLBACK_OK = 4,
    MODEL_STATUS_ROLLBACK_FAILED = 5,
    MODEL_STATUS_NO_RESOURCE = 6,
};

/* What a status means for an operator, independent of which enum it came from. */
enum model_tone {
    MODEL_TONE_UNKNOWN = 0,
    MODEL_TONE_PENDING,
    MODEL_TONE_SUCCESS,
    MODEL_TONE_FAILED,
    MODEL_TONE_RUNNING,
    MODEL_TONE_ROLLBACK, /* rolled back successfully */
    MODEL_TONE_ROLLBACK_FAILED,
};

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

/* DeployRecord: one pass (deploy or rollback) of an update record. */
struct deploy_run {
    int64_t total_count;
    int64_t success_total_count;
    int64_t failed_total_count;
    int64_t running_total_count;
    int64_t pending_total_count;
    bool has_pending_total_count; /* PendingTotalCount is not always output */
    int64_t type;
    int64_t status;
    char *create_time;
    struct resource_group *groups;
    size_t n_groups;
    bool groups_null;
};

/* DescribeHostUploadUpdateRecordDetail response. */
struct detail_page {
    struct deploy_run *runs;
    size_t n_runs;
    char *request_id;
};

/* UploadUpdateRecordInfo: one row of the record list. */
struct update_record {
    uint64_t id;
    char *old_cert_id;
    char **resource_types;
    size_t n_resource_types;
    int64_t status;
    char *create_time;
    char *update_time;
};

/* DescribeHostUploadUpdateRecord response. */
struct records_page {
    uint64_t total_count;
    struct update_record *records;
    size_t n_records;
    char *request_id;
};

/* UploadUpdateCertificateInstance response (nullable numbers carry a has_ flag). */
struct sync_progress_region {
    char *region;
    int64_t total_count;
    bool has_total_count;
    int64_t offset_count;
    bool has_offset_count;
    int64_t status;
};
struct sync_progress {
    char *resource_type;
    struct sync_progress_region *regions;
    size_t n_regions;
    int64_t status;
};
struct upload_result {
    uint64_t deploy_record_id;
    int64_t deploy_status;
    struct sync_progress *progress;
    size_t n_progress;
    char *request_id;
};

/* Names. Each returns a short lowercase English name, or NULL for a value the spec does not
 * define (callers then show the number: never crash on an unknown value). */
const char *model_run_type_name(int64_t type);        /* "deploy", "rollback" */
const char *model_run_status_name(int64_t status);    /* "waiting" … "rollback failed" */
const char *model_item_status_name(int64_t status);   /* run names + 6 "no resource" */
const char *model_record_status_name(int64_t status); /* record list; 7 is undocumented */
enum model_tone model_status_tone(int64_t status);
/* Writes the name, or "status N" for unknown values, into buf; returns buf. */
const char *model_status_label(int64_t status, char *buf, size_t n);

/* Deep copies (the destination is overwritten, not freed first) and clears (free the members
 * and zero the struct; clearing a zeroed struct is a no-op). */
void model_item_copy(struct deploy_item *dst, const struct deploy_item *src);
void model_item_clear(struct deploy_item *it);
void model_group_copy(struct resource_group *dst, const struct resource_group *src);
void model_group_clear(struct resource_group *g);
void model_run_copy(struct deploy_run *dst, const struct deploy_run *src);
void model_run_clear(struct deploy_run *r);
void model_record_copy(struct update_record *dst, const struct update_record *src);
void model_record_clear(struct update_record *r);
void model_detail_page_clear(struct detail_page *p);
void model_records_page_clear(struct records_page *p);
void model_upload_result_clear(struct upload_result *r);

/* Item i (< g->n_items) of g: a pointer into g, or scratch filled with the unpacked item. Its
 * strings belong to g (never free or change them) and stay valid until g is cleared. */
const struct deploy_item *model_group_item(const struct resource_group *g, size_t i,
                                           struct deploy_item *scratch);
/* Item i's Id and Status, without unpacking the rest. */
uint64_t model_group_item_id(const struct resource_group *g, size_t i);
int64_t model_group_item_status(const struct resource_group *g, size_t i);

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
