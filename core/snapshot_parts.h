/* What the files of the snapshot reader share (core/snapshot_read.c, core/snapshot_events.c):
 * not part of the public surface in core/snapshot.h. */
#ifndef CERTDECK_SNAPSHOT_PARTS_H
#define CERTDECK_SNAPSHOT_PARTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/snapshot.h"

/* "a string", "an array", "nothing", … for messages. */
const char *snapshot_json_type(const cJSON *v);
/* The "events" array (absent or null: none) into s->events: 0, or -1 with why
 * ("events[3]: attempts: expected an integer, got a string"). */
int snapshot_decode_events(struct snapshot *s, const cJSON *evs, char *why, size_t n);

#endif
