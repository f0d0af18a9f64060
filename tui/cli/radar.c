/* `certdeck radar`: the record list and the details the radar needs, fetched through the API
 * client, digested as they arrive (core/radar), printed through the batch sinks. */
#include "tui/cli/radar.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/apitime.h"
#include "core/timefmt.h"
#include "core/util.h"

/* "15m41s", or "" when no rollback delay could be read. */
static const char *delay_text(const struct radar_cert *c, char *buf, size_t n)
{
    buf[0] = '\0';
    if (c->n_delays) apitime_duration(c->median_delay, buf, n);
    return buf;
}

static char *record_ids_text(const struct radar_instance *in, const char *sep)
{
    struct buf b = {0};
    for (size_t k = 0; k < in->n_record_ids; k++)
        buf_printf(&b, "%s%llu", k ? sep : "", (unsigned long long)in->record_ids[k]);
    return b.data ? buf_steal(&b) : xstrdup("");
}

static cJSON *radar_json(const struct radar_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *certs = cJSON_AddArrayToObject(root, "Certificates");
    char st[32], d[32];
    for (size_t i = 0; i < r->n_certs; i++) {
        const struct radar_cert *c = &r->certs[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "OldCertId", c->old_cert_id);
        cJSON_AddNumberToObject(o, "Records", (double)c->records);
        cJSON_AddNumberToObject(o, "Failed", (double)c->failed);
        cJSON_AddNumberToObject(o, "RolledBack", (double)c->rolled_back);
        cJSON_AddNumberToObject(o, "RollbackFailed", (double)c->rollback_failed);
        cJSON_AddNumberToObject(o, "LastRecord", (double)c->last_record);
        cJSON_AddNumberToObject(o, "LastStatus", (double)c->last_status);
        cJSON_AddStringToObject(o, "LastStatusName",
                                model_status_label(c->last_status, st, sizeof st));
        cJSON_AddStringToObject(o, "LastCreateTime", c->last_time);
        if (c->n_delays) {
            cJSON_AddStringToObject(o, "MedianRollbackDelay", delay_text(c, d, sizeof d));
            cJSON_AddNumberToObject(o, "MedianRollbackDelaySeconds", (double)c->median_delay);
        } else {
            cJSON_AddNullToObject(o, "MedianRollbackDelay");
            cJSON_AddNullToObject(o, "MedianRollbackDelaySeconds");
        }
        cJSON_AddNumberToObject(o, "RollbacksTimed", (double)c->n_delays);
        cJSON_AddItemToArray(certs, o);
    }
    cJSON *insts = cJSON_AddArrayToObject(root, "Instances");
    for (size_t i = 0; i < r->n_instances; i++) {
        const struct radar_instance *in = &r->instances[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "InstanceId", in->instance_id);
        cJSON_AddStringToObject(o, "ResourceType", in->resource_type);
        cJSON *ids = cJSON_AddArrayToObject(o, "RecordIds");
        for (size_t k = 0; k < in->n_record_ids; k++)
            cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)in->record_ids[k]));
        cJSON_AddStringToObject(o, "LatestTemplate", in->latest_template);
        cJSON_AddNumberToObject(o, "LatestRecord", (double)in->latest_record);
        cJSON_AddItemToArray(insts, o);
    }
    cJSON_AddNumberToObject(root, "Details", (double)r->details_have);
    return root;
}

static void radar_csv(const struct radar_result *r, bool raw, FILE *out)
{
    static const char *const ch[] = {"old_cert_id", "records",          "failed",
                                     "rolled_back", "rollback_failed",  "last_record",
                                     "last_status", "last_create_time", "median_rollback_delay_s"};
    batch_csv_out(out, ch, ARRAY_LEN(ch), raw);
    for (size_t i = 0; i < r->n_certs; i++) {
        const struct radar_cert *c = &r->certs[i];
        char n[4][24], last[24], med[24], st[32], when[TIMEFMT_LEN];
        snprintf(n[0], 24, "%zu", c->records);
        snprintf(n[1], 24, "%zu", c->failed);
        snprintf(n[2], 24, "%zu", c->rolled_back);
        snprintf(n[3], 24, "%zu", c->rollback_failed);
        snprintf(last, sizeof last, "%llu", (unsigned long long)c->last_record);
        med[0] = '\0';
        if (c->n_delays) snprintf(med, sizeof med, "%lld", (long long)c->median_delay);
        const char *row[] = {c->old_cert_id,
                             n[0],
                             n[1],
                             n[2],
                             n[3],
                             last,
                             model_status_label(c->last_status, st, sizeof st),
                             timefmt_api(c->last_time, APITIME_CHINA, when, sizeof when),
                             med};
        batch_csv_out(out, row, ARRAY_LEN(row), raw);
    }
    fputc('\n', out);
    static const char *const ih[] = {"instance_id", "resource_type", "record_ids",
                                     "latest_template", "latest_record"};
    batch_csv_out(out, ih, ARRAY_LEN(ih), raw);
    for (size_t i = 0; i < r->n_instances; i++) {
        const struct radar_instance *in = &r->instances[i];
        char *ids = record_ids_text(in, ";");
        char last[24];
        snprintf(last, sizeof last, "%llu", (unsigned long long)in->latest_record);
        const char *row[] = {in->instance_id, in->resource_type, ids, in->latest_template, last};
        batch_csv_out(out, row, ARRAY_LEN(row), raw);
        free(ids);
    }
}

