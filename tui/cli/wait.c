/* `certdeck wait ID`: the record's latest run, polled until it stops moving. A script learns
 * the outcome from the exit code; a person watches the counts on stderr. */
#include "tui/cli/wait.h"

#include <cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/apierr.h"
#include "core/model.h"
#include "core/query.h"
#include "core/util.h"

#define BAR_WIDTH 20

/* The run that decides: the latest in time order (a rollback after a deploy included). */
static const struct deploy_run *latest_run(const struct detail_page *p)
{
    size_t order[64];
    size_t n = query_run_order(p, order, ARRAY_LEN(order));
    return n ? &p->runs[order[n - 1]] : NULL;
}

static const char *run_status(const struct deploy_run *r, char *buf, size_t n)
{
    if (!r) return "no runs yet";
    return model_status_label(r->status, buf, n);
}

/* "#37 rollback deploying [#####...] 3/5 done, 1 failed, 1 running, 0 pending" */
static void progress_line(int64_t id, const struct deploy_run *r, bool bar, struct buf *b)
{
    char st[32];
    buf_printf(b, "#%" PRId64 " %s run: %s", id,
               r && r->type == MODEL_RUN_ROLLBACK ? "rollback" : "deploy",
               run_status(r, st, sizeof st));
    if (!r) return;
    int64_t pending = r->has_pending_total_count ? r->pending_total_count : 0;
    if (bar) {
        int64_t total = r->total_count > 0 ? r->total_count : 1;
        int64_t done = r->success_total_count + r->failed_total_count;
        int fill = (int)(done * BAR_WIDTH / total);
        buf_puts(b, " [");
        for (int i = 0; i < BAR_WIDTH; i++)
            buf_putc(b, i < fill ? '#' : '.');
        buf_putc(b, ']');
    }
    buf_printf(b,
               " %" PRId64 "/%" PRId64 " done, %" PRId64 " failed, %" PRId64 " running, %" PRId64
               " pending",
               r->success_total_count + r->failed_total_count, r->total_count,
               r->failed_total_count, r->running_total_count, pending);
}

static void print_final(FILE *out, enum batch_format f, int64_t id, const struct deploy_run *r,
                        bool timed_out)
{
    char st[32];
    const char *status = timed_out && !r ? "unknown" : run_status(r, st, sizeof st);
    int64_t pending = r && r->has_pending_total_count ? r->pending_total_count : 0;
    int64_t v[5] = {r ? r->total_count : 0, r ? r->success_total_count : 0,
                    r ? r->failed_total_count : 0, r ? r->running_total_count : 0, pending};
    if (f == BATCH_JSON) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "Id", (double)id);
        cJSON_AddNumberToObject(o, "Type", r ? (double)r->type : 0);
        cJSON_AddNumberToObject(o, "Status", r ? (double)r->status : -1);
        cJSON_AddStringToObject(o, "StatusName", status);
        cJSON_AddNumberToObject(o, "TotalCount", (double)v[0]);
        cJSON_AddNumberToObject(o, "SuccessTotalCount", (double)v[1]);
        cJSON_AddNumberToObject(o, "FailedTotalCount", (double)v[2]);
        cJSON_AddNumberToObject(o, "RunningTotalCount", (double)v[3]);
        cJSON_AddNumberToObject(o, "PendingTotalCount", (double)v[4]);
        cJSON_AddBoolToObject(o, "TimedOut", timed_out);
        char *s = cJSON_PrintUnformatted(o);
        fprintf(out, "%s\n", s);
        free(s);
        cJSON_Delete(o);
    } else if (f == BATCH_CSV) {
        fprintf(out, "ID,RUN,STATUS,TOTAL,SUCCEEDED,FAILED,RUNNING,PENDING,TIMED OUT\n");
        fprintf(out,
                "%" PRId64 ",%s,%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
                ",%s\n",
                id, r && r->type == MODEL_RUN_ROLLBACK ? "rollback" : "deploy", status, v[0], v[1],
                v[2], v[3], v[4], timed_out ? "yes" : "no");
    } else {
        fprintf(out,
                "record %" PRId64 ": %s%s — %" PRId64 " of %" PRId64 " succeeded, %" PRId64
                " failed, %" PRId64 " running, %" PRId64 " pending\n",
                id, status, timed_out ? " (timed out waiting)" : "", v[1], v[0], v[2], v[3], v[4]);
    }
}

int batch_wait(struct api_client *api, int64_t record_id, const struct wait_options *o, FILE *out,
               FILE *err, bool err_is_tty)
{
    int64_t start = now_ms();
    int64_t deadline = o->timeout_s > 0 ? start + (int64_t)(o->timeout_s * 1000) : INT64_MAX;
    int64_t interval = o->interval_s > 0 ? (int64_t)(o->interval_s * 1000) : 5000;
    struct detail_page page = {0};
    struct buf last = {0}, line = {0};
    bool have = false;
    int rc = -1;
    for (;;) {
        struct detail_page next = {0};
        struct api_error e;
        struct detail_query q = {record_id, 0, 1}; /* the run totals come with any page */
        if (api_describe_detail(api, &q, &next, NULL, &e) == 0) {
            model_detail_page_clear(&page);
            page = next;
            have = true;
            const struct deploy_run *r = latest_run(&page);
            buf_reset(&line);
            progress_line(record_id, r, err_is_tty, &line);
            if (err_is_tty)
                fprintf(err, "\r%s\033[K", line.data);
            else if (!last.data || strcmp(last.data, line.data))
                fprintf(err, "%s\n", line.data);
            buf_reset(&last);
            buf_puts(&last, line.data);
            if (r && !query_run_in_progress(r)) {
                rc = r->status == MODEL_STATUS_SUCCESS ? 0 : WAIT_EXIT_NOT_SUCCEEDED;
                break;
            }
        } else if (apierr_retryable(&e)) {
            char msg[1200];
            fprintf(err, "%scertdeck: %s (trying again)\n", err_is_tty ? "\r\033[K" : "",
                    apierr_format(&e, msg, sizeof msg));
        } else {
            if (err_is_tty) fprintf(err, "\r\033[K");
            batch_print_error(err, "DescribeHostUploadUpdateRecordDetail", &e);
            rc = apierr_exit_code(&e);
            break;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            rc = WAIT_EXIT_TIMED_OUT;
            break;
        }
        sleep_ms(left < interval ? left : interval);
    }
    if (err_is_tty) fputc('\n', err);
    if (rc == 0 || rc == WAIT_EXIT_NOT_SUCCEEDED || rc == WAIT_EXIT_TIMED_OUT) {
        if (rc == WAIT_EXIT_TIMED_OUT)
            fprintf(err, "certdeck: record %" PRId64 " still moving after %.0f s\n", record_id,
                    o->timeout_s);
        print_final(out, o->format, record_id, have ? latest_run(&page) : NULL,
                    rc == WAIT_EXIT_TIMED_OUT);
    }
    model_detail_page_clear(&page);
    buf_free(&last);
    buf_free(&line);
    return rc;
}
