/* Error templates: tables of real-looking messages in English and Chinese with their exact
 * templates (every kind of value, values glued to CJK text), pairs that must share a template
 * and pairs that must stay apart (a word of the sentence differs), and the grouping of items:
 * counts, failed vs rollback failed, types, regions, examples, Ids, order and determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/errtmpl.h"
#include "core/util.h"

struct row {
    const char *msg;
    const char *tmpl;
};

static const struct row english[] = {
    /* resource IDs of every kind */
    {"certificate does not match the private key of listener lbl-c1wpbg9v",
     "certificate does not match the private key of listener <*>"},
    {"instance lb-abcdefgh is being modified, try again later",
     "instance <*> is being modified, try again later"},
    {"instance ins-kxmqhtrz is expired", "instance <*> is expired"},
    {"cluster cls-8ausljxl is not running", "cluster <*> is not running"},
    {"EdgeOne zone zone-2qxbnkzeyvuj is paused", "EdgeOne zone <*> is paused"},
    {"gateway gateway-bcdfghjk is upgrading, try again later",
     "gateway <*> is upgrading, try again later"},
    {"WAF domain www.example.com is not protected by instance waf_abcdefghijklmnop",
     "WAF domain <*> is not protected by instance <*>"},
    {"bucket assets-07-1250000000 does not exist", "bucket <*> does not exist"},
    {"certificate OMhKAcxy was revoked", "certificate <*> was revoked"},
    {"certificate OMhKAc35 was revoked", "certificate <*> was revoked"},
    /* domains: plain, wildcard, punycode, IDN, lists */
    {"CDN domain static.shop-demo.com.cn is offline", "CDN domain <*> is offline"},
    {"CDN domain *.example.com is offline", "CDN domain <*> is offline"},
    {"CDN domain xn--fiqs8s.cn is offline", "CDN domain <*> is offline"},
    {"CDN domain 例子.中国 is offline", "CDN domain <*> is offline"},
    {"domains a.example.com, b.example.com, c.example.cn are not verified",
     "domains <*> are not verified"},
    /* addresses */
    {"connect to 10.0.3.17:443 timed out", "connect to <*> timed out"},
    {"connect to 10.0.3.17 timed out", "connect to <*> timed out"},
    {"connect to [2402:4e00:1::9]:443 timed out", "connect to <*> timed out"},
    {"backend fe80::1ff:fe23:4567:890a refused the handshake", "backend <*> refused the handshake"},
    /* numbers, hex, UUIDs, timestamps */
    {"quota exceeded: 5001 listeners (limit 5000)", "quota exceeded: <*> listeners (limit <*>)"},
    {"task 3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b failed", "task <*> failed"},
    {"fingerprint 9F:86:D0:81:88:4C:7D:65 does not match", "fingerprint <*> does not match"},
    {"certificate expired at 2025-05-20 15:03:17", "certificate expired at <*>"},
    {"certificate expired at 2025-05-20T07:03:17.000000Z", "certificate expired at <*>"},
    {"retry after 30s (attempt 3 of 5)", "retry after <*> (attempt <*> of <*>)"},
    /* quoted values and key=value */
    {"Parameter `DeployRecordId` is invalid", "Parameter `<*>` is invalid"},
    {"listener name 'https 443' is taken", "listener name '<*>' is taken"},
    {"rule \"/api/*\" conflicts", "rule \"<*>\" conflicts"},
    {"the listener doesn't exist", "the listener doesn't exist"},
    {"invalid value Port=8443", "invalid value Port=<*>"},
    /* namespace/secret paths, URLs, emails */
    {"secret payments/pay-tls is being updated by another controller",
     "secret <*> is being updated by another controller"},
    {"secret default/web is being updated by another controller",
     "secret <*> is being updated by another controller"},
    {"callback https://hooks.example.com/cert?id=7 failed", "callback <*> failed"},
    {"notify ops@example.com failed", "notify <*> failed"},
    /* sentence punctuation stays; whitespace folds */
    {"listener lbl-dlu2mqpu does not exist.", "listener <*> does not exist."},
    {"  error:   lb-9crou4ha\tbusy  ", "error: <*> busy"},
    {"internal error, please try again later", "internal error, please try again later"},
    {"SSL handshake failed", "SSL handshake failed"},
    {"", ""},
};

