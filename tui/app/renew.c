/* U's renewal (see renew.h): the prompts' answers, the local pre-flight (files read here, on the
 * UI thread), the coverage read and the call on the renewal's own thread (core/renew_task.h),
 * and what the call's outcome means for the screens. */
#include "tui/app/renew.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/query.h"
#include "core/renew_task.h"
#include "core/sanitize.h"
#include "tui/app/options.h"
#include "tui/app/prompt.h"
#include "tui/pathcomp.h"
#include "tui/renewal.h"
#include "tui/text.h"

static void wake_store(void *ctx)
{
    store_touch(ctx);
}

/* What the files held and what the checks found: gone (the key wiped). The certificate, the
 * record, the paths and the types stay for the next look. */
static void clear_checks(struct renewal *r)
{
    preflight_free(&r->pf);
    r->n_local = 0;
    r->coverage_in = false;
    apierr_clear(&r->coverage_err);
    coverage_deployed_free(&r->dep);
    free(r->uncovered);
    r->uncovered = NULL;
    r->n_uncovered = 0;
    r->force = false;
    preflight_secret_wipe(&r->cert);
    preflight_secret_wipe(&r->key);
    r->calls = 0;
    r->next_wait_ms = -1;
    memset(&r->result, 0, sizeof r->result);
}

static void free_types(struct renewal *r)
{
    for (size_t i = 0; i < r->n_types; i++)
        free(r->types[i]);
    r->n_types = 0;
}

void renew_flow_free(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r) return;
    renew_task_free(r->task); /* joins; a key it still held is wiped */
    clear_checks(r);
    free_types(r);
    free(r->old_cert);
    free(r->default_types);
    free(r->cert_path);
    free(r->key_path);
    free(r);
    a->renewal = NULL;
}

bool renew_flow_busy(struct app *a)
{
    return a->renewal && renew_task_busy(a->renewal->task);
}

bool renew_flow_sending(struct app *a)
{
    return a->renewal && a->renewal->phase == RENEWAL_SENDING;
}

const struct renewal *app_renewal(struct app *a)
{
    return a->renewal;
}

/* Whether the ID can be typed at the confirmation (printable ASCII that fits). */
static bool typeable(const char *id)
{
    if (!id[0] || strlen(id) >= CONFIRM_WORD_MAX) return false;
    for (const char *p = id; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f) return false;
    return true;
}

void app_renew_start(struct app *a, uint64_t record_id)
{
    if (a->read_only) {
        app_msg(a, APP_MSG_ERROR,
                "read-only mode: renewal refused (certdeck runs with --read-only)");
        return;
    }
    if (a->bulk_busy || a->pending.active) {
        app_msg(a, APP_MSG_INFO, "a write is under way: wait for its answer (L lists the calls)");
        return;
    }
    char *cert = NULL;
    struct buf types = {0};
    store_lock(a->store);
    const struct update_record *rec = query_record(store_records(a->store), record_id);
    if (rec && rec->old_cert_id) {
        cert = xstrdup(rec->old_cert_id);
        for (size_t i = 0; i < rec->n_resource_types; i++)
            buf_printf(&types, "%s%s", i ? "," : "",
                       rec->resource_types[i] ? rec->resource_types[i] : "");
    }
    store_unlock(a->store);
    if (!cert || !cert[0] || !typeable(cert)) {
        char *shown = sanitize_dup(cert ? cert : "");
        if (!shown[0])
            app_msg(a, APP_MSG_ERROR, "record #%llu names no certificate: nothing to renew",
                    (unsigned long long)record_id);
        else
            app_msg(a, APP_MSG_ERROR,
                    "certificate ID '%s' cannot be typed to confirm: use certdeck update", shown);
        free(shown);
        free(cert);
        buf_free(&types);
        return;
    }
    /* The paths of the last renewal are proposed again (after a wrong key, say). */
    char *cert_path = NULL, *key_path = NULL;
    if (a->renewal) {
        cert_path = a->renewal->cert_path;
        key_path = a->renewal->key_path;
        a->renewal->cert_path = a->renewal->key_path = NULL;
    }
    renew_flow_free(a); /* a coverage read still out is cancelled */
    struct renewal *r = xcalloc(1, sizeof *r);
    r->phase = RENEWAL_ASKING;
    r->from_record = record_id;
    r->old_cert = cert;
    r->default_types = buf_steal(&types);
    if (!r->default_types) r->default_types = xstrdup("");
    r->cert_path = cert_path;
    r->key_path = key_path;
    r->next_wait_ms = -1;
    a->renewal = r;
    prompt_open_ask(a, ASK_RENEW_CERT, cert_path);
    char *shown = sanitize_dup(cert);
    app_msg(a, APP_MSG_INFO, "renewing certificate %s (record #%llu): the new chain, leaf first",
            shown, (unsigned long long)record_id);
    free(shown);
}

