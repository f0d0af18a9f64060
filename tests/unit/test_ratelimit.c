/* The token bucket: what it reports (waits, totals, cancellation, the wait hook) under one and
 * many threads, and its plan (burst, rate, what a refusal teaches it) on an injected clock. No
 * timing assertions: only the limiter's own answers are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "core/ratelimit.h"
#include "core/util.h"
#include "testutil.h"

/* Generous bound for "this must finish": a broken limiter fails instead of hanging ctest. */
#define DEADLINE_MS 10000

static int64_t acquire_cancelled(struct ratelimit *rl);

static void test_burst_is_free(void **state)
{
    (void)state;
    /* One token per 1000 s: any wait would be obvious, but the first `burst` never wait. */
    struct ratelimit *rl = ratelimit_new(0.001, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    assert_int_equal(ratelimit_waited_ms(rl), 0);
    ratelimit_free(rl);

    /* burst < 1 means 1. */
    rl = ratelimit_new(0.001, 0);
    assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    assert_int_equal(acquire_cancelled(rl), -1); /* the second would have to wait */
    ratelimit_free(rl);
}

static void test_wait_after_burst(void **state)
{
    (void)state;
    /* 20/s, burst 2: the third acquire must wait for a token and say so. */
    struct ratelimit *rl = ratelimit_new(20, 2);
    int64_t sum = 0;
    assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    int64_t w = ratelimit_acquire(rl, NULL, NULL);
    assert_true(w > 0);
    sum += w;
    w = ratelimit_acquire(rl, NULL, NULL);
    assert_true(w >= 0);
    sum += w;
    /* waited_ms is the sum of what acquire reported. */
    assert_int_equal(ratelimit_waited_ms(rl), sum);
    assert_true(ratelimit_waited_ms(rl) > 0);
    ratelimit_free(rl);
}

static void test_unlimited_never_waits(void **state)
{
    (void)state;
    double rates[] = {0, -1};
    for (size_t r = 0; r < ARRAY_LEN(rates); r++) {
        struct ratelimit *rl = ratelimit_new(rates[r], 1);
        atomic_int cancel = 1; /* would be honoured by any wait: there must be none */
        for (int i = 0; i < 1000; i++) {
            assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
            assert_int_equal(ratelimit_acquire(rl, &cancel, NULL), 0);
        }
        assert_int_equal(ratelimit_waited_ms(rl), 0);
        ratelimit_free(rl);
    }
    /* A NULL limiter is unlimited too. */
    assert_int_equal(ratelimit_acquire(NULL, NULL, NULL), 0);
    assert_int_equal(ratelimit_waited_ms(NULL), 0);
}

/* An acquire running in its own thread, so that a limiter which fails to return makes the
 * test fail at a deadline instead of hanging. */
struct waiter {
    struct ratelimit *rl;
    atomic_int cancel;
    atomic_int started;
    atomic_int done;
    int64_t result;
    pthread_t thread;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->started, 1);
    w->result = ratelimit_acquire(w->rl, &w->cancel, NULL);
    atomic_store(&w->done, 1);
    return NULL;
}

static struct waiter *waiter_start(struct ratelimit *rl, int cancel)
{
    struct waiter *w = xcalloc(1, sizeof *w);
    w->rl = rl;
    atomic_init(&w->cancel, cancel);
    atomic_init(&w->started, 0);
    atomic_init(&w->done, 0);
    assert_int_equal(pthread_create(&w->thread, NULL, waiter_main, w), 0);
    return w;
}

/* The waiter's result; on a stuck waiter the test fails (the waiter and its limiter are
 * leaked, as the thread still uses them). */
static int64_t waiter_finish(struct waiter *w)
{
    if (!tu_wait_flag(&w->done, DEADLINE_MS)) fail_msg("ratelimit_acquire did not return");
    pthread_join(w->thread, NULL);
    int64_t r = w->result;
    free(w);
    return r;
}

