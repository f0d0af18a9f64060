/* The process-wide token bucket: one mutex guards the bucket, a condition variable on
 * CLOCK_MONOTONIC lets waiters sleep until a token is due, a refusal by the server wakes
 * them to re-plan, and an optional hook hears when a caller starts and stops waiting.
 *
 * The server's bucket starts refilling when a request first takes from it full; ours starts
 * RATELIMIT_SLACK_MS after that (and later still if that request was slow to leave, see
 * ratelimit_sent). So a full bucket still gives `burst` at once, as the server's allows
 * whatever the timing, but every token that has to be refilled comes that much later than the
 * server's does. After a RequestLimitExceeded the bucket is emptied as of now, which
 * is when the server's was, and refills from a slack later; a new epoch begins, and tickets
 * name the epoch a token came from, so that the answers to requests already on their way
 * count once. */
#include "core/ratelimit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/util.h"

/* A cancel flag is an atomic set by another thread that cannot signal our condition
 * variable, so cancellable waits sleep in slices no longer than this. */
#define CANCEL_POLL_NS (20 * 1000000LL)
/* Longest single sleep we plan, which keeps nanosecond arithmetic far from overflow. */
#define MAX_PLAN_NS (3600 * 1000000000LL)
#define SLACK_NS    ((int64_t)RATELIMIT_SLACK_MS * 1000000LL)
/* A refusal this soon after the last one, although we paced from an empty bucket since, means
 * the server allows us less than our rate (another client on the same key, or a lower limit). */
#define LEARN_WINDOW_NS (10 * 1000000000LL)
/* Then the rate is multiplied by this, down to rate * MIN_FRACTION ... */
#define DECREASE     0.5
#define MIN_FRACTION 0.05
/* ... and climbs back by the configured rate every RECOVER_S seconds (linearly). */
#define RECOVER_S 10.0

struct ratelimit {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    double rate;  /* configured tokens per second; <= 0 means unlimited */
    double cur;   /* the rate paced at now: rate, or less after refusals */
    double burst; /* what the server's bucket holds, >= 1 */
    /* Tokens as of fill_ns (burst at most, below 0 after stale acceptances). fill_ns lies
     * ahead of the clock while the refill waits out the slack. */
    double tokens;
    int64_t fill_ns;
    int64_t sync_ns;           /* when a refusal last emptied the bucket */
    uint64_t epoch;            /* refusals learned from so far */
    uint64_t takes;            /* tokens taken so far */
    uint64_t anchor_take;      /* the take from a full bucket that started the refill; 0: none */
    int64_t anchor_ns;         /* when it was taken */
    int64_t waited_ms;         /* sum of what acquire reported (cancelled waits included) */
    ratelimit_wait_fn wait_fn; /* may be NULL */
    void *wait_ctx;
    ratelimit_clock_fn clock_fn; /* NULL: CLOCK_MONOTONIC */
    void *clock_ctx;
};

static int64_t rl_now(const struct ratelimit *rl)
{
    return rl->clock_fn ? rl->clock_fn(rl->clock_ctx) : now_ns();
}

static int64_t ns_to_ms_ceil(int64_t ns)
{
    return ns <= 0 ? 0 : (ns + 999999) / 1000000;
}

struct ratelimit *ratelimit_new(double rate, double burst)
{
    struct ratelimit *rl = xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&rl->cv, &attr);
    pthread_condattr_destroy(&attr);
    rl->rate = rate > 0 ? rate : 0;
    rl->cur = rl->rate;
    rl->burst = burst >= 1 ? burst : 1;
    rl->tokens = rl->burst;
    rl->fill_ns = now_ns();
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl) return;
    pthread_cond_destroy(&rl->cv);
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

/* Brings the bucket up to now: tokens at the current rate while it climbs back towards the
 * configured one. Caller holds the mutex; rate > 0. */
