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

#include "core/model_items.h"

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
 * and zero the struct; clearing a zeroed struct is a no-op); an item's and a group's are in
 * core/model_items.h. */
void model_run_copy(struct deploy_run *dst, const struct deploy_run *src);
void model_run_clear(struct deploy_run *r);
void model_record_copy(struct update_record *dst, const struct update_record *src);
void model_record_clear(struct update_record *r);
void model_detail_page_clear(struct detail_page *p);
void model_records_page_clear(struct records_page *p);
void model_upload_result_clear(struct upload_result *r);

#endif
