/* The status model: fetched records and details with their per-entry state, the event log,
 * one mutex, a generation counter and a wake fd for the render loop's poll(). */
#include "core/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/util.h"

/* A page that arrived before the one in front of it: kept (deep copy) until the gap fills. */
struct held_records {
    uint64_t offset;
    struct records_page page;
};

struct held_detail {
    int64_t offset;
    int64_t limit;
    struct detail_page page;
};

struct detail_entry {
    struct store_detail d;
    enum store_state before; /* state when the current round of requests began */
    struct held_detail *held;
    size_t n_held, cap_held;
    uint64_t last_used;
};

struct store {
    pthread_mutex_t mu;
    uint64_t generation;
    int wake_rd, wake_wr; /* the same fd when it is an eventfd */

    struct store_records records;
    enum store_state records_before;
    struct held_records *rheld;
    size_t n_rheld, cap_rheld;

    struct detail_entry **details;
    size_t n_details, cap_details;
    uint64_t use_clock;

    struct store_rate_wait rate_wait;

    struct api_trace log[STORE_LOG_CAPACITY];
    size_t log_head; /* index of the oldest entry */
    size_t log_len;
};

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

static void records_clear_held(struct store *s)
{
    for (size_t i = 0; i < s->n_rheld; i++)
        model_records_page_clear(&s->rheld[i].page);
    s->n_rheld = 0;
}

static void records_clear_rows(struct store_records *r)
{
    for (size_t i = 0; i < r->n_records; i++)
        model_record_clear(&r->records[i]);
    free(r->records);
    r->records = NULL;
    r->n_records = 0;
}

static void detail_entry_free(struct detail_entry *e)
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
    records_clear_rows(&s->records);
    records_clear_held(s);
    free(s->rheld);
    free(s->records.old_cert_filter);
    for (size_t i = 0; i < s->n_details; i++)
        detail_entry_free(s->details[i]);
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

/* Every write ends here, lock held: a new generation and a readable wake fd. */
static void changed(struct store *s)
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

static void meta_begin(struct store_meta *m, enum store_state *before, bool refresh)
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

static void meta_end(struct store_meta *m)
{
    if (m->inflight > 0) m->inflight--;
}

/* Once nothing is in flight, an entry still LOADING or STALE had its requests cancelled: it
 * goes back to where it was. */
static void meta_settle(struct store_meta *m, enum store_state before)
{
    if (m->inflight == 0 && (m->state == STORE_LOADING || m->state == STORE_STALE)) {
        m->state = before;
        if (m->state == STORE_LOADING || m->state == STORE_STALE)
            m->state = m->fetched_ms ? STORE_LOADED : STORE_IDLE;
    }
}

static void meta_loaded(struct store_meta *m)
{
    m->state = STORE_LOADED;
    apierr_clear(&m->last_error);
    m->fetched_unix = now_unix();
    m->fetched_ms = now_ms();
    if (m->fetched_ms == 0) m->fetched_ms = 1;
}

static void meta_fail(struct store_meta *m, const struct api_error *err)
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
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* A small open-addressing index from Id to position, so merging a page costs O(n + m) and not
 * O(n * m) on groups of tens of thousands of items. */
struct id_slot {
    uint64_t id;
    size_t pos1; /* position + 1; 0: empty */
};

struct id_index {
    size_t mask;
    struct id_slot *slots;
};

static void idx_init(struct id_index *x, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    x->mask = cap - 1;
    x->slots = xcalloc(cap, sizeof(*x->slots));
}

static size_t idx_hash(uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (size_t)id;
}

/* The position stored for id + 1, or 0 when absent (then id is added at pos, unless pos is
 * SIZE_MAX). */
static size_t idx_lookup(struct id_index *x, uint64_t id, size_t pos)
{
    for (size_t h = idx_hash(id) & x->mask;; h = (h + 1) & x->mask) {
        if (x->slots[h].pos1 == 0) {
            if (pos != SIZE_MAX) {
                x->slots[h].id = id;
                x->slots[h].pos1 = pos + 1;
            }
            return 0;
        }
        if (x->slots[h].id == id) return x->slots[h].pos1;
    }
}

/* ---- records ------------------------------------------------------------------------------- */

const struct store_records *store_records(struct store *s)
{
    return &s->records;
}