/* ratelimit_acquire with an already-set cancel flag, bounded by the deadline. */
static int64_t acquire_cancelled(struct ratelimit *rl)
{
    return waiter_finish(waiter_start(rl, 1));
}

static void test_cancel_from_other_thread(void **state)
{
    (void)state;
    /* The bucket is empty for ~1000 s after one acquire: the waiter can only come back
     * through cancellation. */
    struct ratelimit *rl = ratelimit_new(0.001, 1);
    assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);

    struct waiter *w = waiter_start(rl, 0);
    assert_true(tu_wait_flag(&w->started, DEADLINE_MS));
    /* Give it a chance to be asleep in the limiter; the result does not depend on it. */
    sleep_ms(30);
    assert_false(atomic_load(&w->done));
    atomic_store(&w->cancel, 1);
    assert_int_equal(waiter_finish(w), -1);

    /* The limiter still works after a cancelled wait: a pre-cancelled acquire is refused,
     * and the token that never came was not handed out. */
    assert_int_equal(acquire_cancelled(rl), -1);
    ratelimit_free(rl);
}

/* ---- pacing and learning, planned on an injected clock --------------------------------------
 * ratelimit_try answers from the clock the test sets, so these check the plan itself: how many
 * go at once, when the next token is due, what a refusal changes. Nothing is timed. */

#define MS    1000000LL
#define SLACK ((int64_t)RATELIMIT_SLACK_MS * MS)

struct fake_clock {
    int64_t ns;
};

static int64_t fake_now(void *ctx)
{
    return ((struct fake_clock *)ctx)->ns;
}

static struct ratelimit *clocked(double rate, double burst, struct fake_clock *fc)
{
    fc->ns = 1000 * 1000 * MS; /* any start will do */
    struct ratelimit *rl = ratelimit_new(rate, burst);
    ratelimit_set_clock(rl, fake_now, fc);
    return rl;
}

/* Takes n tokens that must be there now; the last one's ticket. */
static struct ratelimit_ticket take_now(struct ratelimit *rl, int n)
{
    struct ratelimit_ticket t = {0, 0};
    for (int i = 0; i < n; i++)
        assert_int_equal(ratelimit_try(rl, &t), 0);
    return t;
}

/* Takes a token now, and the server refuses its request. */
static bool rejected_now(struct ratelimit *rl)
{
    struct ratelimit_ticket t = take_now(rl, 1);
    return ratelimit_rejected(rl, &t);
}

/* The wait for the next token, within a microsecond of want (floating point). */
static void assert_due_in(struct ratelimit *rl, int64_t want)
{
    int64_t need = ratelimit_try(rl, NULL);
    if (need < want - 1000 || need > want + 1000)
        fail_msg("next token due in %lld ns, expected %lld", (long long)need, (long long)want);
}

static void test_burst_then_steady_rate(void **state)
{
    (void)state;
    struct fake_clock fc;
    /* The service's bucket: 20 requests/s, bursts of 20. */
    struct ratelimit *rl = clocked(20, 20, &fc);
    take_now(rl, 20);
    /* The 21st waits for a refilled token: 50 ms, plus the slack that keeps us behind the
     * server's refill. */
    assert_due_in(rl, 50 * MS + SLACK);
    fc.ns += 50 * MS + SLACK;
    take_now(rl, 1);
    /* Then one every 50 ms, the slack paid once. */
    for (int i = 0; i < 40; i++) {
        assert_due_in(rl, 50 * MS);
        fc.ns += 50 * MS;
        take_now(rl, 1);
    }
    /* After a second idle, the bucket is full again: another burst of 20 at once. */
    fc.ns += 1000 * MS + SLACK;
    take_now(rl, 20);
    assert_true(ratelimit_try(rl, NULL) > 0);
    assert_true(ratelimit_rate(rl) == 20);
    ratelimit_free(rl);
}

