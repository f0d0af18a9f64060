/* A renewal's reads and its call on a thread of its own (see renew_task.h). */
#include "core/renew_task.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"
#include "core/util.h"

enum task_job { TASK_NONE, TASK_COVERAGE, TASK_SUBMIT };

/* The request's own copies: the caller's strings may go before the call does. */
struct req_copy {
    char *old_cert;
    char **types;
    size_t n_types;
    char *cert_pem;
    struct upload_type_regions *trs;
    char ***regions;
    size_t n_trs;
};

struct renew_task {
    struct api_client *api;
    void (*wake)(void *ctx);
    void *wake_ctx;
    atomic_int cancel;

    pthread_t thread;
    bool joinable;

    pthread_mutex_t mu; /* guards what follows */
    enum task_job job;  /* the job running, TASK_NONE when idle */
    bool ending;        /* its result is out: the thread only wakes the UI and returns */
    /* inputs, owned by the thread while it runs */
    struct req_copy req;
    struct preflight_secret key;
    struct renew_submit_opts opts;
    /* results */
    bool coverage_ready;
    int coverage_rc;
    struct coverage_deployed dep;
    struct api_error coverage_err;
    bool creating_news;
    int creating_calls;
    int64_t creating_wait_ms;
    bool submit_ready;
    struct renew_submit_result submit;
};

static void req_copy_free(struct req_copy *r)
{
    free(r->old_cert);
    for (size_t i = 0; i < r->n_types; i++)
        free(r->types[i]);
    free(r->types);
    free(r->cert_pem);
    for (size_t i = 0; i < r->n_trs; i++) {
        free((char *)r->trs[i].resource_type);
        for (size_t k = 0; k < r->trs[i].n_regions; k++)
            free(r->regions[i][k]);
        free(r->regions[i]);
    }
    free(r->trs);
    free(r->regions);
    memset(r, 0, sizeof *r);
}

static void req_copy_make(struct req_copy *r, const struct upload_request *req)
{
    memset(r, 0, sizeof *r);
    r->old_cert = xstrdup(req->old_certificate_id ? req->old_certificate_id : "");
    r->n_types = req->n_resource_types;
    r->types = xcalloc(r->n_types ? r->n_types : 1, sizeof *r->types);
    for (size_t i = 0; i < r->n_types; i++)
        r->types[i] = xstrdup(req->resource_types[i] ? req->resource_types[i] : "");
    r->cert_pem = xstrdup(req->public_key_pem ? req->public_key_pem : "");
    r->n_trs = req->n_type_regions;
    r->trs = xcalloc(r->n_trs ? r->n_trs : 1, sizeof *r->trs);
    r->regions = xcalloc(r->n_trs ? r->n_trs : 1, sizeof *r->regions);
    for (size_t i = 0; i < r->n_trs; i++) {
        const struct upload_type_regions *src = &req->type_regions[i];
        r->regions[i] = xcalloc(src->n_regions ? src->n_regions : 1, sizeof **r->regions);
        for (size_t k = 0; k < src->n_regions; k++)
            r->regions[i][k] = xstrdup(src->regions[k] ? src->regions[k] : "");
        r->trs[i] =
            (struct upload_type_regions){xstrdup(src->resource_type ? src->resource_type : ""),
                                         (const char *const *)r->regions[i], src->n_regions};
    }
}

static void on_creating(void *ctx, int call, const struct upload_result *r, int64_t next_wait_ms)
{
    (void)r;
    struct renew_task *t = ctx;
    pthread_mutex_lock(&t->mu);
    t->creating_news = true;
    t->creating_calls = call;
    t->creating_wait_ms = next_wait_ms;
    pthread_mutex_unlock(&t->mu);
    if (t->wake) t->wake(t->wake_ctx);
}

