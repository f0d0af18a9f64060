/* The API client: configuration and credentials, a pool of HTTP handles, one signed POST, and
 * api_call_run, which sends an action's call under the rate limit and the retry policy. */
#include "core/api.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/api_call.h"
#include "core/backoff.h"
#include "core/ratelimit.h"
#include "core/sanitize.h"
#include "core/tc3.h"
#include "core/trace.h"
#include "core/secmem.h"
#include "core/util.h"

#ifndef CERTDECK_VERSION
#define CERTDECK_VERSION "0"
#endif

#define API_DEFAULT_RATE       20.0
#define API_DEFAULT_RETRIES    4
#define API_DEFAULT_BACKOFF_MS 500
/* How many characters of an unexpected HTTP body go into the error message. */
#define API_EXCERPT_MAX 120

struct api_client {
    char *endpoint; /* "https://host[:port]" */
    char *url;      /* endpoint + "/" */
    char *host;     /* "host[:port]" exactly as in the URL: the Host header and the signed host */
    char *language;
    char *cacert;
    char *user_agent;
    struct http_opts http;
    int max_retries;
    int64_t backoff_base_ms;
    int64_t clock_skew_s;
    struct creds *creds; /* secmem pages: left out of core dumps */
    double rate;         /* resolved: requests per second, 0 for no limit */
    struct ratelimit *rl;

    pthread_mutex_t pool_mu; /* guards the idle handles */
    struct http_client **idle;
    size_t n_idle, cap_idle;

    struct trace_observer observer; /* the event log's hook */
    struct api_source source;       /* answer != NULL: calls go there, not to the network */
};

/* ---- construction ------------------------------------------------------------------------ */

