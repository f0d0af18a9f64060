/* Robustness and secrecy over loopback. The emulator against hostile requests (huge headers
 * and bodies, bad and deeply nested JSON, invalid UTF-8, overlong Authorization); the client
 * against a hostile server (huge, truncated, mislabelled and enormous answers, escape
 * sequences, TotalCounts that lie) and against the emulator serving a hostile dataset; TLS
 * verification against a self-signed server; and secrets (keys, tokens, proxy passwords) kept
 * out of every error, trace and log line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/api.h"
#include "core/codec.h"
#include "core/emulator/emulator.h"
#include "core/sanitize.h"
#include "core/tc3.h"
#include "core/util.h"
#include "testutil.h"

/* Generous bound for "this must happen": a broken program fails instead of hanging ctest. */
#define DEADLINE_MS 15000

/* Every secret below embeds this, so a secret cut short in some message is still found. */
#define MARK       "Q7xK2pZ9"
#define SECRET_KEY "SecretKey-" MARK "-never-shown"
#define TOKEN      "Token-" MARK "-temporary"
#define PROXY_PASS "ProxyPw" MARK

static struct emu *emu; /* generated dataset, demo keys, no rate limit */

/* ---- helpers ------------------------------------------------------------------------------ */

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

/* Text that a terminal may show as it is: printable, valid UTF-8, no escapes. */
static void assert_terminal_safe(const char *what, const char *s)
{
    if (has_control(s) || utf8_invalid_offset(s, strlen(s)) >= 0 ||
        !sanitize_is_clean(s, strlen(s)))
        fail_msg("%s is not terminal-safe: \"%s\"", what, s);
}

/* memmem and strcasestr are GNU extensions; the build is strictly POSIX. */
static bool contains_bytes(const void *mem, size_t len, const char *needle)
{
    size_t m = strlen(needle);
    const char *p = mem;
    for (size_t i = 0; m <= len && i <= len - m; i++)
        if (memcmp(p + i, needle, m) == 0) return true;
    return false;
}

static void assert_no_mark(const char *what, const void *mem, size_t len)
{
    if (contains_bytes(mem, len, MARK)) fail_msg("%s contains a secret", what);
}

/* Neither the secrets nor any Authorization header text in an error (every byte of it). */
static void assert_error_clean(const struct api_error *e)
{
    assert_no_mark("api_error", e, sizeof *e);
    const char *texts[] = {e->code, e->message, e->transport, e->request_id};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        assert_null(strstr(texts[i], "TC3-HMAC-SHA256"));
        assert_null(strstr(texts[i], "Signature="));
        assert_null(strstr(texts[i], "Credential="));
    }
    char line[2048];
    apierr_format(e, line, sizeof line);
    assert_no_mark("formatted error", line, strlen(line));
}

static struct creds demo_creds(const char *key, const char *token)
{
    struct creds cr;
    memset(&cr, 0, sizeof cr);
    strlcpy_safe(cr.secret_id, EMU_DEMO_SECRET_ID, sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, key ? key : EMU_DEMO_SECRET_KEY, sizeof cr.secret_key);
    if (token) strlcpy_safe(cr.token, token, sizeof cr.token);
    return cr;
}

/* ---- observer ----------------------------------------------------------------------------- */

static pthread_mutex_t obs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_trace last_trace;
static int n_traces;
static atomic_int *cancel_after; /* set once n_traces reaches cancel_at */
static int cancel_at;
static bool trace_leaked;

static void observer(void *ctx, const struct api_trace *t)
{
    (void)ctx;
    pthread_mutex_lock(&obs_mu);
    last_trace = *t;
    n_traces++;
    if (contains_bytes(t, sizeof *t, MARK)) trace_leaked = true;
    if (cancel_after && n_traces >= cancel_at) atomic_store(cancel_after, 1);
    pthread_mutex_unlock(&obs_mu);
}

static void observer_reset(atomic_int *cancel, int at)
{
    pthread_mutex_lock(&obs_mu);
    memset(&last_trace, 0, sizeof last_trace);
    n_traces = 0;
    cancel_after = cancel;
    cancel_at = at;
    pthread_mutex_unlock(&obs_mu);
}

static int traces(void)
{
    pthread_mutex_lock(&obs_mu);
    int n = n_traces;
    pthread_mutex_unlock(&obs_mu);
    return n;
}

static struct api_trace trace_snapshot(void)
{
    pthread_mutex_lock(&obs_mu);
    struct api_trace t = last_trace;
    pthread_mutex_unlock(&obs_mu);
    return t;
}

static struct api_client *client_for(const char *endpoint, const struct creds *cr,
                                     const struct http_opts *http)
{
    struct api_config cfg = {
        .endpoint = endpoint,
        .rate = -1,
        .max_retries = -1,
        .backoff_base_ms = 10,
    };
    if (http) cfg.http = *http;
    if (!cfg.http.timeout_ms) cfg.http.timeout_ms = 10000;
    if (!cfg.http.connect_timeout_ms) cfg.http.connect_timeout_ms = 2000;
    struct creds demo = demo_creds(NULL, NULL);
    struct api_error err;
    struct api_client *c = api_client_new(&cfg, cr ? cr : &demo, &err);
    assert_non_null(c);
    api_client_set_observer(c, observer, NULL);
    observer_reset(NULL, 0);
    return c;
}

/* ---- a signed request with any body, and the error code of its answer ------------------- */

static const char *host_of(const char *url)
{
    const char *p = strstr(url, "://");
    return p ? p + 3 : url;
}

/* POSTs body to the emulator as `action`, correctly signed with the demo pair; extra is one
 * more "Name: value" header or NULL. Returns the HTTP status (0 on a transport failure) and
 * copies Response.Error.Code (or "" for a success) into code. */
static long signed_post(const char *url, const char *action, const char *body, size_t len,
                        const char *extra, char *code, size_t code_len)
{
    int64_t ts = now_unix();
    struct tc3_header hs[] = {{"content-type", "application/json"}, {"host", host_of(url)}};
    struct tc3_request req = {.method = "POST",
                              .uri = "/",
                              .query = "",
                              .headers = hs,
                              .n_headers = ARRAY_LEN(hs),
                              .payload = body,
                              .payload_len = len};
    char *auth = tc3_authorization(&req, "ssl", ts, EMU_DEMO_SECRET_ID, EMU_DEMO_SECRET_KEY);
    char *h[6];
    h[0] = xasprintf("Authorization: %s", auth);
    h[1] = xstrdup("Content-Type: application/json");
    h[2] = xasprintf("X-TC-Action: %s", action);
    h[3] = xstrdup("X-TC-Version: 2019-12-05");
    h[4] = xasprintf("X-TC-Timestamp: %" PRId64, ts);
    h[5] = extra ? xstrdup(extra) : NULL;
    const char *headers[] = {h[0], h[1], h[2], h[3], h[4], h[5], NULL};
    struct http_opts o = {.timeout_ms = DEADLINE_MS};
    struct http_client *hc = http_client_new(&o);
    struct http_response resp;
    struct api_error err;
    long status = 0;
    code[0] = '\0';
    if (http_post(hc, url, headers, body, len, NULL, &resp, &err) == 0) {
        status = resp.status;
        char rid[80];
        if (codec_decode_empty_body(resp.body, resp.len, rid, sizeof rid, &err) != 0)
            strlcpy_safe(code, err.kind == APIERR_API ? err.code : "(undecodable)", code_len);
        http_response_free(&resp);
    }
    http_client_free(hc);
    for (size_t i = 0; i < ARRAY_LEN(h); i++)
        free(h[i]);
    free(auth);
    return status;
}