static void *task_main(void *arg)
{
    struct renew_task *t = arg;
    /* The inputs are the thread's alone while job is set: no lock needed to read them. */
    if (t->job == TASK_COVERAGE) {
        struct coverage_deployed dep;
        struct api_error err;
        apierr_clear(&err);
        int rc = coverage_read_deployed(t->api, t->req.old_cert, (const char *const *)t->req.types,
                                        t->req.n_types, &dep, &t->cancel, &err);
        pthread_mutex_lock(&t->mu);
        t->coverage_rc = rc;
        t->dep = dep;
        t->coverage_err = err;
        t->coverage_ready = true;
    } else {
        struct upload_request req = {.old_certificate_id = t->req.old_cert,
                                     .resource_types = (const char *const *)t->req.types,
                                     .n_resource_types = t->req.n_types,
                                     .public_key_pem = t->req.cert_pem,
                                     .private_key_pem = t->key.data,
                                     .type_regions = t->req.trs,
                                     .n_type_regions = t->req.n_trs};
        struct renew_submit_result res;
        renew_submit(t->api, &req, &t->opts, &res);
        preflight_secret_wipe(&t->key); /* the key is not needed after the call */
        pthread_mutex_lock(&t->mu);
        t->submit = res;
        t->submit_ready = true;
    }
    req_copy_free(&t->req);
    t->ending = true;
    pthread_mutex_unlock(&t->mu);
    /* Woken first, idle after: whoever sees the task idle sees the wake-up before it. */
    if (t->wake) t->wake(t->wake_ctx);
    pthread_mutex_lock(&t->mu);
    t->job = TASK_NONE;
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct renew_task *renew_task_new(struct api_client *api, void (*wake)(void *ctx), void *ctx)
{
    struct renew_task *t = xcalloc(1, sizeof *t);
    t->api = api;
    t->wake = wake;
    t->wake_ctx = ctx;
    atomic_init(&t->cancel, 0);
    int rc = pthread_mutex_init(&t->mu, NULL);
    if (rc) {
        fprintf(stderr, "certdeck: renew: pthread_mutex_init failed (%s)\n", strerror(rc));
        abort();
    }
    return t;
}

/* Joins a thread that has ended (or is ending) before the next starts. */
static void reap(struct renew_task *t)
{
    if (!t->joinable) return;
    pthread_join(t->thread, NULL);
    t->joinable = false;
}

/* Whether a new job may start: none runs, or the last has handed its result over. Then the last
 * thread is joined (at most the moment its wake-up takes). Called without t->mu. */
static bool may_start(struct renew_task *t)
{
    pthread_mutex_lock(&t->mu);
    bool ok = t->job == TASK_NONE || t->ending;
    pthread_mutex_unlock(&t->mu);
    if (ok) reap(t);
    return ok;
}

/* With t->mu held and no job running: starts job. */
static int start(struct renew_task *t, enum task_job job)
{
    t->job = job;
    t->ending = false;
    int rc = threads_create(&t->thread, task_main, t);
    if (rc) {
        fprintf(stderr, "certdeck: renew: pthread_create failed (%s)\n", strerror(rc));
        abort();
    }
    t->joinable = true;
    return 0;
}

bool renew_task_busy(struct renew_task *t)
{
    if (!t) return false;
    pthread_mutex_lock(&t->mu);
    bool busy = t->job != TASK_NONE;
    pthread_mutex_unlock(&t->mu);
    return busy;
}

int renew_task_read_coverage(struct renew_task *t, const char *old_cert, char *const *types,
                             size_t n_types)
{
    if (!may_start(t)) return -1;
    pthread_mutex_lock(&t->mu);
    if (t->coverage_ready) coverage_deployed_free(&t->dep); /* an older result nobody took */
    t->coverage_ready = false;
    struct upload_request req = {.old_certificate_id = old_cert,
                                 .resource_types = (const char *const *)types,
                                 .n_resource_types = n_types};
    req_copy_make(&t->req, &req);
    int rc = start(t, TASK_COVERAGE);
    pthread_mutex_unlock(&t->mu);
    return rc;
}

bool renew_task_take_coverage(struct renew_task *t, int *rc, struct coverage_deployed *out,
                              struct api_error *err)
{
    pthread_mutex_lock(&t->mu);
    bool ready = t->coverage_ready;
    if (ready) {
        *rc = t->coverage_rc;
        *out = t->dep;
        *err = t->coverage_err;
        memset(&t->dep, 0, sizeof t->dep);
        t->coverage_ready = false;
    }
    pthread_mutex_unlock(&t->mu);
    return ready;
}

int renew_task_submit(struct renew_task *t, const struct upload_request *req,
                      struct preflight_secret *key, const struct renew_submit_opts *o)
{
    if (!may_start(t)) return -1;
    pthread_mutex_lock(&t->mu);
    req_copy_make(&t->req, req);
    t->key = *key;
    memset(key, 0, sizeof *key);
    t->opts = o ? *o : (struct renew_submit_opts){0};
    t->opts.cancel = &t->cancel;
    t->opts.on_creating = on_creating;
    t->opts.ctx = t;
    t->creating_news = t->submit_ready = false;
    int rc = start(t, TASK_SUBMIT);
    pthread_mutex_unlock(&t->mu);
    return rc;
}

bool renew_task_take_creating(struct renew_task *t, int *calls, int64_t *next_wait_ms)
{
    pthread_mutex_lock(&t->mu);
    bool news = t->creating_news;
    if (news) {
        *calls = t->creating_calls;
        *next_wait_ms = t->creating_wait_ms;
        t->creating_news = false;
    }
    pthread_mutex_unlock(&t->mu);
    return news;
}

bool renew_task_take_submit(struct renew_task *t, struct renew_submit_result *out)
{
    pthread_mutex_lock(&t->mu);
    bool ready = t->submit_ready;
    if (ready) {
        *out = t->submit;
        t->submit_ready = false;
    }
    pthread_mutex_unlock(&t->mu);
    return ready;
}

void renew_task_free(struct renew_task *t)
{
    if (!t) return;
    atomic_store(&t->cancel, 1);
    reap(t);
    preflight_secret_wipe(&t->key);
    req_copy_free(&t->req);
    if (t->coverage_ready) coverage_deployed_free(&t->dep);
    pthread_mutex_destroy(&t->mu);
    free(t);
}
