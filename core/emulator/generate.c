/* The deterministic generator (dataset_generate): planned and random records in every state a
 * real account shows, and records 1 to 3 as the seed page's official examples. */
#include "core/emulator/dataset.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/emulator/instances.h"
#include "core/emulator/rng.h"
#include "core/emulator/rtype.h"
#include "core/emulator/runs.h"
#include "core/emulator/strslot.h"
#include "core/util.h"

static const char *const regions[] = {
    "ap-guangzhou", "ap-shanghai", "ap-beijing",   "ap-chengdu",
    "ap-nanjing",   "ap-hongkong", "ap-singapore", "na-siliconvalley",
};

/* The troubled instances: a few per type that fail again in every record whose run has
 * failures (the repeat offenders an incident review looks for). */
#define TROUBLED 3

struct gen {
    struct rng rng;
    uint64_t seed;
    uint64_t next_item_id;
    int max_instances;
    int64_t now;
};

enum plan_kind {
    K_SUCCESS,
    K_PARTIAL,         /* some items failed: run status 2 */
    K_ROLLBACK_OK,     /* deploy 1, rollback 4 */
    K_ROLLBACK_FAILED, /* deploy 1, rollback 5 */
    K_RETRIED,         /* failed items were retried later and succeeded */
    K_RUNNING,         /* deploy in progress */
    K_WAITING,         /* deploy created, nothing started */
    K_ROLLING_BACK,    /* deploy 1, rollback in progress */
};

enum { SZ_RANDOM = -1, SZ_MAX = -2, SZ_QUARTER = -3, SZ_EMPTY_NULL = -4, SZ_EMPTY = 0 };

struct plan {
    enum plan_kind kind;
    int n_types;
    enum rtype types[3];
    int sizes[3];
    enum instance_style style;
};

/* The first records (newest first) are planned so that every feature appears in any default
 * generation; the rest are drawn at random. */
static const struct plan planned[] = {
    {K_WAITING, 2, {RT_CLB, RT_CDN}, {SZ_RANDOM, SZ_RANDOM}, INSTANCE_MIXED},
    {K_RUNNING, 3, {RT_CLB, RT_WAF, RT_APIGW}, {SZ_QUARTER, SZ_RANDOM, SZ_RANDOM}, INSTANCE_MIXED},
    {K_ROLLING_BACK, 2, {RT_COS, RT_TEO}, {SZ_RANDOM, SZ_RANDOM}, INSTANCE_MIXED},
    {K_PARTIAL, 2, {RT_CLB, RT_TKE}, {SZ_MAX, SZ_RANDOM}, INSTANCE_MIXED},
    {K_ROLLBACK_OK, 2, {RT_DDOS, RT_LIVE}, {SZ_RANDOM, SZ_RANDOM}, INSTANCE_MIXED},
    {K_ROLLBACK_FAILED, 2, {RT_VOD, RT_TSE}, {SZ_RANDOM, SZ_RANDOM}, INSTANCE_MIXED},
    {K_RETRIED, 3, {RT_TCB, RT_CLB, RT_CDN}, {SZ_RANDOM, SZ_RANDOM, SZ_RANDOM}, INSTANCE_MIXED},
    {K_SUCCESS, 2, {RT_TCB, RT_CLB}, {SZ_EMPTY_NULL, SZ_RANDOM}, INSTANCE_MIXED},
    {K_PARTIAL, 3, {RT_TEO, RT_WAF, RT_COS}, {SZ_EMPTY, SZ_RANDOM, SZ_RANDOM}, INSTANCE_MIXED},
    {K_PARTIAL, 3, {RT_LIVE, RT_VOD, RT_CLB}, {SZ_RANDOM, SZ_RANDOM, SZ_RANDOM}, INSTANCE_CJK},
};

static void random_plan(struct gen *g, struct plan *p)
{
    memset(p, 0, sizeof *p); /* the types and sizes past n_types too */
    unsigned roll = rng_below(&g->rng, 100);
    p->kind = roll < 45   ? K_SUCCESS
              : roll < 65 ? K_PARTIAL
              : roll < 80 ? K_ROLLBACK_OK
              : roll < 85 ? K_ROLLBACK_FAILED
                          : K_RETRIED;
    p->n_types = 1 + (int)rng_below(&g->rng, 3);
    for (int i = 0; i < p->n_types; i++) {
        enum rtype t;
        bool dup;
        do {
            /* CLB and CDN dominate real fleets */
            unsigned r = rng_below(&g->rng, 20);
            t = r < 6 ? RT_CLB : r < 9 ? RT_CDN : (enum rtype)rng_below(&g->rng, RT_COUNT);
            dup = false;
            for (int j = 0; j < i; j++)
                dup |= p->types[j] == t;
        } while (dup);
        p->types[i] = t;
        p->sizes[i] = SZ_RANDOM;
    }
    p->style = INSTANCE_MIXED;
}

