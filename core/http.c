/* HTTP POST through libcurl for the API client: one easy handle per client, driven through a
 * private multi handle so a cancel flag is noticed within a tenth of a second even while the
 * server is silent, with a body size cap and plain-English transport errors. */
#include "core/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#ifndef CERTDECK_VERSION
#define CERTDECK_VERSION "0"
#endif

/* How long one wait for socket activity may last before the cancel flag is looked at again. */
#define HTTP_POLL_MS 50

struct http_client {
    CURL *easy;
    CURLM *multi; /* holds the connection cache: connections survive between requests */
    long connect_timeout_ms;
    long timeout_ms;
    size_t max_body;
    char *cacert;
    char *user_agent;
    char errbuf[CURL_ERROR_SIZE];
};

/* Per-transfer state shared with the curl callbacks. */
struct http_xfer {
    struct buf body;
    size_t max_body;
    bool too_big;
    const atomic_int *cancel;
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;

static void http_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_global_init(void)
{
    pthread_once(&http_once, http_init_once);
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

static size_t http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct http_xfer *x = userdata;
    size_t n = size * nmemb;
    if (n > x->max_body || x->body.len > x->max_body - n) {
        x->too_big = true;
        return 0; /* anything but n aborts the transfer with CURLE_WRITE_ERROR */
    }
    buf_append(&x->body, ptr, n);
    return n;
}

static int http_xferinfo_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                            curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct http_xfer *x = userdata;
    return x->cancel && atomic_load(x->cancel) ? 1 : 0;
}

struct http_client *http_client_new(const struct http_opts *opts)
{
    http_global_init();
    struct http_client *c = xcalloc(1, sizeof *c);
    c->easy = curl_easy_init();
    c->multi = curl_multi_init();
    if (!c->easy || !c->multi) {
        fprintf(stderr, "certdeck: libcurl could not create a handle\n");
        abort();
    }
    struct http_opts o = opts ? *opts : (struct http_opts){0};
    c->connect_timeout_ms = o.connect_timeout_ms > 0 ? o.connect_timeout_ms : 10000;
    c->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : 60000;
    c->max_body = o.max_body ? o.max_body : HTTP_DEFAULT_MAX_BODY;
    c->cacert = xstrdup(o.cacert);
    c->user_agent = o.user_agent ? xstrdup(o.user_agent) : xstrdup("certdeck/" CERTDECK_VERSION);

    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* whatever this libcurl can decode */
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    if (o.fresh_connect) {
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    /* Verification is set explicitly (not left to libcurl's defaults), and `insecure` is the
     * only thing that turns it off. TLS 1.2 is the floor: the API accepts it and older
     * versions are broken. */
    if (o.insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (c->cacert) curl_easy_setopt(e, CURLOPT_CAINFO, c->cacert);
    /* Proxies: nothing is set, so libcurl applies http_proxy, https_proxy and no_proxy. */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, http_xferinfo_cb);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    return c;
}

void http_client_free(struct http_client *c)
{
    if (!c) return;
    curl_easy_cleanup(c->easy);
    curl_multi_cleanup(c->multi);
    free(c->cacert);
    free(c->user_agent);
    free(c);
}

/* "32 MiB", "1.5 MiB", "64 KiB", "100 bytes". */
static void http_size_text(size_t n, char *out, size_t len)
{
    const size_t mib = (size_t)1024 * 1024;
    if (n >= mib && n % mib == 0)
        snprintf(out, len, "%zu MiB", n / mib);
    else if (n >= mib)
        snprintf(out, len, "%.1f MiB", (double)n / (double)mib);
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, len, "%zu KiB", n / 1024);
    else
        snprintf(out, len, "%zu bytes", n);
}

/* "10 s", "0.3 s". */
static void http_secs_text(long ms, char *out, size_t len)
{
    if (ms % 1000 == 0)
        snprintf(out, len, "%ld s", ms / 1000);
    else
        snprintf(out, len, "%.1f s", (double)ms / 1000.0);
}

static void http_fail(struct api_error *err, enum apierr_kind kind, const char *reason)
{
    apierr_clear(err);
    apierr_set(err, kind, "%s", reason);
    if (kind == APIERR_TRANSPORT) strlcpy_safe(err->transport, reason, sizeof err->transport);
}