static const struct row chinese[] = {
    {"实例lb-8ausljxl状态异常", "实例<*>状态异常"},
    {"实例 lb-8ausljxl 状态异常", "实例<*>状态异常"},
    {"CLB 实例 lb-8ausljxl 状态异常，请稍后重试", "CLB 实例<*>状态异常，请稍后重试"},
    {"域名www.example.com已下线，无法更新证书", "域名<*>已下线，无法更新证书"},
    {"高防实例bgpip-000a1b2c转发规则不存在", "高防实例<*>转发规则不存在"},
    {"存储桶static-42-1250000000不存在", "存储桶<*>不存在"},
    {"集群cls-xkrtmbqp访问超时", "集群<*>访问超时"},
    {"监听器“https-443”不存在", "监听器“<*>”不存在"},
    {"域名「*.example.cn」未备案", "域名「<*>」未备案"},
    {"第3次重试失败", "第<*>次重试失败"},
    {"证书将于2025-06-01 00:00:00过期", "证书将于<*>过期"},
    {"后端10.1.2.3:8080、10.1.2.4:8080健康检查失败", "后端<*>健康检查失败"},
    {"回滚失败：实例lb-ei7avhju正在变更中", "回滚失败：实例<*>正在变更中"},
    {"证书与域名不匹配", "证书与域名不匹配"},
    {"密钥 prod/api-tls 正在被其他控制器更新", "密钥<*>正在被其他控制器更新"},
    /* lower-case words next to CJK are values; product names in capitals are words */
    {"集群cls-iu9jtghh中命名空间staging不存在", "集群<*>中命名空间<*>不存在"},
    {"命名空间 default 不存在", "命名空间<*>不存在"},
    {"存储桶assets-01-1250000000的自定义域名static.example.com未开启HTTPS",
     "存储桶<*>的自定义域名<*>未开启HTTPS"},
    {"EdgeOne 站点zone-2qxbnkzeyvuj已停用", "EdgeOne 站点<*>已停用"},
    {"CLB 实例异常", "CLB 实例异常"},
};

static void check_rows(const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *t = errtmpl_of(rows[i].msg);
        if (strcmp(t, rows[i].tmpl) != 0)
            fail_msg("errtmpl_of(\"%s\")\n  got  \"%s\"\n  want \"%s\"", rows[i].msg, t,
                     rows[i].tmpl);
        free(t);
    }
}

static void test_english_templates(void **state)
{
    (void)state;
    check_rows(english, ARRAY_LEN(english));
    char *t = errtmpl_of(NULL);
    assert_string_equal(t, "");
    free(t);
}

static void test_chinese_templates(void **state)
{
    (void)state;
    check_rows(chinese, ARRAY_LEN(chinese));
}

static bool same(const char *a, const char *b)
{
    char *x = errtmpl_of(a), *y = errtmpl_of(b);
    bool eq = strcmp(x, y) == 0;
    free(x);
    free(y);
    return eq;
}

/* Only values vary within a template. */
static void test_same_cause_shares_a_template(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"实例lb-8ausljxl状态异常", "实例lb-ei7avhju状态异常"},
        {"certificate does not match the private key of listener lbl-c1wpbg9v",
         "certificate does not match the private key of listener lbl-f40fk8cl"},
        {"CLB 实例 lb-8ausljxl 状态异常", "CLB 实例 lb-bcdfghjk 状态异常"},
        {"CDN domain www.example.com is offline", "CDN domain img3.game-demo.cn is offline"},
        {"CDN domain www.example.com is offline", "CDN domain *.xn--fiqs8s.cn is offline"},
        {"connect to 10.0.0.1:443 timed out", "connect to [::1]:8443 timed out"},
        {"secret default/web-tls is busy", "secret kube-system/api-tls is busy"},
        {"域名a.example.com已下线", "域名b.example.com,c.example.com已下线"},
    };
    for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
        if (!same(pairs[i][0], pairs[i][1]))
            fail_msg("should share a template:\n  %s\n  %s", pairs[i][0], pairs[i][1]);
}

/* A different word of the sentence is a different cause, in either language. */
static void test_different_words_stay_apart(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"instance ins-kxmqhtrz is expired", "instance ins-kxmqhtrz is stopped"},
        {"instance lb-8ausljxl is expired", "instance lb-ei7avhju is stopped"},
        {"listener lbl-c1wpbg9v does not exist", "listener lbl-c1wpbg9v does not match"},
        {"CDN domain www.example.com is offline", "live domain www.example.com is offline"},
        {"实例lb-8ausljxl状态异常", "实例lb-8ausljxl已过期"},
        {"域名a.example.com已下线", "域名a.example.com未备案"},
        {"高防实例bgpip-000a1b2c转发规则不存在", "高防实例bgpip-000a1b2c转发规则冲突"},
        {"certificate does not match the private key", "certificate does not match the domain"},
        {"HTTPS listener not found", "HTTP listener not found"},
        {"the listener doesn't exist", "the listener does exist"},
    };
    for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
        if (same(pairs[i][0], pairs[i][1]))
            fail_msg("should stay apart:\n  %s\n  %s", pairs[i][0], pairs[i][1]);
}