static size_t group_size(struct gen *g, int spec)
{
    int64_t n;
    switch (spec) {
    case SZ_MAX:
        n = g->max_instances;
        break;
    case SZ_QUARTER:
        n = g->max_instances / 4;
        if (n < 1) n = 1;
        break;
    case SZ_EMPTY_NULL:
    case SZ_EMPTY:
        n = 0;
        break;
    default: {
        unsigned roll = rng_below(&g->rng, 100);
        n = roll < 60   ? 1 + rng_below(&g->rng, 12)
            : roll < 90 ? 10 + rng_below(&g->rng, 60)
                        : 100 + rng_below(&g->rng, 300);
        break;
    }
    }
    if (n > g->max_instances) n = g->max_instances;
    return (size_t)n;
}

/* How the items of a generated run stand. */
struct run_shape {
    int type;
    int64_t start;
    enum { RS_FINISHED, RS_RUNNING, RS_WAITING } state;
    int fail_permille; /* share of finished items that failed */
    bool force_fail;
};

/* Makes it the k-th troubled instance of type t: the same identity in every record (its own
 * rng, so the other items' draws are unchanged). */
static void make_troubled(const struct gen *g, struct deploy_item *it, enum rtype t, unsigned k)
{
    uint64_t id = it->id;
    char *cert = it->old_cert_id;
    it->old_cert_id = NULL;
    model_item_clear(it);
    struct rng tr = {rng_hash2(g->seed, 0x7b0b1ed0u + (uint64_t)t * TROUBLED + k)};
    instance_fill(&tr, it, t, k, INSTANCE_MIXED, regions[k % ARRAY_LEN(regions)]);
    it->id = id;
    it->old_cert_id = cert;
}

static bool is_troubled(const struct gen *g, const struct deploy_item *it)
{
    int t = rtype_from_name(it->resource_type);
    if (t < 0 || !it->instance_id) return false;
    for (unsigned k = 0; k < TROUBLED; k++) {
        struct deploy_item probe;
        memset(&probe, 0, sizeof probe);
        struct rng tr = {rng_hash2(g->seed, 0x7b0b1ed0u + (uint64_t)t * TROUBLED + k)};
        instance_fill(&tr, &probe, (enum rtype)t, k, INSTANCE_MIXED,
                      regions[k % ARRAY_LEN(regions)]);
        bool same = probe.instance_id && strcmp(probe.instance_id, it->instance_id) == 0;
        model_item_clear(&probe);
        if (same) return true;
    }
    return false;
}

/* Gives every item of a run its status, error and times per the shape. */
static void shape_items(struct gen *g, struct deploy_run *run, const struct run_shape *sh)
{
    bool rollback = sh->type == MODEL_RUN_ROLLBACK;
    bool any_failed = false;
    struct deploy_item *first = NULL;
    size_t done_pct = 20 + rng_below(&g->rng, 40);
    for (size_t gi = 0; gi < run->n_groups; gi++) {
        struct resource_group *grp = &run->groups[gi];
        for (size_t i = 0; i < grp->n_items; i++) {
            struct deploy_item *it = &grp->items[i];
            if (!first) first = it;
            int64_t created = sh->start + (int64_t)(i / 50);
            strslot_set(&it->create_time, apitime_iso(created));
            strslot_set(&it->error_msg, xstrdup(""));
            unsigned roll = rng_below(&g->rng, 100);
            bool finished =
                sh->state == RS_FINISHED || (sh->state == RS_RUNNING && roll < done_pct);
            if (finished) {
                int64_t end = created + 3 + (int64_t)rng_below(&g->rng, 240);
                if (sh->state == RS_RUNNING && end > g->now) end = g->now;
                bool fails = (int)rng_below(&g->rng, 1000) < sh->fail_permille;
                if (sh->fail_permille > 0 && i < 2 && is_troubled(g, it)) fails = true;
                any_failed |= fails;
                runs_finish_item(it, fails, rollback, end, rng_next(&g->rng));
            } else {
                it->status = sh->state == RS_RUNNING && roll < done_pct + 10
                                 ? MODEL_STATUS_DEPLOYING
                                 : MODEL_STATUS_WAITING;
                strslot_set(&it->update_time, apitime_iso(created));
            }
        }
    }
    if (sh->force_fail && !any_failed && first) {
        int64_t end;
        if (!apitime_unix(first->update_time, &end)) end = sh->start;
        runs_finish_item(first, true, rollback, end, rng_next(&g->rng));
    }
    run->type = sh->type;
    run->has_pending_total_count = true;
    strslot_set(&run->create_time, apitime_china(sh->start));
    runs_recount(run);
}

