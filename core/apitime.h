/* The API's time strings as seconds, and durations as short text. No time zone is applied:
 * the API gives local times without an offset, so only differences are meaningful. */
#ifndef CERTDECK_APITIME_H
#define CERTDECK_APITIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2025-05-20 15:03:17" or "2025-05-20T07:03:17.000000Z" as seconds since the epoch of the
 * same clock. False (and *out untouched) for anything else, NULL included. */
bool apitime_parse(const char *s, int64_t *out);
/* "15m41s", "2h03m", "3d04h", "42s" (the sign is dropped). */
void apitime_duration(int64_t secs, char *buf, size_t n);

#endif
