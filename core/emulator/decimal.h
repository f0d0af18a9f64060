/* Strict decimal integers for header and address values: an optional '-', digits, nothing
 * else, in range. */
#ifndef CERTDECK_EMULATOR_DECIMAL_H
#define CERTDECK_EMULATOR_DECIMAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

static inline bool decimal_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s) return false;
    const char *p = s;
    if (*p == '-') p++;
    if (!*p) return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno) return false;
    *out = v;
    return true;
}

#endif
