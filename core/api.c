/* The API client: one function per action (encode with cJSON, sign with TC3, POST through a
 * pooled http_client, decode with the codec), the retry policy, the trace for the observer,
 * and the two paging helpers (records list, every item of a record's detail). */
#include "core/api.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/codec.h"
#include "core/ratelimit.h"
#include "core/sanitize.h"
#include "core/tc3.h"
#include "core/util.h"

#ifndef CERTDECK_VERSION
#define CERTDECK_VERSION "0"
#endif

#define API_DEFAULT_RATE       20.0
#define API_DEFAULT_RETRIES    4
#define API_DEFAULT_BACKOFF_MS 500
#define API_MAX_BACKOFF_MS     30000
#define API_RECORDS_PAGE       100
/* How many characters of an unexpected HTTP body go into the error message. */
#define API_EXCERPT_MAX 120
/* Paging of a record's detail stops after this many rounds whatever the server says. */
#define API_DETAIL_MAX_ROUNDS 1000
/* API_RECORDS_MAX, API_DETAIL_MAX_ITEMS and API_DETAIL_MAX_GROUPS (api.h) bound what the
 * paging helpers collect. */
#define API_DETAIL_MAX_CONCURRENCY 16

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
    struct creds creds;
    double rate; /* resolved: requests per second, 0 for no limit */
    struct ratelimit *rl;

    pthread_mutex_t pool_mu; /* guards the idle handles */
    struct http_client **idle;
    size_t n_idle, cap_idle;

    pthread_mutex_t obs_mu; /* guards and serializes the observer */
    api_observer_fn observer;
    void *observer_ctx;
};

/* A decoder of one action's body; also copies the RequestId it found into rid. */
typedef int (*api_decode_fn)(const char *body, size_t len, void *out, char *rid, size_t rid_len,
                             struct api_error *err);

struct api_call {
    const char *action;
    bool write; /* only RequestLimitExceeded is retried */
    char *body; /* compact JSON; wiped after the call (it may hold a private key) */
    size_t body_len;
    char params[160];
    api_decode_fn decode;
    void *out;
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
    c->creds = *creds;
    /* rate 0 means the documented default; a negative rate means no client-side limit. The
     * bucket holds one second's worth so a burst of page fetches starts at once. */
    double rate = cfg.rate == 0 ? API_DEFAULT_RATE : cfg.rate;
    c->rate = rate > 0 ? rate : 0;
    c->rl = ratelimit_new(c->rate, rate >= 1 ? rate : 1);
    pthread_mutex_init(&c->pool_mu, NULL);
    pthread_mutex_init(&c->obs_mu, NULL);
    http_global_init();
    return c;
}

void api_client_free(struct api_client *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_idle; i++)
        http_client_free(c->idle[i]);
    free(c->idle);
    ratelimit_free(c->rl);
    pthread_mutex_destroy(&c->pool_mu);
    pthread_mutex_destroy(&c->obs_mu);
    free(c->endpoint);
    free(c->url);
    free(c->host);
    free(c->language);
    free(c->cacert);
    free(c->user_agent);
    creds_wipe(&c->creds);
    free(c);
}

