/* HTTP POST through libcurl: one reusable handle per client (keep-alive), connect and total
 * timeouts, TLS verification on by default, a CA file, proxies from the standard environment
 * variables (curl's own http_proxy/https_proxy/no_proxy handling), a response size cap and
 * cancellation. A struct http_client is used by one thread at a time. */
#ifndef CERTDECK_HTTP_H
#define CERTDECK_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/apierr.h"

#define HTTP_DEFAULT_MAX_BODY ((size_t)32 * 1024 * 1024)

struct http_opts {
    long connect_timeout_ms; /* 0: 10 s */
    long timeout_ms;         /* total per request; 0: 60 s */
    const char *cacert;      /* NULL: system CA store */
    bool insecure;           /* disables TLS peer and host verification */
    size_t max_body;         /* 0: HTTP_DEFAULT_MAX_BODY */
    const char *user_agent;  /* NULL: "certdeck/<version>" */
    bool fresh_connect;      /* a new connection per request, closed after it: libcurl then
                                never re-sends a request on its own (it does so once when a
                                reused keep-alive connection dies before any answer) */
};

struct http_response {
    long status;
    char *body; /* NUL-terminated, len bytes */
    size_t len;
    char content_type[128];
    double total_ms;
    int64_t send_us; /* from the call until the request began to leave: name lookup, connect
                        and TLS on a new connection, about 0 on a reused one */
};

/* Call once per process before any thread uses http (curl_global_init). */
void http_global_init(void);
void http_global_cleanup(void);

struct http_client *http_client_new(const struct http_opts *opts);
void http_client_free(struct http_client *c);

/* POSTs body to url with the given "Name: value" headers (NULL-terminated). Returns 0 when a
 * complete HTTP response arrived (any status: the caller decides), filling *resp; or -1 with
 * err set: APIERR_TRANSPORT with a clear reason ("connection refused", "timed out after 10 s",
 * "TLS certificate verification failed: …", "response larger than 32 MiB", "connection reset")
 * or APIERR_CANCELLED when *cancel became non-zero during the transfer. */
int http_post(struct http_client *c, const char *url, const char *const *headers, const char *body,
              size_t len, const atomic_int *cancel, struct http_response *resp,
              struct api_error *err);
void http_response_free(struct http_response *r);

#endif
