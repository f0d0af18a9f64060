/* The one table of item fields: name (filter field, :sort, CSV header), label (item pane),
 * value as text, and which fields each resource type shows as columns. Values are raw API
 * text (times in the display zone, core/timefmt.h): callers sanitize before output. */
#ifndef CERTDECK_FIELDS_H
#define CERTDECK_FIELDS_H

#include <stddef.h>

#include "core/model.h"
#include "core/util.h"

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

const char *field_name(enum item_field f);
const char *field_label(enum item_field f);
/* The value of one field as text (heap string; "" when absent). */
char *field_value(const struct deploy_item *it, enum item_field f);
/* The same without a copy: the item's own string, a constant, or text appended to out (which
 * the caller empties first); valid while the item and out are. */
const char *field_text(const struct deploy_item *it, enum item_field f, struct buf *out);
/* The fields shown as columns for a resource type (status and error included). */
size_t field_columns(const char *type, const enum item_field **out);

#endif