static void test_refusal_empties_once(void **state)
{
    (void)state;
    struct fake_clock fc;
    struct ratelimit *rl = clocked(20, 20, &fc);
    /* Five requests leave with tokens of the first bucket; the server refuses all five (its
     * bucket was emptied by somebody else). */
    struct ratelimit_ticket t = take_now(rl, 5);
    fc.ns += 10 * MS;
    assert_true(ratelimit_rejected(rl, &t));
    /* Our bucket is empty too: the next token comes one interval (and the slack) later,
     * at the same rate. */
    assert_due_in(rl, 50 * MS + SLACK);
    /* The other four refusals are of requests sent before we knew: they change nothing, not
     * the wait (no hold piled on a hold), not the rate. */
    fc.ns += 2 * MS;
    for (int i = 0; i < 4; i++)
        assert_false(ratelimit_rejected(rl, &t));
    assert_due_in(rl, 48 * MS + SLACK);
    assert_true(ratelimit_rate(rl) == 20);
    /* Each waiter needs just its own token: three in a row are 50 ms apart. */
    fc.ns += 48 * MS + SLACK;
    struct ratelimit_ticket t2 = take_now(rl, 1);
    assert_true(t2.epoch == t.epoch + 1); /* a new bucket */
    assert_due_in(rl, 50 * MS);
    fc.ns += 50 * MS;
    take_now(rl, 1);
    assert_due_in(rl, 50 * MS);
    ratelimit_free(rl);
}

static void test_refused_again_lowers_rate(void **state)
{
    (void)state;
    struct fake_clock fc;
    struct ratelimit *rl = clocked(20, 20, &fc);
    struct ratelimit_ticket t = take_now(rl, 20);
    assert_true(ratelimit_rejected(rl, &t)); /* the first: empties, keeps the rate */
    assert_true(ratelimit_rate(rl) == 20);
    fc.ns += 50 * MS + SLACK;
    t = take_now(rl, 1);
    /* Paced from empty and refused again: the server allows us less. */
    assert_true(ratelimit_rejected(rl, &t));
    assert_true(ratelimit_rate(rl) == 10);
    assert_due_in(rl, 100 * MS + SLACK);
    fc.ns += 100 * MS + SLACK;
    t = take_now(rl, 1);
    assert_true(ratelimit_rejected(rl, &t));
    /* (10 had climbed to 10.2 in the 100 ms since: halved, 5.1) */
    assert_true(ratelimit_rate(rl) > 5 && ratelimit_rate(rl) < 5.2);
    /* A server that refuses everything: halved at each refusal (and climbing a little while
     * we wait), never below a twentieth of the rate. */
    for (int i = 0; i < 20; i++) {
        fc.ns += ratelimit_try(rl, NULL);
        assert_true(rejected_now(rl));
    }
    double low = ratelimit_rate(rl);
    assert_true(low >= 1 && low < 3);
    /* Without refusals it climbs back, by the rate every 10 s (once the slack is over). */
    fc.ns += 5000 * MS;
    double r = ratelimit_rate(rl);
    if (r < low + 9.9 || r > low + 10) fail_msg("rate %g after 5 s from %g", r, low);
    fc.ns += 5000 * MS;
    assert_true(ratelimit_rate(rl) == 20);
    /* A refusal long after the last is a first again: it empties, and keeps the rate. */
    fc.ns += 20000 * MS;
    assert_true(rejected_now(rl));
    assert_true(ratelimit_rate(rl) == 20);
    ratelimit_free(rl);
}

static void test_stale_acceptance_takes_a_token(void **state)
{
    (void)state;
    struct fake_clock fc;
    struct ratelimit *rl = clocked(20, 20, &fc);
    struct ratelimit_ticket old = take_now(rl, 20);
    assert_true(ratelimit_rejected(rl, &old));
    /* A request sent before the refusal was accepted after it: it took a token at the
     * server that our new bucket counts as ours, so ours is taken back. */
    ratelimit_accepted(rl, &old);
    assert_due_in(rl, 100 * MS + SLACK);
    /* A current ticket's acceptance is what the bucket planned. */
    fc.ns += 100 * MS + SLACK;
    struct ratelimit_ticket cur = take_now(rl, 1);
    ratelimit_accepted(rl, &cur);
    assert_due_in(rl, 50 * MS);
    ratelimit_free(rl);
}