static void gen_deploy_groups(struct gen *g, struct dataset_record *rec, struct deploy_run *run,
                              const struct plan *p)
{
    const char *region = regions[rng_below(&g->rng, ARRAY_LEN(regions))];
    run->groups = xcalloc((size_t)p->n_types, sizeof *run->groups);
    run->n_groups = (size_t)p->n_types;
    for (int k = 0; k < p->n_types; k++) {
        struct resource_group *grp = &run->groups[k];
        size_t n = group_size(g, p->sizes[k]);
        grp->resource_type = xstrdup(rtype_names[p->types[k]]);
        grp->total_count = (int64_t)n;
        grp->list_null = n == 0 && p->sizes[k] == SZ_EMPTY_NULL;
        if (n) grp->items = xcalloc(n, sizeof *grp->items);
        grp->n_items = n;
        for (size_t i = 0; i < n; i++) {
            struct deploy_item *it = &grp->items[i];
            it->id = g->next_item_id++;
            it->old_cert_id = xstrdup(rec->info.old_cert_id);
            /* one region for most of a group, a few elsewhere, as fleets are */
            const char *r =
                rng_below(&g->rng, 5) ? region : regions[rng_below(&g->rng, ARRAY_LEN(regions))];
            instance_fill(&g->rng, it, p->types[k], i, p->style, r);
            /* the first items of a group of a record with failures may be troubled ones */
            bool failing = p->kind == K_PARTIAL || p->kind == K_ROLLBACK_FAILED ||
                           p->kind == K_RETRIED || p->kind == K_RUNNING;
            if (failing && i < 2 && n >= 4 && rng_hash2(rec->info.id, i) % 3 != 0)
                make_troubled(g, it, p->types[k], (unsigned)((rec->info.id + i) % TROUBLED));
        }
    }
}

static void gen_record(struct gen *g, struct dataset_record *rec, uint64_t id, int64_t created,
                       const char *cert, const struct plan *p)
{
    memset(rec, 0, sizeof *rec);
    rec->info.id = id;
    rec->info.old_cert_id = xstrdup(cert);
    rec->info.resource_types = xcalloc((size_t)p->n_types, sizeof(char *));
    rec->info.n_resource_types = (size_t)p->n_types;
    for (int k = 0; k < p->n_types; k++)
        rec->info.resource_types[k] = xstrdup(rtype_names[p->types[k]]);
    rec->info.create_time = apitime_china(created);

    struct deploy_run *deploy = runs_add(rec);
    gen_deploy_groups(g, rec, deploy, p);
    struct run_shape sh = {MODEL_RUN_DEPLOY, created, RS_FINISHED, 0, false};
    switch (p->kind) {
    case K_PARTIAL:
        sh.fail_permille = 10 + (int)rng_below(&g->rng, 110);
        sh.force_fail = true;
        break;
    case K_RETRIED:
        sh.fail_permille = 250;
        sh.force_fail = true;
        break;
    case K_RUNNING:
        sh.state = RS_RUNNING;
        sh.fail_permille = 80;
        break;
    case K_WAITING:
        sh.state = RS_WAITING;
        break;
    default:
        break;
    }
    shape_items(g, deploy, &sh);

    if (p->kind == K_RETRIED) {
        /* the operator retried the failures an hour later and they went through */
        int64_t at = created + 3600 + (int64_t)rng_below(&g->rng, 3600);
        for (size_t k = 0; k < deploy->n_groups; k++)
            for (size_t i = 0; i < deploy->groups[k].n_items; i++) {
                struct deploy_item *it = &deploy->groups[k].items[i];
                if (it->status == MODEL_STATUS_FAILED)
                    runs_finish_item(it, false, false, at + 5 + (int64_t)rng_below(&g->rng, 120),
                                     0);
            }
        runs_recount(deploy);
    }

    if (p->kind == K_ROLLBACK_OK || p->kind == K_ROLLBACK_FAILED || p->kind == K_ROLLING_BACK) {
        struct deploy_run *rb = runs_add(rec); /* may move the array: index runs[0] again */
        runs_copy_for_rollback(rb, &rec->runs[0], &g->next_item_id);
        int64_t at = p->kind == K_ROLLING_BACK ? g->now - 40 - (int64_t)rng_below(&g->rng, 60)
                                               : created + 1800 + (int64_t)rng_below(&g->rng, 7200);
        struct run_shape rs = {MODEL_RUN_ROLLBACK, at, RS_FINISHED, 0, false};
        if (p->kind == K_ROLLBACK_FAILED) {
            rs.fail_permille = 300;
            rs.force_fail = true;
        } else if (p->kind == K_ROLLING_BACK) {
            rs.state = RS_RUNNING;
        }
        shape_items(g, rb, &rs);
    }

    /* UpdateTime: the latest moment anything in the record changed */
    int64_t last = created;
    for (size_t r = 0; r < rec->n_runs; r++) {
        int64_t t;
        if (apitime_unix(rec->runs[r].create_time, &t) && t > last) last = t;
        for (size_t k = 0; k < rec->runs[r].n_groups; k++)
            for (size_t i = 0; i < rec->runs[r].groups[k].n_items; i++)
                if (apitime_unix(rec->runs[r].groups[k].items[i].update_time, &t) && t > last)
                    last = t;
    }
    if (last > g->now && created <= g->now) last = g->now;
    rec->info.update_time = apitime_china(last);
    rec->info.status = rec->runs[rec->n_runs - 1].status;
}

