/* The API's time strings: formatting Unix seconds as records, runs and items show them, and
 * reading them back. */
#include "core/emulator/apitime.h"

#include <stdio.h>
#include <time.h>

#include "core/util.h"

#define CHINA_OFFSET_S ((int64_t)8 * 3600)

/* Record and run times: "YYYY-MM-DD HH:MM:SS", China local time (UTC+8), as the API shows. */
static void fmt_china(int64_t t, char out[32])
{
    time_t tt = (time_t)(t + CHINA_OFFSET_S);
    struct tm tm;
    /* A time gmtime cannot represent (or a year that overflows the buffer) prints as the epoch
     * rather than from an uninitialized struct tm. */
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        strlcpy_safe(out, "1970-01-01 08:00:00", 32);
}

/* Item times: ISO-8601 UTC with microseconds, as in the seed example. */
static void fmt_iso(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000000Z", &tm) == 0)
        strlcpy_safe(out, "1970-01-01T00:00:00.000000Z", 32);
}

char *apitime_china(int64_t t)
{
    char b[32];
    fmt_china(t, b);
    return xstrdup(b);
}

char *apitime_iso(int64_t t)
{
    char b[32];
    fmt_iso(t, b);
    return xstrdup(b);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac]Z" (UTC) or "YYYY-MM-DD HH:MM:SS" (China time). */
bool apitime_parse(const char *s, int64_t *out)
{
    if (!s) return false;
    int y, mo, d, h, mi, se;
    char sep;
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &se, &n) != 7)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
    int64_t t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se;
    if (sep == 'T') {
        *out = t;
        return true;
    }
    if (sep == ' ') {
        *out = t - CHINA_OFFSET_S;
        return true;
    }
    return false;
}
