/* Benchmark: snapshots of a large account — writing every record's detail piece by piece, the
 * :save path (a store copied under its lock, then written), loading the file back, and paging
 * the largest record offline through the API client. Prints figures; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/api.h"
#include "core/emulator/dataset.h"
#include "core/snapshot.h"
#include "core/store.h"
#include "core/util.h"

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* CPU time of the process, ms (the machine may be shared: wall time says little). */
static long cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
           (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static size_t items_of(const struct dataset_record *r)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n_runs; k++)
        for (size_t g = 0; g < r->runs[k].n_groups; g++)
            n += r->runs[k].groups[g].n_items;
    return n;
}

int main(void)
{
    struct dataset ds;
    struct dataset_gen_opts go = {
        .seed = 3, .records = 40, .max_instances = 50000, .now_unix = 1767139200};
    dataset_generate(&ds, &go);
    size_t total = 0, largest = 0;
    for (size_t i = 0; i < ds.n_records; i++) {
        size_t n = items_of(&ds.records[i]);
        total += n;
        if (n > items_of(&ds.records[largest])) largest = i;
    }
    char path[] = "/tmp/certdeck-bench-snapshot-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    printf("bench_snapshot: %zu records, %zu items (largest record %llu: %zu)\n", ds.n_records,
           total, (unsigned long long)ds.records[largest].info.id, items_of(&ds.records[largest]));

    /* certdeck snapshot --details all: every piece written as it comes. */
    char err[1200];
    int64_t t0 = now_ms();
    long c0 = cpu_ms();
    struct snapshot_meta meta = {.taken_unix = 1767139200, .records_total = ds.n_records};
    struct snapshot_writer *w = snapshot_write_begin(path, &meta, false, err, sizeof err);
    if (!w) {
        fprintf(stderr, "bench_snapshot: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < ds.n_records; i++)
        snapshot_write_record(w, &ds.records[i].info);
    for (size_t i = 0; i < ds.n_records; i++) {
        struct detail_page p = {.runs = ds.records[i].runs, .n_runs = ds.records[i].n_runs};
        snapshot_write_detail(w, ds.records[i].info.id, &p);
    }
    struct snapshot_stats st;
    if (snapshot_write_end(w, &st, err, sizeof err) != 0) {
        fprintf(stderr, "bench_snapshot: %s\n", err);
        return 1;
    }
    int64_t t1 = now_ms();
    printf("  write (streamed): %.1f MB in %lld ms (%ld ms CPU), max RSS %ld KiB\n",
           (double)st.bytes / 1e6, (long long)(t1 - t0), cpu_ms() - c0, max_rss_kib());

    /* :save of a store holding the largest record: the copy under the lock, then the write. */
    struct store *s = store_new();
    struct detail_page big = {.runs = ds.records[largest].runs,
                              .n_runs = ds.records[largest].n_runs};
    store_detail_begin(s, ds.records[largest].info.id, false);
    store_detail_put(s, ds.records[largest].info.id, 0, 1000000, &big);
    int64_t t2 = now_ms();
    long c2 = cpu_ms();
    struct snapshot_hold *h = snapshot_hold_take(s);
    int64_t t3 = now_ms();
    long c3 = cpu_ms();
    char path2[sizeof path + 8];
    snprintf(path2, sizeof path2, "%s.save", path);
    if (snapshot_hold_write(h, path2, &meta, false, &st, err, sizeof err) != 0) {
        fprintf(stderr, "bench_snapshot: %s\n", err);
        return 1;
    }
    int64_t t4 = now_ms();
    printf("  :save of %zu items: copy under the lock %lld ms (%ld ms CPU), write %lld ms (%ld "
           "ms CPU, %.1f MB)\n",
           st.items, (long long)(t3 - t2), c3 - c2, (long long)(t4 - t3), cpu_ms() - c3,
           (double)st.bytes / 1e6);
    snapshot_hold_free(h);
    store_free(s);
    unlink(path2);

    /* --offline: load, then page the largest record through the client. */
    int64_t t5 = now_ms();
    long c5 = cpu_ms();
    struct snapshot *snap = snapshot_load(path, err, sizeof err);
    int64_t t6 = now_ms();
    if (!snap) {
        fprintf(stderr, "bench_snapshot: %s\n", err);
        return 1;
    }
    printf("  load: %lld ms (%ld ms CPU), max RSS %ld KiB\n", (long long)(t6 - t5), cpu_ms() - c5,
           max_rss_kib());
    struct api_client *c = snapshot_client_new(snap);
    struct detail_page p;
    struct api_error e;
    int64_t t7 = now_ms();
    long c7 = cpu_ms();
    if (api_detail_all(c, (int64_t)ds.records[largest].info.id, 4, &p, NULL, &e) != 0) {
        fprintf(stderr, "bench_snapshot: %s\n", e.message);
        return 1;
    }
    int64_t t8 = now_ms();
    size_t got = 0;
    for (size_t k = 0; k < p.n_runs; k++)
        for (size_t g = 0; g < p.runs[k].n_groups; g++)
            got += p.runs[k].groups[g].n_items;
    printf("  offline detail --all of record %llu: %zu items in %lld ms (%ld ms CPU)\n",
           (unsigned long long)ds.records[largest].info.id, got, (long long)(t8 - t7),
           cpu_ms() - c7);
    model_detail_page_clear(&p);
    api_client_free(c);
    snapshot_free(snap);
    dataset_free(&ds);
    unlink(path);
    return 0;
}