void api_client_set_observer(struct api_client *c, api_observer_fn fn, void *ctx)
{
    pthread_mutex_lock(&c->obs_mu);
    c->observer = fn;
    c->observer_ctx = ctx;
    pthread_mutex_unlock(&c->obs_mu);
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
static int api_attempt(struct api_client *c, const struct api_call *call, struct http_client *h,
                       const atomic_int *cancel, long *http_status, char *rid, size_t rid_len,
                       struct api_error *err)
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
    char *auth = tc3_authorization(&req, API_SERVICE, ts, c->creds.secret_id, c->creds.secret_key);
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
    if (creds_has_token(&c->creds))
        api_header(headers, &n, owned[n] = xasprintf("X-TC-Token: %s", c->creds.token));
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

static bool api_is_rate_limited(const struct api_error *e)
{
    return e->kind == APIERR_API && strncmp(e->code, "RequestLimitExceeded", 20) == 0 &&
           (e->code[20] == '\0' || e->code[20] == '.');
}

/* Exponential backoff with "equal jitter": a delay in [d/2, d] for d = base * 2^(attempt-1). */
static int64_t api_backoff_ms(const struct api_client *c, int attempt)
{
    static _Thread_local uint64_t state;
    if (!state) state = (uint64_t)now_ms() * 0x9E3779B97F4A7C15ull ^ (uintptr_t)&state;
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    int64_t d = c->backoff_base_ms;
    for (int i = 1; i < attempt && d < API_MAX_BACKOFF_MS; i++)
        d *= 2;
    if (d > API_MAX_BACKOFF_MS) d = API_MAX_BACKOFF_MS;
    int64_t half = d / 2;
    return half + (int64_t)(state % (uint64_t)(d - half + 1));
}

/* Sleeps ms unless *cancel becomes set; returns false when cancelled. */
static bool api_sleep(int64_t ms, const atomic_int *cancel)
{
    int64_t deadline = now_ms() + ms;
    for (;;) {
        if (cancel && atomic_load(cancel)) return false;
        int64_t left = deadline - now_ms();
        if (left <= 0) return true;
        sleep_ms(left < 20 ? left : 20);
    }
}

static void api_cancelled(struct api_error *err)
{
    apierr_clear(err);
    apierr_set(err, APIERR_CANCELLED, "cancelled");
}

/* Rate limit, attempt, retry; then the trace. */
static int api_run(struct api_client *c, const struct api_call *call, const atomic_int *cancel,
                   char *rid_out, size_t rid_out_len, struct api_error *err)
{
    struct api_trace trace;
    memset(&trace, 0, sizeof trace);
    trace.action = call->action;
    strlcpy_safe(trace.params, call->params, sizeof trace.params);
    trace.started_ms = now_ms();
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
        int64_t waited = ratelimit_acquire(c->rl, cancel);
        if (waited < 0) {
            api_cancelled(err);
            break;
        }
        trace.rate_wait_ms += waited;
        trace.attempts = attempt;
        trace.request_id[0] = '\0';
        apierr_clear(err);
        long status = 0;
        rc = api_attempt(c, call, h, cancel, &status, trace.request_id, sizeof trace.request_id,
                         err);
        trace.http_status = status;
        if (rc == 0) break;

        bool limited = api_is_rate_limited(err);
        if (limited) trace.rate_limited++;
        bool retry = call->write ? limited : apierr_retryable(err);
        if (!retry || attempt > c->max_retries) break;
        int64_t delay = api_backoff_ms(c, attempt);
        if (limited) {
            /* Every thread of this process slows down; the next acquire waits out the hold. */
            ratelimit_backoff(c->rl, delay);
        } else if (!api_sleep(delay, cancel)) {
            api_cancelled(err);
            break;
        }
    }
    if (call->write)
        http_client_free(h);
    else
        api_pool_put(c, h);

    if (rc != 0 && err->request_id[0])
        strlcpy_safe(trace.request_id, err->request_id, sizeof trace.request_id);
    if (rc == 0) {
        /* The trace is text for the event log: the RequestId the decoder found is the
         * server's raw string (errors are sanitized already), made inert here. */
        sanitize_copy(trace.request_id, sizeof trace.request_id, trace.request_id);
        apierr_clear(err);
    }
    trace.err = *err;
    trace.duration_ms = now_ms() - trace.started_ms;
    if (rid_out && rid_out_len) strlcpy_safe(rid_out, trace.request_id, rid_out_len);

    pthread_mutex_lock(&c->obs_mu);
    if (c->observer) c->observer(c->observer_ctx, &trace);
    pthread_mutex_unlock(&c->obs_mu);
    return rc;
}

/* ---- request bodies ---------------------------------------------------------------------- */

/* Integers go in as raw number text so every int64/uint64 is exact (no double rounding). */
static void api_add_int(cJSON *obj, const char *name, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    cJSON_AddRawToObject(obj, name, num);
}