/* The emulator still answers a normal, well-formed call. */
static void assert_emulator_alive(void)
{
    struct api_client *c = client_for(emu_url(emu), NULL, NULL);
    struct records_page p;
    struct api_error err;
    struct records_query q = {.limit = 1};
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &err), 0);
    assert_int_equal(p.n_records, 1);
    model_records_page_clear(&p);
    api_client_free(c);
}

/* Connects to 127.0.0.1:port, sends req (as much as the peer takes) and reads the answer
 * until the peer closes or the deadline passes. Returns the heap answer (maybe empty). */
static char *raw_exchange(int port, const char *req, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    int64_t deadline = now_ms() + DEADLINE_MS;
    size_t sent = 0;
    struct buf in = {0};
    bool eof = false;
    while (!eof && now_ms() < deadline) {
        struct pollfd pfd = {fd, (short)(POLLIN | (sent < len ? POLLOUT : 0)), 0};
        if (poll(&pfd, 1, 100) <= 0) continue;
        if (pfd.revents & POLLIN) {
            char tmp[16384];
            ssize_t n = recv(fd, tmp, sizeof tmp, 0);
            if (n <= 0)
                eof = true;
            else
                buf_append(&in, tmp, (size_t)n);
        } else if (pfd.revents & (POLLHUP | POLLERR)) {
            eof = true;
        } else if (pfd.revents & POLLOUT) {
            ssize_t n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR) sent = len; /* peer gave up reading */
            } else {
                sent += (size_t)n;
                if (sent == len) shutdown(fd, SHUT_WR);
            }
        }
    }
    close(fd);
    return buf_steal(&in);
}

/* ---- the emulator against hostile requests ----------------------------------------------- */

static void test_emulator_huge_header(void **state)
{
    (void)state;
    /* 256 KiB of one header: far above any sane header block. */
    struct buf req = {0};
    buf_puts(&req, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: ");
    for (int i = 0; i < 256 * 1024; i++)
        buf_putc(&req, 'a' + i % 26);
    buf_puts(&req, "\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}");
    char *answer = raw_exchange(emu_port(emu), req.data, req.len);
    /* Refused at the HTTP level (4xx) or the connection closed: never a 2xx, never a crash. */
    if (strlen(answer) >= 12) {
        assert_int_equal(strncmp(answer, "HTTP/1.", 7), 0);
        assert_true(answer[9] == '4');
    }
    free(answer);
    buf_free(&req);

    /* The same for an Authorization header of 1 MiB. */
    buf_puts(&req, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: TC3-HMAC-SHA256 "
                   "Credential=");
    for (int i = 0; i < 1024 * 1024; i++)
        buf_putc(&req, 'A');
    buf_puts(&req, "\r\nContent-Length: 2\r\n\r\n{}");
    answer = raw_exchange(emu_port(emu), req.data, req.len);
    if (strlen(answer) >= 12) assert_true(answer[9] == '4');
    free(answer);
    buf_free(&req);
    assert_emulator_alive();
}

static void test_emulator_overlong_authorization(void **state)
{
    (void)state;
    /* Long enough to overflow every field of struct tc3_auth, short enough for the header
     * block: parsed and refused, not truncated into something that verifies. */
    const char *url = emu_url(emu);
    struct buf h = {0};
    buf_puts(&h, "Authorization: TC3-HMAC-SHA256 Credential=");
    for (int i = 0; i < 6000; i++)
        buf_putc(&h, 'K');
    buf_puts(&h, "/2025-01-01/ssl/tc3_request, SignedHeaders=content-type;host, Signature=");
    for (int i = 0; i < 64; i++)
        buf_putc(&h, 'a');
    /* Sent as the only Authorization header, through the client's HTTP layer. */
    const char *headers[] = {h.data, "Content-Type: application/json",
                             "X-TC-Action: DescribeHostUploadUpdateRecord",
                             "X-TC-Version: 2019-12-05", NULL};
    struct http_client *hc = http_client_new(NULL);
    struct http_response resp;
    struct api_error err;
    assert_int_equal(http_post(hc, url, headers, "{}", 2, NULL, &resp, &err), 0);
    char rid[80];
    assert_int_equal(codec_decode_empty_body(resp.body, resp.len, rid, sizeof rid, &err), -1);
    assert_string_equal(err.code, "AuthFailure.InvalidAuthorization");
    http_response_free(&resp);
    http_client_free(hc);
    buf_free(&h);
    assert_emulator_alive();
}

static void test_emulator_huge_body(void **state)
{
    (void)state;
    size_t len = 11u * 1024 * 1024;
    char *body = xmalloc(len);
    memset(body, ' ', len);
    body[0] = '{';
    body[len - 1] = '}';
    char code[128];
    assert_int_equal(signed_post(emu_url(emu), "DescribeHostUploadUpdateRecord", body, len, NULL,
                                 code, sizeof code),
                     200);
    assert_string_equal(code, "RequestSizeLimitExceeded");
    free(body);
    assert_emulator_alive();
}

static void test_emulator_bad_and_deep_json(void **state)
{
    (void)state;
    const char *url = emu_url(emu);
    char code[128];
    const char *bad[] = {"",
                         "{",
                         "{\"Limit\":}",
                         "[]",
                         "\"x\"",
                         "{\"Limit\":1}}",
                         "nul",
                         "{\"Limit\":1e999}",
                         "\xff\xfe{}"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_int_equal(signed_post(url, "DescribeHostUploadUpdateRecord", bad[i], strlen(bad[i]),
                                     NULL, code, sizeof code),
                         200);
        if (strcmp(code, "InvalidParameter") != 0)
            fail_msg("body %zu: got %s, expected InvalidParameter", i, code);
    }
    /* 200,000 levels of nesting in a value, and in the body itself. */
    size_t depth = 200000;
    struct buf b = {0};
    buf_puts(&b, "{\"Limit\":");
    for (size_t i = 0; i < depth; i++)
        buf_putc(&b, '[');
    for (size_t i = 0; i < depth; i++)
        buf_putc(&b, ']');
    buf_putc(&b, '}');
    assert_int_equal(
        signed_post(url, "DescribeHostUploadUpdateRecord", b.data, b.len, NULL, code, sizeof code),
        200);
    assert_string_equal(code, "InvalidParameter");
    buf_reset(&b);
    for (size_t i = 0; i < depth; i++)
        buf_puts(&b, "{\"a\":");
    assert_int_equal(
        signed_post(url, "DescribeHostUploadUpdateRecord", b.data, b.len, NULL, code, sizeof code),
        200);
    assert_string_equal(code, "InvalidParameter");
    buf_free(&b);
    assert_emulator_alive();
}

/* An unknown parameter is named in the answer: bounded and sanitized, whatever its name. */
static void test_emulator_hostile_parameter_name(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "{\"\\u001b]0;owned\\u0007");
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, 'n');
    buf_puts(&b, "\xff\":1}");
    int64_t ts = now_unix();
    const char *url = emu_url(emu);
    struct tc3_header hs[] = {{"content-type", "application/json"}, {"host", host_of(url)}};
    struct tc3_request req = {.method = "POST",
                              .uri = "/",
                              .query = "",
                              .headers = hs,
                              .n_headers = 2,
                              .payload = b.data,
                              .payload_len = b.len};
    char *auth = tc3_authorization(&req, "ssl", ts, EMU_DEMO_SECRET_ID, EMU_DEMO_SECRET_KEY);
    char *h0 = xasprintf("Authorization: %s", auth);
    char *h4 = xasprintf("X-TC-Timestamp: %" PRId64, ts);
    const char *headers[] = {h0,
                             "Content-Type: application/json",
                             "X-TC-Action: DescribeHostUploadUpdateRecord",
                             "X-TC-Version: 2019-12-05",
                             h4,
                             NULL};
    struct http_client *hc = http_client_new(NULL);
    struct http_response resp;
    struct api_error err;
    assert_int_equal(http_post(hc, url, headers, b.data, b.len, NULL, &resp, &err), 0);
    /* The answer itself stays small: the name is not echoed in full. */
    assert_true(resp.len < 4096);
    char rid[80];
    assert_int_equal(codec_decode_empty_body(resp.body, resp.len, rid, sizeof rid, &err), -1);
    assert_string_equal(err.code, "UnknownParameter");
    assert_terminal_safe("UnknownParameter message", err.message);
    http_response_free(&resp);
    http_client_free(hc);
    free(h0);
    free(h4);
    free(auth);
    buf_free(&b);
}