/* Replaces, in place, every occurrence of secret[0..n) in s by "***" (n >= 3: never longer). */
static void http_mask(char *s, const char *secret, size_t n)
{
    for (char *p = s; *p;) {
        if (strncmp(p, secret, n) != 0) {
            p++;
            continue;
        }
        memcpy(p, "***", 3);
        memmove(p + 3, p + n, strlen(p + n) + 1);
        p += 3;
    }
}

/* Masks credentials in curl's error text. libcurl quotes a proxy URL it cannot use whole
 * ("Unsupported proxy scheme for 'socks9://user:password@host'"), and proxies come from
 * http_proxy/https_proxy/all_proxy, where a user:password@ is common. The user information of
 * each of those variables is masked wherever it appears (spaces or an unencoded '/' in a
 * password included), then any other "scheme://…@" run. In place: the text only shrinks. */
static void http_mask_userinfo(char *s)
{
    static const char *const vars[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                       "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (!v) continue;
        const char *start = strstr(v, "://") ? strstr(v, "://") + 3 : v;
        const char *at = strrchr(start, '@');
        if (at && at - start >= 3) http_mask(s, start, (size_t)(at - start));
    }
    for (char *p = strstr(s, "://"); p; p = strstr(p + 3, "://")) {
        char *q = p + 3;
        char *end = q + strcspn(q, "'\" \t/");
        char *at = NULL;
        for (char *r = q; r < end; r++)
            if (*r == '@') at = r;
        if (!at || at == q) continue;
        memcpy(q, "***", at - q >= 3 ? 3 : (size_t)(at - q));
        if (at - q > 3) memmove(q + 3, at, strlen(at) + 1);
    }
}

/* One clear sentence for a failed transfer. curl's error buffer is appended where it carries
 * the detail that matters (TLS, proxies), with any user:password in it masked; it never holds
 * request headers or the body. */
static void http_reason(struct http_client *c, CURLcode rc, const struct http_xfer *x,
                        struct buf *out)
{
    char tmp[64];
    http_mask_userinfo(c->errbuf);
    const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
    long os_errno = 0;
    curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &os_errno);
    long connect_code = 0;
    curl_easy_getinfo(c->easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);

    if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        http_size_text(x->max_body, tmp, sizeof tmp);
        buf_printf(out, "response larger than %s (limit)", tmp);
        return;
    }
    if (connect_code >= 300) {
        buf_printf(out, "proxy refused the tunnel (HTTP %ld)", connect_code);
        return;
    }
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        buf_printf(out, "DNS lookup failed: %s", detail);
        return;
    case CURLE_COULDNT_RESOLVE_PROXY:
        buf_printf(out, "could not resolve proxy (check https_proxy/http_proxy): %s", detail);
        return;
    case CURLE_COULDNT_CONNECT:
        if (os_errno == ECONNREFUSED)
            buf_printf(out, "connection refused");
        else if (os_errno)
            buf_printf(out, "could not connect: %s", strerror((int)os_errno));
        else
            buf_printf(out, "could not connect: %s", detail);
        return;
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t connected = 0;
        curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME_T, &connected);
        if (connected == 0) {
            long ms = c->connect_timeout_ms < c->timeout_ms ? c->connect_timeout_ms : c->timeout_ms;
            http_secs_text(ms, tmp, sizeof tmp);
            buf_printf(out, "connection timed out after %s", tmp);
        } else {
            http_secs_text(c->timeout_ms, tmp, sizeof tmp);
            buf_printf(out, "timed out after %s", tmp);
        }
        return;
    }
    case CURLE_PEER_FAILED_VERIFICATION:
        buf_printf(out, "TLS certificate verification failed: %s", detail);
        return;
    case CURLE_SSL_CONNECT_ERROR:
        buf_printf(out, "TLS handshake failed: %s", detail);
        return;
    case CURLE_SSL_CACERT_BADFILE:
        buf_printf(out, "TLS: cannot use the CA file: %s", detail);
        return;
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
        buf_printf(out, "TLS error: %s", detail);
        return;
    case CURLE_GOT_NOTHING:
        buf_printf(out, "connection closed with an empty reply");
        return;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (os_errno == ECONNRESET || os_errno == EPIPE)
            buf_printf(out, "connection reset");
        else
            buf_printf(out, "network error: %s", detail);
        return;
    case CURLE_PARTIAL_FILE:
        buf_printf(out, "connection closed before the whole response arrived");
        return;