static bool api_has_control(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

/* The endpoint as an error message may quote it: everything between the scheme and the last
 * '@' is shown as "***", since that is where a user:password would be (even one holding a
 * '/' that was not percent-encoded). Heap string, at most about 200 bytes. */
static char *api_endpoint_shown(const char *endpoint)
{
    const char *sep = strstr(endpoint, "://");
    const char *start = sep ? sep + 3 : endpoint;
    const char *at = strrchr(start, '@');
    char *shown =
        at ? xasprintf("%.*s***%s", (int)(start - endpoint), endpoint, at) : xstrdup(endpoint);
    if (strlen(shown) > 200) shown[200] = '\0';
    return shown;
}

/* Splits an endpoint ("https://h[:p]", "h" meaning https, an optional trailing "/") into the
 * normalized endpoint and its host[:port]. */
static int api_parse_endpoint(const char *endpoint, char **norm, char **host, struct api_error *err)
{
    const char *scheme = "https";
    const char *rest = endpoint;
    const char *sep = strstr(endpoint, "://");
    if (sep) {
        size_t n = (size_t)(sep - endpoint);
        if (n == 5 && strncasecmp(endpoint, "https", 5) == 0)
            scheme = "https";
        else if (n == 4 && strncasecmp(endpoint, "http", 4) == 0)
            scheme = "http";
        else {
            char *shown = api_endpoint_shown(endpoint);
            apierr_set(err, APIERR_USAGE,
                       "endpoint %s: only http:// and https:// endpoints are supported", shown);
            free(shown);
            return -1;
        }
        rest = sep + 3;
    }
    size_t hn = strcspn(rest, "/?#");
    const char *tail = rest + hn;
    if (hn == 0 || (tail[0] && strcmp(tail, "/") != 0) || memchr(rest, '@', hn) ||
        api_has_control(rest) || strpbrk(rest, " \t")) {
        char *shown = api_endpoint_shown(endpoint);
        apierr_set(err, APIERR_USAGE, "endpoint %s is not a URL of the form https://host[:port]%s",
                   shown, strchr(rest, '@') ? " (credentials do not belong in it)" : "");
        free(shown);
        return -1;
    }
    /* A port, if any, is 1-65535 (after "]" for an IPv6 literal). */
    const char *close = rest[0] == '[' ? memchr(rest, ']', hn) : NULL;
    const char *colon =
        memchr(close ? close : rest, ':', hn - (size_t)((close ? close : rest) - rest));
    if (colon) {
        const char *p = colon + 1;
        long port = 0;
        size_t digits = 0;
        for (; p < rest + hn && *p >= '0' && *p <= '9' && port <= 65535; p++, digits++)
            port = port * 10 + (*p - '0');
        if (digits == 0 || p != rest + hn || port < 1 || port > 65535) {
            char *shown = api_endpoint_shown(endpoint);
            apierr_set(err, APIERR_USAGE, "endpoint %s: the port must be a number from 1 to 65535",
                       shown);
            free(shown);
            return -1;
        }
    }
    *host = xstrndup(rest, hn);
    *norm = xasprintf("%s://%s", scheme, *host);
    return 0;
}

struct api_client *api_client_new(const struct api_config *config, const struct creds *creds,
                                  struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    apierr_clear(err);
    struct api_config cfg = config ? *config : (struct api_config){0};
    if (!creds || !creds->secret_id[0] || !creds->secret_key[0]) {
        apierr_set(err, APIERR_USAGE, "no credentials: a SecretId and a SecretKey are needed");
        return NULL;
    }
    if (api_has_control(creds->secret_id) || api_has_control(creds->secret_key) ||
        api_has_control(creds->token)) {
        apierr_set(err, APIERR_USAGE, "the credentials contain a control character");
        return NULL;
    }
    if (cfg.language && (api_has_control(cfg.language) || strlen(cfg.language) > 32)) {
        apierr_set(err, APIERR_USAGE, "language must be zh-CN or en-US");
        return NULL;
    }
    char *endpoint = NULL, *host = NULL;
    if (api_parse_endpoint(cfg.endpoint ? cfg.endpoint : API_DEFAULT_ENDPOINT, &endpoint, &host,
                           err) != 0)
        return NULL;

    struct api_client *c = xcalloc(1, sizeof *c);
    c->endpoint = endpoint;
    c->host = host;
    c->url = xasprintf("%s/", endpoint);
    c->language = cfg.language && cfg.language[0] ? xstrdup(cfg.language) : NULL;
    c->cacert = xstrdup(cfg.http.cacert);
    c->user_agent = xstrdup(cfg.http.user_agent);
    c->http = cfg.http;
    c->http.cacert = c->cacert;
    c->http.user_agent = c->user_agent;
    c->max_retries = cfg.max_retries == 0  ? API_DEFAULT_RETRIES
                     : cfg.max_retries < 0 ? 0
                                           : cfg.max_retries;
    c->backoff_base_ms = cfg.backoff_base_ms > 0 ? cfg.backoff_base_ms : API_DEFAULT_BACKOFF_MS;
    c->clock_skew_s = cfg.clock_skew_s;
    c->creds = secmem_alloc(sizeof *c->creds);
    *c->creds = *creds;
    /* rate 0 means the documented default; a negative rate means no client-side limit. The
     * bucket holds one second's worth, as the service's does (20 requests/s, bursts of 20), so
     * a burst of page fetches starts at once. */
    double rate = cfg.rate == 0 ? API_DEFAULT_RATE : cfg.rate;
    c->rate = rate > 0 ? rate : 0;
    c->rl = ratelimit_new(c->rate, rate >= 1 ? rate : 1);
    pthread_mutex_init(&c->pool_mu, NULL);
    trace_observer_init(&c->observer);
    http_global_init();
    return c;
}

struct api_client *api_client_new_source(const struct api_source *src)
{
    struct api_client *c = xcalloc(1, sizeof *c);
    c->source = *src;
    c->endpoint = xstrdup(src->endpoint ? src->endpoint : "");
    c->creds = secmem_alloc(sizeof *c->creds);
    strlcpy_safe(c->creds->secret_id, src->secret_id_prefix ? src->secret_id_prefix : "",
                 sizeof c->creds->secret_id);
    c->rl = ratelimit_new(0, 1);
    pthread_mutex_init(&c->pool_mu, NULL);
    trace_observer_init(&c->observer);
    return c;
}

const struct api_source *api_client_source(const struct api_client *c)
{
    return c->source.answer ? &c->source : NULL;
}

void api_client_secret_id(const struct api_client *c, char *out, size_t n)
{
    strlcpy_safe(out, c->creds->secret_id, n);
}

void api_client_free(struct api_client *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_idle; i++)
        http_client_free(c->idle[i]);
    free(c->idle);
    ratelimit_free(c->rl);
    pthread_mutex_destroy(&c->pool_mu);
    trace_observer_destroy(&c->observer);
    free(c->endpoint);
    free(c->url);
    free(c->host);
    free(c->language);
    free(c->cacert);
    free(c->user_agent);
    creds_wipe(c->creds);
    secmem_free(c->creds, sizeof *c->creds);
    free(c);
}

void api_client_set_observer(struct api_client *c, api_observer_fn fn, void *ctx)
{
    trace_observer_set(&c->observer, fn, ctx);
}

void api_client_set_wait_hook(struct api_client *c, ratelimit_wait_fn fn, void *ctx)
{
    ratelimit_set_wait_hook(c->rl, fn, ctx);
}

double api_client_rate(const struct api_client *c)
{
    return c->rate;
}

const char *api_client_endpoint(const struct api_client *c)
{
    return c->endpoint;
}

