/* Rollback radar: digests of record details, and the join of the record list with them. */
#include "core/radar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/errtmpl.h"
#include "core/query.h"
#include "core/util.h"

bool radar_wants_detail(const struct update_record *r)
{
    return r->status == MODEL_STATUS_FAILED || r->status == MODEL_STATUS_ROLLBACK_OK ||
           r->status == MODEL_STATUS_ROLLBACK_FAILED;
}

bool radar_since_valid(const char *since)
{
    if (!since || strlen(since) != 10) return false;
    char full[32];
    snprintf(full, sizeof full, "%s 00:00:00", since);
    int64_t t;
    if (!apitime_parse(full, &t)) return false;
    /* a date that does not exist (02-30) comes back as another one */
    char *back = apitime_iso(t);
    bool same = strncmp(back, since, 10) == 0;
    free(back);
    return same;
}

bool radar_record_since(const struct update_record *r, const char *since)
{
    if (!since || !*since) return true;
    int64_t t;
    if (!apitime_parse(r->create_time, &t)) return false;
    /* both "YYYY-MM-DD…": the dates compare as text */
    return strncmp(r->create_time, since, 10) >= 0;
}

/* ---- digests ---------------------------------------------------------------------------- */

static const char *nz(const char *s)
{
    return s ? s : "";
}

static char *instance_key(const struct deploy_item *it)
{
    if (it->instance_id && *it->instance_id) return xstrdup(it->instance_id);
    if (it->bucket && *it->bucket) return xstrdup(it->bucket);
    if (it->namespace_ && *it->namespace_)
        return xasprintf("%s/%s", it->namespace_, nz(it->secret_name));
    return NULL;
}

static int failure_cmp(const void *a, const void *b)
{
    const struct radar_failure *x = a, *y = b;
    int c = strcmp(x->resource_type, y->resource_type);
    return c ? c : strcmp(x->instance_id, y->instance_id);
}

void radar_digest_of(uint64_t record_id, const struct detail_page *p, struct radar_digest *out)
{
    memset(out, 0, sizeof *out);
    out->record_id = record_id;
    size_t order[256];
    size_t n_runs = query_run_order(p, order, ARRAY_LEN(order));
    size_t cap_d = 0, cap_f = 0;
    for (size_t k = 0; k < n_runs; k++) {
        int64_t secs;
        if (query_rollback_delay_secs(p, order[k], &secs)) {
            out->rollback_delays =
                xgrow(out->rollback_delays, &cap_d, out->n_rollback_delays + 1, sizeof(int64_t));
            out->rollback_delays[out->n_rollback_delays++] = secs;
        }
    }
    /* Failures are collected in run time order; of one instance's failures the latest (the
     * highest position) is kept. */
    size_t *pos = NULL, cap_p = 0;
    for (size_t k = 0; k < n_runs; k++) {
        const struct deploy_run *run = &p->runs[order[k]];
        for (size_t g = 0; g < run->n_groups; g++) {
            const struct resource_group *grp = &run->groups[g];
            for (size_t i = 0; i < grp->n_items; i++) {
                struct deploy_item scratch;
                const struct deploy_item *it = model_group_item(grp, i, &scratch);
                if (!errtmpl_item_failed(it->status)) continue;
                char *key = instance_key(it);
                if (!key) continue;
                out->failures =
                    xgrow(out->failures, &cap_f, out->n_failures + 1, sizeof *out->failures);
                pos = xgrow(pos, &cap_p, out->n_failures + 1, sizeof *pos);
                struct radar_failure *f = &out->failures[out->n_failures];
                const char *type = it->resource_type && *it->resource_type ? it->resource_type
                                                                           : grp->resource_type;
                f->resource_type = xstrdup(nz(type));
                f->instance_id = key;
                f->template_ = errtmpl_of(it->error_msg);
                pos[out->n_failures] = out->n_failures;
                out->n_failures++;
            }
        }
    }
    struct keyed {
        struct radar_failure f;
        size_t pos;
    } *tmp = xcalloc(out->n_failures ? out->n_failures : 1, sizeof *tmp);
    for (size_t i = 0; i < out->n_failures; i++)
        tmp[i] = (struct keyed){out->failures[i], pos[i]};
    free(pos);
    qsort(tmp, out->n_failures, sizeof *tmp, failure_cmp); /* key first: f is the first member */
    size_t w = 0;
    for (size_t i = 0; i < out->n_failures; i++) {
        /* among equal keys, keep the one with the highest pos */
        if (w > 0 && failure_cmp(&tmp[w - 1].f, &tmp[i].f) == 0) {
            struct keyed *keep = tmp[w - 1].pos > tmp[i].pos ? &tmp[w - 1] : &tmp[i];
            struct keyed *drop = keep == &tmp[i] ? &tmp[w - 1] : &tmp[i];
            struct radar_failure dropped = drop->f;
            tmp[w - 1] = *keep;
            free(dropped.resource_type);
            free(dropped.instance_id);
            free(dropped.template_);
            continue;
        }
        tmp[w++] = tmp[i];
    }
    for (size_t i = 0; i < w; i++)
        out->failures[i] = tmp[i].f;
    out->n_failures = w;
    free(tmp);
}

