/* libFuzzer entry point for the snapshot reader, snapshot_parse, and for what certdeck then does
 * with a file it accepted: answer the record list and every detail offline (through the same
 * decoders as live answers), and write it back out — which must read back to the same counts.
 * Built by tests/fuzz/CMakeLists.txt; its corpus is tests/fuzz/corpus/snapshot/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/api.h"
#include "core/snapshot.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1200];
    struct snapshot *s = snapshot_parse("fuzz", (const char *)data, size, err, sizeof err);
    if (!s) {
        if (!err[0]) abort(); /* a refusal always says why */
        return 0;
    }
    struct api_client *c = snapshot_client_new(s);
    struct records_page rp;
    struct api_error e;
    if (api_records_all(c, NULL, &rp, NULL, &e) == 0) model_records_page_clear(&rp);
    for (size_t i = 0; i < s->n_details && i < 8; i++) {
        struct detail_page p;
        if (api_detail_all(c, (int64_t)s->details[i].record_id, 2, &p, NULL, &e) == 0)
            model_detail_page_clear(&p);
    }
    char rid[80];
    if (api_rollback(c, 1, rid, sizeof rid, &e) == 0) abort(); /* never a write */

    char path[] = "certdeck-fuzz-snapshot-XXXXXX"; /* in the run's scratch directory */
    int fd = mkstemp(path);
    if (fd >= 0) {
        close(fd);
        struct snapshot_meta meta = {.taken_unix = s->taken_unix,
                                     .endpoint = s->endpoint,
                                     .secret_id = s->secret_id_prefix,
                                     .old_cert_filter = s->old_cert_filter,
                                     .records_total = s->records_total};
        struct snapshot_writer *w = snapshot_write_begin(path, &meta, false, err, sizeof err);
        if (!w) abort();
        for (size_t i = 0; i < s->n_records; i++)
            snapshot_write_record(w, &s->records[i]);
        for (size_t i = 0; i < s->n_details; i++)
            snapshot_write_detail(w, s->details[i].record_id, &s->details[i].page);
        for (size_t i = 0; i < s->n_events; i++)
            snapshot_write_event(w, &s->events[i], now_ms(), now_unix());
        if (snapshot_write_end(w, NULL, err, sizeof err) != 0) abort();
        struct snapshot *again = snapshot_load(path, err, sizeof err);
        if (!again) abort(); /* what certdeck writes, certdeck reads */
        if (again->n_records != s->n_records || again->n_details != s->n_details ||
            again->n_events != s->n_events)
            abort();
        snapshot_free(again);
        unlink(path);
    }
    api_client_free(c);
    snapshot_free(s);
    return 0;
}