/* ---- the HTTP handle pool: one handle per concurrent caller, reused (keep-alive) --------- */

static struct http_client *api_pool_get(struct api_client *c)
{
    struct http_client *h = NULL;
    pthread_mutex_lock(&c->pool_mu);
    if (c->n_idle) h = c->idle[--c->n_idle];
    pthread_mutex_unlock(&c->pool_mu);
    return h ? h : http_client_new(&c->http);
}

static void api_pool_put(struct api_client *c, struct http_client *h)
{
    pthread_mutex_lock(&c->pool_mu);
    /* The elements are pointers: sizeof *c->idle is meant. */
    c->idle = xgrow(c->idle, &c->cap_idle, c->n_idle + 1,
                    sizeof *c->idle); // NOLINT(bugprone-sizeof-expression)
    c->idle[c->n_idle++] = h;
    pthread_mutex_unlock(&c->pool_mu);
}

static struct http_client *api_write_client(struct api_client *c)
{
    struct http_opts o = c->http;
    o.fresh_connect = true;
    return http_client_new(&o);
}

/* ---- one call -------------------------------------------------------------------------- */

/* "HTTP 503: <first words of the body>" with markup dropped, whitespace collapsed, sanitized. */
static void api_http_error(const struct http_response *resp, struct api_error *err)
{
    struct buf text = {0};
    bool in_tag = false, space = false;
    bool markup = resp->len && (resp->body[0] == '<' || strstr(resp->content_type, "html"));
    for (size_t i = 0; i < resp->len && text.len < API_EXCERPT_MAX; i++) {
        char ch = resp->body[i];
        if (markup && ch == '<') in_tag = true;
        if (in_tag) {
            if (ch == '>') in_tag = false, space = true;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            space = true;
            continue;
        }
        if (space && text.len) buf_putc(&text, ' ');
        space = false;
        buf_putc(&text, ch);
    }
    struct buf clean = {0};
    if (text.len) sanitize_append(&clean, text.data, text.len, false);
    apierr_clear(err);
    /* apierr_format prints "HTTP <status>: <message>": the message is the excerpt alone. */
    apierr_set(err, APIERR_HTTP, "%s", clean.len ? clean.data : "");
    err->http_status = resp->status;
    buf_free(&text);
    buf_free(&clean);
}

static void api_header(const char **headers, size_t *n, char *value)
{
    headers[(*n)++] = value;
}

/* One signed POST and its decoding. The Authorization and token headers are wiped after use. */
/* One signed POST of call and its decoding. *send_us: how long the request took to leave (see
 * struct http_response; 0 when it failed before an answer). */
static int api_attempt(struct api_client *c, const struct api_call *call, struct http_client *h,
                       const atomic_int *cancel, long *http_status, int64_t *send_us, char *rid,
                       size_t rid_len, struct api_error *err)
{
    int64_t ts = now_unix() + c->clock_skew_s;
    struct tc3_header signed_headers[] = {
        {"content-type", API_CONTENT_TYPE},
        {"host", c->host},
    };
    struct tc3_request req = {
        .method = "POST",
        .uri = "/",
        .query = "",
        .headers = signed_headers,
        .n_headers = ARRAY_LEN(signed_headers),
        .payload = call->body,
        .payload_len = call->body_len,
    };
    char *auth =
        tc3_authorization(&req, API_SERVICE, ts, c->creds->secret_id, c->creds->secret_key);
    char *owned[10];
    const char *headers[11];
    size_t n = 0;
    api_header(headers, &n, owned[n] = xasprintf("Authorization: %s", auth));
    api_header(headers, &n, owned[n] = xstrdup("Content-Type: " API_CONTENT_TYPE));
    api_header(headers, &n, owned[n] = xasprintf("Host: %s", c->host));
    api_header(headers, &n, owned[n] = xasprintf("X-TC-Action: %s", call->action));
    api_header(headers, &n, owned[n] = xstrdup("X-TC-Version: " API_VERSION));
    api_header(headers, &n, owned[n] = xasprintf("X-TC-Timestamp: %" PRId64, ts));
    api_header(headers, &n, owned[n] = xstrdup("X-TC-RequestClient: certdeck_" CERTDECK_VERSION));
    if (c->language)
        api_header(headers, &n, owned[n] = xasprintf("X-TC-Language: %s", c->language));
    if (creds_has_token(c->creds))
        api_header(headers, &n, owned[n] = xasprintf("X-TC-Token: %s", c->creds->token));
    headers[n] = NULL;
    secure_zero(auth, strlen(auth));
    free(auth);

    struct http_response resp;
    int rc = http_post(h, c->url, headers, call->body, call->body_len, cancel, &resp, err);
    for (size_t i = 0; i < n; i++) {
        secure_zero(owned[i], strlen(owned[i]));
        free(owned[i]);
    }
    if (rc != 0) return -1;
    *http_status = resp.status;
    *send_us = resp.send_us;
    if (resp.status != 200) {
        api_http_error(&resp, err);
        http_response_free(&resp);
        return -1;
    }
    rc = call->decode(resp.body, resp.len, call->out, rid, rid_len, err);
    if (rc != 0 && err->kind == APIERR_NONE) apierr_set(err, APIERR_DECODE, "undecodable response");
    if (rc != 0) err->http_status = resp.status;
    http_response_free(&resp);
    return rc;
}

