/* Read helpers over the model for the screens: lookups, run order, times, item fields, and the
 * questions asked before a record-wide write. */
#include "tui/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/util.h"
#include "tui/text.h"

const struct update_record *data_record(const struct store_records *sr, uint64_t id)
{
    if (!sr) return NULL;
    for (size_t i = 0; i < sr->n_records; i++)
        if (sr->records[i].id == id) return &sr->records[i];
    return NULL;
}

static const struct detail_page *order_page;

static int cmp_runs(const void *a, const void *b)
{
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    const char *ta = order_page->runs[ia].create_time, *tb = order_page->runs[ib].create_time;
    int64_t sa = 0, sb = 0;
    bool ha = data_parse_time(ta, &sa), hb = data_parse_time(tb, &sb);
    int r = 0;
    if (ha && hb) r = (sa > sb) - (sa < sb);
    if (!r) r = (ia > ib) - (ia < ib);
    return r;
}

size_t data_run_order(const struct detail_page *p, size_t *order, size_t cap)
{
    size_t n = p->n_runs < cap ? p->n_runs : cap;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    order_page = p;
    qsort(order, n, sizeof *order, cmp_runs);
    order_page = NULL;
    return n;
}

int data_run_number(const struct detail_page *p, size_t run_index)
{
    size_t order[256];
    size_t n = data_run_order(p, order, ARRAY_LEN(order));
    for (size_t i = 0; i < n; i++)
        if (order[i] == run_index) return (int)i + 1;
    return 0;
}

const struct deploy_run *data_run(const struct store_detail *d, size_t run_index)
{
    if (!d || run_index >= d->page.n_runs) return NULL;
    return &d->page.runs[run_index];
}

const struct resource_group *data_group(const struct deploy_run *r, const char *type)
{
    if (!r) return NULL;
    for (size_t i = 0; i < r->n_groups; i++) {
        const char *t = r->groups[i].resource_type ? r->groups[i].resource_type : "";
        if (!strcmp(t, type)) return &r->groups[i];
    }
    return NULL;
}

const struct deploy_item *data_item(const struct resource_group *g, uint64_t id)
{
    if (!g) return NULL;
    for (size_t i = 0; i < g->n_items; i++)
        if (g->items[i].id == id) return &g->items[i];
    return NULL;
}

bool data_run_in_progress(const struct deploy_run *r)
{
    if (!r) return false;
    return r->status == MODEL_STATUS_WAITING || r->status == MODEL_STATUS_DEPLOYING ||
           r->running_total_count > 0 || (r->has_pending_total_count && r->pending_total_count > 0);
}

/* The latest run of the detail in time order, the latest deploy run with deploy_only; NULL
 * when the detail is not in or lists none. */
static const struct deploy_run *latest_run(const struct store_detail *sd, bool deploy_only)
{
    if (!sd || !sd->meta.fetched_ms) return NULL;
    size_t order[256];
    size_t n = data_run_order(&sd->page, order, ARRAY_LEN(order));
    while (n-- > 0) {
        const struct deploy_run *r = &sd->page.runs[order[n]];
        if (!deploy_only || r->type == MODEL_RUN_DEPLOY) return r;
    }
    return NULL;
}

/* Groups named in a rollback question; the rest are counted ("+2 more"). */
#define QUESTION_GROUPS 5
/* Display columns a resource type may take there (a hostile name cannot fill the prompt). */
#define QUESTION_TYPE_COLS 16