bool store_records_page_held(struct store *s, uint64_t offset)
{
    for (size_t i = 0; i < s->n_rheld; i++)
        if (s->rheld[i].offset == offset) return true;
    return false;
}

void store_records_begin(struct store *s, const char *old_cert_filter, bool refresh)
{
    pthread_mutex_lock(&s->mu);
    struct store_records *r = &s->records;
    if (!store_same_filter(r->old_cert_filter, old_cert_filter)) {
        records_clear_rows(r);
        records_clear_held(s);
        free(r->old_cert_filter);
        r->old_cert_filter = old_cert_filter && *old_cert_filter ? xstrdup(old_cert_filter) : NULL;
        struct store_meta fresh = {0};
        r->meta = fresh;
        r->total_count = 0;
        r->loaded_offset = 0;
        r->complete = false;
    }
    meta_begin(&r->meta, &s->records_before, refresh);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

/* Rows [offset, offset + n) become the page's rows. Rows before offset stay; rows after stay
 * unless the page ends the list. No Id appears twice: the page wins over older rows. */
static void records_merge(struct store_records *r, uint64_t offset, const struct records_page *p)
{
    size_t n_old = r->n_records;
    size_t prefix = offset < n_old ? (size_t)offset : n_old;
    uint64_t reach = offset + p->n_records;
    bool ends_list = reach >= p->total_count;
    size_t tail_from = reach < n_old ? (size_t)reach : n_old;
    if (ends_list) tail_from = n_old;

    struct id_index in_page;
    idx_init(&in_page, p->n_records);
    for (size_t i = 0; i < p->n_records; i++)
        idx_lookup(&in_page, p->records[i].id, i);

    struct update_record *rows = xcalloc(n_old + p->n_records + 1, sizeof(*rows));
    size_t n = 0;
    for (size_t i = 0; i < prefix; i++) {
        if (idx_lookup(&in_page, r->records[i].id, SIZE_MAX))
            model_record_clear(&r->records[i]);
        else
            rows[n++] = r->records[i];
    }
    for (size_t i = 0; i < p->n_records; i++) {
        if (idx_lookup(&in_page, p->records[i].id, SIZE_MAX) != i + 1) continue; /* repeated */
        model_record_copy(&rows[n++], &p->records[i]);
    }
    for (size_t i = prefix; i < n_old; i++) {
        if (i >= tail_from && !idx_lookup(&in_page, r->records[i].id, SIZE_MAX))
            rows[n++] = r->records[i];
        else
            model_record_clear(&r->records[i]);
    }
    free(in_page.slots);
    free(r->records);
    r->records = rows;
    r->n_records = n;
    r->total_count = p->total_count;
    if (ends_list || reach > r->loaded_offset) r->loaded_offset = reach;
    r->complete = r->loaded_offset >= r->total_count;
}

static void records_page_copy(struct records_page *dst, const struct records_page *src)
{
    dst->total_count = src->total_count;
    dst->n_records = src->n_records;
    dst->records = xcalloc(src->n_records ? src->n_records : 1, sizeof(*dst->records));
    for (size_t i = 0; i < src->n_records; i++)
        model_record_copy(&dst->records[i], &src->records[i]);
    dst->request_id = xstrdup(src->request_id);
}

static void records_hold(struct store *s, uint64_t offset, const struct records_page *p)
{
    for (size_t i = 0; i < s->n_rheld; i++) {
        if (s->rheld[i].offset == offset) {
            model_records_page_clear(&s->rheld[i].page);
            records_page_copy(&s->rheld[i].page, p);
            return;
        }
    }
    s->rheld = xgrow(s->rheld, &s->cap_rheld, s->n_rheld + 1, sizeof(*s->rheld));
    struct held_records *h = &s->rheld[s->n_rheld++];
    memset(h, 0, sizeof(*h));
    h->offset = offset;
    records_page_copy(&h->page, p);
}

/* Merges held pages the list has caught up with; drops those beyond its end. */
static void records_drain_held(struct store *s)
{
    struct store_records *r = &s->records;
    for (;;) {
        size_t best = s->n_rheld;
        for (size_t i = 0; i < s->n_rheld; i++) {
            if (s->rheld[i].offset <= r->loaded_offset &&
                (best == s->n_rheld || s->rheld[i].offset < s->rheld[best].offset))
                best = i;
        }
        if (best == s->n_rheld) break;
        struct held_records h = s->rheld[best];
        s->rheld[best] = s->rheld[--s->n_rheld];
        records_merge(r, h.offset, &h.page);
        model_records_page_clear(&h.page);
    }
    if (r->complete) {
        for (size_t i = 0; i < s->n_rheld;) {
            if (s->rheld[i].offset >= r->total_count) {
                model_records_page_clear(&s->rheld[i].page);
                s->rheld[i] = s->rheld[--s->n_rheld];
            } else {
                i++;
            }
        }
    }
}

void store_records_put(struct store *s, uint64_t offset, const struct records_page *page)
{
    pthread_mutex_lock(&s->mu);
    struct store_records *r = &s->records;
    meta_end(&r->meta);
    bool first = r->meta.fetched_ms == 0;
    if ((first && offset == 0) || (!first && offset <= r->loaded_offset)) {
        records_merge(r, offset, page);
        records_drain_held(s);
        meta_loaded(&r->meta);
    } else if (!(r->complete && offset >= r->total_count)) {
        records_hold(s, offset, page);
    }
    meta_settle(&r->meta, s->records_before);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_records_fail(struct store *s, const struct api_error *err)
{
    pthread_mutex_lock(&s->mu);
    meta_end(&s->records.meta);
    meta_fail(&s->records.meta, err);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_records_abort(struct store *s)
{
    pthread_mutex_lock(&s->mu);
    meta_end(&s->records.meta);
    meta_settle(&s->records.meta, s->records_before);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

/* ---- details ------------------------------------------------------------------------------- */

static struct detail_entry *detail_find(struct store *s, uint64_t record_id)
{
    for (size_t i = 0; i < s->n_details; i++) {
        if (s->details[i]->d.record_id == record_id) {
            s->details[i]->last_used = ++s->use_clock;
            return s->details[i];
        }
    }
    return NULL;
}

static void detail_evict_one(struct store *s)
{
    size_t victim = s->n_details;
    for (size_t i = 0; i < s->n_details; i++) {
        if (s->details[i]->d.meta.inflight > 0) continue;
        if (victim == s->n_details || s->details[i]->last_used < s->details[victim]->last_used)
            victim = i;
    }
    if (victim == s->n_details) return; /* all busy: grow past the capacity for now */
    detail_entry_free(s->details[victim]);
    s->details[victim] = s->details[--s->n_details];
}

static struct detail_entry *detail_get(struct store *s, uint64_t record_id)
{
    struct detail_entry *e = detail_find(s, record_id);
    if (e) return e;
    if (s->n_details >= STORE_DETAIL_CAPACITY) detail_evict_one(s);
    e = xcalloc(1, sizeof(*e));
    e->d.record_id = record_id;
    e->last_used = ++s->use_clock;
    /* An array of pointers: the element size is a pointer's. */
    s->details = xgrow(s->details, &s->cap_details, s->n_details + 1,
                       sizeof(*s->details)); // NOLINT(bugprone-sizeof-expression)
    s->details[s->n_details++] = e;
    return e;
}

const struct store_detail *store_detail(struct store *s, uint64_t record_id)
{
    struct detail_entry *e = detail_find(s, record_id);
    return e ? &e->d : NULL;
}

bool store_detail_page_held(struct store *s, uint64_t record_id, int64_t offset)
{
    struct detail_entry *e = detail_find(s, record_id);
    if (!e) return false;
    for (size_t i = 0; i < e->n_held; i++)
        if (e->held[i].offset == offset) return true;
    return false;
}

void store_detail_begin(struct store *s, uint64_t record_id, bool refresh)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_get(s, record_id);
    meta_begin(&e->d.meta, &e->before, refresh);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

static bool same_str(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static void run_copy_header(struct deploy_run *dst, const struct deploy_run *src)
{
    dst->total_count = src->total_count;
    dst->success_total_count = src->success_total_count;
    dst->failed_total_count = src->failed_total_count;
    dst->running_total_count = src->running_total_count;
    dst->pending_total_count = src->pending_total_count;
    dst->has_pending_total_count = src->has_pending_total_count;
    dst->type = src->type;
    dst->status = src->status;
    if (!same_str(dst->create_time, src->create_time)) {
        free(dst->create_time);
        dst->create_time = xstrdup(src->create_time);
    }
}

/* Items of src already in dst (same Id) are replaced, so their status is current; the others
 * are appended by model_group_merge. */
static void group_upsert(struct resource_group *dst, const struct resource_group *src)
{
    if (src->n_items > 0 && dst->n_items > 0) {
        struct id_index in_dst;
        idx_init(&in_dst, dst->n_items);
        for (size_t j = 0; j < dst->n_items; j++)
            idx_lookup(&in_dst, dst->items[j].id, j);
        for (size_t i = 0; i < src->n_items; i++) {
            size_t pos1 = idx_lookup(&in_dst, src->items[i].id, SIZE_MAX);
            if (!pos1) continue;
            model_item_clear(&dst->items[pos1 - 1]);
            model_item_copy(&dst->items[pos1 - 1], &src->items[i]);
        }
        free(in_dst.slots);
    }
    model_group_merge(dst, src);
    dst->total_count = src->total_count;
    if (dst->n_items > 0) dst->list_null = false;
}

static struct resource_group *run_find_group(struct deploy_run *run, const char *type)
{
    for (size_t i = 0; i < run->n_groups; i++)
        if (same_str(run->groups[i].resource_type, type)) return &run->groups[i];
    return NULL;
}

static void run_append_group(struct deploy_run *run, const struct resource_group *src)
{
    run->groups = xrealloc(run->groups, (run->n_groups + 1) * sizeof(*run->groups));
    memset(&run->groups[run->n_groups], 0, sizeof(run->groups[0]));
    model_group_copy(&run->groups[run->n_groups], src);
    run->n_groups++;
    run->groups_null = false;
}

/* Merges a contiguous page (offset <= fetched_offset, or the first page). */
static void detail_merge(struct detail_entry *e, int64_t offset, int64_t limit,
                         const struct detail_page *p)
{
    struct detail_page *dst = &e->d.page;
    bool first = e->d.meta.fetched_ms == 0 && dst->n_runs == 0;
    bool reshaped = false;

    if (offset == 0 && p->n_runs < dst->n_runs) {
        for (size_t i = p->n_runs; i < dst->n_runs; i++)
            model_run_clear(&dst->runs[i]);
        dst->n_runs = p->n_runs;
        reshaped = true;
    }
    for (size_t r = 0; r < p->n_runs; r++) {
        const struct deploy_run *srun = &p->runs[r];
        if (r >= dst->n_runs) {
            dst->runs = xrealloc(dst->runs, (dst->n_runs + 1) * sizeof(*dst->runs));
            memset(&dst->runs[dst->n_runs], 0, sizeof(dst->runs[0]));
            model_run_copy(&dst->runs[dst->n_runs], srun);
            dst->n_runs++;
            reshaped = true;
            continue;
        }
        struct deploy_run *drun = &dst->runs[r];
        if (offset == 0) {
            if (drun->type != srun->type) reshaped = true;
            run_copy_header(drun, srun);
        }
        for (size_t g = 0; g < srun->n_groups; g++) {
            const struct resource_group *sg = &srun->groups[g];
            struct resource_group *dg = run_find_group(drun, sg->resource_type);
            if (!dg) {
                run_append_group(drun, sg);
                reshaped = true;
                continue;
            }
            if (dg->total_count != sg->total_count && offset == 0) reshaped = true;
            group_upsert(dg, sg);
        }
    }
    if (offset == 0 && !dst->request_id && p->request_id)
        dst->request_id = xstrdup(p->request_id);
    else if (offset == 0 && p->request_id && !same_str(dst->request_id, p->request_id)) {
        free(dst->request_id);
        dst->request_id = xstrdup(p->request_id);
    }

    /* The page covers [offset, offset + limit) of the server's offsets whatever it held: a
     * short or empty slice of a group says where that group ends (group paging) or lies
     * (flat paging), not that the offsets need asking again. A new shape seen on the first
     * page means deeper pages were of another shape: they are fetched again. */
    int64_t reach = offset + limit;
    bool restart = first || (reshaped && offset == 0); /* may move the frontier back */
    if (restart || reach > e->d.fetched_offset) e->d.fetched_offset = reach;
}

static void detail_summarize(struct detail_entry *e)
{
    int64_t max_total = 0, fewest = INT64_MAX;
    for (size_t r = 0; r < e->d.page.n_runs; r++) {
        const struct deploy_run *run = &e->d.page.runs[r];
        for (size_t g = 0; g < run->n_groups; g++) {
            const struct resource_group *grp = &run->groups[g];
            if (grp->total_count > max_total) max_total = grp->total_count;
            if ((int64_t)grp->n_items < grp->total_count && (int64_t)grp->n_items < fewest)
                fewest = (int64_t)grp->n_items;
        }
    }
    e->d.max_group_total = max_total;
    e->d.complete = fewest == INT64_MAX;
    e->d.loaded_offset = e->d.complete ? max_total : fewest;
}

static void detail_page_copy(struct detail_page *dst, const struct detail_page *src)
{
    dst->n_runs = src->n_runs;
    dst->runs = xcalloc(src->n_runs ? src->n_runs : 1, sizeof(*dst->runs));
    for (size_t i = 0; i < src->n_runs; i++)
        model_run_copy(&dst->runs[i], &src->runs[i]);
    dst->request_id = xstrdup(src->request_id);
}

static void detail_hold(struct detail_entry *e, int64_t offset, int64_t limit,
                        const struct detail_page *p)
{
    for (size_t i = 0; i < e->n_held; i++) {
        if (e->held[i].offset == offset) {
            model_detail_page_clear(&e->held[i].page);
            detail_page_copy(&e->held[i].page, p);
            e->held[i].limit = limit;
            return;
        }
    }
    e->held = xgrow(e->held, &e->cap_held, e->n_held + 1, sizeof(*e->held));
    struct held_detail *h = &e->held[e->n_held++];
    memset(h, 0, sizeof(*h));
    h->offset = offset;
    h->limit = limit;
    detail_page_copy(&h->page, p);
}

static void detail_drain_held(struct detail_entry *e)
{
    for (;;) {
        size_t best = e->n_held;
        for (size_t i = 0; i < e->n_held; i++) {
            if (e->held[i].offset <= e->d.fetched_offset &&
                (best == e->n_held || e->held[i].offset < e->held[best].offset))
                best = i;
        }
        if (best == e->n_held) break;
        struct held_detail h = e->held[best];
        e->held[best] = e->held[--e->n_held];
        detail_merge(e, h.offset, h.limit, &h.page);
        model_detail_page_clear(&h.page);
    }
}

void store_detail_put(struct store *s, uint64_t record_id, int64_t offset, int64_t limit,
                      const struct detail_page *page)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_get(s, record_id);
    meta_end(&e->d.meta);
    bool first = e->d.meta.fetched_ms == 0;
    if (offset < 0) offset = 0;
    if (limit <= 0) limit = API_DETAIL_MAX_LIMIT;
    if ((first && offset == 0) || (!first && offset <= e->d.fetched_offset)) {
        detail_merge(e, offset, limit, page);
        detail_drain_held(e);
        detail_summarize(e);
        meta_loaded(&e->d.meta);
        if (e->d.complete) {
            /* Whatever is still held adds nothing a complete detail lacks. */
            for (size_t i = 0; i < e->n_held; i++)
                model_detail_page_clear(&e->held[i].page);
            e->n_held = 0;
        }
    } else if (!e->d.complete) { /* a complete detail lacks nothing a page ahead could add */
        detail_hold(e, offset, limit, page);
    }
    meta_settle(&e->d.meta, e->before);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_detail_fail(struct store *s, uint64_t record_id, const struct api_error *err)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_get(s, record_id);
    meta_end(&e->d.meta);
    meta_fail(&e->d.meta, err);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_detail_abort(struct store *s, uint64_t record_id)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_find(s, record_id);
    if (e) {
        meta_end(&e->d.meta);
        meta_settle(&e->d.meta, e->before);
    }
    changed(s);
    pthread_mutex_unlock(&s->mu);
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
    changed(s);
    pthread_mutex_unlock(&s->mu);
}

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
        changed(s);
    }
    pthread_mutex_unlock(&s->mu);
}

void store_touch(struct store *s)
{
    pthread_mutex_lock(&s->mu);
    changed(s);
    pthread_mutex_unlock(&s->mu);
}