static void api_add_uint(cJSON *obj, const char *name, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, v);
    cJSON_AddRawToObject(obj, name, num);
}

/* Prints obj into one buffer of ours: cJSON_Print grows its buffer with realloc, which would
 * leave unwiped copies of a private key in freed memory. A buffer that proves too small is
 * wiped before the next, larger try. */
static void api_finish_body(struct api_call *call, cJSON *obj)
{
    for (size_t size = 4096;; size *= 4) {
        if (size > (size_t)INT_MAX) {
            fprintf(stderr, "certdeck: request too large to encode\n");
            abort();
        }
        char *b = xmalloc(size);
        if (cJSON_PrintPreallocated(obj, b, (int)size, false)) {
            call->body = b;
            call->body_len = strlen(b);
            break;
        }
        secure_zero(b, size);
        free(b);
    }
    cJSON_Delete(obj);
}

static void api_free_body(struct api_call *call)
{
    if (!call->body) return;
    secure_zero(call->body, call->body_len);
    free(call->body);
    call->body = NULL;
}

/* Appends " Name=value" (sanitized, shortened) to a trace summary. */
static void api_param_str(char *params, size_t n, const char *name, const char *value)
{
    struct buf b = {0};
    buf_printf(&b, "%s%s=", params[0] ? " " : "", name);
    sanitize_append(&b, value, strlen(value) > 40 ? 40 : strlen(value), false);
    size_t used = strlen(params);
    if (used < n) strlcpy_safe(params + used, b.data, n - used);
    buf_free(&b);
}

static void api_param_int(char *params, size_t n, const char *name, int64_t v)
{
    size_t used = strlen(params);
    if (used < n) snprintf(params + used, n - used, "%s%s=%" PRId64, used ? " " : "", name, v);
}

static void api_param_uint(char *params, size_t n, const char *name, uint64_t v)
{
    size_t used = strlen(params);
    if (used < n) snprintf(params + used, n - used, "%s%s=%" PRIu64, used ? " " : "", name, v);
}

/* ---- decoders ---------------------------------------------------------------------------- */

static int api_decode_records(const char *body, size_t len, void *out, char *rid, size_t rl,
                              struct api_error *err)
{
    struct records_page *p = out;
    if (codec_decode_records_body(body, len, p, err) != 0) return -1;
    if (p->request_id) strlcpy_safe(rid, p->request_id, rl);
    return 0;
}

static int api_decode_detail(const char *body, size_t len, void *out, char *rid, size_t rl,
                             struct api_error *err)
{
    struct detail_page *p = out;
    if (codec_decode_detail_body(body, len, p, err) != 0) return -1;
    if (p->request_id) strlcpy_safe(rid, p->request_id, rl);
    return 0;
}

static int api_decode_upload(const char *body, size_t len, void *out, char *rid, size_t rl,
                             struct api_error *err)
{
    struct upload_result *r = out;
    if (codec_decode_upload_body(body, len, r, err) != 0) return -1;
    if (r->request_id) strlcpy_safe(rid, r->request_id, rl);
    return 0;
}

static int api_decode_empty(const char *body, size_t len, void *out, char *rid, size_t rl,
                            struct api_error *err)
{
    (void)out;
    return codec_decode_empty_body(body, len, rid, rl, err);
}

/* ---- actions ----------------------------------------------------------------------------- */

static void api_usage(struct api_error *err, const char *what)
{
    apierr_clear(err);
    apierr_set(err, APIERR_USAGE, "%s", what);
}

