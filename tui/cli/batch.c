/* Batch commands (records, detail, rollback, retry): one API call path shared with the TUI,
 * three sinks — an aligned table, the API's own JSON, and CSV. */
#include "tui/cli/batch.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/codec.h"
#include "core/csvout.h"
#include "core/jsonw.h"
#include "core/model.h"
#include "core/sanitize.h"
#include "core/timefmt.h"
#include "core/util.h"
#include "tui/cli/output.h"
#include "tui/text.h"

/* Appends s fitted to at most max columns (an ellipsis marks a cut), padded to pad columns.
 * Widths come from tui/text.h, as in the TUI, so CJK names line up. */
static void put_cell(struct buf *b, const char *s, int max, int pad)
{
    int w = text_fit(b, s, max);
    for (; w < pad; w++)
        buf_putc(b, ' ');
}

/* ---- tables ----------------------------------------------------------------------------- */

/* A text table: each column as wide as its widest cell (sanitized), within its cap. Rows are
 * kept (table_add, then table_print), or, for a table of any size, measured in one pass over
 * the data and printed in a second (table_measure, table_header, table_line): nothing but the
 * widths is held. */
struct table {
    const char *const *headers;
    const int *max_widths; /* per column cap in columns */
    size_t n_cols;
    char **cells; /* kept rows, row-major, sanitized */
    size_t n_rows;
    size_t cap;
    int *w;           /* the widths measured so far */
    struct buf clean; /* a cell, sanitized */
    struct buf line;
};

/* cell, sanitized (into t->clean unless it is clean already). */
static const char *table_clean(struct table *t, const char *cell)
{
    if (!cell) return "";
    size_t len = strlen(cell);
    if (sanitize_is_clean(cell, len)) return cell;
    buf_reset(&t->clean);
    sanitize_append(&t->clean, cell, len, false);
    return t->clean.data ? t->clean.data : "";
}

static void table_widen(struct table *t, size_t c, const char *clean)
{
    if (!t->w) {
        t->w = xcalloc(t->n_cols, sizeof *t->w);
        for (size_t k = 0; k < t->n_cols; k++)
            t->w[k] = text_width(t->headers[k]);
    }
    int cw = text_width(clean);
    if (cw > t->w[c]) t->w[c] = cw;
}

/* Widens the columns to fit row (cells as sent: sanitized here). */
static void table_measure(struct table *t, const char *const *row)
{
    for (size_t c = 0; c < t->n_cols; c++)
        table_widen(t, c, table_clean(t, row[c]));
}

/* One row (measured before). */
static void table_line(struct table *t, const char *const *row, FILE *out)
{
    struct buf *line = &t->line;
    buf_reset(line);
    for (size_t c = 0; c < t->n_cols; c++) {
        int w = t->w[c] < t->max_widths[c] ? t->w[c] : t->max_widths[c];
        bool last = c + 1 == t->n_cols;
        put_cell(line, table_clean(t, row[c]), w, last ? 0 : w);
        if (!last) buf_puts(line, "  ");
    }
    while (line->len && line->data[line->len - 1] == ' ')
        line->data[--line->len] = '\0';
    fprintf(out, "%s\n", line->data ? line->data : "");
    output_failed(out);
}

/* The header line (after every row was measured). */
static void table_header(struct table *t, FILE *out)
{
    if (!t->w) table_widen(t, 0, "");
    table_line(t, t->headers, out);
}

static void table_done(struct table *t)
{
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->w);
    buf_free(&t->clean);
    buf_free(&t->line);
}

static void table_add(struct table *t, const char *const *row)
{
    t->cells = xgrow(t->cells, &t->cap, (t->n_rows + 1) * t->n_cols, sizeof(char *));
    for (size_t c = 0; c < t->n_cols; c++) {
        char *cell = sanitize_dup(row[c] ? row[c] : "");
        t->cells[t->n_rows * t->n_cols + c] = cell;
        table_widen(t, c, cell);
    }
    t->n_rows++;
}

/* The kept rows under their header; frees them. */
static void table_print(struct table *t, FILE *out)
{
    table_header(t, out);
    for (size_t r = 0; r < t->n_rows && !output_failed(out); r++)
        table_line(t, (const char *const *)&t->cells[r * t->n_cols], out);
    table_done(t);
}

/* One CSV row (core/csvout.c), then the check that keeps the first write error's errno. */
static void csv_out(FILE *out, const char *const *cells, size_t n, bool raw)
{
    csv_row(out, cells, n, raw);
    output_failed(out);
}

