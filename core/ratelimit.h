/* A token bucket shared by every request of one process (20 requests/s by default), safe to
 * use from any thread. */
#ifndef CERTDECK_RATELIMIT_H
#define CERTDECK_RATELIMIT_H

#include <stdatomic.h>
#include <stdint.h>

struct ratelimit;

/* rate requests per second, bursts of up to burst (>= 1). rate <= 0 means unlimited. */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token, sleeping until one is available. Returns the milliseconds waited, or -1 if
 * *cancel became non-zero while waiting (cancel may be NULL). */
int64_t ratelimit_acquire(struct ratelimit *rl, const atomic_int *cancel);
/* After the server said RequestLimitExceeded: empties the bucket and holds everyone back for
 * at least ms milliseconds. */
void ratelimit_backoff(struct ratelimit *rl, int64_t ms);
/* Total milliseconds callers have spent waiting so far (for the status line). */
int64_t ratelimit_waited_ms(struct ratelimit *rl);

#endif
