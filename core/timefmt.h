/* The display time zone: every time certdeck shows (TUI, table and CSV output) is written in
 * one zone, the operator's choice, and carries its UTC offset, as PostgreSQL writes a
 * timestamptz:
 *     "2025-05-20 15:03:17+08"       ("+05:30" when the offset is not whole hours)
 * 22 columns, as narrow as a labelled time gets: the record list keeps both of its time
 * columns at 80 columns.
 * The zone is "local" (the process's TZ, the default), "utc", or a tz-database name such as
 * "America/New_York" (`timezone` in the config, --tz).
 *
 * Threads: timefmt_set_zone changes process state (TZ, through setenv and tzset) and must be
 * called before any other thread starts — at startup, or in a test between runs. Every other
 * function only reads that state (localtime_r, gmtime_r) and may be called from any thread. */
#ifndef CERTDECK_TIMEFMT_H
#define CERTDECK_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/apitime.h"

/* Room for any display time ("YYYY-MM-DD HH:MM:SS+hh:mm") and its terminator. */
#define TIMEFMT_LEN 40

/* Whether spec names a zone: "local", "utc" (any case), or a tz-database name found as a TZif
 * file under $TZDIR or the usual zoneinfo directories. False with err saying why and what to
 * use instead. No side effects. */
bool timefmt_zone_check(const char *spec, char *err, size_t errlen);
/* Makes spec (NULL or "": local) the display zone: 0, or -1 with err as timefmt_zone_check
 * (the zone stays what it was). Before any thread starts (see above). */
int timefmt_set_zone(const char *spec, char *err, size_t errlen);
/* "local", "utc", or the tz-database name in use. */
const char *timefmt_zone(void);

/* An API time string s, written in zone when it names none, in the display zone: buf, or s
 * itself as the API wrote it when it is not a time apitime_read accepts ("" for NULL). Callers
 * sanitize the result as any API text. */
const char *timefmt_api(const char *s, enum apitime_zone zone, char *buf, size_t n);
/* Unix seconds in the display zone, labelled as above. */
void timefmt_unix(int64_t t, char *buf, size_t n);
/* "15:03:17": the clock of Unix seconds in the display zone (the event log). */
void timefmt_clock(int64_t t, char *buf, size_t n);
/* Unix seconds broken down in the display zone, with the offset east of UTC in seconds: false
 * (tm zeroed, the epoch's fields) for a time the C library cannot represent. */
bool timefmt_tm(int64_t t, struct tm *tm, int *offset_s);

#endif
