/* The one CSV (and row-JSON) writer, shared by the batch commands and the TUI's export: cells
 * are sanitized, quoted when needed, rows end in CRLF. Also the rows of the batch CSV of
 * records and of a record's detail, so an export of the same data is the same file. */
#ifndef CERTDECK_CSVOUT_H
#define CERTDECK_CSVOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/errtmpl.h"
#include "core/model.h"
#include "core/timefmt.h"
#include "core/util.h"

/* One CSV row. A cell that a spreadsheet would read as a formula (OWASP "CSV injection": it
 * begins with =, +, -, @, tab or CR) gets a ' in front unless raw. */
void csv_row(FILE *out, const char *const *cells, size_t n, bool raw);

/* Rows to a file as CSV (a header row first) or as a JSON array of objects keyed by the
 * headers; every cell sanitized. */
enum rowsink_format { ROWSINK_CSV, ROWSINK_JSON };
struct rowsink {
    FILE *out;
    enum rowsink_format format;
    const char *const *headers;
    size_t n_cols;
    size_t rows;
    bool raw; /* CSV: no ' before formula-like cells */
};
void rowsink_begin(struct rowsink *s, FILE *out, enum rowsink_format f, const char *const *headers,
                   size_t n_cols);
void rowsink_row(struct rowsink *s, const char *const *cells);
/* Ends the file (JSON's closing bracket); 0, or -1 when a write failed. */
int rowsink_end(struct rowsink *s);

/* "succeeded", or "status N" for an unknown value. */
const char *csvout_status(int64_t status, const char *(*name)(int64_t), char *buf, size_t n);

/* The batch CSV of records: CSVOUT_RECORD_COLS headers, and one record's cells (pointers into
 * r and scratch, valid until scratch changes). Times are in the display zone, labelled
 * (core/timefmt.h), unless api_times: then as the API wrote them (JSON keeps the API's
 * values). */
#define CSVOUT_RECORD_COLS 6
extern const char *const csvout_record_headers[CSVOUT_RECORD_COLS];
struct csvout_scratch {
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32];
    char t[3][TIMEFMT_LEN];
    struct buf join, join2, join3;
    bool api_times;
};
void csvout_record_cells(const struct update_record *r, struct csvout_scratch *s,
                         const char *cells[CSVOUT_RECORD_COLS]);
/* The batch CSV of a detail: one row per item; run_number is the run's 1-based position in
 * the page as listed. */
#define CSVOUT_DETAIL_COLS 24
extern const char *const csvout_detail_headers[CSVOUT_DETAIL_COLS];
void csvout_item_cells(size_t run_number, const struct deploy_run *run,
                       const struct resource_group *grp, const struct deploy_item *it,
                       struct csvout_scratch *s, const char *cells[CSVOUT_DETAIL_COLS]);
/* The batch CSV of `certdeck errors`: one row per error template; number is the template's
 * place in its set (1-based: what `retry --template N` takes), whatever order rows are
 * written in. */
#define CSVOUT_ERRORS_COLS 9
extern const char *const csvout_errors_headers[CSVOUT_ERRORS_COLS];
void csvout_errors_cells(size_t number, const struct errtmpl_group *g, struct csvout_scratch *s,
                         const char *cells[CSVOUT_ERRORS_COLS]);
void csvout_scratch_free(struct csvout_scratch *s);

#endif
