/* The emulator's data: a deterministic generator of realistic update records (record 2 is the
 * seed page's official example), the --dataset loader, the clock-driven progress of running
 * tasks and the state changes of Rollback and Retry.
 *
 * Progress model. An item whose status is pending (0) or deploying (3) has a base time: the
 * later of its UpdateTime and the dataset's started_unix (so a loaded or freshly generated
 * task starts progressing when the emulator starts, and a retried item from its retry). From
 * a hash of (item Id, base) come its start (base + [0, span)), its finish (start + 2..21 s)
 * and its outcome (8% fail on a deploy; a rollback never fails). dataset_advance applies every
 * transition due by `now`; an item's UpdateTime becomes its finish time, and only then, so the
 * schedule never moves. The result depends on the data and `now` only, not on how often
 * dataset_advance ran. Run counts and statuses are recomputed from the items of every run
 * that changed. */
#include "core/emulator/dataset.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/codec.h"
#include "core/util.h"

/* ---- small helpers: random numbers, time strings ------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r)
{
    return splitmix(&r->s);
}

static unsigned rng_below(struct rng *r, unsigned n)
{
    return n ? (unsigned)(rng_next(r) % n) : 0;
}

static uint64_t hash2(uint64_t a, uint64_t b)
{
    uint64_t s = a * 0xD6E8FEB86659FD93ull ^ b;
    splitmix(&s);
    return splitmix(&s);
}

#define CHINA_OFFSET_S ((int64_t)8 * 3600)

/* Record and run times: "YYYY-MM-DD HH:MM:SS", China local time (UTC+8), as the API shows. */
static void fmt_china(int64_t t, char out[32])
{
    time_t tt = (time_t)(t + CHINA_OFFSET_S);
    struct tm tm;
    /* A time gmtime cannot represent (or a year that overflows the buffer) prints as the epoch
     * rather than from an uninitialized struct tm. */
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        strlcpy_safe(out, "1970-01-01 08:00:00", 32);
}

/* Item times: ISO-8601 UTC with microseconds, as in the seed example. */
static void fmt_iso(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000000Z", &tm) == 0)
        strlcpy_safe(out, "1970-01-01T00:00:00.000000Z", 32);
}

static char *dup_china(int64_t t)
{
    char b[32];
    fmt_china(t, b);
    return xstrdup(b);
}

static char *dup_iso(int64_t t)
{
    char b[32];
    fmt_iso(t, b);
    return xstrdup(b);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac]Z" (UTC) or "YYYY-MM-DD HH:MM:SS" (China time). */
static bool parse_time(const char *s, int64_t *out)
{
    if (!s) return false;
    int y, mo, d, h, mi, se;
    char sep;
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &se, &n) != 7)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
    int64_t t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se;
    if (sep == 'T') {
        *out = t;
        return true;
    }
    if (sep == ' ') {
        *out = t - CHINA_OFFSET_S;
        return true;
    }
    return false;
}