/* Leaves the checklist if it is on top (its close clears the checks). */
static void leave_checklist(struct app *a)
{
    struct view *top = app_top(a);
    if (top && top->ops == &renew_view_ops) app_pop(a);
}

void renew_flow_abandon(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r || r->phase == RENEWAL_SENDING) return;
    leave_checklist(a);
    renew_task_free(r->task); /* a coverage read still out is cancelled */
    r->task = NULL;
    clear_checks(r);
    r->phase = RENEWAL_ASKING;
    app_msg(a, APP_MSG_INFO, "renewal cancelled: nothing was sent");
}

/* Reads the files once and runs the local checks; the coverage read goes to the thread. */
static void run_checks(struct app *a)
{
    struct renewal *r = a->renewal;
    clear_checks(r);
    char msg[256];
    mode_t mode = 0;
    char *path = pathcomp_expand(r->cert_path, NULL);
    int rc = preflight_read_file(path, &r->cert, NULL, msg, sizeof msg);
    free(path);
    if (rc != 0) {
        app_msg(a, APP_MSG_ERROR, "the chain file %s: %s", r->cert_path, msg);
        r->phase = RENEWAL_ASKING;
        prompt_open_ask(a, ASK_RENEW_CERT, r->cert_path);
        return;
    }
    path = pathcomp_expand(r->key_path, NULL);
    rc = preflight_read_file(path, &r->key, &mode, msg, sizeof msg);
    free(path);
    if (rc != 0) {
        preflight_secret_wipe(&r->cert);
        app_msg(a, APP_MSG_ERROR, "the key file %s: %s", r->key_path, msg);
        r->phase = RENEWAL_ASKING;
        prompt_open_ask(a, ASK_RENEW_KEY, r->key_path);
        return;
    }
    preflight_chain(&r->pf, r->cert.data, r->cert.len);
    preflight_key(&r->pf, r->key.data, r->key.len);
    preflight_key_mode(&r->pf, mode);
    if (r->pf.have_leaf) preflight_validity(&r->pf, now_unix() + a->opts->clock_offset_s);
    r->n_local = r->pf.n_checks;
    if (!r->task) r->task = renew_task_new(a->api, wake_store, a->store);
    if (renew_task_read_coverage(r->task, r->old_cert, r->types, r->n_types) != 0) {
        /* The last read is still out (cancelled by now): start afresh. */
        renew_task_free(r->task);
        r->task = renew_task_new(a->api, wake_store, a->store);
        renew_task_read_coverage(r->task, r->old_cert, r->types, r->n_types);
    }
    r->phase = RENEWAL_CHECKING;
    struct view *top = app_top(a);
    if (!top || top->ops != &renew_view_ops) app_push(a, &renew_view_ops, NULL);
    a->dirty = true;
}

void renew_flow_answer(struct app *a, enum prompt_ask ask, const char *text)
{
    struct renewal *r = a->renewal;
    if (!r || r->phase == RENEWAL_SENDING) return;
    char *t = xstrdup(text);
    char *v = str_trim(t);
    if (!v[0] && ask != ASK_RENEW_TYPES) {
        free(t);
        renew_flow_abandon(a);
        return;
    }
    if (ask == ASK_RENEW_CERT) {
        free(r->cert_path);
        r->cert_path = xstrdup(v);
        prompt_open_ask(a, ASK_RENEW_KEY, r->key_path);
    } else if (ask == ASK_RENEW_KEY) {
        free(r->key_path);
        r->key_path = xstrdup(v);
        struct buf typed = {0};
        for (size_t i = 0; i < r->n_types; i++)
            buf_printf(&typed, "%s%s", i ? "," : "", r->types[i]);
        prompt_open_ask(a, ASK_RENEW_TYPES, typed.len ? typed.data : r->default_types);
        buf_free(&typed);
    } else {
        free_types(r);
        if (renew_split_words(v, r->types, RENEWAL_MAX_TYPES, &r->n_types) != 0) {
            app_msg(a, APP_MSG_ERROR,
                    "resource types are lowercase names separated by commas, such as clb,waf: "
                    "not '%s'",
                    v);
            prompt_open_ask(a, ASK_RENEW_TYPES, v);
        } else {
            run_checks(a);
        }
    }
    free(t);
}

