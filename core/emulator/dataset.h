/* The emulator's data: a deterministic generator of realistic update records, a loader for
 * dataset files in the API's own field names, time-based progress of running tasks, and the
 * state changes of the write actions. Not thread-safe: the server serializes access. */
#ifndef CERTDECK_DATASET_H
#define CERTDECK_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/apierr.h"
#include "core/model.h"

struct dataset_record {
    struct update_record info;
    struct deploy_run *runs; /* full lists: every item of every group */
    size_t n_runs;
};

struct dataset {
    struct dataset_record *records; /* newest first, as the API lists them */
    size_t n_records;
    int64_t started_unix; /* generated "running" tasks progress relative to this */
    /* dataset_advance ran for this now and started_unix, and nothing was written since: it
     * has nothing more to do (every request calls it; a big running group is costly). */
    bool advanced;
    int64_t advanced_now, advanced_started;
};

struct dataset_gen_opts {
    uint64_t seed;
    int records;
    int max_instances;
    int64_t now_unix; /* times are generated relative to this */
};

/* Record 2 is always the seed page's official example, field for field. */
void dataset_generate(struct dataset *ds, const struct dataset_gen_opts *opts);
/* The largest dataset file loaded: the client's own response cap. */
#define EMU_DATASET_MAX_BYTES (32 * 1024 * 1024)
/* {"Records":[UploadUpdateRecordInfo…], "Details":{"<id>":[DeployRecord…]}} from a regular file
 * of at most EMU_DATASET_MAX_BYTES. Returns 0, or -1 with err (APIERR_DECODE, path-precise:
 * "Details.2[0].Status: expected integer…"). */
int dataset_load_file(struct dataset *ds, const char *path, struct api_error *err);
int dataset_load_json(struct dataset *ds, const char *json, size_t len, struct api_error *err);
void dataset_free(struct dataset *ds);

struct dataset_record *dataset_find(struct dataset *ds, uint64_t id);
/* Moves running/pending items of running tasks forward to time now_unix (deterministic). */
void dataset_advance(struct dataset *ds, int64_t now_unix);

/* Write actions. Return 0, or -1 with err set to the API error the real service would give
 * (APIERR_API with e.g. FailedOperation.CertificateDeployRollbackStatusInvalid). */
int dataset_rollback(struct dataset *ds, uint64_t record_id, int64_t now_unix,
                     struct api_error *err);
int dataset_retry_record(struct dataset *ds, uint64_t record_id, int64_t now_unix,
                         struct api_error *err);
int dataset_retry_item(struct dataset *ds, uint64_t detail_id, int64_t now_unix,
                       struct api_error *err);
/* UploadUpdateCertificateInstance. If a task for old_cert_id is running, returns its id and
 * sets *created false. Otherwise adds a record (id = max + 1, listed first) whose deploy run
 * covers, per type, the instances of the latest record of that certificate (a few made-up ones
 * in `region`, or ap-guangzhou when NULL, for a type it was never deployed to), all pending, and
 * returns its id with *created true. types must be resource type names. */
/* The id of a running task (a run waiting or deploying) of old_cert_id, or 0. */
uint64_t dataset_running_task(const struct dataset *ds, const char *old_cert_id);
uint64_t dataset_upload(struct dataset *ds, const char *old_cert_id, char *const *types,
                        size_t n_types, const char *region, int64_t now_unix, bool *created);

/* How Limit/Offset page a record's detail (the spec's [G]: the real service's reading is
 * not known, so the emulator serves both). */
enum dataset_paging {
    DATASET_PAGING_GROUP = 0, /* inside each resource-type group */
    DATASET_PAGING_FLAT,      /* over each run's groups concatenated in order */
};

/* A page of one record's detail: every run with every group, each group's TotalCount its full
 * count, limit clamped to 1..200 (default 10), offset below 0 taken as 0. GROUP: each group's
 * List is its own [offset, offset+limit) slice. FLAT: within each run, the [offset,
 * offset+limit) slice of the run's groups' items concatenated in order; each group's List
 * holds its items that fall in it (an empty list when none). A group whose List is null stays
 * null. Deep copies into out. */
void dataset_detail_page_mode(const struct dataset_record *r, enum dataset_paging mode,
                              int64_t offset, int64_t limit, struct detail_page *out);
/* dataset_detail_page_mode with DATASET_PAGING_GROUP. */
void dataset_detail_page(const struct dataset_record *r, int64_t offset, int64_t limit,
                         struct detail_page *out);

#endif
