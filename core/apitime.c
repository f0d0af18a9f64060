/* The API's time strings ("2025-05-20 15:03:17", ISO 8601 with T and Z) as seconds, and
 * durations as the short text the screens and the batch CLI print ("15m41s"). */
#include "core/apitime.h"

#include <stdio.h>

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

bool apitime_parse(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se;
    char sep;
    if (!s || sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &se) != 7)
        return false;
    if ((sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60 || h < 0 || mi < 0 || se < 0)
        return false;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    return true;
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