void radar_digest_clear(struct radar_digest *d)
{
    for (size_t i = 0; i < d->n_failures; i++) {
        free(d->failures[i].resource_type);
        free(d->failures[i].instance_id);
        free(d->failures[i].template_);
    }
    free(d->failures);
    free(d->rollback_delays);
    memset(d, 0, sizeof *d);
}

/* ---- the join --------------------------------------------------------------------------- */

/* A record as the join sees it: its time read once. */
struct rec {
    const struct update_record *r;
    bool has_t;
    int64_t t;
    const struct radar_digest *d;
};

/* a is later than b: readable times beat unreadable ones, then the time, then the Id. */
static bool rec_later(const struct rec *a, const struct rec *b)
{
    if (a->has_t != b->has_t) return a->has_t;
    if (a->has_t && a->t != b->t) return a->t > b->t;
    return a->r->id > b->r->id;
}

static int rec_by_id(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    return x->r->id < y->r->id ? -1 : x->r->id > y->r->id;
}

static int rec_by_cert(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    int c = strcmp(nz(x->r->old_cert_id), nz(y->r->old_cert_id));
    return c ? c : rec_by_id(a, b);
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cert_cmp(const void *a, const void *b)
{
    const struct radar_cert *x = a, *y = b;
    size_t tx = x->failed + x->rolled_back + x->rollback_failed;
    size_t ty = y->failed + y->rolled_back + y->rollback_failed;
    if (tx != ty) return tx > ty ? -1 : 1;
    if (x->rolled_back != y->rolled_back) return x->rolled_back > y->rolled_back ? -1 : 1;
    return strcmp(x->old_cert_id, y->old_cert_id);
}

/* One failure of one instance in one record. */
struct hit {
    const struct radar_failure *f;
    const struct rec *rec;
};

static int hit_cmp(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    int c = failure_cmp(x->f, y->f);
    return c ? c : rec_by_id(x->rec, y->rec);
}

static int instance_cmp(const void *a, const void *b)
{
    const struct radar_instance *x = a, *y = b;
    if (x->n_record_ids != y->n_record_ids) return x->n_record_ids > y->n_record_ids ? -1 : 1;
    int c = strcmp(x->resource_type, y->resource_type);
    return c ? c : strcmp(x->instance_id, y->instance_id);
}

static void compute_certs(struct rec *recs, size_t n, struct radar_result *out)
{
    qsort(recs, n, sizeof *recs, rec_by_cert);
    size_t cap = 0;
    int64_t *delays = NULL;
    size_t cap_d = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !strcmp(nz(recs[j].r->old_cert_id), nz(recs[i].r->old_cert_id)))
            j++;
        out->certs = xgrow(out->certs, &cap, out->n_certs + 1, sizeof *out->certs);
        struct radar_cert *c = &out->certs[out->n_certs++];
        memset(c, 0, sizeof *c);
        c->old_cert_id = xstrdup(nz(recs[i].r->old_cert_id));
        const struct rec *last = &recs[i];
        size_t nd = 0;
        for (size_t k = i; k < j; k++) {
            const struct update_record *r = recs[k].r;
            c->records++;
            c->failed += r->status == MODEL_STATUS_FAILED;
            c->rolled_back += r->status == MODEL_STATUS_ROLLBACK_OK;
            c->rollback_failed += r->status == MODEL_STATUS_ROLLBACK_FAILED;
            if (rec_later(&recs[k], last)) last = &recs[k];
            const struct radar_digest *d = recs[k].d;
            for (size_t m = 0; d && m < d->n_rollback_delays; m++) {
                delays = xgrow(delays, &cap_d, nd + 1, sizeof *delays);
                delays[nd++] = d->rollback_delays[m];
            }
        }
        c->last_record = last->r->id;
        c->last_status = last->r->status;
        c->last_time = xstrdup(nz(last->r->create_time));
        c->n_delays = nd;
        if (nd) {
            qsort(delays, nd, sizeof *delays, i64_cmp);
            c->median_delay = nd % 2 ? delays[nd / 2] : (delays[nd / 2 - 1] + delays[nd / 2]) / 2;
        }
        i = j;
    }
    free(delays);
    if (out->n_certs) qsort(out->certs, out->n_certs, sizeof *out->certs, cert_cmp);
}

