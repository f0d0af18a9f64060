/* Made-up instances of each resource type: the name lists, and the fields each type's items
 * carry in the API (a CLB listener, a TKE secret, a COS bucket…). */
#include "core/emulator/instances.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/emulator/strslot.h"
#include "core/util.h"

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

static char *rand_token(struct rng *rng, const char *prefix, int n, const char *alphabet)
{
    size_t plen = strlen(prefix), alen = strlen(alphabet);
    char *s = xmalloc(plen + (size_t)n + 1);
    memcpy(s, prefix, plen);
    for (int i = 0; i < n; i++)
        s[plen + (size_t)i] = alphabet[rng_below(rng, (unsigned)alen)];
    s[plen + (size_t)n] = '\0';
    return s;
}

static char *rand_domain(struct rng *rng, const char *prefix)
{
    const char *p = prefix ? prefix : dom_prefixes[rng_below(rng, ARRAY_LEN(dom_prefixes))];
    const char *base = dom_bases[rng_below(rng, ARRAY_LEN(dom_bases))];
    unsigned n = rng_below(rng, 40);
    if (n < 10) return xasprintf("%s%u.%s", p, n, base);
    return xasprintf("%s.%s", p, base);
}

static char *instance_name(struct rng *rng, enum rtype t, size_t idx, enum instance_style style)
{
    unsigned roll = rng_below(rng, 100);
    if (style == INSTANCE_CJK) roll = roll < 50 ? 0 : 9;
    if (roll < 8)
        return xasprintf("%s-%02zu", cjk_names[rng_below(rng, ARRAY_LEN(cjk_names))], idx + 1);
    if (roll < 11)
        return xasprintf("%s-%04zu", long_names[rng_below(rng, ARRAY_LEN(long_names))], idx + 1);
    if (t == RT_CLB && roll < 40) {
        /* the console's default name, as in the seed example: lb-<8 hex>-<4 mixed> */
        char *tail = rand_token(rng, "", 4, cert_alphabet);
        char *s = xasprintf("lb-%08" PRIx32 "-%s", (uint32_t)rng_next(rng), tail);
        free(tail);
        return s;
    }
    return xasprintf("%s-%s-%02zu", en_names[rng_below(rng, ARRAY_LEN(en_names))], rtype_names[t],
                     idx + 1);
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

void instance_fill(struct rng *rng, struct deploy_item *it, enum rtype t, size_t idx,
                   enum instance_style style, const char *region)
{
    /* t < RT_COUNT always: generated plans hold known types and uploads map unknown names to
     * RT_CLB. The analyzer starts here with any t, hence the suppression. */
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
        it->instance_id = rand_token(rng, "lb-", 8, id_alphabet);
        it->instance_name = instance_name(rng, t, idx, style);
        strslot_set(&it->listener_id, rand_token(rng, "lbl-", 8, id_alphabet));
        strslot_set(&it->listener_name,
                    xstrdup(listener_names[rng_below(rng, ARRAY_LEN(listener_names))]));
        strslot_set(&it->protocol, xstrdup("HTTPS"));
        it->sni_switch = rng_below(rng, 4) == 0;
        it->port = rng_below(rng, 10) == 0 ? 8443 : 443;
        it->forward = rng_below(rng, 7) == 0 ? 0 : 1;
        strslot_set(&it->ssl_mode, xstrdup(rng_below(rng, 10) == 0 ? "MUTUAL" : "UNIDIRECTIONAL"));
        strslot_set(&it->region, xstrdup(region));
        unsigned form = rng_below(rng, 8);
        if (form == 0) {
            /* one string of comma-joined names, the way the official example shows them */
            char *a = rand_domain(rng, NULL), *b = rand_domain(rng, NULL);
            one_domain(it, xasprintf("%s,%s", a, b));
            free(a);
            free(b);
        } else if (it->sni_switch) {
            char *d[3] = {rand_domain(rng, NULL), rand_domain(rng, NULL), rand_domain(rng, NULL)};
            set_domains(it, d, 2 + rng_below(rng, 2));
            if (it->n_domains == 2) free(d[2]);
        } else {
            one_domain(it, rand_domain(rng, NULL));
        }
        break;
    }
    case RT_CDN:
    case RT_LIVE: {
        char *d = rand_domain(rng, t == RT_LIVE ? (rng_below(rng, 2) ? "live" : "play") : NULL);
        it->instance_id = xstrdup(d);
        it->instance_name = style == INSTANCE_CJK ? instance_name(rng, t, idx, style) : xstrdup(d);
        one_domain(it, d);
        break;
    }
    case RT_DDOS:
        it->instance_id = rand_token(rng, "bgpip-000", 5, id_alphabet);
        it->instance_name = instance_name(rng, t, idx, style);
        one_domain(it, rand_domain(rng, NULL));
        it->port = 443;
        strslot_set(&it->region, xstrdup(rng_below(rng, 2) ? "ap-guangzhou" : "ap-hongkong"));
        break;
    case RT_VOD:
        it->instance_id = xasprintf("15000%05u", rng_below(rng, 100000));
        it->instance_name = instance_name(rng, t, idx, style);
        one_domain(it, rand_domain(rng, "vod"));
        break;
    case RT_WAF:
        it->instance_id = rand_token(rng, "waf_", 16, id_alphabet);
        it->instance_name = instance_name(rng, t, idx, style);
        one_domain(it, rand_domain(rng, NULL));
        it->port = 443;
        strslot_set(&it->region, xstrdup(region));
        break;
    case RT_APIGW:
        it->instance_id = rand_token(rng, "service-", 8, id_alphabet);
        it->instance_name = instance_name(rng, t, idx, style);
        one_domain(it, rand_domain(rng, "api"));
        strslot_set(&it->region, xstrdup(region));
        break;
    case RT_TEO: {
        it->instance_id = rand_token(rng, "zone-", 12, id_alphabet);
        char *d = rand_domain(rng, NULL);
        const char *dot = strchr(d, '.');
        it->instance_name =
            style == INSTANCE_CJK ? instance_name(rng, t, idx, style) : xstrdup(dot ? dot + 1 : d);
        one_domain(it, d);
        break;
    }
    case RT_TKE: {
        it->instance_id = rand_token(rng, "cls-", 8, id_alphabet);
        it->instance_name = instance_name(rng, t, idx, style);
        strslot_set(&it->namespace_, xstrdup(namespaces[rng_below(rng, ARRAY_LEN(namespaces))]));
        char *d = rand_domain(rng, NULL);
        strslot_set(&it->secret_name, xasprintf("%.*s-tls", (int)strcspn(d, "."), d));
        one_domain(it, d);
        strslot_set(&it->region, xstrdup(region));
        break;
    }
    case RT_COS: {
        it->instance_id = xstrdup("");
        it->instance_name = xstrdup("");
        static const char *const buckets[] = {"assets", "static", "images", "backup", "web"};
        strslot_set(&it->bucket,
                    xasprintf("%s-%02u-1250000000", buckets[rng_below(rng, ARRAY_LEN(buckets))],
                              rng_below(rng, 100)));
        one_domain(it, rand_domain(rng, "static"));
        strslot_set(&it->region, xstrdup(region));
        break;
    }
    case RT_TSE:
        it->instance_id = rand_token(rng, "gateway-", 8, id_alphabet);
        it->instance_name = instance_name(rng, t, idx, style);
        one_domain(it, rand_domain(rng, NULL));
        it->port = 443;
        strslot_set(&it->region, xstrdup(region));
        break;
    case RT_TCB:
        it->instance_id = rand_token(rng, "prod-", 8, id_alphabet);
        it->instance_name = style == INSTANCE_CJK || rng_below(rng, 2)
                                ? xasprintf("云开发-生产环境-%02zu", idx + 1)
                                : instance_name(rng, t, idx, style);
        one_domain(it, rand_domain(rng, NULL));
        strslot_set(&it->region, xstrdup(rng_below(rng, 2) ? "ap-shanghai" : "ap-guangzhou"));
        break;
    case RT_COUNT:
        break;
    }
}

char *instance_cert_id(struct rng *rng)
{
    return rand_token(rng, "", 8, cert_alphabet);
}
