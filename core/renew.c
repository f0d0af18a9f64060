/* The renewal call and its follow-up (see renew.h). */
#include "core/renew.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

bool renew_word_ok(const char *s)
{
    if (!*s || strlen(s) > 40) return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-') return false;
    return true;
}

int renew_split_words(const char *list, char **out, size_t max, size_t *n)
{
    char *copy = xstrdup(list);
    int rc = 0;
    *n = 0;
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        if (!renew_word_ok(w) || *n >= max) {
            rc = -1;
            break;
        }
        out[(*n)++] = xstrdup(w);
    }
    if (rc == 0 && *n == 0) rc = -1;
    if (rc != 0) {
        while (*n > 0)
            free(out[--*n]);
    }
    free(copy);
    return rc;
}

static bool wait_cancellable(int64_t ms, const atomic_int *cancel)
{
    int64_t deadline = now_ms() + ms;
    while (now_ms() < deadline) {
        if (cancel && atomic_load(cancel)) return false;
        int64_t left = deadline - now_ms();
        sleep_ms(left < 50 ? left : 50);
    }
    return !(cancel && atomic_load(cancel));
}

void renew_submit(struct api_client *api, const struct upload_request *req,
                  const struct renew_submit_opts *o, struct renew_submit_result *out)
{
    memset(out, 0, sizeof *out);
    int max_calls = o && o->max_calls > 0 ? o->max_calls : 8;
    int64_t wait = o && o->backoff_ms > 0 ? o->backoff_ms : 1000;
    int64_t max_wait = o && o->max_backoff_ms > 0 ? o->max_backoff_ms : 8000;
    for (;;) {
        struct upload_result r;
        out->calls++;
        if (api_upload_update(api, req, &r, &out->err) != 0) {
            /* api_call_run decides, for every write alike, whether the request may have been
             * applied (sent, then no clear answer): only that is unknown. */
            out->outcome = out->err.outcome_unknown ? RENEW_UNKNOWN : RENEW_REFUSED;
            return;
        }
        if (r.deploy_record_id > 0) {
            out->record_id = r.deploy_record_id;
            out->outcome = r.deploy_status == 0 ? RENEW_RUNNING : RENEW_CREATED;
            model_upload_result_clear(&r);
            return;
        }
        bool last = out->calls >= max_calls;
        if (o && o->on_creating) o->on_creating(o->ctx, out->calls, &r, last ? -1 : wait);
        model_upload_result_clear(&r);
        if (last) {
            out->outcome = RENEW_STILL_CREATING;
            return;
        }
        if (!wait_cancellable(wait, o ? o->cancel : NULL)) {
            /* Every call so far was answered: the task is being created, not unknown. */
            apierr_set(&out->err, APIERR_CANCELLED, "cancelled while the task was being created");
            out->outcome = RENEW_STILL_CREATING;
            return;
        }
        wait = wait * 2 > max_wait ? max_wait : wait * 2;
    }
}

void renew_progress_of(const struct detail_page *d, struct renew_progress *p)
{
    memset(p, 0, sizeof *p);
    if (!d->n_runs) return;
    const struct deploy_run *r = &d->runs[d->n_runs - 1];
    p->run_type = r->type;
    p->status = r->status;
    p->total = r->total_count;
    p->success = r->success_total_count;
    p->failed = r->failed_total_count;
    p->running = r->running_total_count;
    p->pending = r->pending_total_count;
    p->finished = r->status != MODEL_STATUS_WAITING && r->status != MODEL_STATUS_DEPLOYING;
}

int renew_follow(struct api_client *api, uint64_t record_id, const struct renew_follow_opts *o,
                 struct renew_progress *last, struct api_error *err)
{
    int64_t interval = o && o->interval_ms > 0 ? o->interval_ms : 2000;
    int64_t deadline = o && o->timeout_ms > 0 ? now_ms() + o->timeout_ms : INT64_MAX;
    const atomic_int *cancel = o ? o->cancel : NULL;
    bool first = true;
    memset(last, 0, sizeof *last);
    for (;;) {
        struct detail_query q = {(int64_t)record_id, 0, 1};
        struct detail_page d = {0};
        if (api_describe_detail(api, &q, &d, cancel, err) != 0) return -1;
        struct renew_progress p;
        renew_progress_of(&d, &p);
        model_detail_page_clear(&d);
        if (first || memcmp(&p, last, sizeof p) != 0) {
            *last = p;
            if (o && o->on_change) o->on_change(o->ctx, &p);
        }
        first = false;
        if (p.finished) return 0;
        if (now_ms() >= deadline) {
            apierr_clear(err);
            apierr_set(err, APIERR_CANCELLED, "record %llu still running after the time limit",
                       (unsigned long long)record_id);
            return -1;
        }
        if (!wait_cancellable(interval, cancel)) {
            apierr_clear(err);
            apierr_set(err, APIERR_CANCELLED, "cancelled");
            return -1;
        }
    }
}
