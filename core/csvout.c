/* CSV and row JSON, and the batch CSV's rows of records and items (see csvout.h). */
#include "core/csvout.h"

#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"

/* A cell a spreadsheet would read as a formula: one that begins with =, +, - or @, or with a
 * tab or CR (which the sanitizer shows as a space or "^M"), as the API's text or as written. */
static bool csv_is_formula(const char *raw, const char *clean)
{
    return (raw[0] && strchr("\t\r", raw[0])) || (clean[0] && strchr("=+-@\t\r", clean[0]));
}

/* One CSV cell, sanitized; quoted when it holds a separator, a quote or a line break, and
 * prefixed with ' when it would start a formula (unless raw). */
static void csv_field(struct buf *b, const char *s, bool raw)
{
    if (!s) s = "";
    char *clean = sanitize_dup(s);
    bool formula = !raw && csv_is_formula(s, clean);
    bool quote = strpbrk(clean, ",\"\r\n") != NULL || clean[0] == ' ';
    if (quote) buf_putc(b, '"');
    if (formula) buf_putc(b, '\'');
    for (const char *p = clean; *p; p++) {
        if (quote && *p == '"') buf_putc(b, '"');
        buf_putc(b, *p);
    }
    if (quote) buf_putc(b, '"');
    free(clean);
}

void csv_row(FILE *out, const char *const *cells, size_t n, bool raw)
{
    struct buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(&b, ',');
        csv_field(&b, cells[i], raw);
    }
    fprintf(out, "%s\r\n", b.data ? b.data : "");
    buf_free(&b);
}

/* A JSON string of the sanitized s: quotes, backslashes and what the sanitizer names
 * escaped. */
static void json_string(struct buf *b, const char *s)
{
    char *clean = sanitize_dup(s ? s : "");
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)clean; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            buf_printf(b, "\\u%04x", *p);
        else
            buf_putc(b, (char)*p);
    }
    buf_putc(b, '"');
    free(clean);
}

void rowsink_begin(struct rowsink *s, FILE *out, enum rowsink_format f, const char *const *headers,
                   size_t n_cols)
{
    *s = (struct rowsink){out, f, headers, n_cols, 0, false};
    if (f == ROWSINK_CSV)
        csv_row(out, headers, n_cols, s->raw);
    else
        fputs("[", out);
}

void rowsink_row(struct rowsink *s, const char *const *cells)
{
    if (s->format == ROWSINK_CSV) {
        csv_row(s->out, cells, s->n_cols, s->raw);
    } else {
        struct buf b = {0};
        buf_puts(&b, s->rows ? ",\n  {" : "\n  {");
        for (size_t c = 0; c < s->n_cols; c++) {
            if (c) buf_puts(&b, ", ");
            json_string(&b, s->headers[c]);
            buf_puts(&b, ": ");
            json_string(&b, cells[c]);
        }
        buf_putc(&b, '}');
        fputs(b.data, s->out);
        buf_free(&b);
    }
    s->rows++;
}

int rowsink_end(struct rowsink *s)
{
    if (s->format == ROWSINK_JSON) fputs(s->rows ? "\n]\n" : "]\n", s->out);
    return fflush(s->out) == 0 && !ferror(s->out) ? 0 : -1;
}