int api_describe_records(struct api_client *c, const struct records_query *q,
                         struct records_page *out, const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    struct records_query none = {0};
    if (!q) q = &none;
    struct api_call call = {
        .action = "DescribeHostUploadUpdateRecord", .decode = api_decode_records, .out = out};
    cJSON *obj = cJSON_CreateObject();
    api_add_uint(obj, "Offset", q->offset);
    api_param_uint(call.params, sizeof call.params, "Offset", q->offset);
    if (q->limit) {
        api_add_uint(obj, "Limit", q->limit);
        api_param_uint(call.params, sizeof call.params, "Limit", q->limit);
    }
    if (q->old_cert_id) {
        cJSON_AddStringToObject(obj, "OldCertificateId", q->old_cert_id);
        api_param_str(call.params, sizeof call.params, "OldCertificateId", q->old_cert_id);
    }
    api_finish_body(&call, obj);
    int rc = api_run(c, &call, cancel, NULL, 0, err);
    api_free_body(&call);
    return rc;
}

int api_describe_detail(struct api_client *c, const struct detail_query *q, struct detail_page *out,
                        const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    if (!q || q->record_id < 0 || q->offset < 0 || q->limit < 0) {
        api_usage(err, "DescribeHostUploadUpdateRecordDetail needs a DeployRecordId and "
                       "non-negative Offset and Limit");
        return -1;
    }
    struct api_call call = {
        .action = "DescribeHostUploadUpdateRecordDetail", .decode = api_decode_detail, .out = out};
    cJSON *obj = cJSON_CreateObject();
    api_add_int(obj, "DeployRecordId", q->record_id);
    api_add_int(obj, "Offset", q->offset);
    api_param_int(call.params, sizeof call.params, "DeployRecordId", q->record_id);
    api_param_int(call.params, sizeof call.params, "Offset", q->offset);
    if (q->limit) {
        api_add_int(obj, "Limit", q->limit);
        api_param_int(call.params, sizeof call.params, "Limit", q->limit);
    }
    api_finish_body(&call, obj);
    int rc = api_run(c, &call, cancel, NULL, 0, err);
    api_free_body(&call);
    return rc;
}

int api_rollback(struct api_client *c, int64_t record_id, char *request_id, size_t rid_len,
                 struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    if (request_id && rid_len) request_id[0] = '\0';
    if (record_id < 0) {
        api_usage(err, "rollback needs a DeployRecordId");
        return -1;
    }
    struct api_call call = {.action = "UploadUpdateCertificateRecordRollback",
                            .write = true,
                            .decode = api_decode_empty};
    cJSON *obj = cJSON_CreateObject();
    api_add_int(obj, "DeployRecordId", record_id);
    api_param_int(call.params, sizeof call.params, "DeployRecordId", record_id);
    api_finish_body(&call, obj);
    int rc = api_run(c, &call, NULL, request_id, rid_len, err);
    api_free_body(&call);
    return rc;
}

int api_retry(struct api_client *c, int64_t record_id, int64_t detail_id, char *request_id,
              size_t rid_len, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    if (request_id && rid_len) request_id[0] = '\0';
    if ((record_id >= 0) == (detail_id >= 0)) {
        api_usage(err, "retry needs exactly one of DeployRecordId and DeployRecordDetailId");
        return -1;
    }
    struct api_call call = {
        .action = "UploadUpdateCertificateRecordRetry", .write = true, .decode = api_decode_empty};
    cJSON *obj = cJSON_CreateObject();
    if (record_id >= 0) {
        api_add_int(obj, "DeployRecordId", record_id);
        api_param_int(call.params, sizeof call.params, "DeployRecordId", record_id);
    } else {
        api_add_int(obj, "DeployRecordDetailId", detail_id);
        api_param_int(call.params, sizeof call.params, "DeployRecordDetailId", detail_id);
    }
    api_finish_body(&call, obj);
    int rc = api_run(c, &call, NULL, request_id, rid_len, err);
    api_free_body(&call);
    return rc;
}

