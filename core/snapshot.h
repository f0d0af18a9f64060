/* Snapshots: what certdeck held or fetched at one moment — the record list, record details with
 * every fetched page, the event log — in one versioned JSON file, and that file as a second
 * data source behind the API client (the worker, the store and every batch command read it as
 * they read the API). Never a secret: only the SecretId's first characters are kept.
 *
 * The file (version 1), one JSON object, written in this order:
 *   {"certdeck_snapshot": 1, "taken": "2025-12-31T00:00:00Z", "certdeck_version": "0.1.0",
 *    "endpoint": "https://ssl.tencentcloudapi.com", "secret_id_prefix": "AKIDz8kr",
 *    "old_certificate_id": null,  (the record list's filter when it was taken)
 *    "records_total": 40,         (the record list's TotalCount as the server gave it)
 *    "records": [UploadUpdateRecordInfo…],
 *    "details": {"<record id>": {"DeployRecordDetail": [DeployRecord…]}, …},
 *    "events": [{"time", "action", "params", "duration_ms", "rate_wait_ms", "attempts",
 *                "rate_limited", "http_status", "request_id", "error": null | {"kind", "code",
 *                "message", "request_id", "http_status", "transport", "outcome_unknown"}}…]}
 * Records and details use the API's own field names and nesting (core/codec.h): a detail is the
 * inside of a DescribeHostUploadUpdateRecordDetail response with every page merged. */
#ifndef CERTDECK_SNAPSHOT_H
#define CERTDECK_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/model.h"
#include "core/store.h"
#include "core/trace.h"

#define SNAPSHOT_VERSION 1
/* The largest file snapshot_load reads: eight times the client's response cap. */
#define SNAPSHOT_MAX_BYTES ((size_t)256 * 1024 * 1024)
/* How many characters of the SecretId a snapshot keeps (it names the account, it is not the
 * secret). */
#define SNAPSHOT_SECRET_ID_PREFIX 8

/* ---- writing ------------------------------------------------------------------------------ */

/* What a file says about where its data came from. */
struct snapshot_meta {
    int64_t taken_unix;          /* when the data was current */
    const char *endpoint;        /* NULL: none */
    const char *secret_id;       /* only its first SNAPSHOT_SECRET_ID_PREFIX characters are
                                    written; NULL: none */
    const char *old_cert_filter; /* NULL: the whole list */
    uint64_t records_total;      /* the list's TotalCount */
};

/* Sizes of what was written. */
struct snapshot_stats {
    size_t records, details, runs, items, events;
    uint64_t bytes;
};

struct snapshot_writer;

/* Starts path: a temporary file beside it (path.tmp-XXXXXX, mode 0600) that snapshot_write_end
 * renames over path, so path is either the old file or a whole new one. With exclusive, an
 * existing path is refused (EEXIST). NULL with a one-line err (the path sanitized). */
struct snapshot_writer *snapshot_write_begin(const char *path, const struct snapshot_meta *meta,
                                             bool exclusive, char *err, size_t errlen);
/* The pieces, in this order: every record, then every detail, then every event (a piece out of
 * order is a programming error: it aborts). Each is encoded on its own and printed at once:
 * the file is never one document in memory. */
void snapshot_write_record(struct snapshot_writer *w, const struct update_record *r);
void snapshot_write_detail(struct snapshot_writer *w, uint64_t record_id,
                           const struct detail_page *d);
/* An event of the log; its started_ms (a now_ms() time) is written as wall-clock UTC using
 * the pair (now_ms, now_unix) read once by the caller. */
void snapshot_write_event(struct snapshot_writer *w, const struct api_trace *t, int64_t now_ms_,
                          int64_t now_unix_);
/* Closes the document, flushes it to disk and renames it into place: 0 with *stats (may be
 * NULL); or -1 with err, the temporary file removed and path untouched. Frees w either way. */
int snapshot_write_end(struct snapshot_writer *w, struct snapshot_stats *stats, char *err,
                       size_t errlen);
/* Gives up: the temporary file is removed, path untouched; frees w (NULL is fine). */
void snapshot_write_abort(struct snapshot_writer *w);

/* "certdeck-snapshot-20251231-000000.json" for the local time of t (a name for :save). */
void snapshot_default_name(int64_t t, char *out, size_t n);
/* "12.3 kB", "4.5 MB": a size for a message line. */
void snapshot_size_text(uint64_t bytes, char *out, size_t n);

/* ---- what a store holds ------------------------------------------------------------------- */

/* A deep copy of what a store holds (the record list, every detail with data, the event log),
 * taken under its lock in one go so it can be written without it (the TUI's :save). */
struct snapshot_hold;
struct snapshot_hold *snapshot_hold_take(struct store *st);
/* Writes h as snapshot_write_begin/_end would (meta's records_total and old_cert_filter come
 * from h). */
int snapshot_hold_write(const struct snapshot_hold *h, const char *path,
                        const struct snapshot_meta *meta, bool exclusive,
                        struct snapshot_stats *stats, char *err, size_t errlen);
void snapshot_hold_free(struct snapshot_hold *h);

/* ---- reading ------------------------------------------------------------------------------ */

struct snapshot_detail {
    uint64_t record_id;
    struct detail_page page;
};

struct snapshot {
    char *path;
    int64_t taken_unix;
    char taken[32]; /* "2025-12-31T00:00:00Z" */
    char *endpoint; /* "" when the file names none */
    char secret_id_prefix[SNAPSHOT_SECRET_ID_PREFIX + 1];
    char *old_cert_filter; /* NULL: the whole list */
    uint64_t records_total;
    struct update_record *records;
    size_t n_records;
    struct snapshot_detail *details; /* sorted by record_id */
    size_t n_details, cap_details;
    /* The event log as written; started_ms is set so that "now_ms() - started_ms" is the age
     * of the event when the file was loaded. action points into the strings below. */
    struct api_trace *events;
    size_t n_events;
    char **strings;
    size_t n_strings;
    /* Groups holding fewer items than their TotalCount (a :save of a half-loaded group): they
     * are answered with the items saved, and this many were cut short. */
    size_t partial_groups;
};

/* Reads a snapshot file: a regular file of at most SNAPSHOT_MAX_BYTES, valid JSON, a version
 * this certdeck reads, every record and detail as the API shapes them. NULL with a one-line err
 * that says what is wrong ("is not a certdeck snapshot", "is truncated", "is a version 2
 * snapshot", "records[3].Id: expected integer…"); never a crash. */
struct snapshot *snapshot_load(const char *path, char *err, size_t errlen);
/* The same from bytes already read (for tests and the fuzzer); name is used in messages. */
struct snapshot *snapshot_parse(const char *name, const char *data, size_t len, char *err,
                                size_t errlen);
void snapshot_free(struct snapshot *s);
const struct snapshot_detail *snapshot_find_detail(const struct snapshot *s, uint64_t record_id);
/* taken in the display zone, labelled as every time certdeck shows ("2025-12-31 08:00:00+08",
 * core/timefmt.h), for a title row. */
void snapshot_taken_text(const struct snapshot *s, char *out, size_t n);

/* ---- the second source -------------------------------------------------------------------- */

/* An API client that answers DescribeHostUploadUpdateRecord and
 * DescribeHostUploadUpdateRecordDetail from s (which must outlive it) with the emulator's
 * Offset/Limit/filter rules (group paging), through the same decoders as live answers, and
 * refuses every write ("offline snapshot: writes are disabled"). It never touches the network.
 * api_client_endpoint gives the snapshot's endpoint. */
struct api_client *snapshot_client_new(const struct snapshot *s);

#endif