void renew_flow_check(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r || !r->task || r->phase != RENEWAL_CHECKING) return;
    int rc;
    struct coverage_deployed dep;
    struct api_error err;
    if (!renew_task_take_coverage(r->task, &rc, &dep, &err)) return;
    r->coverage_in = true;
    if (rc != 0) {
        r->coverage_err = err;
        char e[1200];
        apierr_format(&err, e, sizeof e);
        preflight_add(&r->pf, "coverage", PREFLIGHT_FAIL,
                      "the certificate's last update record could not be read: %s", e);
    } else {
        char fk[32];
        keymap_first_key(a->km, KM_RENEW, ACT_RENEW_FORCE, fk, sizeof fk);
        r->dep = dep;
        r->n_uncovered = coverage_preflight(&r->pf, &r->dep, r->force, fk, &r->uncovered);
    }
    r->phase = RENEWAL_READY;
    a->dirty = true;
}

void app_renew_go(struct app *a, bool force)
{
    struct renewal *r = a->renewal;
    if (!r) return;
    char fk[32];
    keymap_first_key(a->km, KM_RENEW, ACT_RENEW_FORCE, fk, sizeof fk);
    switch (r->phase) {
    case RENEWAL_ASKING:
        return;
    case RENEWAL_CHECKING:
        app_msg(a, APP_MSG_INFO, "the coverage check is still reading the last update record");
        return;
    case RENEWAL_SENDING:
        app_msg(a, APP_MSG_INFO, "the renewal is being sent: its answer will show here");
        return;
    case RENEWAL_DONE:
        app_msg(a, APP_MSG_INFO, "this renewal was sent (its outcome is shown); r starts over");
        return;
    case RENEWAL_READY:
        break;
    }
    bool failed = r->coverage_err.kind != APIERR_NONE;
    for (size_t i = 0; i < r->n_local; i++)
        failed |= r->pf.checks[i].level == PREFLIGHT_FAIL;
    if (failed || !r->key.data) {
        app_msg(a, APP_MSG_ERROR,
                "the pre-flight failed: nothing is sent; fix what is marked %s, then r checks "
                "again",
                text_glyphs()->mark_failed);
        return;
    }
    if (r->n_uncovered > 0 && !r->force) {
        if (!force) {
            app_msg(a, APP_MSG_ERROR,
                    "%zu deployed domain%s not covered by the new certificate: %s goes ahead "
                    "anyway (as update --force)",
                    r->n_uncovered, r->n_uncovered == 1 ? " is" : "s are", fk);
            return;
        }
        /* The coverage line is now a warning that says it was overridden. */
        r->force = true;
        r->pf.n_checks = r->n_local;
        free(r->uncovered);
        r->n_uncovered = coverage_preflight(&r->pf, &r->dep, true, fk, &r->uncovered);
    }
    char *cert = sanitize_dup(r->old_cert);
    struct buf q = {0};
    buf_puts(&q, "Push the new certificate to the ");
    for (size_t i = 0; i < r->n_types; i++)
        buf_printf(&q, "%s%s", i == 0 ? "" : i + 1 == r->n_types ? " and " : ", ", r->types[i]);
    buf_printf(&q, " resources of certificate %s?", cert);
    app_confirm_write(a, APP_WRITE_UPDATE, r->from_record, -1, q.data);
    if (a->prompt == PROMPT_CONFIRM && a->confirm.kind == APP_WRITE_UPDATE)
        strlcpy_safe(a->confirm_word, r->old_cert, sizeof a->confirm_word);
    buf_free(&q);
    free(cert);
}

void app_renew_recheck(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r) return;
    if (r->phase == RENEWAL_SENDING) {
        app_msg(a, APP_MSG_INFO, "the renewal is being sent: its answer will show here");
        return;
    }
    run_checks(a);
}

void app_renew_open_record(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r || r->phase != RENEWAL_DONE || !r->result.record_id ||
        (r->result.outcome != RENEW_RUNNING && r->result.outcome != RENEW_CREATED)) {
        app_msg(a, APP_MSG_INFO, "no record to open here yet");
        return;
    }
    struct view_args args = {.record_id = r->result.record_id};
    app_push(a, &detail_view_ops, &args);
}