void data_rollback_question(const struct store_detail *sd, uint64_t record_id, struct buf *out)
{
    const struct text_glyphs *g = text_glyphs();
    buf_printf(out, "Roll back record #%llu", (unsigned long long)record_id);
    const struct deploy_run *run = latest_run(sd, true);
    if (!sd || !sd->meta.fetched_ms) {
        buf_puts(out, " (resource count not loaded yet)");
    } else if (!run) {
        buf_puts(out, " (its detail lists no deploy run)");
    } else {
        int64_t sum = 0;
        for (size_t i = 0; i < run->n_groups; i++)
            sum += run->groups[i].total_count;
        int64_t total = run->total_count > 0 ? run->total_count : sum;
        char num[32];
        buf_printf(out, "%s%s resource%s", g->dash, text_thousands(total, num, sizeof num),
                   total == 1 ? "" : "s");
        for (size_t i = 0; i < run->n_groups && i < QUESTION_GROUPS; i++) {
            char *type = sanitize_dup(run->groups[i].resource_type);
            buf_puts(out, i ? ", " : " (");
            text_fit(out, type, QUESTION_TYPE_COLS);
            buf_printf(out, " %s", text_thousands(run->groups[i].total_count, num, sizeof num));
            free(type);
        }
        if (run->n_groups > QUESTION_GROUPS)
            buf_printf(out, ", +%zu more", run->n_groups - QUESTION_GROUPS);
        if (run->n_groups) buf_putc(out, ')');
    }
    buf_puts(out, " back to the old certificate?");
}

void data_retry_question(const struct store_detail *sd, uint64_t record_id, struct buf *out)
{
    const struct deploy_run *run = latest_run(sd, false);
    unsigned long long id = (unsigned long long)record_id;
    char num[32];
    if (!sd || !sd->meta.fetched_ms)
        buf_printf(out, "Retry every failed item of record #%llu (count not loaded yet)?", id);
    else if (!run || run->failed_total_count <= 0)
        buf_printf(out, "Retry every failed item of record #%llu (the loaded detail shows none)?",
                   id);
    else if (run->failed_total_count == 1)
        buf_printf(out, "Retry the 1 failed item of record #%llu?", id);
    else
        buf_printf(out, "Retry the %s failed items of record #%llu?",
                   text_thousands(run->failed_total_count, num, sizeof num), id);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool data_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se;
    char sep;
    if (!s || sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &se) != 7)
        return false;
    if ((sep != ' ' && sep != 'T') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60 || h < 0 || mi < 0 || se < 0)
        return false;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

void data_duration(int64_t secs, char *buf, size_t n)
{
    if (secs < 0) secs = -secs;
    if (secs < 60)
        snprintf(buf, n, "%llds", (long long)secs);
    else if (secs < 3600)
        snprintf(buf, n, "%lldm%02llds", (long long)(secs / 60), (long long)(secs % 60));
    else if (secs < 86400)
        snprintf(buf, n, "%lldh%02lldm", (long long)(secs / 3600), (long long)(secs % 3600 / 60));
    else
        snprintf(buf, n, "%lldd%02lldh", (long long)(secs / 86400),
                 (long long)(secs % 86400 / 3600));
}

void data_rollback_delay(const struct detail_page *p, size_t run_index, char *buf, size_t n)
{
    buf[0] = '\0';
    if (run_index >= p->n_runs || p->runs[run_index].type != MODEL_RUN_ROLLBACK) return;
    int64_t t;
    if (!data_parse_time(p->runs[run_index].create_time, &t)) return;
    /* The deploy it undoes: the latest deploy that started before it. */
    bool found = false;
    int64_t best = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        int64_t d;
        if (p->runs[i].type != MODEL_RUN_DEPLOY || !data_parse_time(p->runs[i].create_time, &d))
            continue;
        if (d <= t && (!found || d > best)) {
            best = d;
            found = true;
        }
    }
    if (!found) return;
    char dur[32];
    data_duration(t - best, dur, sizeof dur);
    snprintf(buf, n, "+%s", dur);
}

/* ---- item fields ------------------------------------------------------------------------ */

static const char *const field_names[F_COUNT][2] = {
#define ITEM_FIELD_DEF(id, name, label) [id] = {name, label},
    ITEM_FIELDS(ITEM_FIELD_DEF)
#undef ITEM_FIELD_DEF
};

const char *data_field_name(enum item_field f)
{
    return (unsigned)f < F_COUNT ? field_names[f][0] : "";
}