static void set_str(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

static void api_fail(struct api_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void api_fail(struct api_error *err, const char *code, const char *fmt, ...)
{
    if (!err) return;
    apierr_clear(err);
    err->kind = APIERR_API;
    strlcpy_safe(err->code, code, sizeof err->code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* ---- resource types and their realistic fields ------------------------------------------- */

enum rtype {
    RT_CLB,
    RT_CDN,
    RT_DDOS,
    RT_LIVE,
    RT_VOD,
    RT_WAF,
    RT_APIGW,
    RT_TEO,
    RT_TKE,
    RT_COS,
    RT_TSE,
    RT_TCB,
    RT_COUNT
};

static const char *const rtype_names[RT_COUNT] = {
    "clb", "cdn", "ddos", "live", "vod", "waf", "apigateway", "teo", "tke", "cos", "tse", "tcb",
};

static int rtype_from_name(const char *s)
{
    for (int i = 0; s && i < RT_COUNT; i++)
        if (strcmp(s, rtype_names[i]) == 0) return i;
    return -1;
}

/* Failure texts as the real services word them; {inst} {lsn} {dom} {ns} {sec} {bucket} are
 * replaced by the item's own values. */
static const char *const error_templates[RT_COUNT][5] = {
    [RT_CLB] = {"certificate does not match the private key of listener {lsn}",
                "instance {inst} is being modified, try again later",
                "listener {lsn} does not exist or has been deleted", "证书与域名不匹配",
                "CLB 实例 {inst} 状态异常，请稍后重试"},
    [RT_CDN] = {"CDN domain {dom} is offline",
                "domain {dom} is being deployed, please try again later",
                "域名 {dom} 已下线，无法更新证书", NULL, NULL},
    [RT_DDOS] = {"instance {inst} is expired", "高防实例 {inst} 转发规则不存在",
                 "forwarding rule for {dom} not found on {inst}", NULL, NULL},
    [RT_LIVE] = {"live domain {dom} is disabled", "直播域名 {dom} 未开启 HTTPS", NULL, NULL, NULL},
    [RT_VOD] = {"VOD domain {dom} is not in service", "点播域名 {dom} 状态异常", NULL, NULL, NULL},
    [RT_WAF] = {"WAF domain {dom} is not protected by instance {inst}", "WAF 实例 {inst} 已过期",
                NULL, NULL, NULL},
    [RT_APIGW] = {"custom domain {dom} is not bound to service {inst}",
                  "API 网关服务 {inst} 不存在", NULL, NULL, NULL},
    [RT_TEO] = {"EdgeOne zone {inst} is paused", "加速域名 {dom} 配置冲突", NULL, NULL, NULL},
    [RT_TKE] = {"secret {ns}/{sec} is being updated by another controller",
                "cluster {inst} is not running", "集群 {inst} 访问超时", NULL, NULL},
    [RT_COS] = {"custom domain {dom} of bucket {bucket} is not verified", "存储桶 {bucket} 不存在",
                NULL, NULL, NULL},
    [RT_TSE] = {"gateway {inst} is upgrading, try again later", "云原生网关 {inst} 状态异常", NULL,
                NULL, NULL},
    [RT_TCB] = {"environment {inst} is suspended", "云开发环境 {inst} 自定义域名 {dom} 未备案",
                NULL, NULL, NULL},
};

static const char *const rollback_templates[] = {
    "rollback failed: the previous certificate of {inst} has expired",
    "回滚失败：实例 {inst} 正在变更中",
};

static char *expand_template(const char *tpl, const struct deploy_item *it)
{
    struct buf b = {0};
    const char *dom = it->n_domains && it->domains && it->domains[0] ? it->domains[0] : "";
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"{inst}", offsetof(struct deploy_item, instance_id)},
        {"{lsn}", offsetof(struct deploy_item, listener_id)},
        {"{ns}", offsetof(struct deploy_item, namespace_)},
        {"{sec}", offsetof(struct deploy_item, secret_name)},
        {"{bucket}", offsetof(struct deploy_item, bucket)},
    };
    for (const char *p = tpl; *p;) {
        if (*p == '{') {
            if (strncmp(p, "{dom}", 5) == 0) {
                buf_puts(&b, dom);
                p += 5;
                continue;
            }
            bool done = false;
            for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
                size_t n = strlen(keys[k].key);
                if (strncmp(p, keys[k].key, n) == 0) {
                    const char *v = *(char *const *)((const char *)it + keys[k].off);
                    buf_puts(&b, v ? v : "");
                    p += n;
                    done = true;
                    break;
                }
            }
            if (done) continue;
        }
        buf_putc(&b, *p++);
    }
    return buf_steal(&b);
}

static char *failure_message(const struct deploy_item *it, bool rollback, uint64_t h)
{
    if (rollback) return expand_template(rollback_templates[h % ARRAY_LEN(rollback_templates)], it);
    int t = rtype_from_name(it->resource_type);
    if (t < 0) return xstrdup("internal error, please try again later");
    size_t n = 0;
    while (n < 5 && error_templates[t][n])
        n++;
    if (n == 0) return xstrdup("internal error, please try again later"); /* a type without texts */
    return expand_template(error_templates[t][h % n], it);
}

/* ---- generator -------------------------------------------------------------------------- */

static const char *const regions[] = {
    "ap-guangzhou", "ap-shanghai", "ap-beijing",   "ap-chengdu",
    "ap-nanjing",   "ap-hongkong", "ap-singapore", "na-siliconvalley",
};
static const char *const dom_prefixes[] = {"www", "api",   "m",     "static", "img",
                                           "pay", "login", "admin", "open",   "h5"};
static const char *const dom_bases[] = {
    "example.com",  "example.cn",    "tencent-demo.com", "qcloud-demo.net", "shop-demo.com.cn",
    "game-demo.cn", "xn--fiqs8s.cn", "media-demo.tv",    "edu-demo.org",    "bank-demo.com",
};
static const char *const en_names[] = {"prod-web", "api",    "static-assets", "user-center",
                                       "payment",  "search", "mobile-api",    "admin-portal",
                                       "checkout", "sso",    "open-platform", "media"};
static const char *const cjk_names[] = {
    "生产环境-华南-负载均衡", "会员中心接入层", "支付网关（主）", "测试环境-华东",
    "官网静态资源",           "直播推流集群",   "订单服务",       "数据中台入口"};
static const char *const long_names[] = {
    "payments-platform-production-guangzhou-zone3-public-https-ingress-load-balancer-with-a-"
    "very-long-descriptive-name",
    "华南地区生产环境支付平台统一接入层负载均衡实例用于承载全部外部HTTPS流量请勿随意修改配置",
    "legacy-shared-services-cluster-for-marketing-campaigns-and-seasonal-landing-pages-do-not-"
    "delete-before-2030",
};
static const char *const listener_names[] = {"https-443", "tencent", "web-https", "api-443",
                                             "监听器-HTTPS"};
static const char *const namespaces[] = {"default",  "prod",    "ingress-nginx",
                                         "payments", "staging", "kube-system"};
static const char *const cert_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char *const id_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

enum name_style { STYLE_MIXED, STYLE_CJK };

struct gen {
    struct rng rng;
    uint64_t next_item_id;
    int max_instances;
    int64_t now;
};

static char *rand_token(struct gen *g, const char *prefix, int n, const char *alphabet)
{
    size_t plen = strlen(prefix), alen = strlen(alphabet);
    char *s = xmalloc(plen + (size_t)n + 1);
    memcpy(s, prefix, plen);
    for (int i = 0; i < n; i++)
        s[plen + (size_t)i] = alphabet[rng_below(&g->rng, (unsigned)alen)];
    s[plen + (size_t)n] = '\0';
    return s;
}

static char *rand_domain(struct gen *g, const char *prefix)
{
    const char *p = prefix ? prefix : dom_prefixes[rng_below(&g->rng, ARRAY_LEN(dom_prefixes))];
    const char *base = dom_bases[rng_below(&g->rng, ARRAY_LEN(dom_bases))];
    unsigned n = rng_below(&g->rng, 40);
    if (n < 10) return xasprintf("%s%u.%s", p, n, base);
    return xasprintf("%s.%s", p, base);
}

static char *instance_name(struct gen *g, enum rtype t, size_t idx, enum name_style style)
{
    unsigned roll = rng_below(&g->rng, 100);
    if (style == STYLE_CJK) roll = roll < 50 ? 0 : 9;
    if (roll < 8)
        return xasprintf("%s-%02zu", cjk_names[rng_below(&g->rng, ARRAY_LEN(cjk_names))], idx + 1);
    if (roll < 11)
        return xasprintf("%s-%04zu", long_names[rng_below(&g->rng, ARRAY_LEN(long_names))],
                         idx + 1);
    if (t == RT_CLB && roll < 40) {
        /* the console's default name, as in the seed example: lb-<8 hex>-<4 mixed> */
        char *tail = rand_token(g, "", 4, cert_alphabet);
        char *s = xasprintf("lb-%08" PRIx32 "-%s", (uint32_t)rng_next(&g->rng), tail);
        free(tail);
        return s;
    }
    return xasprintf("%s-%s-%02zu", en_names[rng_below(&g->rng, ARRAY_LEN(en_names))],
                     rtype_names[t], idx + 1);
}

static void set_domains(struct deploy_item *it, char **d, size_t n)
{
    it->domains = xcalloc(n, sizeof *it->domains);
    for (size_t i = 0; i < n; i++)
        it->domains[i] = d[i];
    it->n_domains = n;
}

static void one_domain(struct deploy_item *it, char *d)
{
    set_domains(it, &d, 1);
}

/* Fills the instance fields of one item of type t (not its status or times). */
static void fill_instance(struct gen *g, struct deploy_item *it, enum rtype t, size_t idx,
                          enum name_style style, const char *region)
{
    /* t < RT_COUNT always: plans come from planned[] and random_plan (rng_below(RT_COUNT)),
     * uploads map unknown names to RT_CLB. The analyzer starts at gen_record with a plan of
     * any content, hence the suppression. */
    // NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage)
    it->resource_type = xstrdup(rtype_names[t]);
    it->protocol = xstrdup("https");
    it->region = xstrdup("");
    it->instance_id = NULL;
    it->instance_name = NULL;
    it->listener_id = xstrdup("");
    it->listener_name = xstrdup("");
    it->bucket = xstrdup("");
    it->namespace_ = xstrdup("");
    it->secret_name = xstrdup("");
    it->ssl_mode = xstrdup("");
    it->port = 0;

    switch (t) {
    case RT_CLB: {
        it->instance_id = rand_token(g, "lb-", 8, id_alphabet);
        it->instance_name = instance_name(g, t, idx, style);
        set_str(&it->listener_id, rand_token(g, "lbl-", 8, id_alphabet));
        set_str(&it->listener_name,
                xstrdup(listener_names[rng_below(&g->rng, ARRAY_LEN(listener_names))]));
        set_str(&it->protocol, xstrdup("HTTPS"));
        it->sni_switch = rng_below(&g->rng, 4) == 0;
        it->port = rng_below(&g->rng, 10) == 0 ? 8443 : 443;
        it->forward = rng_below(&g->rng, 7) == 0 ? 0 : 1;
        set_str(&it->ssl_mode, xstrdup(rng_below(&g->rng, 10) == 0 ? "MUTUAL" : "UNIDIRECTIONAL"));
        set_str(&it->region, xstrdup(region));
        unsigned form = rng_below(&g->rng, 8);
        if (form == 0) {
            /* one string of comma-joined names, the way the official example shows them */
            char *a = rand_domain(g, NULL), *b = rand_domain(g, NULL);
            one_domain(it, xasprintf("%s,%s", a, b));
            free(a);
            free(b);
        } else if (it->sni_switch) {
            char *d[3] = {rand_domain(g, NULL), rand_domain(g, NULL), rand_domain(g, NULL)};
            set_domains(it, d, 2 + rng_below(&g->rng, 2));
            if (it->n_domains == 2) free(d[2]);
        } else {
            one_domain(it, rand_domain(g, NULL));
        }
        break;
    }
    case RT_CDN:
    case RT_LIVE: {
        char *d = rand_domain(g, t == RT_LIVE ? (rng_below(&g->rng, 2) ? "live" : "play") : NULL);
        it->instance_id = xstrdup(d);
        it->instance_name = style == STYLE_CJK ? instance_name(g, t, idx, style) : xstrdup(d);
        one_domain(it, d);
        break;
    }
    case RT_DDOS:
        it->instance_id = rand_token(g, "bgpip-000", 5, id_alphabet);
        it->instance_name = instance_name(g, t, idx, style);
        one_domain(it, rand_domain(g, NULL));
        it->port = 443;
        set_str(&it->region, xstrdup(rng_below(&g->rng, 2) ? "ap-guangzhou" : "ap-hongkong"));
        break;
    case RT_VOD:
        it->instance_id = xasprintf("15000%05u", rng_below(&g->rng, 100000));
        it->instance_name = instance_name(g, t, idx, style);
        one_domain(it, rand_domain(g, "vod"));
        break;
    case RT_WAF:
        it->instance_id = rand_token(g, "waf_", 16, id_alphabet);
        it->instance_name = instance_name(g, t, idx, style);
        one_domain(it, rand_domain(g, NULL));
        it->port = 443;
        set_str(&it->region, xstrdup(region));
        break;
    case RT_APIGW:
        it->instance_id = rand_token(g, "service-", 8, id_alphabet);
        it->instance_name = instance_name(g, t, idx, style);
        one_domain(it, rand_domain(g, "api"));
        set_str(&it->region, xstrdup(region));
        break;
    case RT_TEO: {
        it->instance_id = rand_token(g, "zone-", 12, id_alphabet);
        char *d = rand_domain(g, NULL);
        const char *dot = strchr(d, '.');
        it->instance_name =
            style == STYLE_CJK ? instance_name(g, t, idx, style) : xstrdup(dot ? dot + 1 : d);
        one_domain(it, d);
        break;
    }
    case RT_TKE: {
        it->instance_id = rand_token(g, "cls-", 8, id_alphabet);
        it->instance_name = instance_name(g, t, idx, style);
        set_str(&it->namespace_, xstrdup(namespaces[rng_below(&g->rng, ARRAY_LEN(namespaces))]));
        char *d = rand_domain(g, NULL);
        set_str(&it->secret_name, xasprintf("%.*s-tls", (int)strcspn(d, "."), d));
        one_domain(it, d);
        set_str(&it->region, xstrdup(region));
        break;
    }
    case RT_COS: {
        it->instance_id = xstrdup("");
        it->instance_name = xstrdup("");
        static const char *const buckets[] = {"assets", "static", "images", "backup", "web"};
        set_str(&it->bucket,
                xasprintf("%s-%02u-1250000000", buckets[rng_below(&g->rng, ARRAY_LEN(buckets))],
                          rng_below(&g->rng, 100)));
        one_domain(it, rand_domain(g, "static"));
        set_str(&it->region, xstrdup(region));
        break;
    }
    case RT_TSE:
        it->instance_id = rand_token(g, "gateway-", 8, id_alphabet);
        it->instance_name = instance_name(g, t, idx, style);
        one_domain(it, rand_domain(g, NULL));
        it->port = 443;
        set_str(&it->region, xstrdup(region));
        break;
    case RT_TCB:
        it->instance_id = rand_token(g, "prod-", 8, id_alphabet);
        it->instance_name = style == STYLE_CJK || rng_below(&g->rng, 2)
                                ? xasprintf("云开发-生产环境-%02zu", idx + 1)
                                : instance_name(g, t, idx, style);
        one_domain(it, rand_domain(g, NULL));
        set_str(&it->region, xstrdup(rng_below(&g->rng, 2) ? "ap-shanghai" : "ap-guangzhou"));
        break;
    case RT_COUNT:
        break;
    }
}

/* ---- counts and statuses ---------------------------------------------------------------- */

static bool item_open(int64_t status)
{
    return status == MODEL_STATUS_WAITING || status == MODEL_STATUS_DEPLOYING;
}

/* Recomputes a run's counts and status from its items (the counts always equal the sums). */
static void run_recount(struct deploy_run *r)
{
    int64_t total = 0, ok = 0, bad = 0, running = 0, pending = 0;
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct resource_group *grp = &r->groups[g];
        for (size_t i = 0; i < grp->n_items; i++) {
            total++;
            switch (grp->items[i].status) {
            case MODEL_STATUS_FAILED:
            case MODEL_STATUS_ROLLBACK_FAILED:
                bad++;
                break;
            case MODEL_STATUS_DEPLOYING:
                running++;
                break;
            case MODEL_STATUS_WAITING:
                pending++;
                break;
            default: /* success, rollback success, no resource: done without error */
                ok++;
                break;
            }
        }
    }
    r->total_count = total;
    r->success_total_count = ok;
    r->failed_total_count = bad;
    if (running + pending > 0)
        r->status = (running == 0 && ok + bad == 0) ? MODEL_STATUS_WAITING : MODEL_STATUS_DEPLOYING;
    else if (r->type == MODEL_RUN_ROLLBACK)
        r->status = bad ? MODEL_STATUS_ROLLBACK_FAILED : MODEL_STATUS_ROLLBACK_OK;
    else
        r->status = bad ? MODEL_STATUS_FAILED : MODEL_STATUS_SUCCESS;
    if (r->has_pending_total_count) {
        r->running_total_count = running;
        r->pending_total_count = pending;
    } else {
        r->running_total_count = running + pending;
    }
}

