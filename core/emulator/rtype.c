/* The resource types by name, and the failure texts of their services. */
#include "core/emulator/rtype.h"

#include <stddef.h>
#include <string.h>

#include "core/util.h"

const char *const rtype_names[RT_COUNT] = {
    "clb", "cdn", "ddos", "live", "vod", "waf", "apigateway", "teo", "tke", "cos", "tse", "tcb",
};

int rtype_from_name(const char *s)
{
    for (int i = 0; s && i < RT_COUNT; i++)
        if (strcmp(s, rtype_names[i]) == 0) return i;
    return -1;
}

/* Failure texts as the real services word them; {inst} {lsn} {dom} {ns} {sec} {bucket} are
 * replaced by the item's own values. */
#define MAX_TEXTS 8

/* Several causes per type, in English and Chinese (the language a service answers in varies by
 * account and API version), with values both spaced and glued to the CJK text as the services
 * write them. */
static const char *const error_templates[RT_COUNT][MAX_TEXTS] = {
    [RT_CLB] = {"certificate does not match the private key of listener {lsn}",
                "instance {inst} is being modified, try again later",
                "listener {lsn} does not exist or has been deleted", "证书与域名不匹配",
                "CLB 实例 {inst} 状态异常，请稍后重试", "实例{inst}状态异常",
                "监听器{lsn}不存在或已被删除", "listener {lsn} of instance {inst} is not HTTPS"},
    [RT_CDN] = {"CDN domain {dom} is offline",
                "domain {dom} is being deployed, please try again later",
                "域名 {dom} 已下线，无法更新证书", "域名{dom}正在部署中，请稍后重试",
                "certificate does not cover domain {dom}", NULL, NULL, NULL},
    [RT_DDOS] = {"instance {inst} is expired", "高防实例 {inst} 转发规则不存在",
                 "forwarding rule for {dom} not found on {inst}", "高防实例{inst}已过期",
                 "instance {inst} is isolated", NULL, NULL, NULL},
    [RT_LIVE] = {"live domain {dom} is disabled", "直播域名 {dom} 未开启 HTTPS",
                 "直播域名{dom}已停用", NULL, NULL, NULL, NULL, NULL},
    [RT_VOD] = {"VOD domain {dom} is not in service", "点播域名 {dom} 状态异常",
                "点播域名{dom}不存在", NULL, NULL, NULL, NULL, NULL},
    [RT_WAF] = {"WAF domain {dom} is not protected by instance {inst}", "WAF 实例 {inst} 已过期",
                "WAF实例{inst}的域名{dom}未接入", NULL, NULL, NULL, NULL, NULL},
    [RT_APIGW] = {"custom domain {dom} is not bound to service {inst}",
                  "API 网关服务 {inst} 不存在", "服务{inst}的自定义域名{dom}未绑定证书", NULL, NULL,
                  NULL, NULL, NULL},
    [RT_TEO] = {"EdgeOne zone {inst} is paused", "加速域名 {dom} 配置冲突", "站点{inst}已停用",
                NULL, NULL, NULL, NULL, NULL},
    [RT_TKE] = {"secret {ns}/{sec} is being updated by another controller",
                "cluster {inst} is not running", "集群 {inst} 访问超时",
                "集群{inst}中命名空间{ns}不存在", NULL, NULL, NULL, NULL},
    [RT_COS] = {"custom domain {dom} of bucket {bucket} is not verified", "存储桶 {bucket} 不存在",
                "存储桶{bucket}的自定义域名{dom}未开启HTTPS", NULL, NULL, NULL, NULL, NULL},
    [RT_TSE] = {"gateway {inst} is upgrading, try again later", "云原生网关 {inst} 状态异常",
                "网关{inst}证书配置冲突", NULL, NULL, NULL, NULL, NULL},
    [RT_TCB] = {"environment {inst} is suspended", "云开发环境 {inst} 自定义域名 {dom} 未备案",
                "环境{inst}已欠费停服", NULL, NULL, NULL, NULL, NULL},
};

static const char *const rollback_templates[] = {
    "rollback failed: the previous certificate of {inst} has expired",
    "回滚失败：实例 {inst} 正在变更中",
    "回滚失败：实例{inst}原证书已被删除",
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

char *rtype_failure_message(const struct deploy_item *it, bool rollback, uint64_t h)
{
    if (rollback) return expand_template(rollback_templates[h % ARRAY_LEN(rollback_templates)], it);
    int t = rtype_from_name(it->resource_type);
    if (t < 0) return xstrdup("internal error, please try again later");
    size_t n = 0;
    while (n < MAX_TEXTS && error_templates[t][n])
        n++;
    if (n == 0) return xstrdup("internal error, please try again later"); /* a type without texts */
    return expand_template(error_templates[t][h % n], it);
}
