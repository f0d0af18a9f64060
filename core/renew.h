/* The renewal call and its follow-up, shared by `certdeck update` and the TUI: send
 * UploadUpdateCertificateInstance, repeat it while the service answers DeployRecordId 0 (the
 * task is still being created, API.md §2.3), and never resend it after an answer that did not
 * arrive; then watch the record's latest run until it ends. No curses, no printing: callers
 * hear progress through callbacks. */
#ifndef CERTDECK_RENEW_H
#define CERTDECK_RENEW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"

enum renew_outcome {
    RENEW_CREATED = 0,    /* a new record: record_id */
    RENEW_RUNNING,        /* DeployStatus 0: a task for the certificate was running: record_id */
    RENEW_STILL_CREATING, /* DeployRecordId stayed 0 until the limit passed */
    RENEW_REFUSED,        /* not applied: an error answer, or never sent (err) */
    RENEW_UNKNOWN,        /* err.outcome_unknown: sent, then no clear answer; maybe applied */
};

struct renew_submit_opts {
    int max_calls;          /* calls while DeployRecordId is 0; 0: 8 */
    int64_t backoff_ms;     /* first wait between them; 0: 1000, doubling */
    int64_t max_backoff_ms; /* 0: 8000 */
    const atomic_int *cancel;
    /* After each answer with DeployRecordId 0 (the progress of the instance sync, if any). */
    void (*on_creating)(void *ctx, int call, const struct upload_result *r, int64_t next_wait_ms);
    void *ctx;
};

struct renew_submit_result {
    enum renew_outcome outcome;
    uint64_t record_id;
    int calls;
    struct api_error err;
};

/* A resource type or region name as the API spells them: lowercase letters, digits and '-',
 * 1 to 40 characters. */
bool renew_word_ok(const char *s);
/* Splits a comma list ("clb,waf") into at most max heap words, each renew_word_ok (empty
 * words between commas are skipped). Returns 0, or -1 with nothing left allocated when the
 * list holds no word, a bad word, or more than max. */
int renew_split_words(const char *list, char **out, size_t max, size_t *n);

/* Sends req (repeatedly only while the answer is DeployRecordId 0). */
void renew_submit(struct api_client *api, const struct upload_request *req,
                  const struct renew_submit_opts *o, struct renew_submit_result *out);

/* The state of the record's latest run. */
struct renew_progress {
    int64_t run_type; /* MODEL_RUN_DEPLOY / ROLLBACK */
    int64_t status;   /* MODEL_STATUS_* */
    int64_t total, success, failed, running, pending;
    bool finished; /* status is neither waiting nor deploying */
};

struct renew_follow_opts {
    int64_t interval_ms; /* between polls; 0: 2000 */
    int64_t timeout_ms;  /* give up after; 0: never */
    const atomic_int *cancel;
    /* Called whenever the progress differs from the last call (and once at first). */
    void (*on_change)(void *ctx, const struct renew_progress *p);
    void *ctx;
};

/* Polls the record (DescribeHostUploadUpdateRecordDetail, Limit 1: the run counts are whole)
 * until its latest run finishes. Returns 0 with *last filled, or -1 with err (an API error,
 * the timeout, or cancel). */
int renew_follow(struct api_client *api, uint64_t record_id, const struct renew_follow_opts *o,
                 struct renew_progress *last, struct api_error *err);
/* The progress of a detail page's latest run. */
void renew_progress_of(const struct detail_page *d, struct renew_progress *p);

#endif