static bool run_is_active(const struct deploy_run *r)
{
    return r->status == MODEL_STATUS_WAITING || r->status == MODEL_STATUS_DEPLOYING;
}

static bool record_is_active(const struct dataset_record *rec)
{
    for (size_t i = 0; i < rec->n_runs; i++)
        if (run_is_active(&rec->runs[i])) return true;
    return false;
}

/* The record row mirrors its latest run. */
static void record_sync_status(struct dataset_record *rec, int64_t when)
{
    if (rec->n_runs == 0) return;
    rec->info.status = rec->runs[rec->n_runs - 1].status;
    int64_t prev;
    if (!parse_time(rec->info.update_time, &prev) || when > prev)
        set_str(&rec->info.update_time, dup_china(when));
}

/* ---- the schedule of open items ------------------------------------------------------- */

struct schedule {
    int64_t start, finish;
    bool fails;
    uint64_t h;
};

static int64_t run_span(const struct deploy_run *r)
{
    int64_t span = r->total_count / 10;
    return span < 20 ? 20 : span > 240 ? 240 : span;
}

static int64_t item_base(const struct dataset *ds, const struct deploy_item *it)
{
    int64_t t;
    if (!parse_time(it->update_time, &t) || t < ds->started_unix) t = ds->started_unix;
    return t;
}