/* ---- JSON ------------------------------------------------------------------------------- */

/* JSON goes through the one streaming writer (core/jsonw.h): cJSON_Print's layout, strings
 * escaped so the output is inert on a terminal and still the same data. */
static void json_end(FILE *out, struct jsonw *w)
{
    jsonw_newline(w);
    jsonw_finish(w);
    output_failed(out);
}

static void print_json(FILE *out, const cJSON *root)
{
    struct jsonw w;
    jsonw_init(&w, out);
    jsonw_cjson(&w, root);
    json_end(out, &w);
}

/* ---- shared pieces ---------------------------------------------------------------------- */

void batch_print_error(FILE *err, const char *what, const struct api_error *e)
{
    char line[1600];
    fprintf(err, "certdeck: %s failed: %s\n", what, apierr_format(e, line, sizeof line));
    fprintf(err, "  hint: %s\n", apierr_hint(e));
}

static const char *join(char *const *v, size_t n, const char *sep, struct buf *b)
{
    buf_reset(b);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(b, sep);
        buf_puts(b, v[i] ? v[i] : "");
    }
    return b->data ? b->data : "";
}

static const char *status_text(int64_t status, const char *(*name)(int64_t), char *buf, size_t n)
{
    const char *s = name(status);
    if (s) return s;
    snprintf(buf, n, "status %lld", (long long)status);
    return buf;
}

/* ---- records ---------------------------------------------------------------------------- */

int batch_records(struct api_client *api, const struct batch_options *o, FILE *out)
{
    struct records_page page = {0};
    struct api_error err;
    int rc;
    if (o->all) {
        rc = api_records_all(api, o->old_cert, &page, NULL, &err);
    } else {
        struct records_query q = {(uint64_t)o->offset, (uint64_t)(o->limit ? o->limit : 20),
                                  o->old_cert};
        rc = api_describe_records(api, &q, &page, NULL, &err);
    }
    if (rc != 0) {
        batch_print_error(stderr, "DescribeHostUploadUpdateRecord", &err);
        return apierr_exit_code(&err);
    }

    static const char *const headers[] = {"ID",     "OLD CERT", "RESOURCE TYPES",
                                          "STATUS", "CREATED",  "UPDATED"};
    static const int widths[] = {12, 24, 40, 18, 25, 25}; /* times: "… 15:03:17+05:30" */
    struct table t = {.headers = headers, .max_widths = widths, .n_cols = ARRAY_LEN(headers)};
    struct buf types = {0};
    if (o->format == BATCH_JSON) {
        char *rid = page.request_id;
        page.request_id = NULL; /* batch JSON is the data, not one response */
        struct jsonw w;
        jsonw_init(&w, out);
        codec_write_records_page(&w, &page);
        json_end(out, &w);
        page.request_id = rid;
    } else {
        if (o->format == BATCH_CSV)
            csv_out(out, csvout_record_headers, CSVOUT_RECORD_COLS, o->csv_raw);
        struct csvout_scratch scratch = {0};
        for (size_t i = 0; i < page.n_records && !output_failed(out); i++) {
            const struct update_record *r = &page.records[i];
            if (o->format == BATCH_CSV) {
                const char *cells[CSVOUT_RECORD_COLS];
                csvout_record_cells(r, &scratch, cells);
                csv_out(out, cells, CSVOUT_RECORD_COLS, o->csv_raw);
                continue;
            }
            char id[32], st[32], created[TIMEFMT_LEN], updated[TIMEFMT_LEN];
            snprintf(id, sizeof id, "%llu", (unsigned long long)r->id);
            const char *row[] = {
                id,
                r->old_cert_id,
                join(r->resource_types, r->n_resource_types, ",", &types),
                status_text(r->status, model_record_status_name, st, sizeof st),
                timefmt_api(r->create_time, APITIME_CHINA, created, sizeof created),
                timefmt_api(r->update_time, APITIME_CHINA, updated, sizeof updated)};
            table_add(&t, row);
        }
        csvout_scratch_free(&scratch);
        if (o->format == BATCH_TABLE) {
            table_print(&t, out);
            if (!o->all && page.total_count > page.n_records)
                fprintf(stderr,
                        "showing %zu of %llu records from offset %lld (--all for every one)\n",
                        page.n_records, (unsigned long long)page.total_count, (long long)o->offset);
        }
    }
    buf_free(&types);
    model_records_page_clear(&page);
    return 0;
}

/* ---- detail ----------------------------------------------------------------------------- */

