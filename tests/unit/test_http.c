/* The HTTP layer against a tiny scripted server on loopback: keep-alive reuse (and its
 * opt-out), what goes on the wire, the size cap with and without Content-Length, statuses,
 * timeouts, empty replies and cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/http.h"
#include "core/util.h"
#include "testutil.h"

enum mode {
    MODE_JSON,      /* 200, application/json, echo of the body length */
    MODE_503,       /* 503 with a short text body */
    MODE_BIG_CLEN,  /* 200 announcing 2 MiB with Content-Length */
    MODE_BIG_CLOSE, /* 200 streaming 2 MiB without Content-Length, then close */
    MODE_HANG,      /* read the request, never answer */
    MODE_CLOSE,     /* read the request, close without a byte */
};

#define BIG_BODY (2u * 1024u * 1024u)

static struct tu_script_server *srv;
static atomic_int mode; /* enum mode: how the server answers */

/* Answers one request as the mode says; returns false when the connection is to be closed. */
static bool respond(void *ctx, int fd, const struct tu_script_request *req)
{
    (void)ctx;
    enum mode m = (enum mode)atomic_load(&mode);
    char head[256], body[64];
    switch (m) {
    case MODE_JSON:
        snprintf(body, sizeof body, "{\"len\":%zu}", req->body_len);
        snprintf(head, sizeof head,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=x\r\n"
                 "Content-Length: %zu\r\n\r\n",
                 strlen(body));
        tu_send_all(fd, head, strlen(head));
        tu_send_all(fd, body, strlen(body));
        return true;
    case MODE_503:
        snprintf(head, sizeof head,
                 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
                 "text/plain\r\nContent-Length: 4\r\n\r\nbusy");
        tu_send_all(fd, head, strlen(head));
        return true;
    case MODE_BIG_CLEN:
    case MODE_BIG_CLOSE: {
        if (m == MODE_BIG_CLEN)
            snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n", BIG_BODY);
        else
            snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        tu_send_all(fd, head, strlen(head));
        char *chunk = xmalloc(65536);
        memset(chunk, 'x', 65536);
        for (unsigned sent = 0; sent < BIG_BODY; sent += 65536)
            tu_send_all(fd, chunk, 65536);
        free(chunk);
        return false;
    }
    case MODE_HANG:
        return true;
    case MODE_CLOSE:
        return false;
    }
    return false;
}

static int group_setup(void **state)
{
    (void)state;
    tu_loopback_init();
    srv = tu_script_server_start(respond, NULL);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tu_script_server_stop(srv);
    http_global_cleanup();
    return 0;
}

static void set_mode(enum mode m)
{
    atomic_store(&mode, (int)m);
}

static void counts(int *connections, int *requests)
{
    tu_script_server_counts(srv, connections, requests);
}

static char url[64];
static const char *const json_headers[] = {"Content-Type: application/json", "X-Test: yes", NULL};

static const char *server_url(void)
{
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", tu_script_server_port(srv));
    return url;
}

/* POSTs {} to `to` through c; the call must fail with an error of kind. Returns the response
 * as the call left it. */
static struct http_response post_fails(struct http_client *c, const char *to,
                                       const atomic_int *cancel, enum apierr_kind kind,
                                       struct api_error *err)
{
    struct http_response r;
    assert_int_equal(http_post(c, to, json_headers, "{}", 2, cancel, &r, err), -1);
    assert_int_equal(err->kind, kind);
    return r;
}

static void test_keepalive_reuses_connection(void **state)
{
    (void)state;
    set_mode(MODE_JSON);
    struct http_client *c = http_client_new(NULL);
    int conn0, req0, conn1, req1;
    counts(&conn0, &req0);
    for (int i = 0; i < 3; i++) {
        struct http_response r;
        struct api_error err;
        assert_int_equal(http_post(c, server_url(), json_headers, "{}", 2, NULL, &r, &err), 0);
        assert_int_equal(r.status, 200);
        http_response_free(&r);
    }
    counts(&conn1, &req1);
    assert_int_equal(req1 - req0, 3);
    assert_int_equal(conn1 - conn0, 1);
    http_client_free(c);

    /* fresh_connect: one connection per request. */
    struct http_opts o = {.fresh_connect = true};
    c = http_client_new(&o);
    for (int i = 0; i < 3; i++) {
        struct http_response r;
        struct api_error err;
        assert_int_equal(http_post(c, server_url(), json_headers, "{}", 2, NULL, &r, &err), 0);
        http_response_free(&r);
    }
    int conn2, req2;
    counts(&conn2, &req2);
    assert_int_equal(req2 - req1, 3);
    assert_int_equal(conn2 - conn1, 3);
    http_client_free(c);
}

