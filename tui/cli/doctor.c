/* `certdeck doctor`: what certdeck uses and whether the API answers. Never a secret. */
#include "tui/cli/doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sanitize.h"
#include "core/secmem.h"
#include "core/util.h"
#include "tui/about.h"

static void print_proxy_env(void)
{
    static const char *const names[] = {"https_proxy", "HTTPS_PROXY", "http_proxy",
                                        "all_proxy",   "ALL_PROXY",   "no_proxy"};
    bool any = false;
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        const char *v = getenv(names[i]);
        if (!v || !*v) continue;
        /* A proxy URL may carry user:password@; show only scheme and host. */
        const char *at = strrchr(v, '@');
        const char *scheme_end = strstr(v, "://");
        char *shown;
        if (at && scheme_end && at > scheme_end)
            shown = xasprintf("%.*s://***@%s", (int)(scheme_end - v), v, at + 1);
        else
            shown = xstrdup(v);
        char *clean = sanitize_dup(shown);
        printf("  %-13s %s=%s\n", any ? "" : "proxy:", names[i], clean);
        free(clean);
        free(shown);
        any = true;
    }
    if (!any) printf("  %-13s none (https_proxy / no_proxy are honoured)\n", "proxy:");
}

int cli_doctor(struct api_client *api, const struct cli *c, const struct creds *cr,
               const char *cred_warning, const struct config *cfg)
{
    char masked[64];
    creds_mask_id(cr->secret_id, masked, sizeof masked);
    char *source = sanitize_dup(cr->source);
    char *endpoint = sanitize_dup(api_client_endpoint(api));
    printf("certdeck %s (git %s)\n", CERTDECK_VERSION, CERTDECK_GIT_DESCRIBE);
    printf("  %-13s %s\n", "endpoint:", endpoint);
    printf("  %-13s %s\n", "credentials:", source);
    printf("  %-13s %s%s\n", "SecretId:", masked,
           creds_has_token(cr) ? " (temporary, with session token)" : "");
    if (cred_warning && *cred_warning) printf("  %-13s %s\n", "warning:", cred_warning);
    if (strncmp(api_client_endpoint(api), "http://", 7) == 0)
        printf("  %-13s none: plain http:// (requests are signed, not encrypted)\n", "TLS:");
    else if (c->insecure)
        printf("  %-13s verification OFF (--insecure): unsafe\n", "TLS:");
    else
        printf("  %-13s verification on (%s)\n", "TLS:", c->cacert ? c->cacert : "system CA store");
    print_proxy_env();
    about_print_paths(stdout, cfg);
    printf("  %-13s %s\n", "core dumps:",
           secmem_core_dumps_allowed() ? "allowed (CERTDECK_ALLOW_CORE=1; secrets still left out)"
                                       : "off (CERTDECK_ALLOW_CORE=1 to allow, for debugging)");
    char when[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("  %-13s %s (requests are signed with this time; 5 minutes of skew is allowed)\n",
           "clock:", when);
    free(source);
    free(endpoint);

    struct records_query q = {0, 1, NULL};
    struct records_page page = {0};
    struct api_error err;
    int64_t t0 = now_ms();
    if (api_describe_records(api, &q, &page, NULL, &err) != 0) {
        printf("  %-13s FAILED after %lld ms\n", "probe:", (long long)(now_ms() - t0));
        batch_print_error(stdout, "DescribeHostUploadUpdateRecord", &err);
        return apierr_exit_code(&err);
    }
    char *rid = sanitize_dup(page.request_id);
    printf("  %-13s DescribeHostUploadUpdateRecord answered in %lld ms: %llu update records "
           "(RequestId %s)\n",
           "probe:", (long long)(now_ms() - t0), (unsigned long long)page.total_count, rid);
    free(rid);
    model_records_page_clear(&page);
    printf("everything looks fine\n");
    return 0;
}
