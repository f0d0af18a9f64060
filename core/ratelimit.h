/* A token bucket shared by every request of one process (20 requests/s by default), safe to
 * use from any thread. */
#ifndef CERTDECK_RATELIMIT_H
#define CERTDECK_RATELIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* Told when an acquire has to wait (for a token, or for a backoff hold to end): once with
 * waiting = true, on the acquiring thread, right before it starts sleeping, and once with
 * waiting = false and the milliseconds it waited (as ratelimit_acquire reports them; also when
 * the wait was cancelled) when it stops. An acquire that finds a token ready, or whose cancel
 * flag is already set, calls nothing. Called without the limiter's lock held, so the hook may
 * take its own locks; it must not call back into this limiter. */
typedef void (*ratelimit_wait_fn)(void *ctx, bool waiting, int64_t waited_ms);

/* rate requests per second, bursts of up to burst (>= 1). rate <= 0 means unlimited. */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token, sleeping until one is available. Returns the milliseconds waited, or -1 if
 * *cancel became non-zero while waiting (cancel may be NULL). */
int64_t ratelimit_acquire(struct ratelimit *rl, const atomic_int *cancel);
/* After the server said RequestLimitExceeded: empties the bucket and holds everyone back for
 * at least ms milliseconds. */
void ratelimit_backoff(struct ratelimit *rl, int64_t ms);
/* Installs (fn NULL: removes) the wait hook. Safe to call at any time from any thread; an
 * acquire already waiting tells its end to the hook it told its start, so ctx must stay valid
 * until every acquire that may be waiting has returned (simplest: set it once before the first
 * acquire and remove it after the last). */
void ratelimit_set_wait_hook(struct ratelimit *rl, ratelimit_wait_fn fn, void *ctx);
/* Total milliseconds callers have spent waiting so far (for the status line). */
int64_t ratelimit_waited_ms(struct ratelimit *rl);

#endif