/* ---- the official examples (records 1, 2, 3) -------------------------------------------- */

struct fixed_item {
    uint64_t id;
    const char *create, *update;
};

static void fixed_clb_item(struct deploy_item *it, const struct fixed_item *f)
{
    memset(it, 0, sizeof *it);
    it->id = f->id;
    it->old_cert_id = xstrdup("OMhKAc35");
    it->status = MODEL_STATUS_SUCCESS;
    it->error_msg = xstrdup("");
    it->create_time = xstrdup(f->create);
    it->update_time = xstrdup(f->update);
    it->instance_id = xstrdup("lb-9crou4ha");
    it->instance_name = xstrdup("lb-677209fa-qP3T");
    it->listener_id = xstrdup("lbl-dlu2mqpu");
    it->listener_name = xstrdup("tencent");
    it->domains = xcalloc(1, sizeof *it->domains);
    it->domains[0] = xstrdup("tencent.com,www.tencent.online,www.qq.com");
    it->n_domains = 1;
    it->protocol = xstrdup("HTTPS");
    it->sni_switch = 0;
    it->forward = 1;
    it->ssl_mode = xstrdup("UNIDIRECTIONAL");
    it->resource_type = xstrdup("clb");
    it->region = xstrdup("ap-guangzhou");
    it->bucket = xstrdup("");
    it->namespace_ = xstrdup("");
    it->secret_name = xstrdup("");
    it->port = 0;
}

/* One finished clb run with one item, counts 1/1/0/0 and no PendingTotalCount. */
static void fixed_run(struct dataset_record *rec, int type, int status, const char *created,
                      const struct fixed_item *f)
{
    struct deploy_run *r = runs_add(rec);
    r->total_count = 1;
    r->success_total_count = 1;
    r->type = type;
    r->status = status;
    r->create_time = xstrdup(created);
    r->groups = xcalloc(1, sizeof *r->groups);
    r->n_groups = 1;
    r->groups[0].resource_type = xstrdup("clb");
    r->groups[0].total_count = 1;
    r->groups[0].items = xcalloc(1, sizeof(struct deploy_item));
    r->groups[0].n_items = 1;
    fixed_clb_item(&r->groups[0].items[0], f);
}

static void fixed_info(struct dataset_record *rec, uint64_t id, int status, const char *created,
                       const char *updated)
{
    memset(rec, 0, sizeof *rec);
    rec->info.id = id;
    rec->info.old_cert_id = xstrdup("OMhKAc35");
    rec->info.resource_types = xcalloc(1, sizeof(char *));
    rec->info.resource_types[0] = xstrdup("clb");
    rec->info.n_resource_types = 1;
    rec->info.status = status;
    rec->info.create_time = xstrdup(created);
    rec->info.update_time = xstrdup(updated);
}

/* The record list example (DescribeHostUploadUpdateRecord, ids 3/2/1) and the detail example
 * (DescribeHostUploadUpdateRecordDetail, record 2). Record 3 is a waiting task whose run has
 * nothing in it yet; record 1 was deployed and rolled back. */