int api_upload_update(struct api_client *c, const struct upload_request *req,
                      struct upload_result *out, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    if (!req || !req->old_certificate_id || !req->old_certificate_id[0] || !req->n_resource_types ||
        !req->resource_types || !req->public_key_pem || !req->public_key_pem[0] ||
        !req->private_key_pem || !req->private_key_pem[0]) {
        api_usage(err, "upload needs OldCertificateId, at least one resource type, a "
                       "certificate and a private key");
        return -1;
    }
    struct api_call call = {.action = "UploadUpdateCertificateInstance",
                            .write = true,
                            .decode = api_decode_upload,
                            .out = out};
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "OldCertificateId", req->old_certificate_id);
    cJSON *types = cJSON_AddArrayToObject(obj, "ResourceTypes");
    struct buf summary = {0};
    for (size_t i = 0; i < req->n_resource_types; i++) {
        const char *t = req->resource_types[i] ? req->resource_types[i] : "";
        cJSON_AddItemToArray(types, cJSON_CreateString(t));
        buf_printf(&summary, "%s%s", i ? "," : "", t);
    }
    /* References, not copies: the only copy of the private key is the printed body, which is
     * wiped after the call. */
    cJSON_AddItemToObject(obj, "CertificatePublicKey",
                          cJSON_CreateStringReference(req->public_key_pem));
    cJSON_AddItemToObject(obj, "CertificatePrivateKey",
                          cJSON_CreateStringReference(req->private_key_pem));
    api_param_str(call.params, sizeof call.params, "OldCertificateId", req->old_certificate_id);
    api_param_str(call.params, sizeof call.params, "ResourceTypes", summary.data);
    buf_free(&summary);
    api_finish_body(&call, obj);
    int rc = api_run(c, &call, NULL, NULL, 0, err);
    api_free_body(&call);
    return rc;
}

/* ---- paging: the records list ------------------------------------------------------------ */

/* A set of 64-bit ids (open addressing), to keep paged lists free of duplicates. */
struct api_idset {
    uint64_t *slots; /* id + 1; 0 = empty */
    size_t cap, n;
};

static bool api_idset_add(struct api_idset *s, uint64_t id)
{
    if ((s->n + 1) * 2 > s->cap) {
        struct api_idset big = {.cap = s->cap ? s->cap * 2 : 64};
        big.slots = xcalloc(big.cap, sizeof *big.slots);
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) api_idset_add(&big, s->slots[i] - 1);
        free(s->slots);
        *s = big;
    }
    size_t i = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 7) & (s->cap - 1);
    while (s->slots[i]) {
        if (s->slots[i] == id + 1) return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->slots[i] = id + 1;
    s->n++;
    return true;
}

int api_records_all(struct api_client *c, const char *old_cert_id, struct records_page *out,
                    const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    struct api_idset seen = {0};
    size_t cap = 0;
    uint64_t offset = 0;
    for (;;) {
        struct records_query q = {
            .offset = offset, .limit = API_RECORDS_PAGE, .old_cert_id = old_cert_id};
        struct records_page page;
        if (api_describe_records(c, &q, &page, cancel, err) != 0) {
            model_records_page_clear(out);
            free(seen.slots);
            return -1;
        }
        if (page.total_count > API_RECORDS_MAX) {
            apierr_clear(err);
            apierr_set(err, APIERR_DECODE,
                       "Response.TotalCount: %" PRIu64 " records is more than certdeck pages "
                       "through (%d); narrow the list with a certificate filter",
                       page.total_count, API_RECORDS_MAX);
            if (page.request_id)
                sanitize_copy(err->request_id, sizeof err->request_id, page.request_id);
            model_records_page_clear(&page);
            model_records_page_clear(out);
            free(seen.slots);
            return -1;
        }
        out->total_count = page.total_count;
        free(out->request_id);
        out->request_id = page.request_id;
        page.request_id = NULL;
        size_t fresh = 0;
        for (size_t i = 0; i < page.n_records; i++) {
            if (!api_idset_add(&seen, page.records[i].id)) {
                model_record_clear(&page.records[i]);
                continue;
            }
            out->records = xgrow(out->records, &cap, out->n_records + 1, sizeof *out->records);
            out->records[out->n_records++] = page.records[i]; /* moved */
            fresh++;
        }
        size_t got = page.n_records;
        free(page.records);
        page.records = NULL;
        page.n_records = 0;
        model_records_page_clear(&page);
        offset += got;
        /* A page of records already seen means the server is not moving forward (whatever
         * its TotalCount says): what we have is the list. */
        if (got == 0 || fresh == 0 || offset >= out->total_count) break;
    }
    free(seen.slots);
    return 0;
}