static struct schedule item_schedule(const struct deploy_item *it, int64_t base, int64_t span,
                                     bool rollback)
{
    struct schedule s;
    s.h = hash2(it->id, (uint64_t)base);
    s.start = base + (int64_t)(s.h % (uint64_t)span);
    s.finish = s.start + 2 + (int64_t)((s.h >> 20) % 20);
    s.fails = !rollback && (s.h >> 40) % 100 < 8;
    return s;
}

static void item_finish(struct deploy_item *it, bool fails, bool rollback, int64_t when, uint64_t h)
{
    it->status = fails ? MODEL_STATUS_FAILED : MODEL_STATUS_SUCCESS;
    set_str(&it->error_msg, fails ? failure_message(it, rollback, h >> 8) : xstrdup(""));
    set_str(&it->update_time, dup_iso(when));
}

void dataset_advance(struct dataset *ds, int64_t now_unix)
{
    for (size_t ri = 0; ri < ds->n_records; ri++) {
        struct dataset_record *rec = &ds->records[ri];
        int64_t latest = INT64_MIN;
        for (size_t k = 0; k < rec->n_runs; k++) {
            struct deploy_run *run = &rec->runs[k];
            if (!run_is_active(run)) continue;
            bool rollback = run->type == MODEL_RUN_ROLLBACK;
            int64_t span = run_span(run);
            bool changed = false;
            for (size_t g = 0; g < run->n_groups; g++) {
                struct resource_group *grp = &run->groups[g];
                for (size_t i = 0; i < grp->n_items; i++) {
                    struct deploy_item *it = &grp->items[i];
                    if (!item_open(it->status)) continue;
                    struct schedule s = item_schedule(it, item_base(ds, it), span, rollback);
                    if (now_unix >= s.finish) {
                        item_finish(it, s.fails, rollback, s.finish, s.h);
                        if (s.finish > latest) latest = s.finish;
                        changed = true;
                    } else if (now_unix >= s.start && it->status == MODEL_STATUS_WAITING) {
                        it->status = MODEL_STATUS_DEPLOYING;
                        if (s.start > latest) latest = s.start;
                        changed = true;
                    }
                }
            }
            if (changed) run_recount(run);
        }
        if (latest != INT64_MIN) record_sync_status(rec, latest);
    }
}

/* ---- generation of records ------------------------------------------------------------- */

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
    enum name_style style;
};

/* The first records (newest first) are planned so that every feature appears in any default
 * generation; the rest are drawn at random. */
static const struct plan planned[] = {
    {K_WAITING, 2, {RT_CLB, RT_CDN}, {SZ_RANDOM, SZ_RANDOM}, STYLE_MIXED},
    {K_RUNNING, 3, {RT_CLB, RT_WAF, RT_APIGW}, {SZ_QUARTER, SZ_RANDOM, SZ_RANDOM}, STYLE_MIXED},
    {K_ROLLING_BACK, 2, {RT_COS, RT_TEO}, {SZ_RANDOM, SZ_RANDOM}, STYLE_MIXED},
    {K_PARTIAL, 2, {RT_CLB, RT_TKE}, {SZ_MAX, SZ_RANDOM}, STYLE_MIXED},
    {K_ROLLBACK_OK, 2, {RT_DDOS, RT_LIVE}, {SZ_RANDOM, SZ_RANDOM}, STYLE_MIXED},
    {K_ROLLBACK_FAILED, 2, {RT_VOD, RT_TSE}, {SZ_RANDOM, SZ_RANDOM}, STYLE_MIXED},
    {K_RETRIED, 3, {RT_TCB, RT_CLB, RT_CDN}, {SZ_RANDOM, SZ_RANDOM, SZ_RANDOM}, STYLE_MIXED},
    {K_SUCCESS, 2, {RT_TCB, RT_CLB}, {SZ_EMPTY_NULL, SZ_RANDOM}, STYLE_MIXED},
    {K_PARTIAL, 3, {RT_TEO, RT_WAF, RT_COS}, {SZ_EMPTY, SZ_RANDOM, SZ_RANDOM}, STYLE_MIXED},
    {K_PARTIAL, 3, {RT_LIVE, RT_VOD, RT_CLB}, {SZ_RANDOM, SZ_RANDOM, SZ_RANDOM}, STYLE_CJK},
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
    p->style = STYLE_MIXED;
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

static struct deploy_run *add_run(struct dataset_record *rec)
{
    rec->runs = xrealloc(rec->runs, (rec->n_runs + 1) * sizeof *rec->runs);
    struct deploy_run *r = &rec->runs[rec->n_runs++];
    memset(r, 0, sizeof *r);
    return r;
}

/* How the items of a generated run stand. */
struct run_shape {
    int type;
    int64_t start;
    enum { RS_FINISHED, RS_RUNNING, RS_WAITING } state;
    int fail_permille; /* share of finished items that failed */
    bool force_fail;
};

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
            set_str(&it->create_time, dup_iso(created));
            set_str(&it->error_msg, xstrdup(""));
            unsigned roll = rng_below(&g->rng, 100);
            bool finished =
                sh->state == RS_FINISHED || (sh->state == RS_RUNNING && roll < done_pct);
            if (finished) {
                int64_t end = created + 3 + (int64_t)rng_below(&g->rng, 240);
                if (sh->state == RS_RUNNING && end > g->now) end = g->now;
                bool fails = (int)rng_below(&g->rng, 1000) < sh->fail_permille;
                any_failed |= fails;
                item_finish(it, fails, rollback, end, rng_next(&g->rng));
            } else {
                it->status = sh->state == RS_RUNNING && roll < done_pct + 10
                                 ? MODEL_STATUS_DEPLOYING
                                 : MODEL_STATUS_WAITING;
                set_str(&it->update_time, dup_iso(created));
            }
        }
    }
    if (sh->force_fail && !any_failed && first) {
        int64_t end;
        if (!parse_time(first->update_time, &end)) end = sh->start;
        item_finish(first, true, rollback, end, rng_next(&g->rng));
    }
    run->type = sh->type;
    run->has_pending_total_count = true;
    set_str(&run->create_time, dup_china(sh->start));
    run_recount(run);
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
            fill_instance(g, it, p->types[k], i, p->style, r);
        }
    }
}

