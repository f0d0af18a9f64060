/* The client's rate limiter against the emulator's bucket (20 requests/s, bursts of 20, per
 * SecretId and action, as the service documents): paging every item of a large group as
 * `detail --all` does sees no RequestLimitExceeded, at the batch's 4 threads and at the most
 * api_detail_all uses; and after another client emptied the server's bucket, only the
 * requests already on their way when the first refusal came back are refused. Counted from the
 * emulator and the client's trace, never timed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/api.h"
#include "core/emulator/emulator.h"
#include "core/util.h"
#include "testutil.h"

/* 40 pages of 200 in the largest group: two bucketfuls, the second paced. */
#define MAX_INSTANCES 8000

static struct emu *emu;
static int64_t big_record; /* the record whose group holds MAX_INSTANCES */

static pthread_mutex_t obs_mu = PTHREAD_MUTEX_INITIALIZER;
static int n_calls, n_attempts, n_refused, most_refused_in_a_call;

static void observer(void *ctx, const struct api_trace *t)
{
    (void)ctx;
    pthread_mutex_lock(&obs_mu);
    n_calls++;
    n_attempts += t->attempts;
    n_refused += t->rate_limited;
    if (t->rate_limited > most_refused_in_a_call) most_refused_in_a_call = t->rate_limited;
    pthread_mutex_unlock(&obs_mu);
}

static void counts_reset(void)
{
    pthread_mutex_lock(&obs_mu);
    n_calls = n_attempts = n_refused = most_refused_in_a_call = 0;
    pthread_mutex_unlock(&obs_mu);
}

/* The server's bucket refills in a second (burst / rate); a little more for good measure. */
static void server_bucket_full(void)
{
    sleep_ms(1100);
}

static int group_setup(void **state)
{
    (void)state;
    tu_loopback_init();
    /* The emulator's defaults: 20 requests/s, no added latency. */
    struct emu_config cfg = {.max_instances = MAX_INSTANCES};
    emu = tu_emu_start(&cfg);
    /* Which record holds the largest group (of the 40 generated): one small request each,
     * newest first. */
    struct api_client *c = tu_emu_client(emu, NULL, NULL);
    struct api_error err;
    for (int64_t id = 40; id >= 1 && !big_record; id--) {
        struct detail_query q = {id, 0, 1};
        struct detail_page p = {0};
        if (api_describe_detail(c, &q, &p, NULL, &err) != 0) continue;
        for (size_t r = 0; r < p.n_runs; r++)
            for (size_t g = 0; g < p.runs[r].n_groups; g++)
                if (p.runs[r].groups[g].total_count == MAX_INSTANCES) big_record = id;
        model_detail_page_clear(&p);
    }
    api_client_free(c);
    assert_true(big_record > 0);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    emu_stop(emu);
    http_global_cleanup();
    return 0;
}

/* Every item of the big record at `concurrency` pages at once, through a fresh client at the
 * default rate; the requests the emulator saw. */
static uint64_t detail_all(int concurrency)
{
    struct api_client *c = tu_emu_client(emu, NULL, NULL);
    api_client_set_observer(c, observer, NULL);
    counts_reset();
    uint64_t before = emu_request_count(emu);
    struct detail_page all = {0};
    struct api_error err;
    assert_int_equal(api_detail_all(c, big_record, concurrency, &all, NULL, &err), 0);
    size_t items = 0;
    for (size_t r = 0; r < all.n_runs; r++)
        for (size_t g = 0; g < all.runs[r].n_groups; g++)
            items += all.runs[r].groups[g].n_items;
    assert_true(items >= MAX_INSTANCES);
    model_detail_page_clear(&all);
    api_client_set_observer(c, NULL, NULL);
    api_client_free(c);
    return emu_request_count(emu) - before;
}

static void test_detail_all_never_refused(void **state)
{
    (void)state;
    int concurrency[] = {4, 16}; /* `detail --all`, and api_detail_all's most */
    for (size_t i = 0; i < ARRAY_LEN(concurrency); i++) {
        server_bucket_full();
        uint64_t refused_before = emu_rate_limited_count(emu);
        uint64_t seen = detail_all(concurrency[i]);
        /* Not one RequestLimitExceeded, by the server's count and by the client's. */
        assert_int_equal(emu_rate_limited_count(emu) - refused_before, 0);
        assert_int_equal(n_refused, 0);
        /* One request per page: page 0, then 40 more (the last one finds nothing new or the
         * end of the group), none sent twice. */
        assert_int_equal((int)seen, n_attempts);
        assert_int_equal(n_attempts, n_calls);
        assert_true(n_calls >= MAX_INSTANCES / API_DETAIL_MAX_LIMIT);
    }
}

static void test_learns_from_a_drained_bucket(void **state)
{
    (void)state;
    server_bucket_full();
    /* Another client (no limit of its own) empties the server's bucket for this key. */
    struct api_config ac = {.rate = -1, .max_retries = -1};
    struct api_client *other = tu_emu_client(emu, &ac, NULL);
    for (int i = 0; i < 25; i++) {
        struct detail_query q = {big_record, 0, 1};
        struct detail_page p = {0};
        struct api_error err;
        if (api_describe_detail(other, &q, &p, NULL, &err) == 0) model_detail_page_clear(&p);
    }
    api_client_free(other);

    uint64_t refused_before = emu_rate_limited_count(emu);
    uint64_t seen = detail_all(4);
    uint64_t refused = emu_rate_limited_count(emu) - refused_before;
    fprintf(stderr, "drained: %llu requests, %llu refused\n", (unsigned long long)seen,
            (unsigned long long)refused);
    /* The client's trace and the server agree. */
    assert_int_equal((int)refused, n_refused);
    assert_int_equal((int)seen, n_attempts);
    /* The first refusal emptied the client's bucket: only requests already on their way then
     * (at most one per thread) were refused, and none of their retries. */
    assert_true(refused <= 4);
    assert_true(most_refused_in_a_call <= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_all_never_refused),
        cmocka_unit_test(test_learns_from_a_drained_bucket),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