/* ---- paging: every item of a record's detail --------------------------------------------- */

static bool api_str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool api_detail_complete(const struct detail_page *p)
{
    for (size_t r = 0; r < p->n_runs; r++)
        for (size_t g = 0; g < p->runs[r].n_groups; g++) {
            const struct resource_group *grp = &p->runs[r].groups[g];
            if (grp->total_count > 0 && (int64_t)grp->n_items < grp->total_count) return false;
        }
    return true;
}

static int64_t api_detail_max_total(const struct detail_page *p)
{
    int64_t m = 0;
    for (size_t r = 0; r < p->n_runs; r++)
        for (size_t g = 0; g < p->runs[r].n_groups; g++)
            if (p->runs[r].groups[g].total_count > m) m = p->runs[r].groups[g].total_count;
    return m;
}

/* The longest run as one list: the largest sum of a run's group TotalCounts, capped at
 * API_DETAIL_MAX_ITEMS (more could never be collected). What a server paging each run's
 * groups concatenated needs offsets for. */
static int64_t api_detail_max_span(const struct detail_page *p)
{
    int64_t m = 0;
    for (size_t r = 0; r < p->n_runs; r++) {
        int64_t sum = 0;
        for (size_t g = 0; g < p->runs[r].n_groups && sum < API_DETAIL_MAX_ITEMS; g++)
            if (p->runs[r].groups[g].total_count > 0) sum += p->runs[r].groups[g].total_count;
        if (sum > m) m = sum;
    }
    return m < API_DETAIL_MAX_ITEMS ? m : API_DETAIL_MAX_ITEMS;
}

/* Merges one later page into dst by run position and ResourceType; returns the items added. */
static size_t api_detail_merge(struct detail_page *dst, const struct detail_page *src)
{
    size_t added = 0;
    for (size_t r = 0; r < src->n_runs; r++) {
        const struct deploy_run *sr = &src->runs[r];
        if (r >= dst->n_runs) {
            /* A run that appeared between pages: keep it whole. */
            dst->runs = xrealloc(dst->runs, (dst->n_runs + 1) * sizeof *dst->runs);
            model_run_copy(&dst->runs[dst->n_runs++], sr);
            for (size_t g = 0; g < sr->n_groups; g++)
                added += sr->groups[g].n_items;
            continue;
        }
        struct deploy_run *dr = &dst->runs[r];
        for (size_t g = 0; g < sr->n_groups; g++) {
            const struct resource_group *sg = &sr->groups[g];
            struct resource_group *dg = NULL;
            for (size_t k = 0; k < dr->n_groups && !dg; k++)
                if (api_str_eq(dr->groups[k].resource_type, sg->resource_type)) dg = &dr->groups[k];
            if (dg) {
                added += model_group_merge(dg, sg);
                continue;
            }
            dr->groups = xrealloc(dr->groups, (dr->n_groups + 1) * sizeof *dr->groups);
            model_group_copy(&dr->groups[dr->n_groups++], sg);
            dr->groups_null = false;
            added += sg->n_items;
        }
    }
    return added;
}

/* One round of page fetches, shared by its threads. */
struct api_detail_round {
    struct api_client *c;
    int64_t record_id;
    const int64_t *offsets;
    struct detail_page *pages;
    size_t n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;
    int running;
    bool failed;
    struct api_error first_err;
    atomic_int stop; /* set on the first error or when the caller cancels */
};