/* A string parameter that is not UTF-8 is refused; before, an upload stored it and every later
 * record list carried it, which no client (strict about UTF-8) could decode any more. */
static void test_emulator_invalid_utf8_parameter(void **state)
{
    (void)state;
    char err_text[256];
    struct emu_config cfg = {.listen = "127.0.0.1:0", .rate = -1, .records = 5};
    struct emu *e = emu_start(&cfg, err_text, sizeof err_text);
    assert_non_null(e);
    struct api_client *c = client_for(emu_url(e), NULL, NULL);
    const char *types[] = {"clb"};
    struct upload_request up = {
        .old_certificate_id = "bad\xff\xfe"
                              "cert",
        .resource_types = types,
        .n_resource_types = 1,
        .public_key_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        .private_key_pem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
    };
    struct upload_result res;
    struct api_error err;
    assert_int_equal(api_upload_update(c, &up, &res, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_string_equal(err.code, "InvalidParameter");
    /* The filter of the record list, too. */
    struct records_query q = {.old_cert_id = "\xc3\x28"};
    struct records_page p;
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &err), -1);
    assert_string_equal(err.code, "InvalidParameter");
    /* And the service is not poisoned. */
    assert_int_equal(api_records_all(c, NULL, &p, NULL, &err), 0);
    assert_int_equal(p.n_records, 5);
    model_records_page_clear(&p);
    api_client_free(c);
    emu_stop(e);
}

/* Offsets and limits at the ends of their ranges: empty pages with the true totals, or
 * InvalidParameter; never an overflowed slice. */
static void test_emulator_extreme_paging(void **state)
{
    (void)state;
    struct api_client *c = client_for(emu_url(emu), NULL, NULL);
    struct api_error err;
    struct records_page p;
    /* 2^53-1 is the largest integer a JSON number carries exactly, and the largest the
     * emulator takes as a number (a larger one is a type error, below). */
    const int64_t big = 9007199254740991;
    struct records_query q = {.offset = (uint64_t)big, .limit = (uint64_t)big};
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &err), 0);
    assert_int_equal(p.n_records, 0);
    assert_int_equal(p.total_count, 12);
    model_records_page_clear(&p);
    q.offset = 11;
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &err), 0);
    assert_int_equal(p.n_records, 1);
    model_records_page_clear(&p);
    /* Beyond that: not a valid Offset for the server. */
    uint64_t beyond[] = {(uint64_t)big + 1, INT64_MAX, UINT64_MAX};
    for (size_t i = 0; i < ARRAY_LEN(beyond); i++) {
        q.offset = beyond[i];
        assert_int_equal(api_describe_records(c, &q, &p, NULL, &err), -1);
        assert_string_equal(err.code, "InvalidParameter");
    }
    /* The trace shows the offset that was sent (it used to print UINT64_MAX as -1). */
    assert_non_null(strstr(trace_snapshot().params, "Offset=18446744073709551615"));

    struct detail_query dq = {.record_id = 2, .offset = big, .limit = big};
    struct detail_page d;
    assert_int_equal(api_describe_detail(c, &dq, &d, NULL, &err), 0);
    assert_true(d.n_runs > 0);
    for (size_t r = 0; r < d.n_runs; r++)
        for (size_t g = 0; g < d.runs[r].n_groups; g++) {
            assert_int_equal(d.runs[r].groups[g].n_items, 0);
            assert_true(d.runs[r].groups[g].total_count > 0);
        }
    model_detail_page_clear(&d);
    api_client_free(c);

    char code[128];
    const char *bodies[] = {"{\"Offset\":-1}", "{\"Limit\":-9223372036854775808}", "{\"Limit\":0}",
                            "{\"Offset\":\"99999999999999999999\"}"};
    for (size_t i = 0; i < ARRAY_LEN(bodies); i++) {
        assert_int_equal(signed_post(emu_url(emu), "DescribeHostUploadUpdateRecord", bodies[i],
                                     strlen(bodies[i]), NULL, code, sizeof code),
                         200);
        assert_string_equal(code, "InvalidParameter");
    }
    assert_emulator_alive();
}

/* ---- a hostile server ------------------------------------------------------------------- */

enum hostile_mode {
    H_HTML_502_HUGE,  /* 502 text/html, 2 MiB of markup, escapes and invalid UTF-8 */
    H_TRUNCATED,      /* 200 announcing 5000 bytes, 100 sent, then close */
    H_OVERSIZE,       /* 200 with no Content-Length, 1 MiB, then close */
    H_HTML_200,       /* 200 text/html: a login portal's page */
    H_ENORMOUS_ERROR, /* Response.Error with a 1 MiB Code and 1 MiB (CJK) Message */
    H_ESCAPE_RID,     /* a good records page whose RequestId holds escape sequences */
    H_ESCAPE_RID_ERR, /* an error answer whose RequestId holds escape sequences */
    H_BAD_CTYPE,      /* a Content-Type header with control bytes */
    H_RECORDS_REPEAT, /* TotalCount 5000, the same two records on every page */
    H_RECORDS_HUGE,   /* TotalCount 2^53-1, the same two records on every page */
    H_RECORDS_FLOOD,  /* TotalCount within bounds, 1000 new records on every page */
    H_DETAIL_INT64,   /* a detail page whose group claims TotalCount "9223372036854775807" */
};

