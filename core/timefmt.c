/* The display time zone and the one way times are written for the operator (see timefmt.h).
 * A tz-database zone goes through TZ and the C library (tzset, localtime_r), set once before
 * threads start; "utc" needs no tz database at all. */
#include "core/timefmt.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/util.h"

enum zone_kind { ZONE_LOCAL, ZONE_UTC, ZONE_TZDB };

static enum zone_kind kind = ZONE_LOCAL;
static char zone_name[128] = "local";
/* TZ as the process started, put back when the zone returns to local or utc. */
static bool tz_saved;
static char *tz_orig;

/* A tz-database name: letters, digits and "_+-", components joined by single '/', none
 * starting with '.' or '-' (no "..", no absolute path, no option look-alike). */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof zone_name) return false;
    bool start = true;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (start) return false; /* leading or doubled '/' */
            start = true;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '.';
        if (!ok || (start && (c == '.' || c == '-'))) return false;
        start = false;
    }
    return !start;
}

/* Whether dir/name is a regular file that begins like a TZif file. */
static bool tzif_at(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    free(path);
    if (fd < 0) return false;
    struct stat sb;
    char magic[4];
    bool ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && read(fd, magic, 4) == 4 &&
              memcmp(magic, "TZif", 4) == 0;
    close(fd);
    return ok;
}

/* Where the C library looks: $TZDIR when set (glibc then looks nowhere else), else the
 * usual places. The first directory names the database in messages. */
static size_t tz_dirs(const char **dirs)
{
    const char *env = getenv("TZDIR");
    if (env && env[0] == '/') {
        dirs[0] = env;
        return 1;
    }
    dirs[0] = "/usr/share/zoneinfo";
    dirs[1] = "/usr/lib/zoneinfo";
    dirs[2] = "/usr/share/lib/zoneinfo";
    dirs[3] = "/etc/zoneinfo";
    return 4;
}

bool timefmt_zone_check(const char *spec, char *err, size_t errlen)
{
    if (!spec || !*spec || !strcasecmp(spec, "local") || !strcasecmp(spec, "utc")) return true;
    char *shown = sanitize_dup(spec);
    bool ok = false;
    if (!name_ok(spec)) {
        snprintf(err, errlen,
                 "'%.80s' is not a time zone: use utc, local or a tz-database name such as "
                 "Europe/Berlin",
                 shown);
    } else {
        const char *dirs[4];
        size_t n = tz_dirs(dirs);
        for (size_t i = 0; i < n && !ok; i++)
            ok = tzif_at(dirs[i], spec);
        if (!ok)
            snprintf(err, errlen,
                     "unknown time zone '%s' (not in the tz database at %s): use utc, local or "
                     "a name such as Europe/Berlin",
                     shown, dirs[0]);
    }
    free(shown);
    return ok;
}

static void restore_tz(void)
{
    if (!tz_saved) return;
    if (tz_orig)
        setenv("TZ", tz_orig, 1);
    else
        unsetenv("TZ");
}

int timefmt_set_zone(const char *spec, char *err, size_t errlen)
{
    if (!timefmt_zone_check(spec, err, errlen)) return -1;
    if (!spec || !*spec || !strcasecmp(spec, "local")) {
        restore_tz();
        kind = ZONE_LOCAL;
        strlcpy_safe(zone_name, "local", sizeof zone_name);
    } else if (!strcasecmp(spec, "utc")) {
        restore_tz();
        kind = ZONE_UTC;
        strlcpy_safe(zone_name, "utc", sizeof zone_name);
    } else {
        if (!tz_saved) {
            const char *tz = getenv("TZ");
            tz_orig = tz ? xstrdup(tz) : NULL;
            tz_saved = true;
        }
        setenv("TZ", spec, 1);
        kind = ZONE_TZDB;
        strlcpy_safe(zone_name, spec, sizeof zone_name);
    }
    tzset();
    return 0;
}

const char *timefmt_zone(void)
{
    return zone_name;
}

bool timefmt_tm(int64_t t, struct tm *tm, int *offset_s)
{
    time_t tt = (time_t)t;
    struct tm *r = NULL;
    if ((int64_t)tt == t) r = kind == ZONE_UTC ? gmtime_r(&tt, tm) : localtime_r(&tt, tm);
    if (!r) {
        memset(tm, 0, sizeof *tm);
        tm->tm_year = 70;
        tm->tm_mday = 1;
        *offset_s = 0;
        return false;
    }
    /* The offset as the difference between the wall clock and UTC: portable (no tm_gmtoff). */
    *offset_s = kind == ZONE_UTC
                    ? 0
                    : (int)(apitime_from_civil(tm->tm_year + 1900LL, tm->tm_mon + 1, tm->tm_mday,
                                               tm->tm_hour, tm->tm_min, tm->tm_sec) -
                            t);
    return true;
}

/* n decimal digits of v (zero-padded) at p; returns p past them. */
static char *digits(char *p, long long v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + n;
}

/* "2025-05-20 15:03:17+08"; false when t cannot be represented. Written digit by digit: a
 * CSV export of a million items converts two million times, and snprintf cost 1 us each. */
static bool format(int64_t t, char *buf, size_t n)
{
    struct tm tm;
    int off;
    if (!timefmt_tm(t, &tm, &off)) return false;
    long long year = tm.tm_year + 1900LL;
    char out[64], *p = out;
    if (year >= 0 && year <= 9999) {
        p = digits(p, year, 4);
    } else { /* outside the fixed-width form: a sign, as many digits as it takes */
        int w = year < 0 ? snprintf(p, 24, "%05lld", year) : snprintf(p, 24, "%lld", year);
        p += w > 0 && w < 24 ? w : 0;
    }
    *p++ = '-';
    p = digits(p, tm.tm_mon + 1, 2);
    *p++ = '-';
    p = digits(p, tm.tm_mday, 2);
    *p++ = ' ';
    p = digits(p, tm.tm_hour, 2);
    *p++ = ':';
    p = digits(p, tm.tm_min, 2);
    *p++ = ':';
    p = digits(p, tm.tm_sec, 2);
    int a = off < 0 ? -off : off;
    *p++ = off < 0 ? '-' : '+';
    p = digits(p, a / 3600 % 100, 2);
    if (a % 3600 / 60) {
        *p++ = ':';
        p = digits(p, a % 3600 / 60, 2);
    }
    *p = '\0';
    strlcpy_safe(buf, out, n);
    return true;
}

const char *timefmt_api(const char *s, enum apitime_zone zone, char *buf, size_t n)
{
    int64_t t;
    if (!s) return "";
    if (!apitime_read(s, zone, &t) || !format(t, buf, n)) return s;
    return buf;
}

void timefmt_unix(int64_t t, char *buf, size_t n)
{
    if (!format(t, buf, n)) snprintf(buf, n, "@%lld", (long long)t);
}

void timefmt_clock(int64_t t, char *buf, size_t n)
{
    struct tm tm;
    int off;
    timefmt_tm(t, &tm, &off);
    snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}