static void *api_detail_thread(void *arg)
{
    struct api_detail_round *rd = arg;
    for (;;) {
        pthread_mutex_lock(&rd->mu);
        size_t i = rd->next;
        bool done = i >= rd->n || atomic_load(&rd->stop) || rd->failed;
        if (!done) rd->next++;
        pthread_mutex_unlock(&rd->mu);
        if (done) break;

        struct detail_query q = {rd->record_id, rd->offsets[i], API_DETAIL_MAX_LIMIT};
        struct api_error e;
        apierr_clear(&e);
        int rc = api_describe_detail(rd->c, &q, &rd->pages[i], &rd->stop, &e);
        if (rc != 0) {
            pthread_mutex_lock(&rd->mu);
            if (!rd->failed && e.kind != APIERR_CANCELLED) {
                rd->failed = true;
                rd->first_err = e;
            }
            pthread_mutex_unlock(&rd->mu);
            atomic_store(&rd->stop, 1);
        }
    }
    pthread_mutex_lock(&rd->mu);
    rd->running--;
    pthread_cond_signal(&rd->cv);
    pthread_mutex_unlock(&rd->mu);
    return NULL;
}

/* Fetches the pages at offsets[0..n) into pages[]; concurrently when concurrency > 1. The
 * caller's cancel flag is watched here and passed to the threads through rd.stop. */