static void refill(struct ratelimit *rl, int64_t now)
{
    if (now <= rl->fill_ns) return;
    double dt = (double)(now - rl->fill_ns) / 1e9;
    rl->fill_ns = now;
    double added;
    if (rl->cur >= rl->rate) {
        added = dt * rl->rate;
    } else {
        /* cur(t) = cur + rate * t / RECOVER_S until it reaches rate: integrate. */
        double climb = rl->rate / RECOVER_S;
        double t_full = (rl->rate - rl->cur) / climb;
        if (dt < t_full) {
            added = dt * rl->cur + climb * dt * dt / 2;
            rl->cur += climb * dt;
        } else {
            added = t_full * rl->cur + climb * t_full * t_full / 2 + (dt - t_full) * rl->rate;
            rl->cur = rl->rate;
        }
    }
    rl->tokens += added;
    if (rl->tokens > rl->burst) rl->tokens = rl->burst;
}

/* How long from now until a token may be taken (0 = take one now). Caller holds the mutex. */
static int64_t wait_needed_ns(struct ratelimit *rl, int64_t now)
{
    if (rl->rate <= 0) return 0;
    refill(rl, now);
    if (rl->tokens >= 1.0) return 0;
    int64_t lag = rl->fill_ns > now ? rl->fill_ns - now : 0; /* the slack, not waited out yet */
    double ns = (double)lag + (1.0 - rl->tokens) * 1e9 / rl->cur;
    if (ns > (double)MAX_PLAN_NS) return MAX_PLAN_NS; /* tiny rates: re-plan hourly */
    return ns >= 1 ? (int64_t)ns : 1;
}

/* Takes the token wait_needed_ns found at now. Caller holds the mutex. */
static void take(struct ratelimit *rl, int64_t now, struct ratelimit_ticket *ticket)
{
    rl->takes++;
    if (ticket) *ticket = (struct ratelimit_ticket){rl->epoch, rl->takes};
    if (rl->rate <= 0) return;
    /* From a full bucket: the server's starts refilling now, ours a slack later. */
    if (rl->tokens >= rl->burst) {
        rl->fill_ns = now + SLACK_NS;
        rl->anchor_take = rl->takes;
        rl->anchor_ns = now;
    }
    rl->tokens -= 1.0;
}

int64_t ratelimit_try(struct ratelimit *rl, struct ratelimit_ticket *ticket)
{
    if (ticket) *ticket = (struct ratelimit_ticket){0, 0};
    if (!rl) return 0;
    pthread_mutex_lock(&rl->mu);
    int64_t now = rl_now(rl);
    int64_t need = wait_needed_ns(rl, now);
    if (need == 0) take(rl, now, ticket);
    pthread_mutex_unlock(&rl->mu);
    return need;
}

int64_t ratelimit_acquire(struct ratelimit *rl, const atomic_int *cancel,
                          struct ratelimit_ticket *ticket)
{
    if (ticket) *ticket = (struct ratelimit_ticket){0, 0};
    if (!rl) return 0;
    int64_t start = now_ns();
    bool waited = false, cancelled = false;
    /* The hook told that this call waits; it is told the end too, even if replaced meanwhile. */
    ratelimit_wait_fn hook = NULL;
    void *hook_ctx = NULL;

    pthread_mutex_lock(&rl->mu);
    for (;;) {
        int64_t now = rl_now(rl);
        int64_t need = wait_needed_ns(rl, now);
        if (need == 0) {
            take(rl, now, ticket);
            break;
        }
        if (cancel && atomic_load(cancel)) {
            cancelled = true;
            break;
        }
        if (cancel && need > CANCEL_POLL_NS) need = CANCEL_POLL_NS;
        int64_t until = now_ns() + need;
        struct timespec ts = {(time_t)(until / 1000000000LL), (long)(until % 1000000000LL)};
        if (!waited) {
            waited = true;
            hook = rl->wait_fn;
            hook_ctx = rl->wait_ctx;
            if (hook) {
                /* Outside the lock: the hook may take locks of its own. A refusal's broadcast
                 * missed meanwhile only lengthens the wait, which the re-plan after this
                 * sleep catches. */
                pthread_mutex_unlock(&rl->mu);
                hook(hook_ctx, true, 0);
                pthread_mutex_lock(&rl->mu);
            }
        }
        /* Spurious wakeups, timeouts and refusals' broadcasts all just re-plan. */
        (void)pthread_cond_timedwait(&rl->cv, &rl->mu, &ts);
    }
    int64_t spent = waited ? now_ns() - start : 0;
    int64_t spent_ms = waited ? ns_to_ms_ceil(spent > 0 ? spent : 1) : 0;
    rl->waited_ms += spent_ms;
    pthread_mutex_unlock(&rl->mu);
    if (hook) hook(hook_ctx, false, spent_ms);
    return cancelled ? -1 : spent_ms;
}