/* A rollback run covers the instances its deploy succeeded on, as new detail items. */
static void copy_for_rollback(struct gen *g, struct deploy_run *dst, const struct deploy_run *src)
{
    dst->groups = xcalloc(src->n_groups ? src->n_groups : 1, sizeof *dst->groups);
    dst->n_groups = src->n_groups;
    for (size_t k = 0; k < src->n_groups; k++) {
        const struct resource_group *sg = &src->groups[k];
        struct resource_group *dg = &dst->groups[k];
        dg->resource_type = xstrdup(sg->resource_type);
        dg->list_null = sg->list_null;
        if (sg->n_items) dg->items = xcalloc(sg->n_items, sizeof *dg->items);
        for (size_t i = 0; i < sg->n_items; i++) {
            if (sg->items[i].status != MODEL_STATUS_SUCCESS) continue;
            struct deploy_item *it = &dg->items[dg->n_items++];
            model_item_copy(it, &sg->items[i]);
            it->id = g->next_item_id++;
        }
        dg->total_count = (int64_t)dg->n_items;
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
    rec->info.create_time = dup_china(created);

    struct deploy_run *deploy = add_run(rec);
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
                    item_finish(it, false, false, at + 5 + (int64_t)rng_below(&g->rng, 120), 0);
            }
        run_recount(deploy);
    }

    if (p->kind == K_ROLLBACK_OK || p->kind == K_ROLLBACK_FAILED || p->kind == K_ROLLING_BACK) {
        struct deploy_run *rb = add_run(rec); /* may move the array: index runs[0] again */
        copy_for_rollback(g, rb, &rec->runs[0]);
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
        if (parse_time(rec->runs[r].create_time, &t) && t > last) last = t;
        for (size_t k = 0; k < rec->runs[r].n_groups; k++)
            for (size_t i = 0; i < rec->runs[r].groups[k].n_items; i++)
                if (parse_time(rec->runs[r].groups[k].items[i].update_time, &t) && t > last)
                    last = t;
    }
    if (last > g->now && created <= g->now) last = g->now;
    rec->info.update_time = dup_china(last);
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
    char *d = xstrdup("tencent.com,www.tencent.online,www.qq.com");
    set_domains(it, &d, 1);
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
    struct deploy_run *r = add_run(rec);
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
    struct deploy_run *w = add_run(r3);
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
    rng_next(&g.rng);
    g.next_item_id = 1001;
    g.max_instances = opts->max_instances > 0 ? opts->max_instances : 5000;
    g.now = opts->now_unix;
    int n = opts->records > 0 ? opts->records : 40;
    if (n < 3) n = 3; /* records 1..3 are the official examples, always present */

    ds->records = xcalloc((size_t)n, sizeof *ds->records);
    ds->n_records = (size_t)n;
    ds->started_unix = opts->now_unix;

    /* a handful of certificates, each updated several times (never the example's OMhKAc35,
     * so filtering on it lists exactly the official three) */
    char *certs[6];
    for (size_t i = 0; i < ARRAY_LEN(certs); i++) {
        certs[i] = rand_token(&g, "", 8, cert_alphabet);
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
        gen_record(&g, &ds->records[j], 3 + (generated - j), created, cert, &p);
    }
    fixed_records(&ds->records[n - 3], &ds->records[n - 2], &ds->records[n - 1]);
    for (size_t i = 0; i < ARRAY_LEN(certs); i++)
        free(certs[i]);
}

/* ---- loading ------------------------------------------------------------------------------ */

static const char *json_type(const cJSON *v)
{
    if (cJSON_IsArray(v)) return "array";
    if (cJSON_IsObject(v)) return "object";
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsNumber(v)) return "number";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNull(v)) return "null";
    return "invalid";
}

