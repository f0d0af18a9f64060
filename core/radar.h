/* Rollback radar: across every update record, which certificates keep failing or being rolled
 * back, and which instances fail again and again. Two steps, both pure (no curses, no I/O):
 * a record's detail is boiled down to a small digest as soon as it arrives (its rollback
 * delays, its failed instances with the template of their error), so a consumer need not keep
 * hundreds of details; then radar_compute joins the record list with the digests. The TUI feeds
 * it while pages stream in, the batch CLI after paging everything: same numbers either way.
 * Strings are raw API text: sanitize before any terminal or file (core/sanitize.h). */
#ifndef CERTDECK_RADAR_H
#define CERTDECK_RADAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

/* Whether the radar needs this record's detail: its status is failed, rolled back or rollback
 * failed (the records whose runs hold failures and rollbacks). */
bool radar_wants_detail(const struct update_record *r);

/* "YYYY-MM-DD" (a real calendar date): what --since accepts. */
bool radar_since_valid(const char *since);
/* Whether a record passes a since filter (NULL or "": every record). Records are compared by
 * the date of their CreateTime as the API writes it; a record whose time cannot be read does
 * not pass a filter. */
bool radar_record_since(const struct update_record *r, const char *since);

/* One instance that failed in a record: item status failed or rollback failed in any run. */
struct radar_failure {
    char *resource_type; /* the item's own, else its group's */
    char *instance_id;   /* InstanceId, else Bucket, else Namespace/SecretName */
    char *template_;     /* errtmpl_of(the error of its latest failure in the record) */
};

/* What the radar keeps of one record's detail. */
struct radar_digest {
    uint64_t record_id;
    int64_t *rollback_delays; /* seconds from a deploy to the rollback that followed it */
    size_t n_rollback_delays;
    struct radar_failure *failures; /* one per (resource type, instance), sorted by both */
    size_t n_failures;
};

void radar_digest_of(uint64_t record_id, const struct detail_page *p, struct radar_digest *out);
void radar_digest_clear(struct radar_digest *d);

struct radar_cert {
    char *old_cert_id;
    size_t records, failed, rolled_back, rollback_failed; /* by record status */
    uint64_t last_record; /* the latest record by CreateTime (ties: the higher Id) */
    int64_t last_status;
    char *last_time;
    size_t n_delays;      /* rollback runs whose delay could be read (digests in so far) */
    int64_t median_delay; /* seconds (the lower-middle mean of two for an even count) */
};

struct radar_instance {
    char *resource_type;
    char *instance_id;
    uint64_t *record_ids; /* the records it failed in, ascending */
    size_t n_record_ids;
    char *latest_template; /* the template of its failure in the latest of those records */
    uint64_t latest_record;
};

struct radar_result {
    /* sorted by failed + rolled_back + rollback_failed descending, then rolled_back
     * descending, then OldCertId (byte order) */
    struct radar_cert *certs;
    size_t n_certs;
    /* repeat offenders (failed in two records or more), by record count descending, then
     * resource type, then instance id */
    struct radar_instance *instances;
    size_t n_instances;
    size_t details_wanted; /* records passing the filter that radar_wants_detail */
    size_t details_have;   /* of those, how many had a digest */
};

/* Joins the records passing `since` with the digests of those records (a digest of another
 * record, or a second digest of one record, is ignored). Deterministic: the same records and
 * digests in any order give the same result. out is overwritten; clear it with radar_result_clear.
 */
void radar_compute(const struct update_record *records, size_t n_records, const char *since,
                   const struct radar_digest *digests, size_t n_digests, struct radar_result *out);
void radar_result_clear(struct radar_result *r);

#endif
