/* One TUI session as the screens and the app share it: the view stack, the message line, the
 * event log's notes, and the question before a write (y/N, or the record ID typed for a
 * rollback; the app sends it on the right answer). */
#include "tui/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/timefmt.h"
#include "tui/text.h"

#define MSG_MS 8000

struct store *app_store(struct app *a)
{
    return a->store;
}

struct worker *app_worker(struct app *a)
{
    return a->worker;
}

const struct keymap *app_keymap(struct app *a)
{
    return a->km;
}

void app_dirty(struct app *a)
{
    a->dirty = true;
}

const char *app_cert_filter(struct app *a)
{
    return a->cert_filter;
}

void app_note_add(struct app *a, bool error, const char *text)
{
    if (a->n_notes == MAX_NOTES) {
        free(a->notes[0].text);
        memmove(a->notes, a->notes + 1, (MAX_NOTES - 1) * sizeof a->notes[0]);
        a->n_notes--;
    }
    a->notes[a->n_notes++] = (struct note){sanitize_dup(text), now_ms(), error};
}

size_t app_note_count(struct app *a)
{
    return a->n_notes;
}

const char *app_note(struct app *a, size_t i, int64_t *at_ms, bool *is_error)
{
    if (i >= a->n_notes) return "";
    *at_ms = a->notes[i].at_ms;
    *is_error = a->notes[i].error;
    return a->notes[i].text;
}

void app_clock_text(struct app *a, int64_t at_ms, char *buf, size_t n)
{
    (void)a;
    timefmt_clock(now_unix() - (now_ms() - at_ms) / 1000, buf, n);
}

void app_msg(struct app *a, enum app_msg_kind kind, const char *fmt, ...)
{
    char raw[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    char *clean = sanitize_dup(raw);
    strlcpy_safe(a->msg, clean, sizeof a->msg);
    free(clean);
    a->msg_kind = kind;
    a->msg_until = a->script_mode ? INT64_MAX : now_ms() + MSG_MS;
    a->dirty = true;
}

struct view *app_top(struct app *a)
{
    return a->depth ? a->stack[a->depth - 1] : NULL;
}

void app_bump_generation(struct app *a)
{
    a->view_gen++;
    worker_set_generation(a->worker, a->view_gen);
}

void app_push(struct app *a, const struct view_ops *ops, const struct view_args *args)
{
    if (a->depth == MAX_DEPTH) {
        app_msg(a, APP_MSG_INFO, "too many screens open: go back first");
        return;
    }
    /* No new generation here: the views below stay on the stack and their fetches stay
     * useful (the user comes back to them). Leaving a view for good — app_pop — is what
     * drops and aborts its work. */
    struct view_args none = {0};
    struct view *v = xcalloc(1, sizeof *v);
    v->ops = ops;
    v->app = a;
    v->st.state = STORE_IDLE;
    ops->open(v, args ? args : &none);
    a->stack[a->depth++] = v;
    if (ops->on_data) ops->on_data(v);
    a->dirty = true;
}

void app_pop(struct app *a)
{
    if (a->depth <= 1) return;
    struct view *v = a->stack[--a->depth];
    v->ops->close(v);
    free(v);
    app_bump_generation(a);
    struct view *t = app_top(a);
    if (t->ops->on_data) t->ops->on_data(t); /* the cursor is still where it was */
    a->dirty = true;
}

void app_pop_to_root(struct app *a)
{
    while (a->depth > 1)
        app_pop(a);
}

static const char *write_word(enum app_write w)
{
    return w == APP_WRITE_ROLLBACK ? "rollback" : w == APP_WRITE_UPDATE ? "renewal" : "retry";
}

void app_confirm_write(struct app *a, enum app_write w, uint64_t record_id, int64_t detail_id,
                       const char *question)
{
    if (a->read_only) {
        app_msg(a, APP_MSG_ERROR, "read-only mode: %s refused (certdeck runs with --read-only)",
                write_word(w));
        return;
    }
    if (a->bulk_busy) {
        app_msg(a, APP_MSG_INFO, "a bulk retry is under way: wait for its summary (Esc stops it)");
        return;
    }
    if (a->pending.active) {
        app_msg(a, APP_MSG_INFO,
                "the previous %s has not answered yet: its result will show here (L lists the "
                "calls)",
                write_word(a->pending.kind));
        return;
    }
    a->confirm = (struct pending_write){true, w, record_id, detail_id, 0};
    strlcpy_safe(a->question, question, sizeof a->question);
    /* A rollback puts every resource of the task back: a reflex y must not do that. */
    a->confirm_word[0] = '\0';
    if (w == APP_WRITE_ROLLBACK)
        snprintf(a->confirm_word, sizeof a->confirm_word, "%llu", (unsigned long long)record_id);
    buf_reset(&a->input);
    a->prompt = PROMPT_CONFIRM;
    a->dirty = true;
}

void app_request_switch(struct app *a, const char *profile, const char *endpoint)
{
    a->switch_req.active = true;
    a->switch_req.profile_set = profile != NULL;
    a->switch_req.endpoint_set = endpoint != NULL;
    strlcpy_safe(a->switch_req.profile, profile ? profile : "", sizeof a->switch_req.profile);
    strlcpy_safe(a->switch_req.endpoint, endpoint ? endpoint : "", sizeof a->switch_req.endpoint);
    a->dirty = true;
}

const char *app_profile(struct app *a)
{
    return a->profile;
}

const char *app_endpoint(struct app *a)
{
    return a->endpoint;
}

void app_confirm_retry_items(struct app *a, uint64_t record_id, const uint64_t *ids, size_t n,
                             const char *tmpl)
{
    if (a->read_only) {
        app_msg(a, APP_MSG_ERROR, "read-only mode: retry refused (certdeck runs with --read-only)");
        return;
    }
    if (a->bulk_busy || a->pending.active) {
        app_msg(a, APP_MSG_INFO,
                "a retry is still under way: wait for its summary (L lists the "
                "calls)");
        return;
    }
    if (n == 0) {
        app_msg(a, APP_MSG_INFO, "this template has no failed item: nothing to retry");
        return;
    }
    free(a->retry_req.ids);
    free(a->retry_req.tmpl);
    a->retry_req.record_id = record_id;
    a->retry_req.n = n;
    a->retry_req.ids = xcalloc(n, sizeof *ids);
    memcpy(a->retry_req.ids, ids, n * sizeof *ids);
    char *clean = sanitize_dup(tmpl && *tmpl ? tmpl : "(no message)");
    struct buf cut = {0};
    text_fit(&cut, clean, 60);
    a->retry_req.tmpl = buf_steal(&cut);
    free(clean);
    char q[256];
    snprintf(q, sizeof q, "retry %zu item%s of '%s'?", n, n == 1 ? "" : "s", a->retry_req.tmpl);
    app_confirm_write(a, APP_WRITE_RETRY_ITEMS, record_id, -1, q);
    snprintf(a->confirm_word, sizeof a->confirm_word, "%zu", n);
}
