/* Benchmark: decoding and encoding full detail pages (200 items in each group) with the codec,
 * the work every worker thread does per page. Prints figures; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/codec.h"
#include "core/emulator/dataset.h"
#include "core/util.h"

int main(void)
{
    struct dataset ds = {0};
    struct dataset_gen_opts go = {
        .seed = 7, .records = 40, .max_instances = 20000, .now_unix = 1767225600};
    int64_t t0 = now_ms();
    dataset_generate(&ds, &go);
    printf("bench_codec: generated %zu records in %lld ms\n", ds.n_records,
           (long long)(now_ms() - t0));

    /* The record with the most items on its first page of 200 per group. */
    const struct dataset_record *best = NULL;
    size_t best_items = 0;
    for (size_t i = 0; i < ds.n_records; i++) {
        struct detail_page p = {0};
        dataset_detail_page(&ds.records[i], 0, 200, &p);
        size_t n = 0;
        for (size_t r = 0; r < p.n_runs; r++)
            for (size_t g = 0; g < p.runs[r].n_groups; g++)
                n += p.runs[r].groups[g].n_items;
        if (n > best_items) {
            best_items = n;
            best = &ds.records[i];
        }
        model_detail_page_clear(&p);
    }
    struct detail_page page = {0};
    dataset_detail_page(best, 0, 200, &page);
    page.request_id = xstrdup("00000000-0000-4000-8000-000000000000");
    char *body = codec_envelope(codec_encode_detail_page(&page), page.request_id);
    size_t len = strlen(body);

    const int rounds = 200;
    struct api_error err;
    t0 = now_ms();
    for (int i = 0; i < rounds; i++) {
        struct detail_page out = {0};
        if (codec_decode_detail_body(body, len, &out, &err) != 0) {
            fprintf(stderr, "bench_codec: decode failed: %s\n", err.message);
            return 1;
        }
        model_detail_page_clear(&out);
    }
    int64_t dec_ms = now_ms() - t0;
    t0 = now_ms();
    for (int i = 0; i < rounds; i++) {
        char *s = codec_envelope(codec_encode_detail_page(&page), page.request_id);
        free(s);
    }
    int64_t enc_ms = now_ms() - t0;
    double mb = (double)len * rounds / (1024.0 * 1024.0);
    printf("bench_codec: page of %zu items, %zu bytes\n", best_items, len);
    printf("bench_codec: decode %d pages in %lld ms: %.1f MiB/s, %.0f items/s\n", rounds,
           (long long)dec_ms, dec_ms ? mb * 1000.0 / (double)dec_ms : 0.0,
           dec_ms ? (double)best_items * rounds * 1000.0 / (double)dec_ms : 0.0);
    printf("bench_codec: encode %d pages in %lld ms: %.1f MiB/s\n", rounds, (long long)enc_ms,
           enc_ms ? mb * 1000.0 / (double)enc_ms : 0.0);
    free(body);
    model_detail_page_clear(&page);
    dataset_free(&ds);
    return 0;
}
