/* What the loop does on every wake, interactive or scripted: take in what the store has new
 * (tick_pump), and run the timers that came due (spinner, auto-refresh, the status line's
 * age, the message timeout). */
#include "tui/app/tick.h"

#include "tui/app/bell.h"
#include "tui/app/bulk.h"
#include "tui/app/renew.h"
#include "tui/app/save.h"
#include "tui/app/switch.h"
#include "tui/app/writes.h"

#define SPINNER_MS             100
#define IN_PROGRESS_REFRESH_MS 3000
/* A step of a table's ordering: cell reads (about a millisecond's worth), and how long the
 * interactive loop keeps stepping before it looks at the keyboard again. */
#define TICK_WORK_UNITS 2048
#define TICK_WORK_MS    8

/* New data in the store: the visible view takes a fresh snapshot. */
void tick_pump(struct app *a)
{
    switch_apply(a);
    save_check(a);
    store_drain_wake(a->store);
    store_lock(a->store);
    uint64_t gen = store_generation(a->store);
    store_unlock(a->store);
    if (gen != a->seen_gen) {
        a->seen_gen = gen;
        renew_flow_check(a);
        struct view *v = app_top(a);
        if (v && v->ops->on_data) v->ops->on_data(v);
        bell_check(a);
        writes_check_pending(a);
        bulk_check(a);
        a->dirty = true;
    }
    bool busy = tick_busy(a);
    if (busy != a->spinning) a->dirty = true;
    a->spinning = busy;
}

static struct table *top_table(struct app *a)
{
    struct view *v = app_top(a);
    return v && v->ops->table ? v->ops->table(v) : NULL;
}

bool tick_working(struct app *a)
{
    struct table *t = top_table(a);
    return t && table_busy(t);
}

bool tick_busy(struct app *a)
{
    struct view *v = app_top(a);
    return (v && v->st.busy) || !worker_idle(a->worker) || tick_working(a);
}

bool tick_work(struct app *a)
{
    struct table *t = top_table(a);
    if (!t || !table_busy(t)) return false;
    int64_t until = now_ms() + TICK_WORK_MS;
    while (table_work(t, TICK_WORK_UNITS) && !a->script_mode && now_ms() < until)
        ;
    a->dirty = true;
    return table_busy(t);
}

static int64_t refresh_due(struct app *a)
{
    struct view *v = app_top(a);
    if (a->script_mode || !v || !v->ops->reload || v->st.busy || v->st.fetched_ms <= 0) return -1;
    int64_t interval =
        v->st.in_progress ? IN_PROGRESS_REFRESH_MS : (int64_t)a->cfg->refresh_s * 1000;
    if (interval <= 0) return -1;
    int64_t base = v->st.fetched_ms > a->last_auto_ms ? v->st.fetched_ms : a->last_auto_ms;
    return base + interval;
}

static int64_t min_due(int64_t a, int64_t b)
{
    if (a < 0) return b;
    if (b < 0) return a;
    return a < b ? a : b;
}

/* Timers that came due; returns the next deadline (-1: none). */
int64_t tick_timers(struct app *a)
{
    int64_t now = now_ms();
    int64_t next = -1;
    if (a->spinning && !a->script_mode) {
        if (now - a->last_spin_ms >= SPINNER_MS) {
            a->spinner++;
            a->last_spin_ms = now;
            a->dirty = true;
        }
        next = min_due(next, a->last_spin_ms + SPINNER_MS);
    }
    int64_t r = refresh_due(a);
    if (r >= 0 && r <= now) {
        struct view *v = app_top(a);
        a->last_auto_ms = now;
        v->ops->reload(v);
        v->ops->on_data(v);
        a->dirty = true;
        r = refresh_due(a);
    }
    next = min_due(next, r);
    if (a->age_next > 0 && a->age_next <= now) a->dirty = true; /* the age shown changed */
    next = min_due(next, a->age_next > 0 ? a->age_next : -1);
    if (a->msg[0] && a->msg_until != INT64_MAX) {
        if (now >= a->msg_until) {
            a->msg[0] = '\0';
            a->dirty = true;
        } else {
            next = min_due(next, a->msg_until);
        }
    }
    return next;
}
