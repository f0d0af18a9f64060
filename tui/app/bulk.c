/* The bulk retry of a template's items: see bulk.h. The items go one at a time so that Esc
 * stops cleanly between two requests and each answer is matched to its item in the event log
 * (the trace names DeployRecordDetailId); the worker's rate limiter paces them with the reads. */
#include "tui/app/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apierr.h"
#include "core/sanitize.h"
#include "tui/text.h"

#define RETRY_ACTION "UploadUpdateCertificateRecordRetry"
#define MAX_CODES    8

struct bulk_retry {
    bool running;
    uint64_t record_id;
    uint64_t *ids;
    size_t n;
    char *tmpl;    /* sanitized, cut for the message line */
    size_t next;   /* ids[next] is the next to send */
    bool inflight; /* ids[next - 1] was sent and has no answer yet */
    int64_t since_ms;
    size_t accepted, refused, unknown;
    struct {
        char code[64];
        size_t n;
    } codes[MAX_CODES];
    size_t n_codes, other_codes;
    bool cancelled;
};

bool bulk_running(const struct app *a)
{
    return a->bulk_busy;
}

static void free_request(struct app *a)
{
    free(a->retry_req.ids);
    free(a->retry_req.tmpl);
    memset(&a->retry_req, 0, sizeof a->retry_req);
}

void bulk_free(struct app *a)
{
    free_request(a);
    a->bulk_busy = false;
    if (!a->bulk) return;
    free(a->bulk->ids);
    free(a->bulk->tmpl);
    free(a->bulk);
    a->bulk = NULL;
}

static void progress(struct app *a)
{
    struct bulk_retry *b = a->bulk;
    app_msg(a, APP_MSG_INFO,
            "retrying '%s': %zu of %zu sent, %zu accepted, %zu refused (Esc stops)", b->tmpl,
            b->next, b->n, b->accepted, b->refused);
}

static void finish(struct app *a)
{
    struct bulk_retry *b = a->bulk;
    struct buf s = {0};
    buf_printf(&s, "sent %zu, accepted %zu, refused %zu", b->next, b->accepted, b->refused);
    for (size_t i = 0; i < b->n_codes; i++)
        buf_printf(&s, "%s%s x%zu", i ? ", " : " (", b->codes[i].code, b->codes[i].n);
    if (b->other_codes) buf_printf(&s, ", other codes x%zu", b->other_codes);
    if (b->n_codes) buf_puts(&s, ")");
    buf_printf(&s, ", unknown %zu", b->unknown);
    if (b->next < b->n)
        buf_printf(&s, ", not sent %zu (%s)", b->n - b->next,
                   b->unknown ? "stopped after an unknown outcome: check, then retry again"
                              : "stopped with Esc");
    bool bad = b->refused || b->unknown || b->next < b->n;
    /* The event log names the template; the message line has room for the figures. */
    char *note =
        xasprintf("retry of %zu item%s of '%s': %s", b->n, b->n == 1 ? "" : "s", b->tmpl, s.data);
    app_note_add(a, bad, note);
    app_msg(a, bad ? APP_MSG_ERROR : APP_MSG_INFO, "retry of %zu item%s: %s (L: the log)", b->n,
            b->n == 1 ? "" : "s", s.data);
    free(note);
    buf_free(&s);
    b->running = false;
    a->bulk_busy = false;
}

static void send_next(struct app *a)
{
    struct bulk_retry *b = a->bulk;
    if (b->cancelled || b->unknown || b->next >= b->n) {
        finish(a);
        return;
    }
    b->since_ms = now_ms(); /* before the worker can start the call */
    b->inflight = true;
    worker_retry(a->worker, b->record_id, (int64_t)b->ids[b->next++]);
    progress(a);
}

void bulk_answer(struct app *a, bool yes)
{
    a->confirm.active = false;
    if (!yes) {
        if (a->input.len)
            app_msg(a, APP_MSG_INFO, "cancelled: '%s' is not %s: nothing sent", a->input.data,
                    a->confirm_word);
        else
            app_msg(a, APP_MSG_INFO, "cancelled: nothing sent");
        free_request(a);
        return;
    }
    struct bulk_retry *b = xcalloc(1, sizeof *b);
    b->record_id = a->retry_req.record_id;
    b->ids = a->retry_req.ids; /* taken over */
    b->n = a->retry_req.n;
    b->tmpl = a->retry_req.tmpl;
    memset(&a->retry_req, 0, sizeof a->retry_req);
    bulk_free(a); /* the previous run's summary */
    a->bulk = b;
    b->running = true;
    a->bulk_busy = true;
    send_next(a);
}

void bulk_cancel(struct app *a)
{
    if (!bulk_running(a)) return;
    a->bulk->cancelled = true;
    app_msg(a, APP_MSG_INFO, "stopping the retry: item %llu has been sent, nothing more will be",
            (unsigned long long)a->bulk->ids[a->bulk->next - 1]);
}

/* Whether params names DeployRecordDetailId=id exactly. */
static bool names_item(const char *params, uint64_t id)
{
    char want[48];
    int len = snprintf(want, sizeof want, "DeployRecordDetailId=%llu", (unsigned long long)id);
    for (const char *p = strstr(params, want); p; p = strstr(p + 1, want))
        if (p[len] < '0' || p[len] > '9') return true;
    return false;
}

static void count_code(struct bulk_retry *b, const char *code)
{
    for (size_t i = 0; i < b->n_codes; i++)
        if (!strcmp(b->codes[i].code, code)) {
            b->codes[i].n++;
            return;
        }
    if (b->n_codes == MAX_CODES) {
        b->other_codes++;
        return;
    }
    char *clean = sanitize_dup(code);
    strlcpy_safe(b->codes[b->n_codes].code, clean, sizeof b->codes[0].code);
    free(clean);
    b->codes[b->n_codes++].n = 1;
}

void bulk_check(struct app *a)
{
    if (!bulk_running(a) || !a->bulk->inflight) return;
    struct bulk_retry *b = a->bulk;
    uint64_t id = b->ids[b->next - 1];
    struct api_error err;
    bool have = false;
    store_lock(a->store);
    for (size_t i = store_log_len(a->store); i-- > 0;) {
        const struct api_trace *t = store_log_at(a->store, i);
        if (t->started_ms < b->since_ms || !t->action || strcmp(t->action, RETRY_ACTION) ||
            !names_item(t->params, id))
            continue;
        err = t->err;
        have = true;
        break;
    }
    store_unlock(a->store);
    if (!have) return;
    b->inflight = false;
    if (err.kind == APIERR_NONE) {
        b->accepted++;
    } else if (err.kind == APIERR_API) {
        b->refused++;
        count_code(b, err.code);
    } else {
        /* The request may have reached the server: it is never sent again. */
        b->unknown++;
        char e[1200], line[1400];
        snprintf(line, sizeof line, "retry of item %llu: unknown, check before retrying: %s",
                 (unsigned long long)id, apierr_format(&err, e, sizeof e));
        app_note_add(a, true, line);
    }
    send_next(a);
}
