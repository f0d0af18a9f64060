/* `certdeck snapshot FILE`: pages through the record list, then each chosen record's detail,
 * writing each piece as it arrives (one detail in memory at a time), and the calls it made as
 * the snapshot's event log. */
#include "tui/cli/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "core/radar.h"
#include "core/sanitize.h"
#include "core/snapshot.h"
#include "core/util.h"
#include "tui/cli/batch.h"
#include "tui/cli/output.h"

int snapshot_details_parse(const char *s, enum snapshot_details *out)
{
    static const char *const names[] = {"failed", "all", "none"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (s && !strcmp(s, names[i])) {
            *out = (enum snapshot_details)i;
            return 0;
        }
    return -1;
}

/* The calls made, for the snapshot's event log (observer calls come one at a time). */
struct calls {
    struct api_trace *t;
    size_t n, cap;
};

static void on_call(void *ctx, const struct api_trace *t)
{
    struct calls *c = ctx;
    c->t = xgrow(c->t, &c->cap, c->n + 1, sizeof *c->t);
    c->t[c->n++] = *t;
}

static bool wanted(enum snapshot_details d, const struct update_record *r)
{
    return d == SNAPSHOT_DETAILS_ALL || (d == SNAPSHOT_DETAILS_FAILED && radar_wants_detail(r));
}

int batch_snapshot(struct api_client *api, const char *path, enum snapshot_details details,
                   const char *old_cert, FILE *err, bool err_is_tty)
{
    const struct api_source *src = api_client_source(api);
    int64_t taken = src ? src->as_of_unix : now_unix();
    struct calls calls = {0};
    api_client_set_observer(api, on_call, &calls);
    struct records_page recs = {0};
    struct api_error e;
    int rc = 0;
    struct snapshot_writer *w = NULL;
    char why[1400];
    if (api_records_all(api, old_cert, &recs, NULL, &e) != 0) {
        batch_print_error(err, "DescribeHostUploadUpdateRecord", &e);
        rc = apierr_exit_code(&e);
        goto out;
    }
    char secret_id[SNAPSHOT_SECRET_ID_PREFIX + 1];
    api_client_secret_id(api, secret_id, sizeof secret_id);
    struct snapshot_meta meta = {.taken_unix = taken,
                                 .endpoint = api_client_endpoint(api),
                                 .secret_id = secret_id,
                                 .old_cert_filter = old_cert,
                                 .records_total = recs.total_count};
    w = snapshot_write_begin(path, &meta, false, why, sizeof why);
    if (!w) {
        fprintf(err, "certdeck: snapshot not written: %s\n", why);
        rc = OUTPUT_EXIT_CODE;
        goto out;
    }
    size_t want = 0, done = 0;
    for (size_t i = 0; i < recs.n_records; i++) {
        snapshot_write_record(w, &recs.records[i]);
        want += wanted(details, &recs.records[i]);
    }
    for (size_t i = 0; i < recs.n_records && rc == 0; i++) {
        const struct update_record *r = &recs.records[i];
        if (!wanted(details, r)) continue;
        if (err_is_tty) fprintf(err, "\rsnapshot: %zu of %zu details\033[K", done, want);
        struct detail_page page = {0};
        if (api_detail_all(api, (int64_t)r->id, 4, &page, NULL, &e) != 0) {
            if (err_is_tty) fputc('\n', err);
            char what[96];
            snprintf(what, sizeof what, "DescribeHostUploadUpdateRecordDetail of record %llu",
                     (unsigned long long)r->id);
            batch_print_error(err, what, &e);
            rc = apierr_exit_code(&e);
        } else {
            snapshot_write_detail(w, r->id, &page);
            done++;
        }
        model_detail_page_clear(&page);
    }
    if (err_is_tty && want) fprintf(err, "\rsnapshot: %zu of %zu details\033[K\n", done, want);
    api_client_set_observer(api, NULL, NULL);
    if (rc != 0) {
        snapshot_write_abort(w);
        fprintf(err, "certdeck: snapshot not written\n");
        goto out;
    }
    int64_t nm = now_ms(), nu = now_unix();
    for (size_t i = 0; i < calls.n; i++)
        snapshot_write_event(w, &calls.t[i], nm, nu);
    struct snapshot_stats st;
    if (snapshot_write_end(w, &st, why, sizeof why) != 0) {
        fprintf(err, "certdeck: snapshot not written: %s\n", why);
        rc = OUTPUT_EXIT_CODE;
        goto out;
    }
    char size[32];
    snapshot_size_text(st.bytes, size, sizeof size);
    char *shown = sanitize_dup(path);
    fprintf(err,
            "certdeck: wrote %s (%s): %zu record%s, %zu detail%s (%zu run%s, %zu item%s), %zu "
            "event%s\n",
            shown, size, st.records, st.records == 1 ? "" : "s", st.details,
            st.details == 1 ? "" : "s", st.runs, st.runs == 1 ? "" : "s", st.items,
            st.items == 1 ? "" : "s", st.events, st.events == 1 ? "" : "s");
    free(shown);
out:
    api_client_set_observer(api, NULL, NULL);
    model_records_page_clear(&recs);
    free(calls.t);
    return rc;
}
