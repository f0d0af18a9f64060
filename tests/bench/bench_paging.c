/* Benchmark: the whole real path for the largest record — signing, libcurl over loopback, the
 * emulator, decoding, merging — paging every instance with api_detail_all at 1 and 4 threads
 * within the 20 requests/s limit. Prints figures; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/api.h"
#include "core/emulator/emulator.h"
#include "core/util.h"

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(void)
{
    char err[512];
    struct emu_config ec = {.records = 40, .max_instances = 10000, .seed = 3};
    struct emu *e = emu_start(&ec, err, sizeof err);
    if (!e) {
        fprintf(stderr, "bench_paging: emulator: %s\n", err);
        return 1;
    }
    http_global_init();
    struct creds cr = {0};
    strlcpy_safe(cr.secret_id, EMU_DEMO_SECRET_ID, sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, EMU_DEMO_SECRET_KEY, sizeof cr.secret_key);
    struct api_config ac = {.endpoint = emu_url(e)};
    struct api_error aerr;
    struct api_client *api = api_client_new(&ac, &cr, &aerr);

    struct records_page recs = {0};
    if (api_records_all(api, NULL, &recs, NULL, &aerr) != 0) {
        fprintf(stderr, "bench_paging: records: %s\n", aerr.message);
        return 1;
    }
    /* Find the record with the largest group (one small request each). */
    uint64_t best = 0;
    int64_t best_total = -1;
    for (size_t i = 0; i < recs.n_records; i++) {
        struct detail_query q = {(int64_t)recs.records[i].id, 0, 1};
        struct detail_page p = {0};
        if (api_describe_detail(api, &q, &p, NULL, &aerr) != 0) continue;
        for (size_t r = 0; r < p.n_runs; r++)
            for (size_t g = 0; g < p.runs[r].n_groups; g++)
                if (p.runs[r].groups[g].total_count > best_total) {
                    best_total = p.runs[r].groups[g].total_count;
                    best = recs.records[i].id;
                }
        model_detail_page_clear(&p);
    }
    printf("bench_paging: %zu records; record %llu has the largest group (%lld instances)\n",
           recs.n_records, (unsigned long long)best, (long long)best_total);
    model_records_page_clear(&recs);

    int threads[] = {1, 4};
    for (size_t t = 0; t < ARRAY_LEN(threads); t++) {
        sleep_ms(1100); /* start each run with a full rate-limit window */
        struct detail_page all = {0};
        uint64_t before = emu_request_count(e);
        int64_t t0 = now_ms();
        if (api_detail_all(api, (int64_t)best, threads[t], &all, NULL, &aerr) != 0) {
            fprintf(stderr, "bench_paging: detail_all: %s\n", aerr.message);
            return 1;
        }
        int64_t ms = now_ms() - t0;
        size_t items = 0;
        for (size_t r = 0; r < all.n_runs; r++)
            for (size_t g = 0; g < all.runs[r].n_groups; g++)
                items += all.runs[r].groups[g].n_items;
        uint64_t reqs = emu_request_count(e) - before;
        printf("bench_paging: %d thread(s): %zu items in %llu requests, %lld ms "
               "(%.1f requests/s, %.0f items/s), max RSS %ld KiB\n",
               threads[t], items, (unsigned long long)reqs, (long long)ms,
               ms ? (double)reqs * 1000.0 / (double)ms : 0.0,
               ms ? (double)items * 1000.0 / (double)ms : 0.0, max_rss_kib());
        model_detail_page_clear(&all);
    }
    api_client_free(api);
    creds_wipe(&cr);
    emu_stop(e);
    http_global_cleanup();
    return 0;
}