static struct tu_script_server *hs;
static atomic_int hs_mode; /* enum hostile_mode */

static void send_response(int fd, const char *status, const char *ctype, const char *body,
                          size_t len)
{
    char head[512];
    snprintf(head, sizeof head,
             "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
             status, ctype, len);
    tu_send_all(fd, head, strlen(head));
    tu_send_all(fd, body, len);
}

static void records_json(struct buf *b, const char *total, uint64_t first_id, int n,
                         const char *rid)
{
    buf_printf(b, "{\"Response\":{\"TotalCount\":%s,\"DeployRecordList\":[", total);
    for (int i = 0; i < n; i++)
        buf_printf(b,
                   "%s{\"Id\":%" PRIu64 ",\"OldCertId\":\"c\",\"ResourceTypes\":[\"clb\"],"
                   "\"Status\":1,\"CreateTime\":\"2025-01-01 00:00:00\","
                   "\"UpdateTime\":\"2025-01-01 00:00:00\"}",
                   i ? "," : "", first_id + (uint64_t)i);
    buf_printf(b, "],\"RequestId\":\"%s\"}}", rid);
}

/* Answers in the current mode (n: the request's index since the mode was set); the connection
 * closes. */
static bool hostile_answer(void *ctx, int fd, const struct tu_script_request *req)
{
    (void)ctx;
    enum hostile_mode m = (enum hostile_mode)atomic_load(&hs_mode);
    int n = req->index;
    struct buf b = {0};
    switch (m) {
    case H_HTML_502_HUGE:
        buf_puts(&b, "<html><head><title>502</title></head><body>\x1b]0;owned\x07\x1b[2J"
                     "\xc3\x28 Bad \xe2\x80\xae gateway ");
        while (b.len < 2u * 1024 * 1024)
            buf_puts(&b, "<p>\x1b[31mupstream \x9b said no</p>\r\n");
        send_response(fd, "502 Bad Gateway", "text/html", b.data, b.len);
        break;
    case H_TRUNCATED: {
        const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 5000\r\n\r\n";
        tu_send_all(fd, head, sizeof head - 1);
        char part[100];
        memset(part, ' ', sizeof part);
        part[0] = '{';
        tu_send_all(fd, part, sizeof part);
        break;
    }
    case H_OVERSIZE: {
        const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Connection: close\r\n\r\n";
        tu_send_all(fd, head, sizeof head - 1);
        char *chunk = xmalloc(65536);
        memset(chunk, ' ', 65536);
        for (int i = 0; i < 16; i++)
            tu_send_all(fd, chunk, 65536);
        free(chunk);
        break;
    }
    case H_HTML_200:
        buf_puts(&b, "<!DOCTYPE html><html><body><form>Sign in to the Wi-Fi</form></body></html>");
        send_response(fd, "200 OK", "text/html; charset=utf-8", b.data, b.len);
        break;
    case H_ENORMOUS_ERROR:
        buf_puts(&b, "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.");
        while (b.len < 1024 * 1024)
            buf_puts(&b, "X\\u001b");
        buf_puts(&b, "\",\"Message\":\"");
        while (b.len < 2u * 1024 * 1024)
            buf_puts(&b, "签名\\u001b[31m错误");
        buf_puts(&b, "\"},\"RequestId\":\"");
        for (int i = 0; i < 4096; i++)
            buf_putc(&b, 'r');
        buf_puts(&b, "\"}}");
        send_response(fd, "200 OK", "application/json", b.data, b.len);
        break;
    case H_ESCAPE_RID:
        records_json(&b, "1", 1, 1, "rid\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\u202eend");
        send_response(fd, "200 OK", "application/json", b.data, b.len);
        break;
    case H_ESCAPE_RID_ERR:
        buf_puts(&b, "{\"Response\":{\"Error\":{\"Code\":\"InternalError\\u001b[5m\","
                     "\"Message\":\"bad\\u001b[2J\\r\\nthing\"},"
                     "\"RequestId\":\"rid\\u001b]0;owned\\u0007\"}}");
        send_response(fd, "200 OK", "application/json", b.data, b.len);
        break;
    case H_BAD_CTYPE: {
        const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\x1b[2J\x7f\x01"
                            "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        tu_send_all(fd, resp, sizeof resp - 1);
        break;
    }
    case H_RECORDS_REPEAT:
        records_json(&b, "5000", 1, 2, "r");
        send_response(fd, "200 OK", "application/json", b.data, b.len);
        break;
    case H_RECORDS_HUGE:
        records_json(&b, "9007199254740991", 1, 2, "r");
        send_response(fd, "200 OK", "application/json", b.data, b.len);
        break;
    case H_RECORDS_FLOOD:
        records_json(&b, "90000", (uint64_t)n * 1000 + 1, 1000, "r");
        send_response(fd, "200 OK", "application/json", b.data, b.len);
        break;
    case H_DETAIL_INT64:
        /* A numeric string is a valid integer for the codec, and exact up to INT64_MAX. */
        buf_puts(&b, "{\"Response\":{\"DeployRecordDetail\":[{\"Type\":0,\"Status\":1,"
                     "\"RecordDetailList\":[{\"ResourceType\":\"clb\","
                     "\"TotalCount\":\"9223372036854775807\",\"List\":[{\"Id\":1},{\"Id\":2}]}]}],"
                     "\"RequestId\":\"r\"}}");
        send_response(fd, "200 OK", "application/json", b.data, b.len);
        break;
    }
    buf_free(&b);
    return false;
}

static char *hostile_url(void)
{
    return tu_script_server_url(hs);
}

static void hostile_mode(enum hostile_mode m)
{
    atomic_store(&hs_mode, (int)m);
    tu_script_server_reset(hs);
}

static int hostile_requests(void)
{
    int n;
    tu_script_server_counts(hs, NULL, &n);
    return n;
}

/* One records call against the hostile server in mode m. */
static int hostile_records(enum hostile_mode m, const struct http_opts *http,
                           struct records_page *p, struct api_error *err)
{
    hostile_mode(m);
    char *url = hostile_url();
    struct api_client *c = client_for(url, NULL, http);
    int rc = api_describe_records(c, NULL, p, NULL, err);
    api_client_free(c);
    free(url);
    return rc;
}

static void test_client_non_200_huge_html(void **state)
{
    (void)state;
    struct records_page p;
    struct api_error err;
    assert_int_equal(hostile_records(H_HTML_502_HUGE, NULL, &p, &err), -1);
    assert_int_equal(err.kind, APIERR_HTTP);
    assert_int_equal(err.http_status, 502);
    /* An excerpt: short, on one line, inert. */
    assert_true(strlen(err.message) <= 200);
    assert_non_null(strstr(err.message, "Bad"));
    assert_terminal_safe("HTTP error excerpt", err.message);
    assert_null(strchr(err.message, '<'));
    struct api_trace t = trace_snapshot();
    assert_terminal_safe("trace excerpt", t.err.message);
}

static void test_client_truncated_and_oversize(void **state)
{
    (void)state;
    struct records_page p;
    struct api_error err;
    assert_int_equal(hostile_records(H_TRUNCATED, NULL, &p, &err), -1);
    assert_int_equal(err.kind, APIERR_TRANSPORT);
    assert_non_null(strstr(err.transport, "closed before the whole response"));

    struct http_opts small = {.max_body = 64 * 1024};
    assert_int_equal(hostile_records(H_OVERSIZE, &small, &p, &err), -1);
    assert_int_equal(err.kind, APIERR_TRANSPORT);
    assert_non_null(strstr(err.transport, "larger than 64 KiB"));

    assert_int_equal(hostile_records(H_HTML_200, NULL, &p, &err), -1);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_non_null(strstr(err.message, "not valid JSON"));
}

static void test_client_enormous_error(void **state)
{
    (void)state;
    struct records_page p;
    struct api_error err;
    assert_int_equal(hostile_records(H_ENORMOUS_ERROR, NULL, &p, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    /* Bounded copies, cut on a character boundary, with the escapes made inert. */
    assert_int_equal(strncmp(err.code, "AuthFailure.X", 13), 0);
    assert_true(strlen(err.code) < sizeof err.code);
    assert_true(strlen(err.message) < sizeof err.message);
    assert_non_null(strstr(err.message, "签名"));
    assert_terminal_safe("code", err.code);
    assert_terminal_safe("message", err.message);
    assert_terminal_safe("request id", err.request_id);
    char line[4096];
    apierr_format(&err, line, sizeof line);
    assert_terminal_safe("formatted", line);
    /* Still recognised as its family. */
    assert_non_null(apierr_lookup(err.code));
}

static void test_client_request_id_escapes(void **state)
{
    (void)state;
    struct records_page p;
    struct api_error err;
    assert_int_equal(hostile_records(H_ESCAPE_RID, NULL, &p, &err), 0);
    /* The data keeps the exact bytes (the TUI sanitizes what it draws); the trace, which is
     * text for the event log, holds an inert form. */
    assert_non_null(strchr(p.request_id, '\x1b'));
    model_records_page_clear(&p);
    struct api_trace t = trace_snapshot();
    assert_true(t.request_id[0] != '\0');
    assert_terminal_safe("trace request id", t.request_id);
    assert_non_null(strstr(t.request_id, "rid"));

    assert_int_equal(hostile_records(H_ESCAPE_RID_ERR, NULL, &p, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_terminal_safe("code", err.code);
    assert_terminal_safe("message", err.message);
    assert_terminal_safe("request id", err.request_id);
    t = trace_snapshot();
    assert_terminal_safe("trace request id", t.request_id);
    assert_terminal_safe("trace error request id", t.err.request_id);
}

static void test_client_bad_content_type(void **state)
{
    (void)state;
    hostile_mode(H_BAD_CTYPE);
    char *url = hostile_url();
    struct http_client *hc = http_client_new(NULL);
    struct http_response resp;
    struct api_error err;
    const char *headers[] = {"Content-Type: application/json", NULL};
    assert_int_equal(http_post(hc, url, headers, "{}", 2, NULL, &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_false(has_control(resp.content_type));
    assert_int_equal(strncmp(resp.content_type, "application/json", 16), 0);
    http_response_free(&resp);
    http_client_free(hc);
    free(url);
}

/* A records list whose TotalCount the pages never reach: paging stops when a page brings
 * nothing new, and a TotalCount beyond any real account is refused at once. Before, the first
 * made 2,500 requests and the second looped for ever. */
static void test_records_all_against_lying_total(void **state)
{
    (void)state;
    char *url = hostile_url();
    struct api_client *c = client_for(url, NULL, NULL);
    atomic_int cancel;
    atomic_init(&cancel, 0);
    struct records_page all;
    struct api_error err;

    hostile_mode(H_RECORDS_REPEAT);
    observer_reset(&cancel, 50); /* a safety net: a looping client is cancelled, and fails */
    assert_int_equal(api_records_all(c, NULL, &all, &cancel, &err), 0);
    assert_int_equal(all.n_records, 2);
    assert_true(hostile_requests() <= 2);
    model_records_page_clear(&all);

    atomic_store(&cancel, 0);
    hostile_mode(H_RECORDS_HUGE);
    observer_reset(&cancel, 50);
    assert_int_equal(api_records_all(c, NULL, &all, &cancel, &err), -1);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_non_null(strstr(err.message, "TotalCount"));
    assert_int_equal(hostile_requests(), 1);
    assert_int_equal(all.n_records, 0);

    /* New records on every page: bounded by the (acceptable) TotalCount. */
    atomic_store(&cancel, 0);
    hostile_mode(H_RECORDS_FLOOD);
    observer_reset(&cancel, 200);
    assert_int_equal(api_records_all(c, NULL, &all, &cancel, &err), 0);
    assert_int_equal(all.n_records, 90000);
    assert_int_equal(hostile_requests(), 90);
    model_records_page_clear(&all);

    api_client_free(c);
    free(url);
}

/* ---- the emulator serving a hostile dataset: detail paging ------------------------------- */

static char *hostile_dataset_dir;

/* Records 9001.. whose one group holds 3 items but claims TotalCount `total`. */
static void write_hostile_dataset(const char *path)
{
    static const char *const totals[] = {"9007199254740991", "150", "5000000", "-5"};
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[");
    for (size_t r = 0; r < ARRAY_LEN(totals); r++)
        buf_printf(&b,
                   "%s{\"Id\":%zu,\"OldCertId\":\"HOSTcert\",\"ResourceTypes\":[\"clb\"],"
                   "\"Status\":1,\"CreateTime\":\"2025-01-01 00:00:00\","
                   "\"UpdateTime\":\"2025-01-01 00:00:00\"}",
                   r ? "," : "", 9001 + r);
    buf_puts(&b, "],\"Details\":{");
    for (size_t r = 0; r < ARRAY_LEN(totals); r++) {
        buf_printf(&b,
                   "%s\"%zu\":[{\"TotalCount\":3,\"SuccessTotalCount\":3,\"FailedTotalCount\":0,"
                   "\"RunningTotalCount\":0,\"Type\":0,\"Status\":1,"
                   "\"CreateTime\":\"2025-01-01 00:00:00\",\"RecordDetailList\":[{"
                   "\"ResourceType\":\"clb\",\"TotalCount\":\"%s\",\"List\":[",
                   r ? "," : "", 9001 + r, totals[r]);
        for (int i = 0; i < 3; i++)
            buf_printf(&b,
                       "%s{\"Id\":%zu,\"Status\":1,\"ResourceType\":\"clb\","
                       "\"InstanceId\":\"lb-%d\",\"Domains\":[\"a.example.com\"],\"Port\":443}",
                       i ? "," : "", (9001 + r) * 10 + (size_t)i, i);
        buf_puts(&b, "]}]}]");
    }
    buf_puts(&b, "}}");
    tu_write_file(path, b.data);
    buf_free(&b);
}

static struct emu *start_hostile_emulator(void)
{
    hostile_dataset_dir = tu_mkdtemp("robust");
    char *path = tu_path(hostile_dataset_dir, "hostile.json");
    write_hostile_dataset(path);
    char err[512];
    struct emu_config cfg = {.listen = "127.0.0.1:0", .dataset_file = path, .rate = -1};
    struct emu *e = emu_start(&cfg, err, sizeof err);
    if (!e) fail_msg("emu_start: %s", err);
    free(path);
    return e;
}

static void stop_hostile_emulator(struct emu *e)
{
    emu_stop(e);
    tu_rm_rf(hostile_dataset_dir);
    free(hostile_dataset_dir);
    hostile_dataset_dir = NULL;
}

/* TotalCount 2^53-1 (the largest a JSON number carries exactly): before, the offsets of every
 * page up to it were allocated (an abort). Now refused after the first page, with the
 * reason. */
static void test_detail_all_against_lying_total(void **state)
{
    (void)state;
    struct emu *e = start_hostile_emulator();
    struct api_client *c = client_for(emu_url(e), NULL, NULL);
    atomic_int cancel;
    atomic_init(&cancel, 0);
    struct detail_page d;
    struct api_error err;

    observer_reset(&cancel, 100);
    assert_int_equal(api_detail_all(c, 9001, 4, &d, &cancel, &err), -1);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_non_null(strstr(err.message, "TotalCount"));
    assert_non_null(strstr(err.message, "9007199254740991"));
    assert_int_equal(traces(), 1);
    assert_int_equal(d.n_runs, 0);

    /* 5,000,000 claimed, 3 held: no count caps a group any more (memory does), and the
     * paging stops at the first page that brings nothing new — not 25,000 requests, only
     * what the threads had asked for by then (at most two pages a thread ahead). */
    atomic_store(&cancel, 0);
    observer_reset(&cancel, 100);
    assert_int_equal(api_detail_all(c, 9003, 4, &d, &cancel, &err), 0);
    assert_int_equal(d.runs[0].groups[0].n_items, 3);
    assert_int_equal(d.runs[0].groups[0].total_count, 5000000);
    assert_true(traces() <= 1 + 2 * 4 + 4);
    model_detail_page_clear(&d);

    /* INT64_MAX, as a numeric string from a hostile server: the page offsets up to it used to
     * overflow int64 before the allocation. */
    hostile_mode(H_DETAIL_INT64);
    char *url = hostile_url();
    struct api_client *hc = client_for(url, NULL, NULL);
    atomic_store(&cancel, 0);
    observer_reset(&cancel, 100);
    assert_int_equal(api_detail_all(hc, 1, 4, &d, &cancel, &err), -1);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_non_null(strstr(err.message, "9223372036854775807"));
    assert_int_equal(hostile_requests(), 1);
    api_client_free(hc);
    free(url);

    /* A negative TotalCount is nothing to page through. */
    observer_reset(NULL, 0);
    assert_int_equal(api_detail_all(c, 9004, 4, &d, NULL, &err), 0);
    assert_int_equal(d.runs[0].groups[0].n_items, 3);
    model_detail_page_clear(&d);

    api_client_free(c);
    stop_hostile_emulator(e);
}

/* A TotalCount a little above one page, and a caller asking for absurd concurrency: before,
 * the second round allocated `concurrency` pages (an abort for INT_MAX). */
static void test_detail_all_absurd_concurrency(void **state)
{
    (void)state;
    struct emu *e = start_hostile_emulator();
    struct api_client *c = client_for(emu_url(e), NULL, NULL);
    atomic_int cancel;
    atomic_init(&cancel, 0);
    observer_reset(&cancel, 200);
    struct detail_page d;
    struct api_error err;
    assert_int_equal(api_detail_all(c, 9002, INT_MAX, &d, &cancel, &err), 0);
    assert_int_equal(d.n_runs, 1);
    assert_int_equal(d.runs[0].groups[0].n_items, 3);
    assert_int_equal(d.runs[0].groups[0].total_count, 150);
    assert_true(traces() <= 1 + 64);
    model_detail_page_clear(&d);
    api_client_free(c);
    stop_hostile_emulator(e);
}

/* ---- TLS: verification by default, a CA file honoured, --insecure the one way out -------- */

static struct {
    SSL_CTX *ctx;
    struct tu_script_server *srv;
    char *dir, *cert_path, *other_cert_path;
} tls;

static X509 *self_signed(EVP_PKEY *key, const char *cn, const char *san)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(x, key, EVP_sha256());
    return x;
}

static void write_pem(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    PEM_write_X509(f, x);
    fclose(f);
}

/* One TLS exchange on an accepted connection: handshake, a request, a records answer. */
static void tls_serve(void *ctx, int fd)
{
    (void)ctx;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *s = SSL_new(tls.ctx);
    SSL_set_fd(s, fd);
    if (SSL_accept(s) == 1) {
        struct buf in = {0};
        char tmp[4096];
        for (;;) {
            char *end = in.data ? strstr(in.data, "\r\n\r\n") : NULL;
            if (end) {
                if (in.len >= (size_t)(end - in.data) + 4 + tu_content_length(in.data, end)) break;
            }
            int n = SSL_read(s, tmp, sizeof tmp);
            if (n <= 0) break;
            buf_append(&in, tmp, (size_t)n);
        }
        const char body[] =
            "{\"Response\":{\"TotalCount\":0,\"DeployRecordList\":[],\"RequestId\":\"tls-ok\"}}";
        char resp[512];
        int n = snprintf(resp, sizeof resp,
                         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         sizeof body - 1, body);
        SSL_write(s, resp, n);
        SSL_shutdown(s);
        buf_free(&in);
    }
    SSL_free(s);
}

static int tls_setup(void **state)
{
    (void)state;
    tls.dir = tu_mkdtemp("tls");
    tls.cert_path = tu_path(tls.dir, "server.pem");
    tls.other_cert_path = tu_path(tls.dir, "other.pem");
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = self_signed(key, "127.0.0.1", "IP:127.0.0.1");
    write_pem(tls.cert_path, cert);
    EVP_PKEY *other_key = EVP_EC_gen("P-256");
    X509 *other = self_signed(other_key, "127.0.0.1", "IP:127.0.0.1");
    write_pem(tls.other_cert_path, other);
    X509_free(other);
    EVP_PKEY_free(other_key);
    tls.ctx = SSL_CTX_new(TLS_server_method());
    if (SSL_CTX_use_certificate(tls.ctx, cert) != 1 || SSL_CTX_use_PrivateKey(tls.ctx, key) != 1)
        return -1;
    X509_free(cert);
    EVP_PKEY_free(key);
    tls.srv = tu_script_server_start_raw(tls_serve, NULL);
    return 0;
}

static int tls_teardown(void **state)
{
    (void)state;
    tu_script_server_stop(tls.srv);
    SSL_CTX_free(tls.ctx);
    tu_rm_rf(tls.dir);
    free(tls.dir);
    free(tls.cert_path);
    free(tls.other_cert_path);
    return 0;
}

static int tls_call(const char *host, const struct http_opts *o, struct api_error *err)
{
    char *url = xasprintf("https://%s:%d", host, tu_script_server_port(tls.srv));
    struct api_client *c = client_for(url, NULL, o);
    struct records_page p;
    int rc = api_describe_records(c, NULL, &p, NULL, err);
    if (rc == 0) {
        assert_string_equal(p.request_id, "tls-ok");
        model_records_page_clear(&p);
    }
    api_client_free(c);
    free(url);
    return rc;
}

static void test_tls_verification(void **state)
{
    (void)state;
    struct api_error err;
    /* By default the self-signed certificate is not trusted. */
    struct http_opts o = {0};
    assert_int_equal(tls_call("127.0.0.1", &o, &err), -1);
    assert_int_equal(err.kind, APIERR_TRANSPORT);
    assert_int_equal(strncmp(err.transport, "TLS certificate verification failed", 35), 0);
    assert_false(apierr_retryable(&err));

    /* The CA file is what is trusted: its own certificate works, another one does not. */
    o.cacert = tls.cert_path;
    assert_int_equal(tls_call("127.0.0.1", &o, &err), 0);
    o.cacert = tls.other_cert_path;
    assert_int_equal(tls_call("127.0.0.1", &o, &err), -1);
    assert_int_equal(strncmp(err.transport, "TLS certificate verification failed", 35), 0);

    /* The host name is checked too: the certificate names 127.0.0.1, not localhost. */
    o.cacert = tls.cert_path;
    assert_int_equal(tls_call("localhost", &o, &err), -1);
    assert_int_equal(err.kind, APIERR_TRANSPORT);
    assert_non_null(strstr(err.transport, "TLS"));

    /* insecure is the one switch that turns both checks off. */
    struct http_opts insecure = {.insecure = true};
    assert_int_equal(tls_call("127.0.0.1", &insecure, &err), 0);
    assert_int_equal(tls_call("localhost", &insecure, &err), 0);
}

/* ---- secrets ------------------------------------------------------------------------------ */

/* Proxy variables are process-wide: saved and cleared before, restored after (teardown runs
 * even when the test fails, so a failure does not leak a proxy into the next tests). */
static char *saved_no_proxy, *saved_NO_PROXY;

static int proxy_setup(void **state)
{
    (void)state;
    saved_no_proxy = getenv("no_proxy") ? xstrdup(getenv("no_proxy")) : NULL;
    saved_NO_PROXY = getenv("NO_PROXY") ? xstrdup(getenv("NO_PROXY")) : NULL;
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    return 0;
}

static int proxy_teardown(void **state)
{
    (void)state;
    unsetenv("http_proxy");
    if (saved_no_proxy) setenv("no_proxy", saved_no_proxy, 1);
    if (saved_NO_PROXY) setenv("NO_PROXY", saved_NO_PROXY, 1);
    free(saved_no_proxy);
    free(saved_NO_PROXY);
    saved_no_proxy = saved_NO_PROXY = NULL;
    return 0;
}

/* A proxy URL with a password that libcurl cannot use: libcurl's error text quotes the URL
 * whole, and it used to reach the error message as it was. */
static void test_proxy_password_not_in_errors(void **state)
{
    (void)state;
    const char *proxies[] = {
        "socks9://user:" PROXY_PASS "@proxy.invalid:1080", "http://user:" PROXY_PASS "@[bad:1",
        "http://us er:" PROXY_PASS "@proxy.invalid:1",     "user:" PROXY_PASS "@127.0.0.1:1",
        "http://user:" PROXY_PASS "@127.0.0.1:1",
    };
    for (size_t i = 0; i < ARRAY_LEN(proxies); i++) {
        setenv("http_proxy", proxies[i], 1);
        struct api_client *c = client_for(emu_url(emu), NULL, NULL);
        struct records_page p;
        struct api_error err;
        assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), -1);
        assert_int_equal(err.kind, APIERR_TRANSPORT);
        assert_error_clean(&err);
        struct api_trace t = trace_snapshot();
        assert_no_mark("trace", &t, sizeof t);
        api_client_free(c);
    }
    /* The reason stays useful: the proxy is still named, only its password is gone. */
    setenv("http_proxy", proxies[0], 1);
    struct api_client *c = client_for(emu_url(emu), NULL, NULL);
    struct records_page p;
    struct api_error err;
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), -1);
    assert_non_null(strstr(err.transport, "socks9://***@proxy.invalid:1080"));
    api_client_free(c);
}

/* A wrong key, a wrong token, transport failures and an upload: neither the key, the token,
 * the private key nor the Authorization header reaches an error or a trace. */
static void test_secrets_not_in_errors_or_traces(void **state)
{
    (void)state;
    char e[256];
    struct emu_config cfg = {.listen = "127.0.0.1:0",
                             .rate = -1,
                             .records = 5,
                             .secret_id = EMU_DEMO_SECRET_ID,
                             .secret_key = SECRET_KEY,
                             .token = TOKEN};
    struct emu *te = emu_start(&cfg, e, sizeof e);
    assert_non_null(te);
    pthread_mutex_lock(&obs_mu);
    trace_leaked = false;
    pthread_mutex_unlock(&obs_mu);
    struct records_page p;
    struct api_error err;

    /* Right key and token: works, and the trace is clean. */
    struct creds good = demo_creds(SECRET_KEY, TOKEN);
    struct api_client *c = client_for(emu_url(te), &good, NULL);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), 0);
    model_records_page_clear(&p);
    struct api_trace t = trace_snapshot();
    assert_no_mark("trace", &t, sizeof t);
    /* An upload: the private key stays out of the trace. */
    const char *types[] = {"clb"};
    struct upload_request up = {
        .old_certificate_id = "abc",
        .resource_types = types,
        .n_resource_types = 1,
        .public_key_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        .private_key_pem = "-----BEGIN PRIVATE KEY-----\n" MARK "\n-----END PRIVATE KEY-----\n",
    };
    struct upload_result res;
    /* the service cannot parse this key: its error answer, too, leaves the key out */
    assert_int_equal(api_upload_update(c, &up, &res, &err), -1);
    assert_string_equal(err.code, "FailedOperation.CertificateParseError");
    assert_no_mark("upload error", &err, sizeof err);
    t = trace_snapshot();
    assert_no_mark("upload trace", &t, sizeof t);
    /* A transport failure after the signature was made (on a new connection: libcurl sends
     * again by itself when a reused one dies before answering). */
    api_client_free(c);
    c = client_for(emu_url(te), &good, NULL);
    emu_set_fault(te, EMU_FAULT_RESET, 1);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), -1);
    assert_int_equal(err.kind, APIERR_TRANSPORT);
    assert_error_clean(&err);
    emu_set_fault(te, EMU_FAULT_HTTP_500, 1);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), -1);
    assert_error_clean(&err);
    api_client_free(c);

    /* Wrong key, wrong token. */
    struct creds wrong_key = demo_creds("Wrong-" MARK "-key", TOKEN);
    c = client_for(emu_url(te), &wrong_key, NULL);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), -1);
    assert_string_equal(err.code, "AuthFailure.SignatureFailure");
    assert_error_clean(&err);
    t = trace_snapshot();
    assert_no_mark("trace", &t, sizeof t);
    api_client_free(c);
    struct creds wrong_token = demo_creds(SECRET_KEY, "Wrong-" MARK "-token");
    c = client_for(emu_url(te), &wrong_token, NULL);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), -1);
    assert_string_equal(err.code, "AuthFailure.TokenFailure");
    assert_error_clean(&err);
    api_client_free(c);
    emu_stop(te);

    /* Connection refused. */
    int port;
    int fd = tu_listen_loopback(&port);
    close(fd);
    char *url = xasprintf("http://127.0.0.1:%d", port);
    c = client_for(url, &good, NULL);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), -1);
    assert_int_equal(err.kind, APIERR_TRANSPORT);
    assert_error_clean(&err);
    api_client_free(c);
    free(url);
    pthread_mutex_lock(&obs_mu);
    bool leaked = trace_leaked;
    pthread_mutex_unlock(&obs_mu);
    assert_false(leaked);
}