const char *csvout_status(int64_t status, const char *(*name)(int64_t), char *buf, size_t n)
{
    const char *s = name(status);
    if (s) return s;
    snprintf(buf, n, "status %lld", (long long)status);
    return buf;
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

/* A time cell: shown in the display zone, or as written when the caller keeps API times. */
static const char *time_cell(struct csvout_scratch *s, int slot, const char *v,
                             enum apitime_zone zone)
{
    if (s->api_times) return v;
    return timefmt_api(v, zone, s->t[slot], sizeof s->t[slot]);
}

const char *const csvout_record_headers[CSVOUT_RECORD_COLS] = {
    "ID", "OLD CERT", "RESOURCE TYPES", "STATUS", "CREATED", "UPDATED"};

void csvout_record_cells(const struct update_record *r, struct csvout_scratch *s,
                         const char *cells[CSVOUT_RECORD_COLS])
{
    snprintf(s->a, sizeof s->a, "%llu", (unsigned long long)r->id);
    cells[0] = s->a;
    cells[1] = r->old_cert_id;
    cells[2] = join(r->resource_types, r->n_resource_types, ",", &s->join);
    cells[3] = csvout_status(r->status, model_record_status_name, s->b, sizeof s->b);
    cells[4] = time_cell(s, 0, r->create_time, APITIME_CHINA);
    cells[5] = time_cell(s, 1, r->update_time, APITIME_CHINA);
}

const char *const csvout_detail_headers[CSVOUT_DETAIL_COLS] = {
    "run",         "run_type",      "run_status",  "run_created",   "resource_type", "id",
    "instance_id", "instance_name", "listener_id", "listener_name", "port",          "protocol",
    "sni",         "ssl_mode",      "domains",     "region",        "bucket",        "namespace",
    "secret_name", "old_cert_id",   "status",      "error",         "created",       "updated"};

void csvout_item_cells(size_t run_number, const struct deploy_run *run,
                       const struct resource_group *grp, const struct deploy_item *it,
                       struct csvout_scratch *s, const char *cells[CSVOUT_DETAIL_COLS])
{
    snprintf(s->a, sizeof s->a, "%zu", run_number);
    const char *type = model_run_type_name(run->type);
    if (!type) snprintf(s->b, sizeof s->b, "%lld", (long long)run->type);
    snprintf(s->d, sizeof s->d, "%llu", (unsigned long long)it->id);
    snprintf(s->e, sizeof s->e, "%lld", (long long)it->port);
    snprintf(s->g, sizeof s->g, "%lld", (long long)it->sni_switch);
    const char *row[CSVOUT_DETAIL_COLS] = {
        s->a,
        type ? type : s->b,
        csvout_status(run->status, model_run_status_name, s->c, sizeof s->c),
        time_cell(s, 0, run->create_time, APITIME_CHINA),
        grp->resource_type,
        s->d,
        it->instance_id,
        it->instance_name,
        it->listener_id,
        it->listener_name,
        s->e,
        it->protocol,
        s->g,
        it->ssl_mode,
        join(it->domains, it->n_domains, ";", &s->join),
        it->region,
        it->bucket,
        it->namespace_,
        it->secret_name,
        it->old_cert_id,
        csvout_status(it->status, model_item_status_name, s->f, sizeof s->f),
        it->error_msg,
        time_cell(s, 1, it->create_time, APITIME_UTC),
        time_cell(s, 2, it->update_time, APITIME_UTC)};
    memcpy(cells, row, sizeof row);
}

const char *const csvout_errors_headers[CSVOUT_ERRORS_COLS] = {
    "number",  "count",    "failed",  "rollback_failed", "resource_types",
    "regions", "template", "example", "detail_ids"};

void csvout_errors_cells(size_t number, const struct errtmpl_group *g, struct csvout_scratch *s,
                         const char *cells[CSVOUT_ERRORS_COLS])
{
    snprintf(s->a, sizeof s->a, "%zu", number);
    snprintf(s->b, sizeof s->b, "%zu", g->count);
    snprintf(s->c, sizeof s->c, "%zu", g->failed);
    snprintf(s->d, sizeof s->d, "%zu", g->rollback_failed);
    buf_reset(&s->join3);
    for (size_t k = 0; k < g->n_detail_ids; k++)
        buf_printf(&s->join3, "%s%llu", k ? ";" : "", (unsigned long long)g->detail_ids[k]);
    const char *row[CSVOUT_ERRORS_COLS] = {
        s->a,
        s->b,
        s->c,
        s->d,
        join(g->resource_types, g->n_resource_types, ";", &s->join),
        join(g->regions, g->n_regions, ";", &s->join2),
        g->text,
        g->example,
        s->join3.data ? s->join3.data : ""};
    memcpy(cells, row, sizeof row);
}

void csvout_scratch_free(struct csvout_scratch *s)
{
    buf_free(&s->join);
    buf_free(&s->join2);
    buf_free(&s->join3);
}
