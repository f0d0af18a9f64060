/* What the files of the snapshot reader share (core/snapshot_read.c, core/snapshot_events.c):
 * not part of the public surface in core/snapshot.h. */
#ifndef CERTDECK_SNAPSHOT_PARTS_H
#define CERTDECK_SNAPSHOT_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/snapshot.h"

/* "a string", "an array", "nothing", … for messages. */
const char *snapshot_json_type(const cJSON *v);
/* Whether s is a UTC time exactly as a snapshot writes it, "2025-12-31T00:00:00Z", and its Unix
 * seconds. */
bool snapshot_utc_time(const char *s, int64_t *out);
/* The "events" array (absent or null: none) into s->events: 0, or -1 with why
 * ("events[3]: attempts: expected an integer, got a string"). */
int snapshot_decode_events(struct snapshot *s, const cJSON *evs, char *why, size_t n);

#endif