static void fixed_records(struct dataset_record *r3, struct dataset_record *r2,
                          struct dataset_record *r1)
{
    fixed_info(r3, 3, 0, "2025-05-27 12:05:26", "2025-05-27 12:05:26");
    struct deploy_run *w = runs_add(r3);
    w->type = MODEL_RUN_DEPLOY;
    w->status = MODEL_STATUS_WAITING;
    w->has_pending_total_count = true;
    w->create_time = xstrdup("2025-05-27 12:05:26");
    w->groups = xcalloc(1, sizeof *w->groups);
    w->n_groups = 1;
    w->groups[0].resource_type = xstrdup("clb");
    w->groups[0].list_null = true;

    fixed_info(r2, 2, 7, "2025-05-26 18:05:38", "2025-05-26 18:45:12");
    static const struct fixed_item i57 = {57, "2025-05-20T07:03:17.000000Z",
                                          "2025-05-20T07:05:43.000000Z"};
    static const struct fixed_item i85 = {85, "2025-05-20T07:18:58.000000Z",
                                          "2025-05-20T07:23:17.000000Z"};
    fixed_run(r2, MODEL_RUN_DEPLOY, MODEL_STATUS_SUCCESS, "2025-05-20 15:03:17", &i57);
    fixed_run(r2, MODEL_RUN_ROLLBACK, MODEL_STATUS_ROLLBACK_OK, "2025-05-20 15:18:58", &i85);

    fixed_info(r1, 1, 4, "2025-05-26 12:51:43", "2025-05-26 17:51:43");
    static const struct fixed_item i41 = {41, "2025-05-26T04:51:43.000000Z",
                                          "2025-05-26T04:53:10.000000Z"};
    static const struct fixed_item i42 = {42, "2025-05-26T09:51:43.000000Z",
                                          "2025-05-26T09:53:02.000000Z"};
    fixed_run(r1, MODEL_RUN_DEPLOY, MODEL_STATUS_SUCCESS, "2025-05-26 12:51:43", &i41);
    fixed_run(r1, MODEL_RUN_ROLLBACK, MODEL_STATUS_ROLLBACK_OK, "2025-05-26 17:51:43", &i42);
}

void dataset_generate(struct dataset *ds, const struct dataset_gen_opts *opts)
{
    memset(ds, 0, sizeof *ds);
    struct gen g;
    g.rng.s = opts->seed ? opts->seed : 1;
    g.seed = g.rng.s;
    rng_next(&g.rng);
    g.next_item_id = 1001;
    g.max_instances = opts->max_instances > 0 ? opts->max_instances : 5000;
    g.now = opts->now_unix;
    int n = opts->records > 0 ? opts->records : 40;
    if (n < 3) n = 3; /* records 1..3 are the official examples, always present */

    ds->records = xcalloc((size_t)n, sizeof *ds->records);
    ds->n_records = (size_t)n;
    ds->started_unix = opts->now_unix;
    ds->advanced_unix = INT64_MIN;

    /* a handful of certificates, each updated several times (never the example's OMhKAc35,
     * so filtering on it lists exactly the official three) */
    char *certs[6];
    for (size_t i = 0; i < ARRAY_LEN(certs); i++) {
        certs[i] = instance_cert_id(&g.rng);
        if (strcmp(certs[i], "OMhKAc35") == 0) certs[i][0] = 'X';
    }

    size_t generated = (size_t)n - 3;
    for (size_t j = 0; j < generated; j++) {
        struct plan p;
        if (j < ARRAY_LEN(planned))
            p = planned[j];
        else
            random_plan(&g, &p);
        int64_t created;
        if (j == 0)
            created = g.now - 20;
        else if (j == 1)
            created = g.now - 120 - rng_below(&g.rng, 60);
        else
            created = g.now - (int64_t)j * 5 * 3600 - rng_below(&g.rng, 3600);
        const char *cert = certs[rng_below(&g.rng, ARRAY_LEN(certs))];
        /* one certificate is the one that keeps being rolled back */
        if ((p.kind == K_ROLLBACK_OK || p.kind == K_ROLLBACK_FAILED) && j % 2 == 0) cert = certs[0];
        gen_record(&g, &ds->records[j], 3 + (generated - j), created, cert, &p);
    }
    fixed_records(&ds->records[n - 3], &ds->records[n - 2], &ds->records[n - 1]);
    for (size_t i = 0; i < ARRAY_LEN(certs); i++)
        free(certs[i]);
}
