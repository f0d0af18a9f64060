/* Opening an API client for a profile and an endpoint, at start and on :profile/:endpoint. */
#include "tui/connect.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

struct api_config connect_api_config(const struct connect_config *cc, const char *endpoint)
{
    return (struct api_config){
        .endpoint = endpoint,
        .language = cc->language,
        .http = {.timeout_ms = (long)((cc->timeout_s > 0 ? cc->timeout_s : 30) * 1000),
                 .cacert = cc->cacert,
                 .insecure = cc->insecure},
        .rate = cc->rate,
    };
}

struct api_client *connect_client(const struct connect_config *cc, const char *profile,
                                  const char *endpoint, struct creds *cr, char *warn,
                                  size_t warnlen, char *err, size_t errlen)
{
    struct creds_opts co = {profile && profile[0] ? profile : NULL, NULL};
    if (creds_resolve(&co, cr, err, errlen, warn, warnlen) != 0) return NULL;
    struct api_config ac = connect_api_config(cc, endpoint);
    struct api_error aerr;
    struct api_client *api = api_client_new(&ac, cr, &aerr);
    if (!api) {
        apierr_format(&aerr, err, errlen);
        creds_wipe(cr);
    }
    return api;
}

static const struct connect_endpoint endpoints[] = {
    {"https://ssl.tencentcloudapi.com", "China site, nearest region (default)"},
    {"https://ssl.intl.tencentcloudapi.com", "international site"},
    {"https://ssl.ap-guangzhou.tencentcloudapi.com", "Guangzhou"},
    {"https://ssl.ap-shanghai.tencentcloudapi.com", "Shanghai"},
    {"https://ssl.ap-beijing.tencentcloudapi.com", "Beijing"},
    {"https://ssl.ap-hongkong.tencentcloudapi.com", "Hong Kong"},
    {"https://ssl.ap-singapore.tencentcloudapi.com", "Singapore"},
};

const struct connect_endpoint *connect_endpoints(size_t *n)
{
    *n = ARRAY_LEN(endpoints);
    return endpoints;
}

bool connect_endpoint_url(const char *arg, char *out, size_t n)
{
    if (!arg || !arg[0]) return false;
    if (!strncmp(arg, "https://", 8) || !strncmp(arg, "http://", 7)) {
        if (strlen(arg) >= n) return false;
        strlcpy_safe(out, arg, n);
        return true;
    }
    if (!strcmp(arg, "default")) return strlcpy_safe(out, endpoints[0].url, n) < n;
    if (!strcmp(arg, "intl")) return strlcpy_safe(out, endpoints[1].url, n) < n;
    if (strlen(arg) > 40) return false;
    for (const char *p = arg; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return false;
    return snprintf(out, n, "https://ssl.%s.tencentcloudapi.com", arg) < (int)n;
}

int connect_http_policy(const char *endpoint, bool allow_http, char *msg, size_t n)
{
    msg[0] = '\0';
    if (!endpoint || strncasecmp(endpoint, "http://", 7) != 0) return 0;
    const char *host = endpoint + 7;
    static const char *const local[] = {"127.", "localhost:", "[::1]:"};
    for (size_t i = 0; i < ARRAY_LEN(local); i++)
        if (strncmp(host, local[i], strlen(local[i])) == 0) return 0;
    if (!strcmp(host, "localhost") || !strcmp(host, "[::1]")) return 0;
    if (!allow_http) {
        snprintf(msg, n,
                 "refusing plain http:// to a remote host: anyone on the path could read "
                 "and rewrite the answers; use https://, or --allow-http if you must");
        return -1;
    }
    snprintf(msg, n,
             "WARNING: the endpoint uses plain http:// to a remote host: requests are "
             "signed but not encrypted; use https://");
    return 0;
}