#if LIBCURL_VERSION_NUM >= 0x074900
    case CURLE_PROXY:
        buf_printf(out, "proxy error: %s", detail);
        return;
#endif
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        buf_printf(out, "bad URL: %s", detail);
        return;
    default:
        buf_printf(out, "%s (%s)", curl_easy_strerror(rc), detail);
        return;
    }
}

/* Runs the transfer on the private multi handle, looking at *cancel between waits. */
static CURLcode http_perform(struct http_client *c, const atomic_int *cancel, bool *cancelled)
{
    CURLcode result = CURLE_OK;
    *cancelled = false;
    if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK) return CURLE_FAILED_INIT;
    int running = 1;
    while (running) {
        CURLMcode mc = curl_multi_perform(c->multi, &running);
        if (mc != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
        if (cancel && atomic_load(cancel)) {
            *cancelled = true;
            break;
        }
        if (running && curl_multi_poll(c->multi, NULL, 0, HTTP_POLL_MS, NULL) != CURLM_OK) {
            result = CURLE_FAILED_INIT;
            break;
        }
    }
    if (!*cancelled && !running) {
        int queued;
        CURLMsg *m;
        while ((m = curl_multi_info_read(c->multi, &queued)))
            if (m->msg == CURLMSG_DONE && m->easy_handle == c->easy) result = m->data.result;
    }
    curl_multi_remove_handle(c->multi, c->easy);
    return result;
}

int http_post(struct http_client *c, const char *url, const char *const *headers, const char *body,
              size_t len, const atomic_int *cancel, struct http_response *resp,
              struct api_error *err)
{
    memset(resp, 0, sizeof *resp);
    if (cancel && atomic_load(cancel)) {
        http_fail(err, APIERR_CANCELLED, "cancelled");
        return -1;
    }
    struct curl_slist *list = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip for large bodies */

    struct http_xfer x = {.max_body = c->max_body, .cancel = cancel};
    CURL *e = c->easy;
    c->errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x);

    bool cancelled;
    CURLcode rc = http_perform(c, cancel, &cancelled);

    /* The header list and body belong to the caller: leave no pointer to them behind. */
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
    /* curl_slist_append copied the Authorization and X-TC-Token values: wipe the copies. */
    for (struct curl_slist *h = list; h; h = h->next)
        secure_zero(h->data, strlen(h->data));
    curl_slist_free_all(list);

    if (cancelled || rc == CURLE_ABORTED_BY_CALLBACK) {
        buf_free(&x.body);
        http_fail(err, APIERR_CANCELLED, "cancelled");
        return -1;
    }
    if (rc != CURLE_OK) {
        struct buf reason = {0};
        http_reason(c, rc, &x, &reason);
        buf_free(&x.body);
        http_fail(err, APIERR_TRANSPORT, reason.data);
        buf_free(&reason);
        /* Past "pretransfer" the request was on its way: the server may have acted on it. */
        curl_off_t pretransfer = 0;
        curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
        err->request_sent = pretransfer > 0;
        return -1;
    }

    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
    char *ct = NULL;
    if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) {
        size_t i = 0;
        for (; ct[i] && i + 1 < sizeof resp->content_type; i++)
            resp->content_type[i] = (char)((ct[i] >= 0x20 && ct[i] < 0x7f) ? ct[i] : '?');
        resp->content_type[i] = '\0';
    }
    curl_off_t total_us = 0, pretransfer_us = 0;
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
    curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
    resp->total_ms = (double)total_us / 1000.0;
    resp->send_us = (int64_t)pretransfer_us;
    resp->len = x.body.len;
    resp->body = buf_steal(&x.body);
    return 0;
}

void http_response_free(struct http_response *r)
{
    if (!r) return;
    free(r->body);
    memset(r, 0, sizeof *r);
}
