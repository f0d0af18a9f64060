/* The retry policy of one API call (see backoff.h): what is retried, and the waits between
 * attempts. */
#include "core/backoff.h"

#include <string.h>

#include "core/util.h"

#define BACKOFF_MAX_MS 30000

bool backoff_rate_limited(const struct api_error *e)
{
    return e->kind == APIERR_API && strncmp(e->code, "RequestLimitExceeded", 20) == 0 &&
           (e->code[20] == '\0' || e->code[20] == '.');
}

bool backoff_should_retry(bool write, const struct api_error *e)
{
    return write ? backoff_rate_limited(e) : apierr_retryable(e);
}

int64_t backoff_delay_ms(int64_t base_ms, int attempt)
{
    static _Thread_local uint64_t state;
    if (!state) state = (uint64_t)now_ms() * 0x9E3779B97F4A7C15ull ^ (uintptr_t)&state;
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    int64_t d = base_ms;
    for (int i = 1; i < attempt && d < BACKOFF_MAX_MS; i++)
        d *= 2;
    if (d > BACKOFF_MAX_MS) d = BACKOFF_MAX_MS;
    int64_t half = d / 2;
    return half + (int64_t)(state % (uint64_t)(d - half + 1));
}

bool backoff_sleep(int64_t ms, const atomic_int *cancel)
{
    int64_t deadline = now_ms() + ms;
    for (;;) {
        if (cancel && atomic_load(cancel)) return false;
        int64_t left = deadline - now_ms();
        if (left <= 0) return true;
        sleep_ms(left < 20 ? left : 20);
    }
}
