/* A renewal's network work on a thread of its own, for the TUI, whose UI thread never waits on
 * the network: first the coverage read (coverage_read_deployed), then the call and its repeats
 * while the task is being created (renew_submit). One job at a time. The thread calls wake when
 * it has news (a result, or another answer "being created"); the UI takes the news when it
 * looks. No curses.
 *
 * The private key: renew_task_submit takes the caller's buffer over, and the thread wipes it
 * (OPENSSL_cleanse) as soon as the call is over, whatever its outcome. */
#ifndef CERTDECK_RENEW_TASK_H
#define CERTDECK_RENEW_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/coverage.h"
#include "core/preflight.h"
#include "core/renew.h"

struct renew_task;

/* wake(ctx) runs on the task's thread (the TUI passes store_touch and its store). */
struct renew_task *renew_task_new(struct api_client *api, void (*wake)(void *ctx), void *ctx);
/* Cancels the coverage read and the waits between calls, then joins; a call already on the
 * wire finishes first (as the worker's writes do). Wipes a key it still holds. NULL is fine. */
void renew_task_free(struct renew_task *t);
/* True while a job runs: until after its last wake-up, so whoever sees the task idle has been
 * woken for its result already. */
bool renew_task_busy(struct renew_task *t);

/* Starts reading what old_cert's latest update record deployed, of types (copied). Returns 0,
 * or -1 while another job runs (one whose result is out no longer counts). */
int renew_task_read_coverage(struct renew_task *t, const char *old_cert, char *const *types,
                             size_t n_types);
/* The read's result, taken once: true when it ended, with *rc 0 and *out (the caller frees it)
 * or *rc -1 and *err. */
bool renew_task_take_coverage(struct renew_task *t, int *rc, struct coverage_deployed *out,
                              struct api_error *err);

/* Starts sending req (its strings copied; req->private_key_pem is ignored) with the key in
 * *key, which the task takes over (*key is zeroed). o: the limits of renew_submit (its cancel
 * and callback are the task's own). Returns 0, or -1 while another job runs (*key is then
 * still the caller's). */
int renew_task_submit(struct renew_task *t, const struct upload_request *req,
                      struct preflight_secret *key, const struct renew_submit_opts *o);
/* News of the task being created (DeployRecordId 0), taken once: the calls answered so far
 * and the wait before the next (-1: none follows). */
bool renew_task_take_creating(struct renew_task *t, int *calls, int64_t *next_wait_ms);
/* The call's result, taken once: true when it ended. */
bool renew_task_take_submit(struct renew_task *t, struct renew_submit_result *out);

#endif