static bool read_first_line(const char *path, char *out, size_t n, int64_t deadline)
{
    while (now_ms() < deadline) {
        size_t len = 0;
        char *text = tu_read_file(path, &len);
        char *nl = text ? strchr(text, '\n') : NULL;
        if (nl) {
            *nl = '\0';
            strlcpy_safe(out, text, n);
            free(text);
            return true;
        }
        free(text);
        sleep_ms(10);
    }
    return false;
}

/* certdeck-emulator with --log, serving good and bad requests, then a usage error: its key
 * and token appear in none of its output. */
static void test_emulator_binary_never_prints_its_key(void **state)
{
    (void)state;
    const char *bin = getenv("CERTDECK_EMULATOR");
    if (!bin || access(bin, X_OK) != 0) {
        print_message("CERTDECK_EMULATOR not set or not executable: skipped\n");
        skip();
    }
    char *dir = tu_mkdtemp("emukey");
    char *out_path = tu_path(dir, "stdout");
    char *err_path = tu_path(dir, "stderr");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        execl(bin, bin, "--listen", "127.0.0.1:0", "--records", "4", "--log", "--secret-id",
              EMU_DEMO_SECRET_ID, "--secret-key", SECRET_KEY, "--token", TOKEN, (char *)NULL);
        _exit(127);
    }
    char line[256];
    assert_true(read_first_line(out_path, line, sizeof line, now_ms() + DEADLINE_MS));
    const char *prefix = "listening on ";
    assert_int_equal(strncmp(line, prefix, strlen(prefix)), 0);
    const char *url = line + strlen(prefix);

    struct creds good = demo_creds(SECRET_KEY, TOKEN);
    struct creds bad_key = demo_creds("Wrong-" MARK, TOKEN);
    struct creds bad_token = demo_creds(SECRET_KEY, "Wrong-" MARK);
    const struct creds *who[] = {&good, &bad_key, &bad_token, &good};
    for (size_t i = 0; i < ARRAY_LEN(who); i++) {
        struct api_client *c = client_for(url, who[i], NULL);
        struct records_page p;
        struct api_error err;
        int rc = api_describe_records(c, NULL, &p, NULL, &err);
        assert_int_equal(rc, who[i] == &good ? 0 : -1);
        if (rc == 0) model_records_page_clear(&p);
        api_client_free(c);
    }
    assert_int_equal(kill(pid, SIGTERM), 0);
    int status = 0;
    int64_t deadline = now_ms() + DEADLINE_MS;
    pid_t w = 0;
    while ((w = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
        sleep_ms(10);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("certdeck-emulator did not exit on SIGTERM");
    }
    size_t out_len = 0, err_len = 0;
    char *out = tu_read_file(out_path, &out_len);
    char *errs = tu_read_file(err_path, &err_len);
    assert_non_null(out);
    assert_non_null(errs);
    /* The log ran (one line per request, the failures named) and holds no secret. */
    assert_non_null(strstr(errs, "AuthFailure.SignatureFailure"));
    assert_non_null(strstr(errs, "AuthFailure.TokenFailure"));
    assert_no_mark("emulator stdout", out, out_len);
    assert_no_mark("emulator stderr", errs, err_len);
    free(out);
    free(errs);

    /* A usage error after the key was given. */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        execl(bin, bin, "--secret-key", SECRET_KEY, "--token", TOKEN, "--fault", "nonsense",
              (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    errs = tu_read_file(err_path, &err_len);
    assert_non_null(errs);
    assert_non_null(strstr(errs, "nonsense"));
    assert_no_mark("emulator usage error", errs, err_len);
    free(errs);

    tu_rm_rf(dir);
    free(dir);
    free(out_path);
    free(err_path);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    unsetenv("http_proxy");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
    unsetenv("all_proxy");
    http_global_init();
    char err[256];
    struct emu_config cfg = {.listen = "127.0.0.1:0", .rate = -1, .records = 12};
    emu = emu_start(&cfg, err, sizeof err);
    if (!emu) return -1;
    hs = tu_script_server_start(hostile_answer, NULL);
    return tls_setup(state);
}

static int group_teardown(void **state)
{
    tls_teardown(state);
    tu_script_server_stop(hs);
    emu_stop(emu);
    http_global_cleanup();
    return 0;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emulator_huge_header),
        cmocka_unit_test(test_emulator_overlong_authorization),
        cmocka_unit_test(test_emulator_huge_body),
        cmocka_unit_test(test_emulator_bad_and_deep_json),
        cmocka_unit_test(test_emulator_hostile_parameter_name),
        cmocka_unit_test(test_emulator_invalid_utf8_parameter),
        cmocka_unit_test(test_emulator_extreme_paging),
        cmocka_unit_test(test_client_non_200_huge_html),
        cmocka_unit_test(test_client_truncated_and_oversize),
        cmocka_unit_test(test_client_enormous_error),
        cmocka_unit_test(test_client_request_id_escapes),
        cmocka_unit_test(test_client_bad_content_type),
        cmocka_unit_test(test_records_all_against_lying_total),
        cmocka_unit_test(test_detail_all_against_lying_total),
        cmocka_unit_test(test_detail_all_absurd_concurrency),
        cmocka_unit_test(test_tls_verification),
        cmocka_unit_test_setup_teardown(test_proxy_password_not_in_errors, proxy_setup,
                                        proxy_teardown),
        cmocka_unit_test(test_secrets_not_in_errors_or_traces),
        cmocka_unit_test(test_emulator_binary_never_prints_its_key),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
