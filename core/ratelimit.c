/* The process-wide token bucket: one mutex guards the bucket, a condition variable on
 * CLOCK_MONOTONIC lets waiters sleep until a token is due, a backoff wakes them to re-plan,
 * and an optional hook hears when a caller starts and stops waiting. */
#include "core/ratelimit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/util.h"

/* A cancel flag is an atomic set by another thread that cannot signal our condition
 * variable, so cancellable waits sleep in slices no longer than this. */
#define CANCEL_POLL_NS (20 * 1000000LL)
/* Longest single sleep or hold we plan, which keeps nanosecond arithmetic far from overflow. */
#define MAX_PLAN_NS (3600 * 1000000000LL)
#define MAX_HOLD_MS (24LL * 3600 * 1000)

struct ratelimit {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    double rate;               /* tokens per second; <= 0 means unlimited */
    double burst;              /* bucket capacity, >= 1 */
    double tokens;             /* current content */
    int64_t last_ns;           /* when tokens was last brought up to date; may lie in the future */
    int64_t hold_ns;           /* no token is handed out before this instant (backoff) */
    int64_t waited_ms;         /* sum of what acquire reported (cancelled waits included) */
    ratelimit_wait_fn wait_fn; /* may be NULL */
    void *wait_ctx;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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
    rl->burst = burst >= 1 ? burst : 1;
    rl->tokens = rl->burst;
    rl->last_ns = mono_ns();
    rl->hold_ns = 0;
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl) return;
    pthread_cond_destroy(&rl->cv);
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

/* Brings the bucket up to now. Caller holds the mutex. */
static void refill(struct ratelimit *rl, int64_t now)
{
    if (now <= rl->last_ns) return;
    rl->tokens += (double)(now - rl->last_ns) * rl->rate / 1e9;
    if (rl->tokens > rl->burst) rl->tokens = rl->burst;
    rl->last_ns = now;
}

/* How long from now until a token may be taken (0 = take one now). Caller holds the mutex. */
static int64_t wait_needed_ns(struct ratelimit *rl, int64_t now)
{
    if (now < rl->hold_ns) return rl->hold_ns - now;
    if (rl->rate <= 0) return 0;
    refill(rl, now);
    if (rl->tokens >= 1.0) return 0;
    double ns = (1.0 - rl->tokens) * 1e9 / rl->rate;
    if (ns > (double)MAX_PLAN_NS) return MAX_PLAN_NS; /* tiny rates: re-plan hourly */
    return ns >= 1 ? (int64_t)ns : 1;
}

int64_t ratelimit_acquire(struct ratelimit *rl, const atomic_int *cancel)
{
    if (!rl) return 0;
    int64_t start = mono_ns();
    bool waited = false, cancelled = false;
    /* The hook told that this call waits; it is told the end too, even if replaced meanwhile. */
    ratelimit_wait_fn hook = NULL;
    void *hook_ctx = NULL;

    pthread_mutex_lock(&rl->mu);
    for (;;) {
        int64_t now = mono_ns();
        int64_t need = wait_needed_ns(rl, now);
        if (need == 0) {
            if (rl->rate > 0) rl->tokens -= 1.0;
            break;
        }
        if (cancel && atomic_load(cancel)) {
            cancelled = true;
            break;
        }
        if (cancel && need > CANCEL_POLL_NS) need = CANCEL_POLL_NS;
        int64_t until = now + need;
        struct timespec ts = {(time_t)(until / 1000000000LL), (long)(until % 1000000000LL)};
        if (!waited) {
            waited = true;
            hook = rl->wait_fn;
            hook_ctx = rl->wait_ctx;
            if (hook) {
                /* Outside the lock: the hook may take locks of its own. A backoff broadcast
                 * missed meanwhile only lengthens the wait, which the re-plan after this
                 * sleep catches. */
                pthread_mutex_unlock(&rl->mu);
                hook(hook_ctx, true, 0);
                pthread_mutex_lock(&rl->mu);
            }
        }
        /* Spurious wakeups, timeouts and backoff broadcasts all just re-plan. */
        (void)pthread_cond_timedwait(&rl->cv, &rl->mu, &ts);
    }
    int64_t spent = waited ? mono_ns() - start : 0;
    int64_t spent_ms = waited ? ns_to_ms_ceil(spent > 0 ? spent : 1) : 0;
    rl->waited_ms += spent_ms;
    pthread_mutex_unlock(&rl->mu);
    if (hook) hook(hook_ctx, false, spent_ms);
    return cancelled ? -1 : spent_ms;
}

void ratelimit_backoff(struct ratelimit *rl, int64_t ms)
{
    if (!rl || ms < 0) return;
    if (ms > MAX_HOLD_MS) ms = MAX_HOLD_MS;
    pthread_mutex_lock(&rl->mu);
    int64_t until = mono_ns() + ms * 1000000LL;
    if (until > rl->hold_ns) rl->hold_ns = until;
    /* Empty bucket that starts filling only when the hold ends, so the requests queued behind
     * the hold resume at the configured rate instead of as one burst. */
    rl->tokens = 0;
    if (rl->hold_ns > rl->last_ns) rl->last_ns = rl->hold_ns;
    pthread_cond_broadcast(&rl->cv);
    pthread_mutex_unlock(&rl->mu);
}

void ratelimit_set_wait_hook(struct ratelimit *rl, ratelimit_wait_fn fn, void *ctx)
{
    if (!rl) return;
    pthread_mutex_lock(&rl->mu);
    rl->wait_fn = fn;
    rl->wait_ctx = fn ? ctx : NULL;
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