static int api_detail_fetch(struct api_client *c, int64_t record_id, const int64_t *offsets,
                            size_t n, int concurrency, struct detail_page *pages,
                            const atomic_int *cancel, struct api_error *err)
{
    if (concurrency <= 1 || n <= 1) {
        for (size_t i = 0; i < n; i++) {
            struct detail_query q = {record_id, offsets[i], API_DETAIL_MAX_LIMIT};
            if (api_describe_detail(c, &q, &pages[i], cancel, err) != 0) return -1;
        }
        return 0;
    }
    struct api_detail_round rd = {
        .c = c, .record_id = record_id, .offsets = offsets, .pages = pages, .n = n};
    atomic_init(&rd.stop, 0);
    pthread_mutex_init(&rd.mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&rd.cv, &attr);
    pthread_condattr_destroy(&attr);

    size_t k = (size_t)concurrency < n ? (size_t)concurrency : n;
    pthread_t *tids = xcalloc(k, sizeof *tids);
    size_t started = 0;
    pthread_mutex_lock(&rd.mu);
    for (; started < k; started++) {
        if (pthread_create(&tids[started], NULL, api_detail_thread, &rd) != 0) break;
        rd.running++;
    }
    pthread_mutex_unlock(&rd.mu);
    bool cancelled = false;
    if (started == 0) {
        /* No thread could be started: fetch on this one. */
        free(tids);
        pthread_cond_destroy(&rd.cv);
        pthread_mutex_destroy(&rd.mu);
        return api_detail_fetch(c, record_id, offsets, n, 1, pages, cancel, err);
    }
    pthread_mutex_lock(&rd.mu);
    while (rd.running > 0) {
        if (cancel && atomic_load(cancel) && !cancelled) {
            cancelled = true;
            atomic_store(&rd.stop, 1);
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 20 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&rd.cv, &rd.mu, &ts);
    }
    pthread_mutex_unlock(&rd.mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    pthread_cond_destroy(&rd.cv);
    pthread_mutex_destroy(&rd.mu);

    if (cancelled || (cancel && atomic_load(cancel))) {
        api_cancelled(err);
        return -1;
    }
    if (rd.failed) {
        *err = rd.first_err;
        return -1;
    }
    return 0;
}

/* Whether p (one page, or everything merged so far) stays within what certdeck pages
 * through: 0, or -1 with a decode error naming the offending count. */
static int api_detail_check(const struct detail_page *p, struct api_error *err)
{
    size_t groups = 0, items = 0;
    for (size_t r = 0; r < p->n_runs; r++) {
        groups += p->runs[r].n_groups;
        for (size_t g = 0; g < p->runs[r].n_groups; g++) {
            const struct resource_group *grp = &p->runs[r].groups[g];
            items += grp->n_items;
            if (grp->total_count > API_DETAIL_MAX_ITEMS) {
                apierr_clear(err);
                apierr_set(err, APIERR_DECODE,
                           "Response.DeployRecordDetail[%zu].RecordDetailList[%zu].TotalCount: "
                           "%" PRId64 " instances is more than certdeck pages through (%d)",
                           r, g, grp->total_count, API_DETAIL_MAX_ITEMS);
                goto failed;
            }
        }
    }
    if (groups > API_DETAIL_MAX_GROUPS || items > API_DETAIL_MAX_ITEMS) {
        apierr_clear(err);
        apierr_set(err, APIERR_DECODE,
                   "Response.DeployRecordDetail: %zu resource-type groups and %zu instances is "
                   "more than certdeck pages through (%d and %d)",
                   groups, items, API_DETAIL_MAX_GROUPS, API_DETAIL_MAX_ITEMS);
        goto failed;
    }
    return 0;
failed:
    if (p->request_id) sanitize_copy(err->request_id, sizeof err->request_id, p->request_id);
    return -1;
}

int api_detail_all(struct api_client *c, int64_t record_id, int concurrency,
                   struct detail_page *out, const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    struct detail_query q0 = {record_id, 0, API_DETAIL_MAX_LIMIT};
    if (api_describe_detail(c, &q0, out, cancel, err) != 0) return -1;
    if (api_detail_check(out, err) != 0) {
        model_detail_page_clear(out);
        return -1;
    }
    if (concurrency < 1) concurrency = 1;
    if (concurrency > API_DETAIL_MAX_CONCURRENCY) concurrency = API_DETAIL_MAX_CONCURRENCY;

    /* Every count below is bounded by api_detail_check: no offset arithmetic can overflow. */
    int64_t next = API_DETAIL_MAX_LIMIT;
    for (int round = 0; !api_detail_complete(out); round++) {
        if (round == API_DETAIL_MAX_ROUNDS) {
            apierr_clear(err);
            apierr_set(err, APIERR_DECODE,
                       "Response.DeployRecordDetail: still incomplete after %d rounds of pages; "
                       "the server's paging does not converge",
                       API_DETAIL_MAX_ROUNDS);
            model_detail_page_clear(out);
            return -1;
        }
        /* First round: every offset up to the largest group (paging inside groups, as the
         * emulator does by default). Later rounds are only reached if the server pages
         * differently. The second: every offset up to the longest run's groups concatenated
         * (paging over the whole list) in one go — in rounds of `concurrency` pages a big
         * record would hit API_DETAIL_MAX_ROUNDS. After that, or when there is no such offset
         * left: the next `concurrency` pages, until nothing new arrives. */
        int64_t until = round == 0   ? api_detail_max_total(out)
                        : round == 1 ? api_detail_max_span(out)
                                     : 0;
        size_t n = (size_t)concurrency;
        if (until > next)
            n = (size_t)((until - next + API_DETAIL_MAX_LIMIT - 1) / API_DETAIL_MAX_LIMIT);
        int64_t *offsets = xcalloc(n, sizeof *offsets);
        for (size_t i = 0; i < n; i++)
            offsets[i] = next + (int64_t)i * API_DETAIL_MAX_LIMIT;
        struct detail_page *pages = xcalloc(n, sizeof *pages);

        int rc = api_detail_fetch(c, record_id, offsets, n, concurrency, pages, cancel, err);
        size_t added = 0;
        /* Merged in offset order so the result does not depend on which thread won. A page is
         * checked before it is merged (its groups are matched against ours one by one) and
         * the result after. */
        for (size_t i = 0; i < n; i++) {
            if (rc == 0 && api_detail_check(&pages[i], err) != 0) rc = -1;
            if (rc == 0) {
                added += api_detail_merge(out, &pages[i]);
                if (api_detail_check(out, err) != 0) rc = -1;
            }
            model_detail_page_clear(&pages[i]);
        }
        free(pages);
        free(offsets);
        if (rc != 0) {
            model_detail_page_clear(out);
            return -1;
        }
        next += (int64_t)n * API_DETAIL_MAX_LIMIT;
        if (added == 0) break;
    }
    return 0;
}