static void test_slow_first_request_starts_refill_later(void **state)
{
    (void)state;
    struct fake_clock fc;
    struct ratelimit *rl = clocked(20, 20, &fc);
    /* The first request from a full bucket spent 80 ms connecting before it left; the server's
     * refill began when it arrived, so ours begins that much later. */
    struct ratelimit_ticket first = take_now(rl, 1);
    struct ratelimit_ticket second = take_now(rl, 19);
    ratelimit_sent(rl, &second, 80 * MS); /* not the one that started the refill: nothing */
    assert_due_in(rl, 50 * MS + SLACK);
    ratelimit_sent(rl, &first, 80 * MS);
    assert_due_in(rl, 80 * MS + 50 * MS + SLACK);
    ratelimit_sent(rl, &first, 80 * MS); /* told once */
    assert_due_in(rl, 80 * MS + 50 * MS + SLACK);
    ratelimit_free(rl);

    /* Told late, after the refill had run: what it credited too early is taken back. */
    rl = clocked(20, 20, &fc);
    first = take_now(rl, 1);
    take_now(rl, 19);
    fc.ns += 60 * MS + SLACK; /* refilled since anchor + slack: 60 ms, 1.2 tokens */
    take_now(rl, 1);          /* 0.2 left */
    ratelimit_sent(rl, &first, 40 * MS);
    /* The refill should have begun 40 ms later: the 0.8 credited in those 40 ms is taken back,
     * -0.6 left, and 1.6 tokens to wait for at 20/s. */
    assert_due_in(rl, 80 * MS);
    ratelimit_free(rl);
}

static void test_unlimited_learns_nothing(void **state)
{
    (void)state;
    struct fake_clock fc;
    struct ratelimit *rl = clocked(0, 1, &fc);
    struct ratelimit_ticket t = take_now(rl, 100);
    assert_false(ratelimit_rejected(rl, &t));
    ratelimit_accepted(rl, &t);
    take_now(rl, 100);
    assert_true(ratelimit_rate(rl) == 0);
    ratelimit_free(rl);
    assert_false(ratelimit_rejected(NULL, NULL));
    assert_int_equal(ratelimit_try(NULL, NULL), 0);
}

/* ---- the wait hook ------------------------------------------------------------------------- */

#define MAX_CALLS 1024

/* Names the threads of test_many_threads (1..N_THREADS; 0 elsewhere): unlike a pthread_t, a
 * tag is never reused by a later thread. */
static _Thread_local int thread_tag;

/* What the hook heard, in order. */
struct recorder {
    pthread_mutex_t mu;
    size_t n;
    struct {
        bool waiting;
        int64_t waited_ms;
        pthread_t thread;
        int tag; /* the calling thread's thread_tag */
    } calls[MAX_CALLS];
    atomic_int waiting_now; /* set by a "waiting" call, for tests that wait for it */
};

static void record_wait(void *ctx, bool waiting, int64_t waited_ms)
{
    struct recorder *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (r->n < MAX_CALLS) {
        r->calls[r->n].waiting = waiting;
        r->calls[r->n].waited_ms = waited_ms;
        r->calls[r->n].thread = pthread_self();
        r->calls[r->n].tag = thread_tag;
        r->n++;
    }
    pthread_mutex_unlock(&r->mu);
    atomic_store(&r->waiting_now, waiting);
}

static struct recorder *recorder_new(void)
{
    struct recorder *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    atomic_init(&r->waiting_now, 0);
    return r;
}