static void free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
    free(cells);
}

static void radar_table(const struct radar_result *r, FILE *out)
{
    fprintf(out, "Certificates (%zu), from %zu record detail%s\n", r->n_certs, r->details_have,
            r->details_have == 1 ? "" : "s");
    static const char *const ch[] = {"OLD CERT",  "RECORDS",     "FAILED",      "ROLLED BACK",
                                     "RB FAILED", "LAST RECORD", "LAST STATUS", "MEDIAN DELAY"};
    static const int cw[] = {24, 7, 6, 11, 9, 11, 16, 12};
    enum { NC = ARRAY_LEN(ch) };
    char **cells = xcalloc(r->n_certs * NC + 1, sizeof(char *));
    for (size_t i = 0; i < r->n_certs; i++) {
        const struct radar_cert *c = &r->certs[i];
        char **row = cells + i * NC, st[32], d[32];
        row[0] = xstrdup(c->old_cert_id);
        row[1] = xasprintf("%zu", c->records);
        row[2] = xasprintf("%zu", c->failed);
        row[3] = xasprintf("%zu", c->rolled_back);
        row[4] = xasprintf("%zu", c->rollback_failed);
        row[5] = xasprintf("#%llu", (unsigned long long)c->last_record);
        row[6] = xstrdup(model_status_label(c->last_status, st, sizeof st));
        row[7] = xstrdup(c->n_delays ? delay_text(c, d, sizeof d) : "-");
    }
    batch_table_out(out, ch, cw, NC, (const char *const *)cells, r->n_certs);
    free_cells(cells, r->n_certs * NC);

    fprintf(out, "\nRepeat offenders (%zu): instances that failed in two records or more\n",
            r->n_instances);
    if (r->n_instances == 0) return;
    static const char *const ih[] = {"INSTANCE", "TYPE", "RECORDS", "LATEST TEMPLATE"};
    static const int iw[] = {40, 12, 30, 80};
    enum { NI = ARRAY_LEN(ih) };
    cells = xcalloc(r->n_instances * NI, sizeof(char *));
    for (size_t i = 0; i < r->n_instances; i++) {
        const struct radar_instance *in = &r->instances[i];
        char **row = cells + i * NI;
        row[0] = xstrdup(in->instance_id);
        row[1] = xstrdup(in->resource_type);
        row[2] = record_ids_text(in, ",");
        row[3] = xstrdup(in->latest_template[0] ? in->latest_template : "(no message)");
    }
    batch_table_out(out, ih, iw, NI, (const char *const *)cells, r->n_instances);
    free_cells(cells, r->n_instances * NI);
}

int batch_radar(struct api_client *api, const char *since, const struct batch_options *o, FILE *out,
                FILE *err, bool progress)
{
    struct records_page recs = {0};
    struct api_error e;
    if (progress) fprintf(err, "radar: reading the record list…");
    if (api_records_all(api, NULL, &recs, NULL, &e) != 0) {
        if (progress) fputc('\n', err);
        batch_print_error(err, "DescribeHostUploadUpdateRecord", &e);
        return apierr_exit_code(&e);
    }
    size_t wanted = 0;
    for (size_t i = 0; i < recs.n_records; i++)
        wanted +=
            radar_wants_detail(&recs.records[i]) && radar_record_since(&recs.records[i], since);
    struct radar_digest *digests = xcalloc(wanted ? wanted : 1, sizeof *digests);
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < recs.n_records && rc == 0; i++) {
        const struct update_record *r = &recs.records[i];
        if (!radar_wants_detail(r) || !radar_record_since(r, since)) continue;
        if (progress) fprintf(err, "\rradar: %zu of %zu details\033[K", n, wanted);
        struct detail_page page = {0};
        if (api_detail_all(api, (int64_t)r->id, o->concurrency > 0 ? o->concurrency : 4, &page,
                           NULL, &e) != 0) {
            if (progress) fputc('\n', err);
            batch_print_error(err, "DescribeHostUploadUpdateRecordDetail", &e);
            rc = apierr_exit_code(&e);
        } else {
            radar_digest_of(r->id, &page, &digests[n++]);
        }
        model_detail_page_clear(&page);
    }
    if (progress && rc == 0) fprintf(err, "\rradar: %zu of %zu details\033[K\n", n, wanted);
    if (rc == 0) {
        struct radar_result res;
        radar_compute(recs.records, recs.n_records, since, digests, n, &res);
        if (o->format == BATCH_JSON) {
            cJSON *root = radar_json(&res);
            batch_json_out(out, root);
            cJSON_Delete(root);
        } else if (o->format == BATCH_CSV) {
            radar_csv(&res, o->csv_raw, out);
        } else {
            radar_table(&res, out);
        }
        radar_result_clear(&res);
    }
    for (size_t i = 0; i < n; i++)
        radar_digest_clear(&digests[i]);
    free(digests);
    model_records_page_clear(&recs);
    return rc;
}
