/* The API's time strings: "YYYY-MM-DD HH:MM:SS" in China local time (UTC+8) for records and
 * runs, "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC) for detail items; and durations as short text. */
#ifndef CERTDECK_APITIME_H
#define CERTDECK_APITIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Either format as seconds of the clock it is written in, no time zone applied: only
 * differences between times of one format are meaningful (what the screens show). False,
 * *out untouched, for anything else, NULL included. */
bool apitime_parse(const char *s, int64_t *out);
/* Either format as Unix seconds: the space format is read as UTC+8, the T…Z one as UTC. */
bool apitime_unix(const char *s, int64_t *out);

/* The zone a time string is written in when it names none: the record list and runs write
 * China time, detail items UTC (API.md, "Time formats seen"). */
enum apitime_zone { APITIME_CHINA, APITIME_UTC };
/* Strictly: the whole of s is "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS", optionally a
 * fraction (".ffffff") and a zone ("Z", "+08", "+0800", "+08:00"), a real calendar date. A
 * zone written in s wins; otherwise s is read in zone. As Unix seconds; false, *out untouched,
 * for anything else, NULL included. */
bool apitime_read(const char *s, enum apitime_zone zone, int64_t *out);
/* A proleptic Gregorian date and time read as UTC, as Unix seconds (no range checks). */
int64_t apitime_from_civil(int64_t year, int month, int day, int hour, int min, int sec);
/* Unix seconds as the API writes them (heap strings); a time that cannot be shown prints as
 * the epoch. */
char *apitime_china(int64_t t);
char *apitime_iso(int64_t t);
/* "15m41s", "2h03m", "3d04h", "42s" (the sign is dropped). */
void apitime_duration(int64_t secs, char *buf, size_t n);

#endif