static void compute_instances(const struct rec *recs, size_t n, struct radar_result *out)
{
    struct hit *hits = NULL;
    size_t n_hits = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        const struct radar_digest *d = recs[i].d;
        for (size_t k = 0; d && k < d->n_failures; k++) {
            hits = xgrow(hits, &cap, n_hits + 1, sizeof *hits);
            hits[n_hits++] = (struct hit){&d->failures[k], &recs[i]};
        }
    }
    if (n_hits) qsort(hits, n_hits, sizeof *hits, hit_cmp);
    size_t cap_i = 0;
    for (size_t i = 0; i < n_hits;) {
        size_t j = i;
        while (j < n_hits && failure_cmp(hits[j].f, hits[i].f) == 0)
            j++;
        if (j - i >= 2) { /* a digest holds a key once: j - i distinct records */
            out->instances =
                xgrow(out->instances, &cap_i, out->n_instances + 1, sizeof *out->instances);
            struct radar_instance *in = &out->instances[out->n_instances++];
            in->resource_type = xstrdup(hits[i].f->resource_type);
            in->instance_id = xstrdup(hits[i].f->instance_id);
            in->n_record_ids = j - i;
            in->record_ids = xmalloc((j - i) * sizeof *in->record_ids);
            const struct hit *latest = &hits[i];
            for (size_t k = i; k < j; k++) {
                in->record_ids[k - i] = hits[k].rec->r->id;
                if (rec_later(hits[k].rec, latest->rec)) latest = &hits[k];
            }
            in->latest_template = xstrdup(latest->f->template_);
            in->latest_record = latest->rec->r->id;
        }
        i = j;
    }
    free(hits);
    if (out->n_instances)
        qsort(out->instances, out->n_instances, sizeof *out->instances, instance_cmp);
}

void radar_compute(const struct update_record *records, size_t n_records, const char *since,
                   const struct radar_digest *digests, size_t n_digests, struct radar_result *out)
{
    memset(out, 0, sizeof *out);
    struct rec *recs = xcalloc(n_records ? n_records : 1, sizeof *recs);
    size_t n = 0;
    for (size_t i = 0; i < n_records; i++) {
        if (!radar_record_since(&records[i], since)) continue;
        recs[n].r = &records[i];
        recs[n].has_t = apitime_parse(records[i].create_time, &recs[n].t);
        n++;
    }
    /* Attach each digest to its record (binary search by Id; a second digest of a record is
     * ignored). */
    qsort(recs, n, sizeof *recs, rec_by_id);
    for (size_t i = 0; i < n_digests; i++) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (recs[mid].r->id < digests[i].record_id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && recs[lo].r->id == digests[i].record_id && !recs[lo].d)
            recs[lo].d = &digests[i];
    }
    for (size_t i = 0; i < n; i++) {
        if (!radar_wants_detail(recs[i].r)) continue;
        out->details_wanted++;
        out->details_have += recs[i].d != NULL;
    }
    compute_instances(recs, n, out);
    compute_certs(recs, n, out);
    free(recs);
}

void radar_result_clear(struct radar_result *r)
{
    for (size_t i = 0; i < r->n_certs; i++) {
        free(r->certs[i].old_cert_id);
        free(r->certs[i].last_time);
    }
    for (size_t i = 0; i < r->n_instances; i++) {
        free(r->instances[i].resource_type);
        free(r->instances[i].instance_id);
        free(r->instances[i].record_ids);
        free(r->instances[i].latest_template);
    }
    free(r->certs);
    free(r->instances);
    memset(r, 0, sizeof *r);
}