/* Hostile bytes: invalid UTF-8, a lone lead byte at the end, controls, long input — no crash,
 * and the bytes that are not values pass through (the sanitizer handles them at output). */
static void test_odd_input(void **state)
{
    (void)state;
    char *t = errtmpl_of("bad \xff\xfe byte lb-8ausljxl \xe5");
    assert_string_equal(t, "bad \xff\xfe byte <*>\xe5");
    free(t);
    t = errtmpl_of("\x1b[31mred\x1b[0m");
    assert_string_equal(t, "\x1b<*>\x1b<*>");
    free(t);
    t = errtmpl_of("unclosed `quote lb-8ausljxl");
    assert_string_equal(t, "unclosed `quote <*>");
    free(t);
    size_t n = 100000;
    char *big = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = "ab1 .,'\"`"[i % 9];
    big[n] = '\0';
    t = errtmpl_of(big);
    assert_true(strlen(t) <= n * 3);
    free(t);
    free(big);
}

/* ---- grouping ---------------------------------------------------------------------------- */

static struct deploy_item item(uint64_t id, int64_t status, const char *type, const char *region,
                               const char *msg)
{
    struct deploy_item it;
    memset(&it, 0, sizeof it);
    it.id = id;
    it.status = status;
    it.resource_type = (char *)type;
    it.region = (char *)region;
    it.error_msg = (char *)msg;
    return it;
}

static void test_group_counts_and_fields(void **state)
{
    (void)state;
    struct deploy_item items[] = {
        item(15, MODEL_STATUS_FAILED, "clb", "ap-guangzhou",
             "certificate does not match the private key of listener lbl-c1wpbg9v"),
        item(12, MODEL_STATUS_FAILED, "clb", "ap-shanghai",
             "certificate does not match the private key of listener lbl-f40fk8cl"),
        item(30, MODEL_STATUS_ROLLBACK_FAILED, "clb", "ap-guangzhou",
             "certificate does not match the private key of listener lbl-aaaa1111"),
        item(40, MODEL_STATUS_FAILED, "cdn", "", "实例lb-8ausljxl状态异常"),
        item(41, MODEL_STATUS_FAILED, NULL, "ap-beijing", "实例lb-ei7avhju状态异常"),
        item(50, MODEL_STATUS_SUCCESS, "clb", "ap-guangzhou", ""),
        item(51, MODEL_STATUS_FAILED, "tke", "ap-guangzhou", "instance ins-kxmqhtrz is expired"),
        item(52, MODEL_STATUS_FAILED, "tke", "ap-guangzhou", "instance ins-kxmqhtrz is stopped"),
        item(53, MODEL_STATUS_FAILED, "tke", "ap-guangzhou", NULL),
    };
    struct errtmpl_set *s = errtmpl_set_new();
    size_t added = 0;
    for (size_t i = 0; i < ARRAY_LEN(items); i++)
        added += errtmpl_set_add(s, &items[i], "clb", false);
    assert_int_equal(added, 8); /* the success is not a failure */
    /* the same Id again is not counted twice */
    assert_false(errtmpl_set_add(s, &items[0], "clb", false));
    assert_int_equal(errtmpl_set_items(s), 8);

    size_t n;
    const struct errtmpl_group *g = errtmpl_set_groups(s, &n);
    assert_int_equal(n, 5);
    /* count descending, ties by template text */
    assert_string_equal(g[0].text, "certificate does not match the private key of listener <*>");
    assert_int_equal(g[0].count, 3);
    assert_int_equal(g[0].failed, 2);
    assert_int_equal(g[0].rollback_failed, 1);
    assert_int_equal(g[0].n_resource_types, 1);
    assert_string_equal(g[0].resource_types[0], "clb");
    assert_int_equal(g[0].n_regions, 2);
    assert_string_equal(g[0].regions[0], "ap-guangzhou");
    assert_string_equal(g[0].regions[1], "ap-shanghai");
    assert_int_equal(g[0].example_id, 12);
    assert_string_equal(g[0].example,
                        "certificate does not match the private key of listener lbl-f40fk8cl");
    assert_int_equal(g[0].n_detail_ids, 3);
    assert_int_equal(g[0].detail_ids[0], 12);
    assert_int_equal(g[0].detail_ids[1], 15);
    assert_int_equal(g[0].detail_ids[2], 30);

    assert_string_equal(g[1].text, "实例<*>状态异常");
    assert_int_equal(g[1].count, 2);
    /* the group's type stands in for an item without one; an empty region is no region */
    assert_int_equal(g[1].n_resource_types, 2);
    assert_string_equal(g[1].resource_types[0], "cdn");
    assert_string_equal(g[1].resource_types[1], "clb");
    assert_int_equal(g[1].n_regions, 1);

    /* three groups of one, by byte order: "" < "instance <*> is expired" < "… stopped" */
    assert_string_equal(g[2].text, "");
    assert_string_equal(g[2].example, "");
    assert_string_equal(g[3].text, "instance <*> is expired");
    assert_string_equal(g[4].text, "instance <*> is stopped");
    errtmpl_set_free(s);
}

