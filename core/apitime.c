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

int64_t apitime_from_civil(int64_t year, int month, int day, int hour, int min, int sec)
{
    return days_from_civil(year, (unsigned)month, (unsigned)day) * 86400 + (int64_t)hour * 3600 +
           (int64_t)min * 60 + sec;
}

/* n ASCII digits at *p as a number, *p moved past them. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* "Z", "+hh", "+hhmm" or "+hh:mm" (or -) at p, to the end of the string: seconds east. */
static bool zone_suffix(const char *p, int64_t *east)
{
    if (*p == 'Z') {
        *east = 0;
        return p[1] == '\0';
    }
    if (*p != '+' && *p != '-') return false;
    int sign = *p++ == '-' ? -1 : 1, hh, mm = 0;
    if (!digits(&p, 2, &hh) || hh > 23) return false;
    if (*p == ':') p++;
    if (*p && (!digits(&p, 2, &mm) || mm > 59)) return false;
    *east = sign * ((int64_t)hh * 3600 + mm * 60);
    return *p == '\0';
}

bool apitime_read(const char *s, enum apitime_zone zone, int64_t *out)
{
    int y, mo, d, h, mi, se;
    const char *p = s;
    if (!p || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || (*p != ' ' && *p != 'T'))
        return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
        !digits(&p, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
        return false;
    if (*p == '.') {
        if (p[1] < '0' || p[1] > '9') return false;
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int64_t east = zone == APITIME_CHINA ? CHINA_OFFSET_S : 0;
    if (*p && !zone_suffix(p, &east)) return false;
    *out = apitime_from_civil(y, mo, d, h, mi, se) - east;
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
