/* A token bucket shared by every request of one process (20 requests/s, bursts of 20, by
 * default), safe to use from any thread. It models the server's own bucket for us: it lets
 * the first burst go at once, then paces at the rate a little behind the server's refill, and
 * learns from a RequestLimitExceeded instead of holding every caller back. */
#ifndef CERTDECK_RATELIMIT_H
#define CERTDECK_RATELIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* Tokens are refilled this much later than the server refills its own: a request that
 * reaches the server a little sooner, relative to the others, than it left here (a jitter of
 * the network or of either side's threads) still finds its token there. Costs this much
 * once per burst, not per request. */
#define RATELIMIT_SLACK_MS 40

/* Which token paid for a request, as the caller reports what became of it: its bucket (a token
 * taken before the limiter last learned that the server's bucket was empty is from an older
 * one, and its answer teaches nothing new) and its place among the takes. */
struct ratelimit_ticket {
    uint64_t epoch;
    uint64_t take;
};

/* Told when an acquire has to wait for a token: once with waiting = true, on the acquiring
 * thread, right before it starts sleeping, and once with waiting = false and the milliseconds
 * it waited (as ratelimit_acquire reports them; also when the wait was cancelled) when it
 * stops. An acquire that finds a token ready, or whose cancel flag is already set, calls
 * nothing. Called without the limiter's lock held, so the hook may take its own locks; it must
 * not call back into this limiter. */
typedef void (*ratelimit_wait_fn)(void *ctx, bool waiting, int64_t waited_ms);

/* A monotonic clock in nanoseconds (tests inject one, see ratelimit_set_clock). */
typedef int64_t (*ratelimit_clock_fn)(void *ctx);

/* rate requests per second, bursts of up to burst (>= 1). rate <= 0 means unlimited. */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token, sleeping until one is available. Returns the milliseconds waited, or -1 if
 * *cancel became non-zero while waiting (cancel may be NULL). ticket (may be NULL) receives
 * what to hand ratelimit_rejected or ratelimit_accepted with the server's answer. */
int64_t ratelimit_acquire(struct ratelimit *rl, const atomic_int *cancel,
                          struct ratelimit_ticket *ticket);
/* Takes a token if one is due now and returns 0 (ticket, may be NULL, as for acquire);
 * otherwise takes nothing and returns the nanoseconds until one is due. Never sleeps. */
int64_t ratelimit_try(struct ratelimit *rl, struct ratelimit_ticket *ticket);
/* The server answered RequestLimitExceeded to the request paid for with ticket, so its bucket
 * for us is empty now. The first such answer for the current bucket empties ours at once (the
 * callers already waiting re-plan, each still needing just one token) and starts a new bucket;
 * the answers to requests sent before that (tickets of older buckets) change nothing, however
 * many arrive. If the server refuses again within 10 s although we paced from empty, it allows
 * us less than the rate: the rate is halved (down to a twentieth), and climbs back to the
 * configured rate at a tenth of it per second. Returns whether the answer taught anything
 * (false: an older bucket's, or no limit). */
bool ratelimit_rejected(struct ratelimit *rl, const struct ratelimit_ticket *ticket);
/* The server accepted the request paid for with ticket. One sent before the limiter last
 * emptied its bucket took, at the server, a token that the new bucket counts as ours: it is
 * taken back. A no-op for a current ticket. */
void ratelimit_accepted(struct ratelimit *rl, const struct ratelimit_ticket *ticket);
/* The request paid for with ticket left delay_ns after its token was taken (connecting and a
 * TLS handshake come first on a new connection). The server's bucket starts refilling when
 * the first request from a full one reaches it, while the later ones come over connections
 * already open: if ticket is that first one, the refill starts that much later. Others: no-op. */
void ratelimit_sent(struct ratelimit *rl, const struct ratelimit_ticket *ticket, int64_t delay_ns);
/* The rate currently paced at, in requests per second: the configured one, or less after
 * the server refused us (see ratelimit_rejected); 0 when unlimited. */
double ratelimit_rate(struct ratelimit *rl);
/* Installs (fn NULL: removes) the wait hook. Safe to call at any time from any thread; an
 * acquire already waiting tells its end to the hook it told its start, so ctx must stay valid
 * until every acquire that may be waiting has returned (simplest: set it once before the first
 * acquire and remove it after the last). */
void ratelimit_set_wait_hook(struct ratelimit *rl, ratelimit_wait_fn fn, void *ctx);
/* For tests: the limiter reads the time from fn(ctx) instead of CLOCK_MONOTONIC, starting
 * with a full bucket at fn's current time. Set it before any other use. Only ratelimit_try
 * plans by it alone: acquire sleeps in real time, so with a clock that stands still use try. */
void ratelimit_set_clock(struct ratelimit *rl, ratelimit_clock_fn fn, void *ctx);
/* Total milliseconds callers have spent waiting so far (for the status line). */
int64_t ratelimit_waited_ms(struct ratelimit *rl);

#endif