const char *data_field_label(enum item_field f)
{
    return (unsigned)f < F_COUNT ? field_names[f][1] : "";
}

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

char *data_item_field(const struct deploy_item *it, enum item_field f)
{
    char tmp[64];
    switch (f) {
    case F_ID:
        return xasprintf("%llu", (unsigned long long)it->id);
    case F_STATUS:
        return xstrdup(model_status_label(it->status, tmp, sizeof tmp));
    case F_TYPE:
        return dup_or_empty(it->resource_type);
    case F_INSTANCE:
        return dup_or_empty(it->instance_id);
    case F_INSTANCE_NAME:
        return dup_or_empty(it->instance_name);
    case F_LISTENER:
        return dup_or_empty(it->listener_id);
    case F_LISTENER_NAME:
        return dup_or_empty(it->listener_name);
    case F_PORT:
        return it->port ? xasprintf("%lld", (long long)it->port) : xstrdup("");
    case F_PROTOCOL:
        return dup_or_empty(it->protocol);
    case F_SNI:
        return xstrdup(it->sni_switch == 1 ? "on" : it->sni_switch == 0 ? "off" : "?");
    case F_SSL_MODE:
        return dup_or_empty(it->ssl_mode);
    case F_FORWARD:
        return xstrdup(it->forward == 1 ? "application" : it->forward == 0 ? "classic" : "?");
    case F_DOMAINS: {
        struct buf b = {0};
        for (size_t i = 0; i < it->n_domains; i++) {
            if (i) buf_puts(&b, ", ");
            buf_puts(&b, it->domains[i] ? it->domains[i] : "");
        }
        return buf_steal(&b);
    }
    case F_BUCKET:
        return dup_or_empty(it->bucket);
    case F_REGION:
        return dup_or_empty(it->region);
    case F_NAMESPACE:
        return dup_or_empty(it->namespace_);
    case F_SECRET:
        return dup_or_empty(it->secret_name);
    case F_OLD_CERT:
        return dup_or_empty(it->old_cert_id);
    case F_CREATED:
        return dup_or_empty(it->create_time);
    case F_UPDATED:
        return dup_or_empty(it->update_time);
    case F_ERROR:
        return dup_or_empty(it->error_msg);
    default:
        return xstrdup("");
    }
}

static const enum item_field fields_clb[] = {F_INSTANCE, F_LISTENER_NAME, F_PORT,
                                             F_PROTOCOL, F_SNI,           F_SSL_MODE,
                                             F_DOMAINS,  F_STATUS,        F_ERROR};
static const enum item_field fields_cos[] = {F_BUCKET, F_REGION, F_DOMAINS, F_STATUS, F_ERROR};
static const enum item_field fields_tke[] = {F_INSTANCE, F_NAMESPACE, F_SECRET,
                                             F_REGION,   F_STATUS,    F_ERROR};
static const enum item_field fields_domains[] = {F_INSTANCE, F_DOMAINS, F_STATUS, F_ERROR};
static const enum item_field fields_other[] = {F_INSTANCE, F_INSTANCE_NAME, F_DOMAINS,
                                               F_REGION,   F_STATUS,        F_ERROR};

size_t data_type_fields(const char *type, const enum item_field **out)
{
    static const char *const domain_types[] = {"cdn", "waf", "live", "teo", "ddos", "vod"};
    type = type ? type : "";
    if (!strcmp(type, "clb")) {
        *out = fields_clb;
        return ARRAY_LEN(fields_clb);
    }
    if (!strcmp(type, "cos")) {
        *out = fields_cos;
        return ARRAY_LEN(fields_cos);
    }
    if (!strcmp(type, "tke")) {
        *out = fields_tke;
        return ARRAY_LEN(fields_tke);
    }
    for (size_t i = 0; i < ARRAY_LEN(domain_types); i++) {
        if (!strcmp(type, domain_types[i])) {
            *out = fields_domains;
            return ARRAY_LEN(fields_domains);
        }
    }
    *out = fields_other;
    return ARRAY_LEN(fields_other);
}
