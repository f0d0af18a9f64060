/* Read helpers over the model for the screens: finding a record, run, group or item in the
 * store's data, runs in time order, time arithmetic on the API's time strings, and the one
 * table of instance fields (name, label) with the columns each resource type shows. Returned
 * strings are raw API text: callers sanitize (table_add does) before drawing. */
#ifndef CERTDECK_DATA_H
#define CERTDECK_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/store.h"
#include "core/util.h"

const struct update_record *data_record(const struct store_records *sr, uint64_t id);
/* Fills order[] with indices into p->runs sorted by CreateTime (server order breaks ties).
 * Returns the count (at most cap). */
size_t data_run_order(const struct detail_page *p, size_t *order, size_t cap);
/* 1-based position of run_index in time order (0 when absent). */
int data_run_number(const struct detail_page *p, size_t run_index);
const struct deploy_run *data_run(const struct store_detail *d, size_t run_index);
const struct resource_group *data_group(const struct deploy_run *r, const char *type);
const struct deploy_item *data_item(const struct resource_group *g, uint64_t id);
/* A run is still moving (waiting/deploying, or items running or pending). */
bool data_run_in_progress(const struct deploy_run *r);

/* "2025-05-20 15:03:17" or "2025-05-20T07:03:17.000000Z" as seconds since the epoch of the
 * same clock (no time zone applied: only differences are meaningful). */
bool data_parse_time(const char *s, int64_t *out);
/* "15m41s", "2h03m", "3d04h", "42s". */
void data_duration(int64_t secs, char *buf, size_t n);
/* How long after the latest earlier deploy of p a rollback run came ("+15m41s"); "" for a
 * deploy or when the times cannot be read. */
void data_rollback_delay(const struct detail_page *p, size_t run_index, char *buf, size_t n);

/* The confirmation questions of the record-wide writes, from the record's detail as the store
 * holds it (sd NULL, or no page in yet: "not loaded yet" rather than a guess); appended to
 * out, sanitized, without the "[y/N]". Rollback names what the latest deploy run touched:
 * "Roll back record #37 — 5,007 resources (clb 5,000, tke 7) back to the old certificate?".
 * Retry counts the failed items of the latest run (the one a record-wide retry re-runs):
 * "Retry the 559 failed items of record #37?". */
void data_rollback_question(const struct store_detail *sd, uint64_t record_id, struct buf *out);
void data_retry_question(const struct store_detail *sd, uint64_t record_id, struct buf *out);

/* X-macro: id, name (filter field, :sort), label (item pane). The one list of item fields. */
#define ITEM_FIELDS(X)                                                                             \
    X(F_ID, "id", "Id")                                                                            \
    X(F_STATUS, "status", "Status")                                                                \
    X(F_TYPE, "type", "Resource type")                                                             \
    X(F_INSTANCE, "instance", "Instance")                                                          \
    X(F_INSTANCE_NAME, "name", "Instance name")                                                    \
    X(F_LISTENER, "listener", "Listener")                                                          \
    X(F_LISTENER_NAME, "listener-name", "Listener name")                                           \
    X(F_PORT, "port", "Port")                                                                      \
    X(F_PROTOCOL, "protocol", "Protocol")                                                          \
    X(F_SNI, "sni", "SNI")                                                                         \
    X(F_SSL_MODE, "ssl", "SSL mode")                                                               \
    X(F_FORWARD, "forward", "CLB kind")                                                            \
    X(F_DOMAINS, "domains", "Domains")                                                             \
    X(F_BUCKET, "bucket", "Bucket")                                                                \
    X(F_REGION, "region", "Region")                                                                \
    X(F_NAMESPACE, "namespace", "Namespace")                                                       \
    X(F_SECRET, "secret", "Secret")                                                                \
    X(F_OLD_CERT, "cert", "Old certificate")                                                       \
    X(F_CREATED, "created", "Created")                                                             \
    X(F_UPDATED, "updated", "Updated")                                                             \
    X(F_ERROR, "error", "Error")

enum item_field {
#define ITEM_FIELD_ENUM(id, name, label) id,
    ITEM_FIELDS(ITEM_FIELD_ENUM)
#undef ITEM_FIELD_ENUM
        F_COUNT
};

const char *data_field_name(enum item_field f);
const char *data_field_label(enum item_field f);
/* The value of one field as text (heap string; "" when absent). */
char *data_item_field(const struct deploy_item *it, enum item_field f);
/* The fields shown as columns for a resource type (after the marker; status and error
 * included). */
size_t data_type_fields(const char *type, const enum item_field **out);

#endif
