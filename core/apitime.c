/* The API's time strings: "YYYY-MM-DD HH:MM:SS" (China local time, UTC+8: records and runs) and
 * ISO-8601 UTC with microseconds (detail items) — read, written, and durations as short text
 * ("15m41s") for the screens and the batch CLI. */
#include "core/apitime.h"

#include <stdio.h>
#include <time.h>

#include "core/util.h"

#define CHINA_OFFSET_S ((int64_t)8 * 3600)

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The date and time as written, as seconds of its own clock; *sep says which format. */
static bool parse_fields(const char *s, int64_t *out, char *sep)
{
    int y, mo, d, h, mi, se;
    if (!s || sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, sep, &h, &mi, &se) != 7)
        return false;
    if ((*sep != ' ' && *sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60 || h < 0 || mi < 0 || se < 0)
        return false;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

bool apitime_parse(const char *s, int64_t *out)
{
    char sep;
    return parse_fields(s, out, &sep);
}

bool apitime_unix(const char *s, int64_t *out)
{
    char sep;
    int64_t t;
    if (!parse_fields(s, &t, &sep)) return false;
    *out = sep == 'T' ? t : t - CHINA_OFFSET_S;
    return true;
}

/* A time gmtime cannot represent (or a year that overflows the buffer) prints as the epoch
 * rather than from an uninitialized struct tm. */
static char *format(int64_t t, const char *fmt, const char *epoch)
{
    char b[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(b, sizeof b, fmt, &tm) == 0) strlcpy_safe(b, epoch, 32);
    return xstrdup(b);
}

char *apitime_china(int64_t t)
{
    return format(t + CHINA_OFFSET_S, "%Y-%m-%d %H:%M:%S", "1970-01-01 08:00:00");
}

char *apitime_iso(int64_t t)
{
    return format(t, "%Y-%m-%dT%H:%M:%S.000000Z", "1970-01-01T00:00:00.000000Z");
}

void apitime_duration(int64_t secs, char *buf, size_t n)
{
    if (secs < 0) secs = -secs;
    if (secs < 60)
        snprintf(buf, n, "%llds", (long long)secs);
    else if (secs < 3600)
        snprintf(buf, n, "%lldm%02llds", (long long)(secs / 60), (long long)(secs % 60));
    else if (secs < 86400)
        snprintf(buf, n, "%lldh%02lldm", (long long)(secs / 3600), (long long)(secs % 3600 / 60));
    else
        snprintf(buf, n, "%lldd%02lldh", (long long)(secs / 86400),
                 (long long)(secs % 86400 / 3600));
}