static void test_wire_and_response(void **state)
{
    (void)state;
    set_mode(MODE_JSON);
    struct http_opts o = {.user_agent = "certdeck-test/1"};
    struct http_client *c = http_client_new(&o);
    /* A body large enough that curl would otherwise ask for 100-continue. */
    size_t n = 200000;
    char *body = xmalloc(n);
    memset(body, 'a', n);
    struct http_response r;
    struct api_error err;
    assert_int_equal(http_post(c, server_url(), json_headers, body, n, NULL, &r, &err), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"len\":200000}");
    assert_int_equal(r.len, strlen(r.body));
    assert_string_equal(r.content_type, "application/json; charset=x");
    assert_true(r.total_ms >= 0);
    char last_head[4096];
    assert_int_equal(tu_script_server_last(srv, last_head, sizeof last_head), n);
    assert_non_null(strstr(last_head, "POST / HTTP/1.1\r\n"));
    assert_non_null(strstr(last_head, "\r\nX-Test: yes\r\n"));
    assert_non_null(strstr(last_head, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(last_head, "\r\nUser-Agent: certdeck-test/1\r\n"));
    assert_null(strstr(last_head, "Expect:"));
    assert_null(strstr(last_head, "expect:"));
    http_response_free(&r);
    assert_null(r.body);
    free(body);
    http_client_free(c);
}

static void test_status_is_the_callers(void **state)
{
    (void)state;
    set_mode(MODE_503);
    struct http_client *c = http_client_new(NULL);
    struct http_response r;
    struct api_error err;
    assert_int_equal(http_post(c, server_url(), json_headers, "{}", 2, NULL, &r, &err), 0);
    assert_int_equal(r.status, 503);
    assert_string_equal(r.body, "busy");
    assert_string_equal(r.content_type, "text/plain");
    http_response_free(&r);
    http_client_free(c);
}

static void test_size_cap(void **state)
{
    (void)state;
    enum mode modes[] = {MODE_BIG_CLEN, MODE_BIG_CLOSE};
    for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
        set_mode(modes[i]);
        struct http_opts o = {.max_body = 1024 * 1024};
        struct http_client *c = http_client_new(&o);
        struct api_error err;
        struct http_response r = post_fails(c, server_url(), NULL, APIERR_TRANSPORT, &err);
        assert_string_equal(err.transport, "response larger than 1 MiB (limit)");
        assert_null(r.body);
        assert_int_equal(r.len, 0);
        http_client_free(c);
    }
    /* The same 2 MiB fit under the default 32 MiB cap. */
    set_mode(MODE_BIG_CLOSE);
    struct http_client *c = http_client_new(NULL);
    struct http_response r;
    struct api_error err;
    assert_int_equal(http_post(c, server_url(), json_headers, "{}", 2, NULL, &r, &err), 0);
    assert_int_equal(r.len, BIG_BODY);
    http_response_free(&r);
    http_client_free(c);
}

static void test_timeout_and_empty_reply(void **state)
{
    (void)state;
    set_mode(MODE_HANG);
    struct http_opts o = {.timeout_ms = 200};
    struct http_client *c = http_client_new(&o);
    struct api_error err;
    assert_null(post_fails(c, server_url(), NULL, APIERR_TRANSPORT, &err).body);
    assert_string_equal(err.transport, "timed out after 0.2 s");
    http_client_free(c);

    set_mode(MODE_CLOSE);
    c = http_client_new(NULL);
    post_fails(c, server_url(), NULL, APIERR_TRANSPORT, &err);
    assert_non_null(strstr(err.transport, "empty reply"));
    http_client_free(c);
}

struct later {
    atomic_int *flag;
    int requests_before;
};

static bool server_has_it(void *arg)
{
    struct later *l = arg;
    int conns, reqs;
    counts(&conns, &reqs);
    return reqs > l->requests_before;
}

static void *cancel_when_server_has_it(void *arg)
{
    struct later *l = arg;
    (void)tu_poll_until(server_has_it, l, TU_DEADLINE_MS);
    atomic_store(l->flag, 1);
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    struct http_client *c = http_client_new(NULL);
    struct http_response r;
    struct api_error err;
    int conns, reqs0, reqs1;

    /* Set before the call: nothing is sent. */
    atomic_int flag = 1;
    set_mode(MODE_JSON);
    counts(&conns, &reqs0);
    post_fails(c, server_url(), &flag, APIERR_CANCELLED, &err);
    counts(&conns, &reqs1);
    assert_int_equal(reqs1, reqs0);

    /* Set while the server sits on the request (60 s timeout): the call ends cancelled. */
    atomic_store(&flag, 0);
    set_mode(MODE_HANG);
    struct later l = {&flag, reqs1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_when_server_has_it, &l), 0);
    r = post_fails(c, server_url(), &flag, APIERR_CANCELLED, &err);
    pthread_join(t, NULL);
    assert_null(r.body);

    /* The handle is usable afterwards. */
    atomic_store(&flag, 0);
    set_mode(MODE_JSON);
    assert_int_equal(http_post(c, server_url(), json_headers, "{}", 2, &flag, &r, &err), 0);
    assert_int_equal(r.status, 200);
    http_response_free(&r);
    http_client_free(c);
}

static void test_refused_and_bad_url(void **state)
{
    (void)state;
    int port;
    int fd = tu_listen_loopback(&port);
    assert_true(fd >= 0);
    close(fd);
    char closed[64];
    snprintf(closed, sizeof closed, "http://127.0.0.1:%d/", port);

    struct http_client *c = http_client_new(NULL);
    struct api_error err;
    post_fails(c, closed, NULL, APIERR_TRANSPORT, &err);
    assert_string_equal(err.transport, "connection refused");

    /* Only http and https. */
    assert_null(post_fails(c, "file:///etc/passwd", NULL, APIERR_TRANSPORT, &err).body);
    http_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keepalive_reuses_connection),
        cmocka_unit_test(test_wire_and_response),
        cmocka_unit_test(test_status_is_the_callers),
        cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_timeout_and_empty_reply),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_refused_and_bad_url),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
