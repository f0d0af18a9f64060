/* The trace of one API call: its params summary, its outcome, and the observer slot that
 * hands it to the event log. */
#include "core/trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/util.h"

void trace_observer_init(struct trace_observer *o)
{
    pthread_mutex_init(&o->mu, NULL);
    o->fn = NULL;
    o->ctx = NULL;
}

void trace_observer_destroy(struct trace_observer *o)
{
    pthread_mutex_destroy(&o->mu);
}

void trace_observer_set(struct trace_observer *o, api_observer_fn fn, void *ctx)
{
    pthread_mutex_lock(&o->mu);
    o->fn = fn;
    o->ctx = ctx;
    pthread_mutex_unlock(&o->mu);
}

void trace_observer_notify(struct trace_observer *o, const struct api_trace *trace)
{
    pthread_mutex_lock(&o->mu);
    if (o->fn) o->fn(o->ctx, trace);
    pthread_mutex_unlock(&o->mu);
}

void trace_param_str(char *params, size_t n, const char *name, const char *value)
{
    struct buf b = {0};
    buf_printf(&b, "%s%s=", params[0] ? " " : "", name);
    sanitize_append(&b, value, strlen(value) > 40 ? 40 : strlen(value), false);
    size_t used = strlen(params);
    if (used < n) strlcpy_safe(params + used, b.data, n - used);
    buf_free(&b);
}

void trace_param_int(char *params, size_t n, const char *name, int64_t v)
{
    size_t used = strlen(params);
    if (used < n) snprintf(params + used, n - used, "%s%s=%" PRId64, used ? " " : "", name, v);
}

void trace_param_uint(char *params, size_t n, const char *name, uint64_t v)
{
    size_t used = strlen(params);
    if (used < n) snprintf(params + used, n - used, "%s%s=%" PRIu64, used ? " " : "", name, v);
}

void trace_begin(struct api_trace *t, const char *action, const char *params)
{
    memset(t, 0, sizeof *t);
    t->action = action;
    strlcpy_safe(t->params, params, sizeof t->params);
    t->started_ms = now_ms();
}

void trace_end(struct api_trace *t, int rc, const struct api_error *err)
{
    if (rc != 0 && err->request_id[0])
        strlcpy_safe(t->request_id, err->request_id, sizeof t->request_id);
    if (rc == 0) sanitize_copy(t->request_id, sizeof t->request_id, t->request_id);
    t->err = *err;
    t->duration_ms = now_ms() - t->started_ms;
}