/* Where an item lives, by resource type: listener for clb, bucket for cos, secret for tke. */
static const char *item_where(const struct deploy_item *it, struct buf *b)
{
    buf_reset(b);
    if (it->listener_id && *it->listener_id) {
        buf_puts(b, it->listener_id);
        if (it->port) buf_printf(b, ":%lld", (long long)it->port);
    } else if (it->bucket && *it->bucket) {
        buf_puts(b, it->bucket);
    } else if (it->secret_name && *it->secret_name) {
        buf_printf(b, "%s/%s", it->namespace_ ? it->namespace_ : "", it->secret_name);
    } else if (it->n_domains) {
        join(it->domains, it->n_domains, ",", b);
    } else if (it->region) {
        buf_puts(b, it->region);
    }
    return b->data ? b->data : "";
}

/* The text of a detail table row: scratch the row's cells point into. */
struct detail_cells {
    char id[32], status[32];
    struct buf where;
};

static void detail_row(const struct resource_group *grp, const struct deploy_item *it,
                       struct detail_cells *dc, const char **row)
{
    snprintf(dc->id, sizeof dc->id, "%llu", (unsigned long long)it->id);
    row[0] = grp->resource_type;
    row[1] = dc->id;
    row[2] = it->instance_id;
    row[3] = it->instance_name;
    row[4] = item_where(it, &dc->where);
    row[5] = status_text(it->status, model_item_status_name, dc->status, sizeof dc->status);
    row[6] = it->error_msg;
}

static void detail_table(const struct detail_page *p, FILE *out)
{
    static const char *const headers[] = {"TYPE",  "ID",     "INSTANCE", "NAME",
                                          "WHERE", "STATUS", "ERROR"};
    static const int widths[] = {10, 10, 22, 28, 40, 16, 60};
    struct detail_cells cells = {0};
    for (size_t r = 0; r < p->n_runs; r++) {
        const struct deploy_run *run = &p->runs[r];
        char st[32], ty[32];
        const char *type = model_run_type_name(run->type);
        if (!type) {
            snprintf(ty, sizeof ty, "type %lld", (long long)run->type);
            type = ty;
        }
        char shown[TIMEFMT_LEN];
        char *when =
            sanitize_dup(timefmt_api(run->create_time, APITIME_CHINA, shown, sizeof shown));
        fprintf(out,
                "%sRun %zu: %s, %s, %s — %lld total, %lld succeeded, %lld failed, %lld running",
                r ? "\n" : "", r + 1, type,
                status_text(run->status, model_run_status_name, st, sizeof st), when,
                (long long)run->total_count, (long long)run->success_total_count,
                (long long)run->failed_total_count, (long long)run->running_total_count);
        if (run->has_pending_total_count)
            fprintf(out, ", %lld pending", (long long)run->pending_total_count);
        fputc('\n', out);
        free(when);
        struct table t = {.headers = headers, .max_widths = widths, .n_cols = ARRAY_LEN(headers)};
        size_t rows = 0;
        for (int pass = 0; pass < 2; pass++) { /* measure every row, then print them */
            if (pass == 1 && rows) table_header(&t, out);
            for (size_t g = 0; g < run->n_groups && !output_failed(out); g++) {
                const struct resource_group *grp = &run->groups[g];
                for (size_t i = 0; i < grp->n_items && !(pass && output_failed(out)); i++) {
                    struct deploy_item item;
                    const char *row[ARRAY_LEN(headers)];
                    detail_row(grp, model_group_item(grp, i, &item), &cells, row);
                    if (pass == 0)
                        table_measure(&t, row);
                    else
                        table_line(&t, row, out);
                }
                rows += grp->n_items;
                if (pass == 0 &&
                    grp->n_items < (size_t)(grp->total_count > 0 ? grp->total_count : 0)) {
                    char *rt = sanitize_dup(grp->resource_type);
                    fprintf(out, "  %s: showing %zu of %lld instances (--all for every one)\n", rt,
                            grp->n_items, (long long)grp->total_count);
                    free(rt);
                }
            }
        }
        table_done(&t);
    }
    buf_free(&cells.where);
}

static void detail_csv(const struct detail_page *p, bool raw, FILE *out)
{
    csv_out(out, csvout_detail_headers, CSVOUT_DETAIL_COLS, raw);
    struct csvout_scratch scratch = {0};
    for (size_t r = 0; r < p->n_runs; r++) {
        const struct deploy_run *run = &p->runs[r];
        for (size_t g = 0; g < run->n_groups; g++) {
            const struct resource_group *grp = &run->groups[g];
            for (size_t i = 0; i < grp->n_items && !output_failed(out); i++) {
                const char *cells[CSVOUT_DETAIL_COLS];
                struct deploy_item item;
                csvout_item_cells(r + 1, run, grp, model_group_item(grp, i, &item), &scratch,
                                  cells);
                csv_out(out, cells, CSVOUT_DETAIL_COLS, raw);
            }
        }
    }
    csvout_scratch_free(&scratch);
}

