/* A record finishing under the operator's eyes. Every look at new data notes which watched
 * records are running (the list's status for the record list, the latest run for an open
 * detail, which is fresher than the list behind it); a record running at the previous look and
 * no longer running at this one has finished. Records not watched are forgotten, so coming
 * back to one that finished meanwhile does not ring. */
#include "tui/app/bell.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/query.h"

static bool status_running(int64_t status)
{
    enum model_tone t = model_status_tone(status);
    return t == MODEL_TONE_RUNNING || t == MODEL_TONE_PENDING;
}

static bool contains(const uint64_t *ids, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return true;
    return false;
}

/* Whether id was running at the last look; it is taken off, so one finish rings once. */
static bool take_was_running(struct app *a, uint64_t id)
{
    for (size_t i = 0; i < a->n_watch; i++)
        if (a->watch[i] == id) {
            a->watch[i] = 0;
            return true;
        }
    return false;
}

static void finished(struct app *a, uint64_t id, int64_t status)
{
    char st[32];
    model_status_label(status, st, sizeof st);
    a->bells++;
    if (a->cfg->bell) beep();
    char note[128];
    snprintf(note, sizeof note, "record %llu finished: %s (%s %u)", (unsigned long long)id, st,
             a->cfg->bell ? "bell" : "bell off, quiet", a->bells);
    app_note_add(a, false, note);
    app_msg(a, APP_MSG_INFO, "record %llu finished: %s", (unsigned long long)id, st);
}

/* One watched record seen with this status: into next[] while running, rung when it was
 * running at the last look. */
static void seen(struct app *a, uint64_t id, int64_t status, uint64_t *next, size_t *n)
{
    if (status_running(status)) {
        if (*n < BELL_WATCH_MAX && !contains(next, *n, id)) next[(*n)++] = id;
    } else if (take_was_running(a, id)) {
        finished(a, id, status);
    }
}

void bell_check(struct app *a)
{
    uint64_t next[BELL_WATCH_MAX];
    size_t n = 0;
    struct view *top = app_top(a);
    store_lock(a->store);
    if (top && top->ops == &records_view_ops) {
        const struct store_records *sr = store_records(a->store);
        for (size_t i = 0; sr && i < sr->n_records; i++)
            seen(a, sr->records[i].id, sr->records[i].status, next, &n);
    }
    for (int d = 0; d < a->depth; d++) {
        struct view *v = a->stack[d];
        uint64_t id = v->ops->record ? v->ops->record(v) : 0;
        const struct deploy_run *run =
            id ? query_latest_run(store_detail(a->store, id), false) : NULL;
        if (run) seen(a, id, run->status, next, &n);
    }
    store_unlock(a->store);
    memcpy(a->watch, next, n * sizeof *next);
    a->n_watch = n;
}