bool ratelimit_rejected(struct ratelimit *rl, const struct ratelimit_ticket *ticket)
{
    if (!rl || !ticket) return false;
    pthread_mutex_lock(&rl->mu);
    bool fresh = rl->rate > 0 && ticket->epoch == rl->epoch;
    if (fresh) {
        int64_t now = rl_now(rl);
        refill(rl, now);
        if (rl->epoch > 0 && now - rl->sync_ns < LEARN_WINDOW_NS) {
            rl->cur *= DECREASE;
            if (rl->cur < rl->rate * MIN_FRACTION) rl->cur = rl->rate * MIN_FRACTION;
        }
        /* The server's bucket is empty now: so is ours, refilling a slack later. */
        if (rl->tokens > 0) rl->tokens = 0;
        rl->fill_ns = now + SLACK_NS;
        rl->anchor_take = 0;
        rl->sync_ns = now;
        rl->epoch++;
        pthread_cond_broadcast(&rl->cv);
    }
    pthread_mutex_unlock(&rl->mu);
    return fresh;
}

void ratelimit_accepted(struct ratelimit *rl, const struct ratelimit_ticket *ticket)
{
    if (!rl || !ticket) return;
    pthread_mutex_lock(&rl->mu);
    if (rl->rate > 0 && ticket->epoch != rl->epoch) {
        rl->tokens -= 1.0;
        if (rl->tokens < -rl->burst) rl->tokens = -rl->burst;
    }
    pthread_mutex_unlock(&rl->mu);
}

void ratelimit_sent(struct ratelimit *rl, const struct ratelimit_ticket *ticket, int64_t delay_ns)
{
    if (!rl || !ticket || delay_ns <= 0) return;
    pthread_mutex_lock(&rl->mu);
    if (rl->rate > 0 && ticket->epoch == rl->epoch && ticket->take == rl->anchor_take) {
        rl->anchor_take = 0; /* once */
        int64_t now = rl_now(rl);
        refill(rl, now);
        /* The refill ran from anchor + slack; it should have run from delay_ns later. What it
         * credited in between is taken back, and it goes on from there. */
        int64_t from = rl->anchor_ns + SLACK_NS, to = from + delay_ns;
        if (now > from) rl->tokens -= (double)((now < to ? now : to) - from) * rl->cur / 1e9;
        if (rl->fill_ns < to) rl->fill_ns = to;
    }
    pthread_mutex_unlock(&rl->mu);
}

double ratelimit_rate(struct ratelimit *rl)
{
    if (!rl) return 0;
    pthread_mutex_lock(&rl->mu);
    if (rl->rate > 0) refill(rl, rl_now(rl));
    double r = rl->cur;
    pthread_mutex_unlock(&rl->mu);
    return r;
}

void ratelimit_set_wait_hook(struct ratelimit *rl, ratelimit_wait_fn fn, void *ctx)
{
    if (!rl) return;
    pthread_mutex_lock(&rl->mu);
    rl->wait_fn = fn;
    rl->wait_ctx = fn ? ctx : NULL;
    pthread_mutex_unlock(&rl->mu);
}

void ratelimit_set_clock(struct ratelimit *rl, ratelimit_clock_fn fn, void *ctx)
{
    if (!rl) return;
    pthread_mutex_lock(&rl->mu);
    rl->clock_fn = fn;
    rl->clock_ctx = fn ? ctx : NULL;
    rl->tokens = rl->burst;
    rl->fill_ns = rl_now(rl);
    pthread_mutex_unlock(&rl->mu);
}

int64_t ratelimit_waited_ms(struct ratelimit *rl)
{
    if (!rl) return 0;
    pthread_mutex_lock(&rl->mu);
    int64_t ms = rl->waited_ms;
    pthread_mutex_unlock(&rl->mu);
    return ms;
}