int batch_detail(struct api_client *api, int64_t record_id, const struct batch_options *o,
                 FILE *out)
{
    struct detail_page page = {0};
    struct api_error err;
    int rc;
    if (o->all) {
        rc = api_detail_all(api, record_id, o->concurrency > 0 ? o->concurrency : 4, &page, NULL,
                            &err);
    } else {
        struct detail_query q = {record_id, o->offset, o->limit ? o->limit : API_DETAIL_MAX_LIMIT};
        rc = api_describe_detail(api, &q, &page, NULL, &err);
    }
    if (rc != 0) {
        batch_print_error(stderr, "DescribeHostUploadUpdateRecordDetail", &err);
        return apierr_exit_code(&err);
    }
    if (o->format == BATCH_JSON) {
        char *rid = page.request_id;
        page.request_id = NULL; /* written item by item: no tree, no document string */
        struct jsonw w;
        jsonw_init(&w, out);
        codec_write_detail_page(&w, &page);
        json_end(out, &w);
        page.request_id = rid;
    } else if (o->format == BATCH_CSV) {
        detail_csv(&page, o->csv_raw, out);
    } else {
        if (page.n_runs == 0) fprintf(out, "record %lld has no runs\n", (long long)record_id);
        detail_table(&page, out);
    }
    model_detail_page_clear(&page);
    return 0;
}

/* ---- write actions ---------------------------------------------------------------------- */

int batch_rollback(struct api_client *api, int64_t record_id, FILE *out)
{
    char rid[80] = "";
    struct api_error err;
    if (api_rollback(api, record_id, rid, sizeof rid, &err) != 0) {
        batch_print_error(stderr, "UploadUpdateCertificateRecordRollback", &err);
        if (err.outcome_unknown)
            fprintf(stderr,
                    "certdeck: the rollback of record %lld may have been applied — check with "
                    "`certdeck detail %lld` before retrying\n",
                    (long long)record_id, (long long)record_id);
        return apierr_exit_code(&err);
    }
    char *clean = sanitize_dup(rid);
    fprintf(out, "rollback of record %lld requested (RequestId %s)\n", (long long)record_id, clean);
    free(clean);
    return 0;
}

int batch_retry(struct api_client *api, int64_t record_id, int64_t detail_id, FILE *out)
{
    char rid[80] = "";
    struct api_error err;
    if (api_retry(api, record_id, detail_id, rid, sizeof rid, &err) != 0) {
        batch_print_error(stderr, "UploadUpdateCertificateRecordRetry", &err);
        if (err.outcome_unknown && detail_id >= 0)
            fprintf(stderr,
                    "certdeck: the retry of item %lld may have been applied — check its record "
                    "with `certdeck detail RECORD_ID` before retrying\n",
                    (long long)detail_id);
        else if (err.outcome_unknown)
            fprintf(stderr,
                    "certdeck: the retry of record %lld may have been applied — check with "
                    "`certdeck detail %lld` before retrying\n",
                    (long long)record_id, (long long)record_id);
        return apierr_exit_code(&err);
    }
    char *clean = sanitize_dup(rid);
    if (detail_id >= 0)
        fprintf(out, "retry of item %lld requested (RequestId %s)\n", (long long)detail_id, clean);
    else
        fprintf(out, "retry of the failed items of record %lld requested (RequestId %s)\n",
                (long long)record_id, clean);
    free(clean);
    return 0;
}

/* ---- the sinks, for the other batch commands (tui/cli/errors.c) -------------------------- */

void batch_table_out(FILE *out, const char *const *headers, const int *max_widths, size_t n_cols,
                     const char *const *cells, size_t n_rows)
{
    struct table t = {.headers = headers, .max_widths = max_widths, .n_cols = n_cols};
    for (size_t r = 0; r < n_rows; r++)
        table_add(&t, cells + r * n_cols);
    table_print(&t, out);
}

void batch_csv_out(FILE *out, const char *const *cells, size_t n, bool raw)
{
    csv_out(out, cells, n, raw);
}

void batch_json_out(FILE *out, cJSON *root)
{
    print_json(out, root);
}
