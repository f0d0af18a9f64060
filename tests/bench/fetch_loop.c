/* The client of tests/bench/fetch.bench.sh: every item of one record through certdeck's own
 * client (api_detail_all: signing, libcurl, the rate limiter, decoding, merging), nothing
 * written. With concurrency 1 it is the official SDKs' loop: one request at a time, Limit 200,
 * each sent when the answer before it is in.
 *
 *   fetch_loop ENDPOINT RECORD_ID CONCURRENCY
 *
 * Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, else the emulator's demo
 * pair. Prints one line, "items=N pages=N requests=N refused=N fetch_ms=N" (pages: calls
 * made; requests: what they sent, retries included; refused: answers that were
 * RequestLimitExceeded; fetch_ms: the api_detail_all call alone); exits 1 on an error. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/emulator/emulator.h"
#include "core/util.h"

struct counts {
    pthread_mutex_t mu;
    int calls, requests, refused;
};

static void on_trace(void *ctx, const struct api_trace *t)
{
    struct counts *n = ctx;
    pthread_mutex_lock(&n->mu);
    n->calls++;
    n->requests += t->attempts;
    n->refused += t->rate_limited;
    pthread_mutex_unlock(&n->mu);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fetch_loop ENDPOINT RECORD_ID CONCURRENCY\n");
        return 2;
    }
    long long record = strtoll(argv[2], NULL, 10);
    int concurrency = atoi(argv[3]);
    const char *id = getenv("TENCENTCLOUD_SECRET_ID");
    const char *key = getenv("TENCENTCLOUD_SECRET_KEY");
    struct creds cr = {0};
    strlcpy_safe(cr.secret_id, id && *id ? id : EMU_DEMO_SECRET_ID, sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, key && *key ? key : EMU_DEMO_SECRET_KEY, sizeof cr.secret_key);

    struct api_config ac = {.endpoint = argv[1]};
    struct api_error err;
    struct api_client *api = api_client_new(&ac, &cr, &err);
    creds_wipe(&cr);
    if (!api) {
        fprintf(stderr, "fetch_loop: %s\n", err.message);
        return 1;
    }
    struct counts n = {.requests = 0};
    pthread_mutex_init(&n.mu, NULL);
    api_client_set_observer(api, on_trace, &n);

    struct detail_page all = {0};
    int64_t t0 = now_ms();
    int rc = api_detail_all(api, record, concurrency, &all, NULL, &err);
    int64_t ms = now_ms() - t0;
    api_client_set_observer(api, NULL, NULL);
    if (rc != 0) {
        char line[512];
        fprintf(stderr, "fetch_loop: %s\n", apierr_format(&err, line, sizeof line));
        api_client_free(api);
        return 1;
    }
    size_t items = 0;
    for (size_t r = 0; r < all.n_runs; r++)
        for (size_t g = 0; g < all.runs[r].n_groups; g++)
            items += all.runs[r].groups[g].n_items;
    printf("items=%zu pages=%d requests=%d refused=%d fetch_ms=%" PRId64 "\n", items, n.calls,
           n.requests, n.refused, ms);
    model_detail_page_clear(&all);
    api_client_free(api);
    pthread_mutex_destroy(&n.mu);
    return 0;
}