void app_renew_closed(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r || r->phase == RENEWAL_SENDING) return; /* the task holds the key until the answer */
    if (r->phase == RENEWAL_CHECKING) {
        renew_task_free(r->task); /* the read is cancelled; its result would go nowhere */
        r->task = NULL;
    }
    clear_checks(r);
    if (r->phase != RENEWAL_DONE) r->phase = RENEWAL_ASKING;
}

bool renew_flow_send(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r || r->phase != RENEWAL_READY || !r->key.data || !r->task) return false;
    struct upload_request req = {.old_certificate_id = r->old_cert,
                                 .resource_types = (const char *const *)r->types,
                                 .n_resource_types = r->n_types,
                                 .public_key_pem = r->cert.data};
    if (renew_task_submit(r->task, &req, &r->key, NULL) != 0) return false;
    preflight_secret_wipe(&r->cert); /* the task has its copy */
    r->phase = RENEWAL_SENDING;
    r->calls = 0;
    r->next_wait_ms = -1;
    return true;
}

/* The record list fetched again: the new record (or the truth after an unknown outcome). */
static void refresh_records(struct app *a)
{
    struct view *root = a->depth ? a->stack[0] : NULL;
    if (root && root->ops == &records_view_ops && root->ops->reload) root->ops->reload(root);
}

static void say(struct app *a, bool error, const char *line, const char *more)
{
    app_note_add(a, error, line);
    app_msg(a, error ? APP_MSG_ERROR : APP_MSG_INFO, "%s%s", line, more ? more : "");
}

bool renew_flow_outcome(struct app *a)
{
    struct renewal *r = a->renewal;
    if (!r || !r->task || r->phase != RENEWAL_SENDING) return true;
    int calls;
    int64_t wait;
    if (renew_task_take_creating(r->task, &calls, &wait)) {
        r->calls = calls;
        r->next_wait_ms = wait;
        a->dirty = true;
    }
    struct renew_submit_result res;
    if (!renew_task_take_submit(r->task, &res)) return false;
    r->result = res;
    r->phase = RENEWAL_DONE;
    a->dirty = true;
    char *cert = sanitize_dup(r->old_cert);
    unsigned long long id = (unsigned long long)res.record_id;
    char line[1600], e[1200];
    apierr_format(&res.err, e, sizeof e);
    switch (res.outcome) {
    case RENEW_CREATED: {
        snprintf(line, sizeof line, "renewal of certificate %s: record #%llu created", cert, id);
        say(a, false, line, ", following it");
        /* The operator is looking at the checklist: the new record takes its place. */
        struct view *top = app_top(a);
        if (top && top->ops == &renew_view_ops && a->prompt == PROMPT_NONE) {
            app_pop(a);
            struct view_args args = {.record_id = res.record_id};
            app_push(a, &detail_view_ops, &args);
        } else {
            char more[64];
            snprintf(more, sizeof more, " (:record %llu follows it)", id);
            app_msg(a, APP_MSG_INFO, "%s%s", line, more);
        }
        break;
    }
    case RENEW_RUNNING: {
        char ok[32];
        keymap_first_key(a->km, KM_RENEW, ACT_OPEN, ok, sizeof ok);
        snprintf(line, sizeof line,
                 "certificate %s has a task running already: record #%llu; nothing new was "
                 "created",
                 cert, id);
        char more[96];
        snprintf(more, sizeof more, " (%s opens it)", ok);
        say(a, true, line, more);
        break;
    }
    case RENEW_STILL_CREATING:
        snprintf(line, sizeof line,
                 "renewal of certificate %s: the task was still being created after %d calls; "
                 "the request may have been applied: :cert %s lists its records",
                 cert, res.calls, cert);
        say(a, true, line, NULL);
        break;
    case RENEW_REFUSED: {
        snprintf(line, sizeof line, "renewal of certificate %s failed: %s; nothing was applied",
                 cert, e);
        char *hint = sanitize_dup(apierr_hint(&res.err));
        char more[400];
        snprintf(more, sizeof more, " - %s", hint);
        free(hint);
        say(a, true, line, more);
        break;
    }
    case RENEW_UNKNOWN:
        snprintf(line, sizeof line,
                 "renewal of certificate %s may have been applied (%s): check :cert %s before "
                 "sending it again",
                 cert, e, cert);
        say(a, true, line, NULL);
        break;
    }
    refresh_records(a);
    free(cert);
    return true;
}