static void recorder_free(struct recorder *r)
{
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static size_t recorder_count(struct recorder *r)
{
    pthread_mutex_lock(&r->mu);
    size_t n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

static struct ratelimit *hooked_new(double rate, double burst, struct recorder *r)
{
    struct ratelimit *rl = ratelimit_new(rate, burst);
    ratelimit_set_wait_hook(rl, record_wait, r);
    return rl;
}

/* One acquire that has to wait: the hook hears exactly its start, then its end with what
 * acquire returned, both on this thread. */
static void acquire_told(struct ratelimit *rl, struct recorder *r)
{
    size_t from = recorder_count(r);
    int64_t waited = ratelimit_acquire(rl, NULL, NULL);
    assert_true(waited > 0);
    assert_int_equal(recorder_count(r), from + 2);
    assert_true(r->calls[from].waiting);
    assert_int_equal(r->calls[from].waited_ms, 0);
    assert_false(r->calls[from + 1].waiting);
    assert_int_equal(r->calls[from + 1].waited_ms, waited);
    assert_true(pthread_equal(r->calls[from].thread, pthread_self()));
    assert_true(pthread_equal(r->calls[from + 1].thread, pthread_self()));
    assert_false(atomic_load(&r->waiting_now));
}

static void test_hook_around_a_wait(void **state)
{
    (void)state;
    struct recorder *r = recorder_new();
    struct ratelimit *rl = hooked_new(20, 1, r);
    assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    assert_int_equal(recorder_count(r), 0); /* the token was there */
    acquire_told(rl, r);
    ratelimit_free(rl);
    recorder_free(r);
}

static void test_hook_not_on_fast_path(void **state)
{
    (void)state;
    struct recorder *r = recorder_new();
    /* A burst of five from a bucket that refills once per 1000 s. */
    struct ratelimit *rl = hooked_new(0.001, 5, r);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    /* The bucket is empty now, but a caller already cancelled gives up without waiting. */
    assert_int_equal(acquire_cancelled(rl), -1);
    ratelimit_free(rl);
    /* No limit: never a wait. */
    rl = hooked_new(0, 1, r);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    ratelimit_free(rl);
    assert_int_equal(recorder_count(r), 0);
    recorder_free(r);
}

static void test_hook_after_refusal(void **state)
{
    (void)state;
    struct recorder *r = recorder_new();
    /* A full bucket: only the refusal can make the next caller wait. */
    struct ratelimit *rl = hooked_new(1000, 50, r);
    struct ratelimit_ticket t;
    assert_int_equal(ratelimit_acquire(rl, NULL, &t), 0);
    assert_true(ratelimit_rejected(rl, &t));
    assert_int_equal(recorder_count(r), 0); /* the wait is told by whoever waits */
    acquire_told(rl, r);
    ratelimit_free(rl);
    recorder_free(r);
}

static void test_hook_not_called_when_unset(void **state)
{
    (void)state;
    struct recorder *r = recorder_new();
    struct ratelimit *rl = ratelimit_new(20, 1);
    struct ratelimit *other = hooked_new(20, 1, r);
    assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    assert_true(ratelimit_acquire(rl, NULL, NULL) > 0); /* waited, with no hook of its own */
    ratelimit_set_wait_hook(rl, record_wait, r);
    ratelimit_set_wait_hook(rl, NULL, r); /* removed again */
    assert_true(ratelimit_acquire(rl, NULL, NULL) > 0);
    assert_int_equal(recorder_count(r), 0);
    ratelimit_free(other);
    ratelimit_free(rl);
    recorder_free(r);
}

/* A wait cancelled from another thread ends with the hook told so; the hook hears the start
 * while the waiter sleeps, which is how the test knows it is asleep. */
static void test_hook_cancelled_wait(void **state)
{
    (void)state;
    struct recorder *r = recorder_new();
    struct ratelimit *rl = hooked_new(0.001, 1, r);
    assert_int_equal(ratelimit_acquire(rl, NULL, NULL), 0);
    struct waiter *w = waiter_start(rl, 0);
    assert_true(tu_wait_flag(&r->waiting_now, DEADLINE_MS));
    assert_false(atomic_load(&w->done));
    atomic_store(&w->cancel, 1);
    assert_int_equal(waiter_finish(w), -1);
    assert_int_equal(recorder_count(r), 2);
    assert_true(r->calls[0].waiting);
    assert_false(r->calls[1].waiting);
    assert_true(r->calls[1].waited_ms > 0);
    assert_true(pthread_equal(r->calls[0].thread, r->calls[1].thread));
    assert_false(pthread_equal(r->calls[0].thread, pthread_self()));
    /* A cancelled wait still counts in the total, as the hook was told. */
    assert_int_equal(ratelimit_waited_ms(rl), r->calls[1].waited_ms);
    ratelimit_free(rl);
    recorder_free(r);
}

/* ---- many threads -------------------------------------------------------------------------- */

#define N_THREADS  8
#define N_ACQUIRES 25

struct worker {
    struct ratelimit *rl;
    int tag;
    int done;
    int64_t waited;
};

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    thread_tag = wk->tag;
    for (int i = 0; i < N_ACQUIRES; i++) {
        int64_t r = ratelimit_acquire(wk->rl, NULL, NULL);
        if (r < 0) break;
        wk->waited += r;
        wk->done++;
    }
    return NULL;
}

static void test_many_threads(void **state)
{
    (void)state;
    struct recorder *r = recorder_new();
    struct ratelimit *rl = hooked_new(1000, 10, r);
    pthread_t t[N_THREADS];
    struct worker wk[N_THREADS] = {0};
    for (int i = 0; i < N_THREADS; i++) {
        wk[i].rl = rl;
        wk[i].tag = i + 1;
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &wk[i]), 0);
    }
    int total = 0;
    int64_t waited = 0;
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(t[i], NULL);
        total += wk[i].done;
        waited += wk[i].waited;
    }
    assert_int_equal(total, N_THREADS * N_ACQUIRES);
    /* 200 tokens from a bucket of 10: somebody had to wait, and the total adds up. */
    assert_true(waited > 0);
    assert_int_equal(ratelimit_waited_ms(rl), waited);
    /* Every wait was told to the hook as a start, then an end with what acquire reported, on
     * its own thread (the calls of one thread never interleave). */
    size_t starts = 0;
    int64_t told = 0;
    for (int i = 0; i < N_THREADS; i++) {
        bool open = false;
        for (size_t k = 0; k < r->n; k++) {
            if (r->calls[k].tag != i + 1) continue;
            assert_true(r->calls[k].waiting != open);
            open = r->calls[k].waiting;
            if (open) starts++;
            if (!open) told += r->calls[k].waited_ms;
        }
        assert_false(open);
    }
    assert_true(r->n < MAX_CALLS);
    assert_true(starts > 0);
    assert_int_equal(starts * 2, r->n);
    assert_int_equal(told, waited);
    ratelimit_free(rl);
    recorder_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_is_free),
        cmocka_unit_test(test_wait_after_burst),
        cmocka_unit_test(test_unlimited_never_waits),
        cmocka_unit_test(test_cancel_from_other_thread),
        cmocka_unit_test(test_burst_then_steady_rate),
        cmocka_unit_test(test_refusal_empties_once),
        cmocka_unit_test(test_refused_again_lowers_rate),
        cmocka_unit_test(test_stale_acceptance_takes_a_token),
        cmocka_unit_test(test_slow_first_request_starts_refill_later),
        cmocka_unit_test(test_unlimited_learns_nothing),
        cmocka_unit_test(test_hook_around_a_wait),
        cmocka_unit_test(test_hook_not_on_fast_path),
        cmocka_unit_test(test_hook_after_refusal),
        cmocka_unit_test(test_hook_not_called_when_unset),
        cmocka_unit_test(test_hook_cancelled_wait),
        cmocka_unit_test(test_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
