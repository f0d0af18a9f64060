/* libFuzzer entry point for the emulator's dataset loader, dataset_load_json, and for what
 * the emulator then does with a loaded file: move running tasks forward, page every record's
 * detail, encode the pages and the record list (which must decode again), and apply the
 * write actions. Built by tests/fuzz/CMakeLists.txt (make check runs it short, make fuzz
 * long) over tests/fuzz/corpus/dataset/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/emulator/dataset.h"

#define FUZZ_NOW 1767139200 /* 2025-12-31 00:00:00 UTC */

/* What the emulator sends must be what a client can read. */
static void must_decode_detail(const struct detail_page *p)
{
    char *env = codec_envelope(codec_encode_detail_page(p), "fuzz");
    struct detail_page again;
    struct api_error err;
    if (codec_decode_detail_body(env, strlen(env), &again, &err) != 0) abort();
    if (again.n_runs != p->n_runs) abort();
    model_detail_page_clear(&again);
    free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dataset ds;
    struct api_error err;
    if (dataset_load_json(&ds, (const char *)data, size, &err) != 0) {
        if (err.kind != APIERR_DECODE || !err.message[0]) abort();
        if (ds.records || ds.n_records) abort(); /* a failed load leaves nothing */
        return 0;
    }
    ds.started_unix = FUZZ_NOW - 3600;
    dataset_advance(&ds, FUZZ_NOW);

    /* The record list as the emulator serves it (shallow copies of the rows). */
    struct records_page rp = {.total_count = ds.n_records, .n_records = ds.n_records};
    rp.records = calloc(ds.n_records ? ds.n_records : 1, sizeof *rp.records);
    if (!rp.records) return 0;
    for (size_t i = 0; i < ds.n_records; i++)
        rp.records[i] = ds.records[i].info;
    char *env = codec_envelope(codec_encode_records_page(&rp), "fuzz");
    struct records_page back;
    if (codec_decode_records_body(env, strlen(env), &back, &err) != 0) abort();
    if (back.n_records != ds.n_records) abort();
    model_records_page_clear(&back);
    free(env);
    free(rp.records);

    size_t n = ds.n_records < 8 ? ds.n_records : 8;
    for (size_t i = 0; i < n; i++) {
        struct detail_page p;
        dataset_detail_page(&ds.records[i], 0, 200, &p);
        must_decode_detail(&p);
        model_detail_page_clear(&p);
        dataset_detail_page(&ds.records[i], 3, 2, &p);
        model_detail_page_clear(&p);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t id = ds.records[i].info.id;
        dataset_retry_record(&ds, id, FUZZ_NOW + 10, &err);
        dataset_rollback(&ds, id, FUZZ_NOW + 20, &err);
        if (ds.records[i].n_runs && ds.records[i].runs[0].n_groups &&
            ds.records[i].runs[0].groups[0].n_items)
            dataset_retry_item(&ds, ds.records[i].runs[0].groups[0].items[0].id, FUZZ_NOW + 30,
                               &err);
    }
    dataset_advance(&ds, FUZZ_NOW + 3600);
    if (n) {
        char *types[] = {"clb", "cdn"};
        bool created;
        const char *cert = ds.records[0].info.old_cert_id ? ds.records[0].info.old_cert_id : "c";
        char *cert_copy = strdup(cert);
        dataset_upload(&ds, cert_copy, types, 2, NULL, FUZZ_NOW + 40, &created);
        free(cert_copy);
        struct detail_page p;
        dataset_detail_page(&ds.records[0], 0, 200, &p);
        must_decode_detail(&p);
        model_detail_page_clear(&p);
    }
    dataset_free(&ds);
    return 0;
}