/* ---- sending a call: rate limit, attempts under the retry policy, the trace ---------------- */

static void api_cancelled(struct api_error *err)
{
    apierr_clear(err);
    apierr_set(err, APIERR_CANCELLED, "cancelled");
}

/* A call answered by the client's source: the same decoder as a live answer, no network. */
static int api_source_run(struct api_client *c, const struct api_call *call,
                          const atomic_int *cancel, char *rid_out, size_t rid_out_len,
                          struct api_error *err)
{
    char rid[80] = "";
    if (cancel && atomic_load(cancel)) {
        api_cancelled(err);
        return -1;
    }
    char *body =
        c->source.answer(c->source.ctx, call->action, call->write, call->body, call->body_len);
    int rc = call->decode(body, strlen(body), call->out, rid, sizeof rid, err);
    if (rc != 0 && err->kind == APIERR_NONE) apierr_set(err, APIERR_DECODE, "undecodable answer");
    free(body);
    if (rid_out && rid_out_len) strlcpy_safe(rid_out, rc == 0 ? rid : err->request_id, rid_out_len);
    return rc;
}

int api_call_run(struct api_client *c, const struct api_call *call, const atomic_int *cancel,
                 char *rid_out, size_t rid_out_len, struct api_error *err)
{
    if (c->source.answer) {
        apierr_clear(err);
        return api_source_run(c, call, cancel, rid_out, rid_out_len, err);
    }
    struct api_trace trace;
    trace_begin(&trace, call->action, call->params);
    apierr_clear(err);

    /* Writes get a connection of their own: on a reused connection that the server closed,
     * libcurl would silently send the request a second time. */
    struct http_client *h = call->write ? api_write_client(c) : api_pool_get(c);
    int rc = -1;
    for (int attempt = 1;; attempt++) {
        if (cancel && atomic_load(cancel)) {
            api_cancelled(err);
            break;
        }
        struct ratelimit_ticket ticket;
        int64_t waited = ratelimit_acquire(c->rl, cancel, &ticket);
        if (waited < 0) {
            api_cancelled(err);
            break;
        }
        trace.rate_wait_ms += waited;
        trace.attempts = attempt;
        trace.request_id[0] = '\0';
        apierr_clear(err);
        long status = 0;
        int64_t send_us = 0;
        rc = api_attempt(c, call, h, cancel, &status, &send_us, trace.request_id,
                         sizeof trace.request_id, err);
        trace.http_status = status;
        /* What the limiter learns from the answer: how late the request left, and whether
         * the server counted it. */
        ratelimit_sent(c->rl, &ticket, send_us * 1000);
        bool limited = rc != 0 && backoff_rate_limited(err);
        if (limited) {
            trace.rate_limited++;
            ratelimit_rejected(c->rl, &ticket);
        } else if (status == 200) {
            ratelimit_accepted(c->rl, &ticket);
        }
        if (rc == 0) break;

        if (!backoff_should_retry(call->write, err) || attempt > c->max_retries) break;
        /* A refusal taught the limiter that the server's bucket is empty: the retry waits for
         * its next token like every other call, and nobody else is held. Only a call refused
         * again (or with no limiter to pace it) also backs off on its own thread, as does any
         * other retryable failure. */
        int backoffs = limited && c->rate > 0 ? attempt - 1 : attempt;
        if (backoffs > 0 &&
            !backoff_sleep(backoff_delay_ms(c->backoff_base_ms, backoffs), cancel)) {
            api_cancelled(err);
            break;
        }
    }
    if (call->write)
        http_client_free(h);
    else
        api_pool_put(c, h);

    if (rc == 0) apierr_clear(err);
    if (rc != 0 && call->write) err->outcome_unknown = apierr_write_may_have_applied(err);
    trace_end(&trace, rc, err);
    if (rid_out && rid_out_len) strlcpy_safe(rid_out, trace.request_id, rid_out_len);
    trace_observer_notify(&c->observer, &trace);
    return rc;
}