static int load_fail(struct dataset *ds, cJSON *root, struct api_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int load_fail(struct dataset *ds, cJSON *root, struct api_error *err, const char *fmt, ...)
{
    if (err) {
        apierr_clear(err);
        err->kind = APIERR_DECODE;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    cJSON_Delete(root);
    dataset_free(ds);
    return -1;
}

/* A Details key: a decimal record id without sign, spaces or leading zeros. */
static bool parse_id_key(const char *s, uint64_t *out)
{
    if (!s || !*s || (s[0] == '0' && s[1]) || strlen(s) > 19) return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return true;
}

/* Record ids with their position in Records, sorted by id then position: duplicate
 * detection and the Details lookup in O(n log n) (pairwise comparison took minutes on a file
 * of a few hundred thousand records). */
struct id_pos {
    uint64_t id;
    size_t at;
};

static int id_pos_cmp(const void *a, const void *b)
{
    const struct id_pos *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Sorts idx[0..n) and finds the first record, in file order, whose id an earlier record
 * already has: returns true with *dup its position and *first the earlier one's. */
static bool first_duplicate(struct id_pos *idx, size_t n, size_t *dup, size_t *first)
{
    qsort(idx, n, sizeof *idx, id_pos_cmp);
    bool found = false;
    for (size_t i = 1; i < n; i++) {
        if (idx[i].id != idx[i - 1].id) continue;
        size_t k = i;
        while (k > 0 && idx[k - 1].id == idx[i].id)
            k--;
        if (!found || idx[i].at < *dup) {
            *dup = idx[i].at;
            *first = idx[k].at;
            found = true;
        }
        while (i + 1 < n && idx[i + 1].id == idx[i].id)
            i++;
    }
    return found;
}

static const struct id_pos *find_id(const struct id_pos *idx, size_t n, uint64_t id)
{
    struct id_pos key = {id, 0};
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (id_pos_cmp(&idx[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && idx[lo].id == id ? &idx[lo] : NULL;
}

static int load_fail_dup(struct dataset *ds, cJSON *root, struct api_error *err, struct id_pos *idx,
                         size_t dup, size_t first)
{
    uint64_t id = ds->records[dup].info.id;
    free(idx);
    return load_fail(ds, root, err,
                     "Records[%zu].Id: duplicate record id %" PRIu64 " (as Records[%zu])", dup, id,
                     first);
}

int dataset_load_json(struct dataset *ds, const char *json, size_t len, struct api_error *err)
{
    memset(ds, 0, sizeof *ds);
    struct api_error perr;
    size_t off = 0;
    cJSON *root = codec_parse(json, len, &off, &perr);
    if (!root) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++) {
            if (json[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return load_fail(ds, NULL, err, "invalid JSON at line %zu, column %zu", line, col);
    }
    if (!cJSON_IsObject(root))
        return load_fail(ds, root, err, "(top level): expected object, got %s", json_type(root));

    for (const cJSON *k = root->child; k; k = k->next)
        if (strcmp(k->string, "Records") != 0 && strcmp(k->string, "Details") != 0)
            return load_fail(ds, root, err, "%s: unknown key (expected Records and Details)",
                             k->string);

    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(root, "Records");
    if (!recs) return load_fail(ds, root, err, "Records: missing");
    if (!cJSON_IsArray(recs))
        return load_fail(ds, root, err, "Records: expected array, got %s", json_type(recs));
    size_t n = (size_t)cJSON_GetArraySize(recs);
    ds->records = xcalloc(n ? n : 1, sizeof *ds->records);
    struct id_pos *idx = xcalloc(n ? n : 1, sizeof *idx);
    size_t i = 0, dup = 0, first = 0;
    for (const cJSON *r = recs->child; r; r = r->next, i++) {
        char path[64];
        snprintf(path, sizeof path, "Records[%zu]", i);
        struct api_error e;
        apierr_clear(&e);
        if (codec_decode_update_record(r, path, &ds->records[i].info, &e) != 0) {
            /* A duplicate before the bad record is the first problem in the file. */
            if (first_duplicate(idx, i, &dup, &first))
                return load_fail_dup(ds, root, err, idx, dup, first);
            free(idx);
            return load_fail(ds, root, err, "%s", e.message);
        }
        ds->n_records = i + 1;
        idx[i] = (struct id_pos){ds->records[i].info.id, i};
    }
    if (first_duplicate(idx, ds->n_records, &dup, &first))
        return load_fail_dup(ds, root, err, idx, dup, first);

    const cJSON *details = cJSON_GetObjectItemCaseSensitive(root, "Details");
    if (details && !cJSON_IsObject(details)) {
        free(idx);
        return load_fail(ds, root, err, "Details: expected object, got %s", json_type(details));
    }
    /* cJSON keeps repeated keys: "given twice" is tracked per record, empty lists included.
     * load_fail frees root, so every failure leaves both loops at once (no ->next after). */
    bool *given = xcalloc(ds->n_records ? ds->n_records : 1, sizeof *given);
    int rc = 0;
    for (const cJSON *d = details ? details->child : NULL; d; d = d->next) {
        uint64_t id;
        const struct id_pos *at = NULL;
        if (!parse_id_key(d->string, &id)) {
            rc = load_fail(ds, root, err, "Details.%s: key is not a record id", d->string);
            break;
        }
        if (!(at = find_id(idx, ds->n_records, id))) {
            rc = load_fail(ds, root, err, "Details.%s: no record with Id %" PRIu64 " in Records",
                           d->string, id);
            break;
        }
        if (given[at->at]) {
            rc = load_fail(ds, root, err, "Details.%s: given twice", d->string);
            break;
        }
        if (!cJSON_IsArray(d)) {
            rc = load_fail(ds, root, err, "Details.%s: expected array, got %s", d->string,
                           json_type(d));
            break;
        }
        struct dataset_record *rec = &ds->records[at->at];
        given[at->at] = true;
        size_t nr = (size_t)cJSON_GetArraySize(d);
        rec->runs = xcalloc(nr ? nr : 1, sizeof *rec->runs);
        size_t k = 0;
        for (const cJSON *run = d->child; run; run = run->next, k++) {
            char path[96];
            snprintf(path, sizeof path, "Details.%s[%zu]", d->string, k);
            struct api_error e;
            apierr_clear(&e);
            if (codec_decode_deploy_run(run, path, &rec->runs[k], &e) != 0) {
                rc = load_fail(ds, root, err, "%s", e.message);
                break;
            }
            rec->n_runs = k + 1;
        }
        if (rc != 0) break;
    }
    free(given);
    free(idx);
    if (rc != 0) return rc; /* load_fail freed root and the dataset */
    cJSON_Delete(root);
    ds->started_unix = now_unix();
    return 0;
}

int dataset_load_file(struct dataset *ds, const char *path, struct api_error *err)
{
    memset(ds, 0, sizeof *ds);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return load_fail(ds, NULL, err, "cannot open %s: %s", path, strerror(e));
    }
    struct buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, got);
    bool failed = ferror(f);
    int e = errno;
    fclose(f);
    if (failed) {
        buf_free(&b);
        return load_fail(ds, NULL, err, "cannot read %s: %s", path, strerror(e));
    }
    int rc = dataset_load_json(ds, b.data ? b.data : "", b.len, err);
    buf_free(&b);
    return rc;
}

void dataset_free(struct dataset *ds)
{
    if (!ds) return;
    for (size_t i = 0; ds->records && i < ds->n_records; i++) {
        struct dataset_record *r = &ds->records[i];
        model_record_clear(&r->info);
        for (size_t k = 0; r->runs && k < r->n_runs; k++)
            model_run_clear(&r->runs[k]);
        free(r->runs);
    }
    free(ds->records);
    memset(ds, 0, sizeof *ds);
}

struct dataset_record *dataset_find(struct dataset *ds, uint64_t id)
{
    for (size_t i = 0; i < ds->n_records; i++)
        if (ds->records[i].info.id == id) return &ds->records[i];
    return NULL;
}

/* ---- write actions ------------------------------------------------------------------------- */

static uint64_t max_item_id(const struct dataset *ds)
{
    uint64_t m = 0;
    for (size_t i = 0; i < ds->n_records; i++)
        for (size_t r = 0; r < ds->records[i].n_runs; r++)
            for (size_t g = 0; g < ds->records[i].runs[r].n_groups; g++) {
                const struct resource_group *grp = &ds->records[i].runs[r].groups[g];
                for (size_t k = 0; k < grp->n_items; k++)
                    if (grp->items[k].id > m) m = grp->items[k].id;
            }
    return m;
}

static void requeue_item(struct deploy_item *it, int64_t now)
{
    it->status = MODEL_STATUS_WAITING;
    set_str(&it->error_msg, xstrdup(""));
    set_str(&it->update_time, dup_iso(now));
}

/* The record a write action (rollback, retry) may change: it must exist and have nothing
 * running. NULL with err set otherwise. */
static struct dataset_record *writable_record(struct dataset *ds, uint64_t record_id,
                                              struct api_error *err)
{
    struct dataset_record *rec = dataset_find(ds, record_id);
    if (!rec) {
        api_fail(err, "FailedOperation.CertificateDeployNotExist",
                 "The deploy record %" PRIu64 " does not exist.", record_id);
        return NULL;
    }
    if (record_is_active(rec)) {
        api_fail(err, "FailedOperation.CertificateDeployHasPendingRecord",
                 "A deployment task of record %" PRIu64
                 " is in progress; retry after it completes.",
                 record_id);
        return NULL;
    }
    return rec;
}

int dataset_rollback(struct dataset *ds, uint64_t record_id, int64_t now_unix,
                     struct api_error *err)
{
    struct dataset_record *rec = writable_record(ds, record_id, err);
    if (!rec) return -1;
    /* Only a finished, fully successful deploy that has not been rolled back since can be
     * rolled back; a failed rollback is retried with Retry. */
    const struct deploy_run *last = rec->n_runs ? &rec->runs[rec->n_runs - 1] : NULL;
    if (!last || last->type != MODEL_RUN_DEPLOY || last->status != MODEL_STATUS_SUCCESS) {
        api_fail(err, "FailedOperation.CertificateDeployRollbackStatusInvalid",
                 "Record %" PRIu64 " cannot be rolled back: only a successfully deployed record "
                 "can be rolled back.",
                 record_id);
        return -1;
    }
    struct gen g = {.next_item_id = max_item_id(ds) + 1};
    size_t src_index = rec->n_runs - 1;
    struct deploy_run *rb = add_run(rec);
    copy_for_rollback(&g, rb, &rec->runs[src_index]);
    rb->type = MODEL_RUN_ROLLBACK;
    rb->has_pending_total_count = true;
    rb->create_time = dup_china(now_unix);
    for (size_t k = 0; k < rb->n_groups; k++)
        for (size_t i = 0; i < rb->groups[k].n_items; i++) {
            struct deploy_item *it = &rb->groups[k].items[i];
            requeue_item(it, now_unix);
            set_str(&it->create_time, dup_iso(now_unix));
        }
    run_recount(rb);
    record_sync_status(rec, now_unix);
    return 0;
}

int dataset_retry_record(struct dataset *ds, uint64_t record_id, int64_t now_unix,
                         struct api_error *err)
{
    struct dataset_record *rec = writable_record(ds, record_id, err);
    if (!rec) return -1;
    /* The failed items of the latest run: the latest deploy, or the rollback that followed
     * it (retrying a failed rollback re-runs the rollback of those items). */
    struct deploy_run *last = rec->n_runs ? &rec->runs[rec->n_runs - 1] : NULL;
    size_t n = 0;
    for (size_t k = 0; last && k < last->n_groups; k++)
        for (size_t i = 0; i < last->groups[k].n_items; i++) {
            struct deploy_item *it = &last->groups[k].items[i];
            if (it->status == MODEL_STATUS_FAILED || it->status == MODEL_STATUS_ROLLBACK_FAILED) {
                requeue_item(it, now_unix);
                n++;
            }
        }
    if (n == 0) {
        api_fail(err, "FailedOperation.CertificateDeployRetryStatusInvalid",
                 "Record %" PRIu64 " has no failed items to retry.", record_id);
        return -1;
    }
    run_recount(last);
    record_sync_status(rec, now_unix);
    return 0;
}

int dataset_retry_item(struct dataset *ds, uint64_t detail_id, int64_t now_unix,
                       struct api_error *err)
{
    for (size_t ri = 0; ri < ds->n_records; ri++) {
        struct dataset_record *rec = &ds->records[ri];
        for (size_t r = 0; r < rec->n_runs; r++)
            for (size_t k = 0; k < rec->runs[r].n_groups; k++)
                for (size_t i = 0; i < rec->runs[r].groups[k].n_items; i++) {
                    struct deploy_item *it = &rec->runs[r].groups[k].items[i];
                    if (it->id != detail_id) continue;
                    if (record_is_active(rec)) {
                        api_fail(err, "FailedOperation.CertificateDeployHasPendingRecord",
                                 "A deployment task of record %" PRIu64
                                 " is in progress; retry after it completes.",
                                 rec->info.id);
                        return -1;
                    }
                    bool failed = it->status == MODEL_STATUS_FAILED ||
                                  it->status == MODEL_STATUS_ROLLBACK_FAILED;
                    if (r != rec->n_runs - 1 || !failed) {
                        api_fail(err, "FailedOperation.CertificateDeployRetryStatusInvalid",
                                 "Detail %" PRIu64 " cannot be retried: only a failed item of "
                                 "the latest run can be retried.",
                                 detail_id);
                        return -1;
                    }
                    requeue_item(it, now_unix);
                    run_recount(&rec->runs[r]);
                    record_sync_status(rec, now_unix);
                    return 0;
                }
    }
    api_fail(err, "FailedOperation.CertificateDeployNotExist",
             "The deploy record detail %" PRIu64 " does not exist.", detail_id);
    return -1;
}

/* The newest record of a certificate: the highest id (a loaded file need not be ordered). */
static const struct dataset_record *latest_for_cert(const struct dataset *ds, const char *cert)
{
    const struct dataset_record *best = NULL;
    for (size_t i = 0; i < ds->n_records; i++) {
        const struct dataset_record *r = &ds->records[i];
        if (r->info.old_cert_id && strcmp(r->info.old_cert_id, cert) == 0 &&
            (!best || r->info.id > best->info.id))
            best = r;
    }
    return best;
}

static const struct resource_group *deployed_group(const struct dataset_record *r, const char *type)
{
    for (size_t k = r ? r->n_runs : 0; k-- > 0;) {
        if (r->runs[k].type != MODEL_RUN_DEPLOY) continue;
        for (size_t g = 0; g < r->runs[k].n_groups; g++)
            if (r->runs[k].groups[g].resource_type &&
                strcmp(r->runs[k].groups[g].resource_type, type) == 0)
                return &r->runs[k].groups[g];
        return NULL;
    }
    return NULL;
}

uint64_t dataset_upload(struct dataset *ds, const char *old_cert_id, char *const *types,
                        size_t n_types, const char *region, int64_t now_unix, bool *created)
{
    uint64_t max_id = 0;
    for (size_t i = 0; i < ds->n_records; i++) {
        const struct dataset_record *r = &ds->records[i];
        if (r->info.id > max_id) max_id = r->info.id;
        if (r->info.old_cert_id && strcmp(r->info.old_cert_id, old_cert_id) == 0 &&
            record_is_active(r)) {
            *created = false;
            return r->info.id;
        }
    }
    const struct dataset_record *tpl = latest_for_cert(ds, old_cert_id);

    struct gen g;
    g.rng.s = hash2(max_id + 1, (uint64_t)now_unix);
    g.next_item_id = max_item_id(ds) + 1;
    g.max_instances = 5000;
    g.now = now_unix;

    struct dataset_record rec;
    memset(&rec, 0, sizeof rec);
    rec.info.id = max_id + 1;
    rec.info.old_cert_id = xstrdup(old_cert_id);
    rec.info.resource_types = n_types ? xcalloc(n_types, sizeof(char *)) : NULL;
    rec.info.n_resource_types = n_types;
    rec.info.create_time = dup_china(now_unix);
    rec.info.update_time = dup_china(now_unix);
    struct deploy_run *run = add_run(&rec);
    run->type = MODEL_RUN_DEPLOY;
    run->has_pending_total_count = true;
    run->create_time = dup_china(now_unix);
    run->groups = xcalloc(n_types ? n_types : 1, sizeof *run->groups);
    run->n_groups = n_types;
    for (size_t k = 0; k < n_types; k++) {
        rec.info.resource_types[k] = xstrdup(types[k]);
        struct resource_group *grp = &run->groups[k];
        grp->resource_type = xstrdup(types[k]);
        const struct resource_group *src = deployed_group(tpl, types[k]);
        if (src && src->n_items) {
            grp->items = xcalloc(src->n_items, sizeof *grp->items);
            for (size_t i = 0; i < src->n_items; i++)
                model_item_copy(&grp->items[i], &src->items[i]);
            grp->n_items = src->n_items;
        } else {
            int t = rtype_from_name(types[k]);
            size_t n = 1 + rng_below(&g.rng, 3);
            grp->items = xcalloc(n, sizeof *grp->items);
            grp->n_items = n;
            for (size_t i = 0; i < n; i++) {
                fill_instance(&g, &grp->items[i], t < 0 ? RT_CLB : (enum rtype)t, i, STYLE_MIXED,
                              region ? region : "ap-guangzhou");
                set_str(&grp->items[i].resource_type, xstrdup(types[k]));
            }
        }
        for (size_t i = 0; i < grp->n_items; i++) {
            struct deploy_item *it = &grp->items[i];
            it->id = g.next_item_id++;
            set_str(&it->old_cert_id, xstrdup(old_cert_id));
            set_str(&it->create_time, dup_iso(now_unix));
            requeue_item(it, now_unix);
        }
        grp->total_count = (int64_t)grp->n_items;
    }
    run_recount(run);
    rec.info.status = run->status;

    ds->records = xrealloc(ds->records, (ds->n_records + 1) * sizeof *ds->records);
    memmove(&ds->records[1], &ds->records[0], ds->n_records * sizeof *ds->records);
    ds->records[0] = rec;
    ds->n_records++;
    *created = true;
    return rec.info.id;
}

/* ---- paging ------------------------------------------------------------------------------ */

/* Deep copies into dst the items of src that fall in [from, from + limit) of src's own
 * positions; from may be negative (the window starts before this group). The one slicing
 * code path of both paging modes. */
static void group_slice(struct resource_group *dst, const struct resource_group *src, int64_t from,
                        int64_t limit)
{
    dst->resource_type = xstrdup(src->resource_type);
    dst->total_count = src->total_count;
    dst->list_null = src->list_null;
    int64_t n = (int64_t)src->n_items;
    int64_t lo = from < 0 ? 0 : from;
    int64_t hi = from > n - limit ? n : from + limit; /* min(from + limit, n), no overflow */
    if (hi <= lo) return;
    dst->items = xcalloc((size_t)(hi - lo), sizeof *dst->items);
    for (int64_t i = lo; i < hi; i++)
        model_item_copy(&dst->items[i - lo], &src->items[i]);
    dst->n_items = (size_t)(hi - lo);
}

void dataset_detail_page_mode(const struct dataset_record *r, enum dataset_paging mode,
                              int64_t offset, int64_t limit, struct detail_page *out)
{
    memset(out, 0, sizeof *out);
    if (limit <= 0) limit = 10;
    if (limit > 200) limit = 200;
    if (offset < 0) offset = 0;
    if (r->n_runs == 0) return;
    out->runs = xcalloc(r->n_runs, sizeof *out->runs);
    out->n_runs = r->n_runs;
    for (size_t k = 0; k < r->n_runs; k++) {
        const struct deploy_run *src = &r->runs[k];
        struct deploy_run *dst = &out->runs[k];
        *dst = *src;
        dst->create_time = xstrdup(src->create_time);
        dst->groups = NULL;
        dst->n_groups = 0;
        if (!src->n_groups) continue;
        dst->groups = xcalloc(src->n_groups, sizeof *dst->groups);
        dst->n_groups = src->n_groups;
        /* Where the window starts in each group's own positions: at offset in every group,
         * or (flat) offset minus the items of the groups before it in the run. */
        int64_t before = 0;
        for (size_t g = 0; g < src->n_groups; g++) {
            const struct resource_group *sg = &src->groups[g];
            int64_t from = mode == DATASET_PAGING_FLAT ? offset - before : offset;
            group_slice(&dst->groups[g], sg, from, limit);
            before += (int64_t)sg->n_items;
        }
    }
}

void dataset_detail_page(const struct dataset_record *r, int64_t offset, int64_t limit,
                         struct detail_page *out)
{
    dataset_detail_page_mode(r, DATASET_PAGING_GROUP, offset, limit, out);
}
