/* What one API call did (struct api_trace), for the event log and the status line, and the
 * observer slot through which a client hands every trace on, one at a time. */
#ifndef CERTDECK_TRACE_H
#define CERTDECK_TRACE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/apierr.h"

/* What one call did, for the event log and the status line. */
struct api_trace {
    const char *action;   /* static string, e.g. "DescribeHostUploadUpdateRecordDetail" */
    char params[160];     /* short summary, e.g. "DeployRecordId=2 Offset=200 Limit=200" */
    int64_t started_ms;   /* now_ms() at start */
    int64_t duration_ms;  /* including retries and rate-limit waits */
    int64_t rate_wait_ms; /* time spent waiting for the rate limiter */
    int attempts;
    int rate_limited; /* attempts the server answered RequestLimitExceeded */
    long http_status;
    char request_id[80];
    struct api_error err; /* kind APIERR_NONE on success */
};

typedef void (*api_observer_fn)(void *ctx, const struct api_trace *trace);

/* One client's observer. trace_observer_notify holds the slot's mutex around the call, so
 * calls from several threads reach the observer one at a time, and trace_observer_set does
 * not return while one is under way. */
struct trace_observer {
    pthread_mutex_t mu;
    api_observer_fn fn;
    void *ctx;
};
void trace_observer_init(struct trace_observer *o);
void trace_observer_destroy(struct trace_observer *o);
void trace_observer_set(struct trace_observer *o, api_observer_fn fn, void *ctx);
void trace_observer_notify(struct trace_observer *o, const struct api_trace *trace);

/* Append " Name=value" to a params summary of size n (the first without the space); a string
 * value is sanitized and cut to 40 bytes. */
void trace_param_str(char *params, size_t n, const char *name, const char *value);
void trace_param_int(char *params, size_t n, const char *name, int64_t v);
void trace_param_uint(char *params, size_t n, const char *name, uint64_t v);

/* A call starts now: t is cleared, then names the action and copies its params summary. */
void trace_begin(struct api_trace *t, const char *action, const char *params);
/* The call ended with rc and err (cleared by the caller on success): its error and duration,
 * and the RequestId as text for the event log — the error's when it failed, else the one the
 * decoder found, made inert here (errors are sanitized already). */
void trace_end(struct api_trace *t, int rc, const struct api_error *err);

#endif
