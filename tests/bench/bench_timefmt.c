/* Benchmark: converting the API's times to the display zone (core/timefmt), the work a CSV
 * export of a large detail does twice per item and the record list once per cell. Prints
 * figures for utc, a POSIX TZ string and a tz-database zone; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/util.h"

enum { N = 1000000 };

static void run(const char *zone, const char *tz)
{
    char err[256], buf[TIMEFMT_LEN];
    if (tz) setenv("TZ", tz, 1);
    if (timefmt_set_zone(zone, err, sizeof err) != 0) {
        printf("bench_timefmt: %s: %s\n", zone, err);
        return;
    }
    static const char *const in[] = {"2025-05-20T07:03:17.000000Z", "2025-05-20 15:03:17"};
    size_t bytes = 0;
    int64_t t0 = now_ms();
    for (int i = 0; i < N; i++)
        bytes +=
            strlen(timefmt_api(in[i & 1], i & 1 ? APITIME_CHINA : APITIME_UTC, buf, sizeof buf));
    int64_t ms = now_ms() - t0;
    printf("bench_timefmt: %-18s %s: %d conversions in %lld ms (%.0f ns each, %zu bytes)\n", zone,
           tz ? tz : "", N, (long long)ms, ms * 1e6 / N, bytes);
}

int main(void)
{
    run("utc", NULL);
    run("local", "XST-8");
    run("America/New_York", NULL);
    return 0;
}
