/* The API's two time formats: "YYYY-MM-DD HH:MM:SS" China local time (UTC+8) for records and
 * runs, ISO-8601 UTC with microseconds for detail items. */
#ifndef CERTDECK_EMULATOR_APITIME_H
#define CERTDECK_EMULATOR_APITIME_H

#include <stdbool.h>
#include <stdint.h>

/* Heap strings. A time that cannot be shown prints as the epoch. */
char *apitime_china(int64_t t);
char *apitime_iso(int64_t t);
/* Parses either format into Unix seconds; false when s is NULL or neither. */
bool apitime_parse(const char *s, int64_t *out);

#endif