/* A rollback run's failures count as rollback failed; add_run skips what did not fail. */
static void test_add_run(void **state)
{
    (void)state;
    struct deploy_item a[] = {
        item(1, MODEL_STATUS_FAILED, "", "", "回滚失败：实例lb-ei7avhju正在变更中"),
        item(2, MODEL_STATUS_SUCCESS, "", "", ""),
        item(3, MODEL_STATUS_FAILED, "", "", "回滚失败：实例lb-8ausljxl正在变更中"),
    };
    struct resource_group grp = {.resource_type = "live", .items = a, .n_items = 3};
    struct deploy_run run = {.type = MODEL_RUN_ROLLBACK, .groups = &grp, .n_groups = 1};
    struct errtmpl_set *s = errtmpl_set_new();
    assert_int_equal(errtmpl_set_add_run(s, &run), 2);
    assert_int_equal(errtmpl_set_add_run(s, &run), 0);
    size_t n;
    const struct errtmpl_group *g = errtmpl_set_groups(s, &n);
    assert_int_equal(n, 1);
    assert_int_equal(g[0].rollback_failed, 2);
    assert_int_equal(g[0].failed, 0);
    assert_string_equal(g[0].resource_types[0], "live");
    errtmpl_set_free(s);
}

/* The groups do not depend on the order items arrive in (pages in any order), and a large
 * set (many unique messages, few causes) folds to its causes. */
static void test_order_independent_and_large(void **state)
{
    (void)state;
    static const char *const forms[] = {
        "certificate does not match the private key of listener lbl-%08zx",
        "CLB 实例 lb-%08zx 状态异常，请稍后重试",
        "实例lb-%08zx状态异常",
        "domain www%zu.example.com is being deployed, please try again later",
    };
    enum { N = 20000 };
    char **msgs = xcalloc(N, sizeof *msgs);
    struct deploy_item *items = xcalloc(N, sizeof *items);
    for (size_t i = 0; i < N; i++) {
        msgs[i] = xasprintf(forms[(i * 7) % ARRAY_LEN(forms)], i * 2654435761u);
        items[i] =
            item(100 + i, MODEL_STATUS_FAILED, i % 3 ? "clb" : "cdn", "ap-guangzhou", msgs[i]);
    }
    struct errtmpl_set *fwd = errtmpl_set_new(), *rev = errtmpl_set_new();
    for (size_t i = 0; i < N; i++) {
        errtmpl_set_add(fwd, &items[i], NULL, false);
        errtmpl_set_add(rev, &items[N - 1 - i], NULL, false);
    }
    size_t nf, nr;
    const struct errtmpl_group *f = errtmpl_set_groups(fwd, &nf);
    const struct errtmpl_group *r = errtmpl_set_groups(rev, &nr);
    assert_int_equal(nf, ARRAY_LEN(forms));
    assert_int_equal(nr, nf);
    size_t total = 0;
    for (size_t i = 0; i < nf; i++) {
        assert_string_equal(f[i].text, r[i].text);
        assert_int_equal(f[i].count, r[i].count);
        assert_string_equal(f[i].example, r[i].example);
        assert_int_equal(f[i].n_detail_ids, r[i].n_detail_ids);
        assert_memory_equal(f[i].detail_ids, r[i].detail_ids, f[i].n_detail_ids * sizeof(uint64_t));
        total += f[i].count;
    }
    assert_int_equal(total, N);
    errtmpl_set_free(fwd);
    errtmpl_set_free(rev);
    for (size_t i = 0; i < N; i++)
        free(msgs[i]);
    free(msgs);
    free(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_english_templates),
        cmocka_unit_test(test_chinese_templates),
        cmocka_unit_test(test_same_cause_shares_a_template),
        cmocka_unit_test(test_different_words_stay_apart),
        cmocka_unit_test(test_odd_input),
        cmocka_unit_test(test_group_counts_and_fields),
        cmocka_unit_test(test_add_run),
        cmocka_unit_test(test_order_independent_and_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
