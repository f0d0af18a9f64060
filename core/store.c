/* The store itself: its lifetime, the one mutex, the generation counter and the wake fd, the
 * per-entry state every entry shares, the event log and the rate-limit wait. The record list
 * and the details are core/store_records.c and core/store_detail.c. */
#include "core/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/store_entries.h"
#include "core/util.h"

static void die(const char *what)
{
    fprintf(stderr, "certdeck: store: %s: %s\n", what, strerror(errno));
    abort();
}

static void set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("fcntl");
    int fd_flags = fcntl(fd, F_GETFD);
    if (fd_flags < 0 || fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) < 0) die("fcntl");
}

struct store *store_new(void)
{
    struct store *s = xcalloc(1, sizeof(*s));
    if (pthread_mutex_init(&s->mu, NULL) != 0) die("pthread_mutex_init");
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd >= 0) {
        s->wake_rd = s->wake_wr = efd;
    } else {
        /* No eventfd (old kernel, seccomp): a self-pipe does the same job. */
        int p[2];
        if (pipe(p) != 0) die("pipe");
        set_nonblock_cloexec(p[0]);
        set_nonblock_cloexec(p[1]);
        s->wake_rd = p[0];
        s->wake_wr = p[1];
    }
    return s;
}

void store_records_clear_held(struct store *s)
{
    for (size_t i = 0; i < s->n_rheld; i++)
        model_records_page_clear(&s->rheld[i].page);
    s->n_rheld = 0;
}

void store_records_clear_rows(struct store_records *r)
{
    for (size_t i = 0; i < r->n_records; i++)
        model_record_clear(&r->records[i]);
    free(r->records);
    r->records = NULL;
    r->n_records = 0;
}

void store_detail_entry_free(struct detail_entry *e)
{
    model_detail_page_clear(&e->d.page);
    for (size_t i = 0; i < e->n_held; i++)
        model_detail_page_clear(&e->held[i].page);
    free(e->held);
    free(e);
}

void store_free(struct store *s)
{
    if (!s) return;
    store_records_clear_rows(&s->records);
    store_records_clear_held(s);
    free(s->rheld);
    free(s->records.old_cert_filter);
    for (size_t i = 0; i < s->n_details; i++)
        store_detail_entry_free(s->details[i]);
    free(s->details);
    close(s->wake_rd);
    if (s->wake_wr != s->wake_rd) close(s->wake_wr);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void store_lock(struct store *s)
{
    pthread_mutex_lock(&s->mu);
}

void store_unlock(struct store *s)
{
    pthread_mutex_unlock(&s->mu);
}

void store_changed(struct store *s)
{
    s->generation++;
    if (s->wake_wr == s->wake_rd) {
        uint64_t one = 1;
        ssize_t n = write(s->wake_wr, &one, sizeof(one));
        (void)n; /* EAGAIN only when the counter is saturated: it is readable anyway */
    } else {
        char c = 1;
        ssize_t n = write(s->wake_wr, &c, 1);
        (void)n; /* a full pipe is readable anyway */
    }
}

int store_wake_fd(struct store *s)
{
    return s->wake_rd;
}

void store_drain_wake(struct store *s)
{
    char buf[64];
    for (;;) {
        ssize_t n = read(s->wake_rd, buf, sizeof(buf));
        if (n > 0 && s->wake_wr != s->wake_rd) continue;
        if (n < 0 && errno == EINTR) continue;
        break;
    }
}

uint64_t store_generation(struct store *s)
{
    return s->generation;
}

/* ---- per-entry state ----------------------------------------------------------------------- */

void store_meta_begin(struct store_meta *m, enum store_state *before, bool refresh)
{
    if (m->inflight <= 0) {
        m->inflight = 0;
        *before = m->state;
    }
    m->inflight++;
    bool has_data = m->fetched_ms != 0;
    if (!has_data)
        m->state = STORE_LOADING;
    else if (refresh)
        m->state = STORE_STALE;
    /* else: loading more pages of loaded data keeps LOADED (or ERROR) with inflight > 0 */
}

void store_meta_end(struct store_meta *m)
{
    if (m->inflight > 0) m->inflight--;
}

void store_meta_settle(struct store_meta *m, enum store_state before)
{
    if (m->inflight == 0 && (m->state == STORE_LOADING || m->state == STORE_STALE)) {
        m->state = before;
        if (m->state == STORE_LOADING || m->state == STORE_STALE)
            m->state = m->fetched_ms ? STORE_LOADED : STORE_IDLE;
    }
}

void store_meta_loaded(struct store_meta *m)
{
    m->state = STORE_LOADED;
    apierr_clear(&m->last_error);
    m->fetched_unix = now_unix();
    m->fetched_ms = now_ms();
    if (m->fetched_ms == 0) m->fetched_ms = 1;
}

void store_meta_fail(struct store_meta *m, const struct api_error *err)
{
    m->state = STORE_ERROR;
    if (err)
        m->last_error = *err;
    else
        apierr_set(&m->last_error, APIERR_USAGE, "request failed");
    if (m->last_error.kind == APIERR_NONE) m->last_error.kind = APIERR_USAGE;
}

bool store_same_filter(const char *a, const char *b)
{
    if (a && !*a) a = NULL;
    if (b && !*b) b = NULL;
    return str_same(a, b);
}

/* ---- event log ----------------------------------------------------------------------------- */

size_t store_log_len(struct store *s)
{
    return s->log_len;
}

const struct api_trace *store_log_at(struct store *s, size_t i)
{
    if (i >= s->log_len) return NULL;
    return &s->log[(s->log_head + i) % STORE_LOG_CAPACITY];
}

void store_log_push(struct store *s, const struct api_trace *trace)
{
    pthread_mutex_lock(&s->mu);
    if (s->log_len < STORE_LOG_CAPACITY) {
        s->log[(s->log_head + s->log_len) % STORE_LOG_CAPACITY] = *trace;
        s->log_len++;
    } else {
        s->log[s->log_head] = *trace; /* overwrite the oldest */
        s->log_head = (s->log_head + 1) % STORE_LOG_CAPACITY;
    }
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}

/* ---- rate-limit wait and other changes ----------------------------------------------------- */

const struct store_rate_wait *store_rate_wait(struct store *s)
{
    return &s->rate_wait;
}

void store_set_rate_wait(struct store *s, const struct store_rate_wait *rw)
{
    pthread_mutex_lock(&s->mu);
    struct store_rate_wait *cur = &s->rate_wait;
    if (cur->waiting != rw->waiting || cur->rate != rw->rate || cur->since_ms != rw->since_ms) {
        *cur = *rw;
        store_changed(s);
    }
    pthread_mutex_unlock(&s->mu);
}

void store_touch(struct store *s)
{
    pthread_mutex_lock(&s->mu);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}
