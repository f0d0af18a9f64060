/* The write actions (rollback, retry, renewal): the question before, the one request, and the
 * answer found in the event log after (a renewal's from its own thread, tui/app/renew.c). Each is
 * sent exactly once; read-only mode refuses them. */
#include "tui/app/writes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apierr.h"
#include "core/sanitize.h"
#include "tui/app/bulk.h"
#include "tui/app/prompt.h"
#include "tui/app/renew.h"

static const char *write_action_name(enum app_write w)
{
    return w == APP_WRITE_ROLLBACK ? "UploadUpdateCertificateRecordRollback"
           : w == APP_WRITE_UPDATE ? "UploadUpdateCertificateInstance"
                                   : "UploadUpdateCertificateRecordRetry";
}

static void submit(struct app *a)
{
    struct pending_write *c = &a->confirm;
    if (c->kind == APP_WRITE_UPDATE) {
        /* The renewal's call runs on its own thread (it repeats while the task is being
         * created); its outcome comes back through renew_flow_outcome. */
        c->active = false;
        if (!renew_flow_send(a)) {
            app_msg(a, APP_MSG_ERROR, "renewal not sent: nothing to send (r checks again)");
            return;
        }
        a->pending = *c;
        a->pending.active = true;
        a->pending.since_ms = now_ms();
        app_msg(a, APP_MSG_INFO, "renewal sent (%s)", write_action_name(c->kind));
        return;
    }
    a->pending = *c;
    a->pending.since_ms = now_ms(); /* before the worker can start the call */
    if (c->kind == APP_WRITE_ROLLBACK)
        worker_rollback(a->worker, c->record_id);
    else
        worker_retry(a->worker, c->record_id, c->detail_id);
    c->active = false;
    if (c->kind == APP_WRITE_ROLLBACK)
        app_msg(a, APP_MSG_INFO, "rollback of record #%llu sent", (unsigned long long)c->record_id);
    else if (c->detail_id >= 0)
        app_msg(a, APP_MSG_INFO, "retry of item %lld sent", (long long)c->detail_id);
    else
        app_msg(a, APP_MSG_INFO, "retry of record #%llu sent", (unsigned long long)c->record_id);
}

void writes_answer(struct app *a, bool yes)
{
    if (a->confirm.kind == APP_WRITE_RETRY_ITEMS) {
        bulk_answer(a, yes);
        return;
    }
    if (yes) {
        submit(a);
    } else {
        a->confirm.active = false;
        if (a->confirm_word[0] && a->input.len)
            app_msg(a, APP_MSG_INFO, "cancelled: '%s' is not %s", a->input.data, a->confirm_word);
        else
            app_msg(a, APP_MSG_INFO, "cancelled");
    }
}

/* The answer to a write lands in the event log: find it and say how it went. */
void writes_check_pending(struct app *a)
{
    if (!a->pending.active) return;
    if (a->pending.kind == APP_WRITE_UPDATE) {
        if (renew_flow_outcome(a)) a->pending.active = false;
        return;
    }
    const char *name = write_action_name(a->pending.kind);
    struct api_trace found;
    bool have = false;
    store_lock(a->store);
    /* The log is in the order calls ended: a read that began before the write may have ended
     * after it, so older entries are skipped, not a reason to stop looking. */
    for (size_t i = store_log_len(a->store); i-- > 0;) {
        const struct api_trace *t = store_log_at(a->store, i);
        if (t->started_ms < a->pending.since_ms) continue;
        if (t->action && !strcmp(t->action, name)) {
            found = *t;
            have = true;
            break;
        }
    }
    store_unlock(a->store);
    if (!have) return;
    a->pending.active = false;
    char what[96];
    if (a->pending.kind == APP_WRITE_ROLLBACK)
        snprintf(what, sizeof what, "rollback of record #%llu",
                 (unsigned long long)a->pending.record_id);
    else if (a->pending.detail_id >= 0)
        snprintf(what, sizeof what, "retry of item %lld (record #%llu)",
                 (long long)a->pending.detail_id, (unsigned long long)a->pending.record_id);
    else
        snprintf(what, sizeof what, "retry of record #%llu",
                 (unsigned long long)a->pending.record_id);
    char line[1400];
    if (found.err.kind == APIERR_NONE) {
        char *rid = sanitize_dup(found.request_id);
        snprintf(line, sizeof line, "%s accepted (RequestId %s)", what, rid);
        free(rid);
        app_note_add(a, false, line);
        app_msg(a, APP_MSG_INFO, "%s", line);
    } else if (found.err.outcome_unknown) {
        /* Sent, then no clear answer: it may have been applied. The worker refetches the
         * record after every write (worker_plan_after_write), so the screen shows the real
         * state in a moment; never send it again blindly. */
        char e[1200];
        apierr_format(&found.err, e, sizeof e);
        snprintf(line, sizeof line,
                 "%s may have been applied (%s) - refetching the record; check it "
                 "before retrying",
                 what, e);
        app_note_add(a, true, line);
        app_msg(a, APP_MSG_ERROR, "%s", line);
    } else {
        char e[1200];
        apierr_format(&found.err, e, sizeof e);
        snprintf(line, sizeof line, "%s failed: %s", what, e);
        app_note_add(a, true, line);
        app_msg(a, APP_MSG_ERROR, "%s - %s", line, apierr_hint(&found.err));
    }
}
