/* Batch mode: the same core as the TUI, printing a table, JSON or CSV for scripts and tests.
 * Every string reaches the output through the sanitizer (table, CSV) or JSON escaping. */
#ifndef CERTDECK_BATCH_H
#define CERTDECK_BATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/api.h"

enum batch_format { BATCH_TABLE = 0, BATCH_JSON, BATCH_CSV };

struct batch_options {
    enum batch_format format;
    bool all;             /* page through everything */
    int64_t offset;       /* first page only (without --all) */
    int64_t limit;        /* first page only; 0: 20 for records, 200 for detail */
    const char *old_cert; /* records: OldCertificateId filter */
    int concurrency;      /* detail --all: parallel pages */
    bool csv_raw;         /* CSV cells as sanitized, without the ' that defuses formulas */
};

/* Each returns a process exit code (0, 1 API error, 3 network, 4 a write whose outcome is
 * unknown: sent, then no clear answer) and prints errors, with their hint and RequestId, on
 * stderr. */
int batch_records(struct api_client *api, const struct batch_options *o, FILE *out);
int batch_detail(struct api_client *api, int64_t record_id, const struct batch_options *o,
                 FILE *out);
int batch_rollback(struct api_client *api, int64_t record_id, FILE *out);
int batch_retry(struct api_client *api, int64_t record_id, int64_t detail_id, FILE *out);

/* The three sinks, for batch commands in other files: an aligned table of n_rows rows of n_cols
 * cells (row-major; sanitized and fitted here), one CSV row (sanitized), and a JSON value
 * (escaped so it is inert on a terminal). */
struct cJSON;
void batch_table_out(FILE *out, const char *const *headers, const int *max_widths, size_t n_cols,
                     const char *const *cells, size_t n_rows);
void batch_csv_out(FILE *out, const char *const *cells, size_t n, bool raw);
void batch_json_out(FILE *out, struct cJSON *root);

/* Prints one API error as the batch CLI and doctor do: the formatted error, then the hint. */
void batch_print_error(FILE *err, const char *what, const struct api_error *e);

#endif
