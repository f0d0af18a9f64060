/* One error value for every way a call can fail, and the one table of API error codes
 * (spec/API.md §4): whether each is worth retrying and what the operator should do. */
#ifndef CERTDECK_APIERR_H
#define CERTDECK_APIERR_H

#include <stdbool.h>
#include <stddef.h>

enum apierr_kind {
    APIERR_NONE = 0,
    APIERR_API,       /* the server answered Response.Error {Code, Message} */
    APIERR_HTTP,      /* the server answered with an HTTP status other than 200 */
    APIERR_TRANSPORT, /* DNS, connect, TLS, timeout, reset, body too large (curl) */
    APIERR_DECODE,    /* HTTP 200 but the body is not a valid response: message names the path */
    APIERR_CANCELLED, /* the caller cancelled (view left, program exiting) */
    APIERR_USAGE,     /* the request could not be built (bad argument, no credentials) */
    APIERR_MEMORY,    /* what was fetched passed the memory budget (--max-memory) */
};

struct api_error {
    enum apierr_kind kind;
    char code[128];       /* APIERR_API: e.g. "AuthFailure.SignatureFailure" */
    char message[1024];   /* human text; for APIERR_DECODE "path: expected integer, got string" */
    char request_id[80];  /* when the server gave one */
    long http_status;     /* 0 when no HTTP response */
    char transport[256];  /* APIERR_TRANSPORT: the reason, e.g. "connection refused" */
    bool request_sent;    /* APIERR_TRANSPORT: the request may have reached the server */
    bool outcome_unknown; /* a write sent with no clear answer: it may have been applied */
};

struct apierr_info {
    const char *code;
    bool retryable;   /* safe to retry a read with backoff */
    const char *hint; /* one line telling the operator what to do */
};

/* Exact code first, then its family (the part before the first '.'); NULL if unknown. */
const struct apierr_info *apierr_lookup(const char *code);
/* The whole table, for tests and documentation. */
const struct apierr_info *apierr_table(size_t *n);

void apierr_clear(struct api_error *e);
void apierr_set(struct api_error *e, enum apierr_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A one-line hint for any error kind (never NULL). */
const char *apierr_hint(const struct api_error *e);
/* Whether a read action that failed this way may be retried with backoff: retryable API
 * codes, HTTP 5xx/429, transport errors other than TLS and the size cap, and bodies that do
 * not decode. */
bool apierr_retryable(const struct api_error *e);
/* "AuthFailure.SignatureFailure: The provided credentials… (RequestId 79b4…)" — one line,
 * sanitized for a terminal. Returns buf. */
const char *apierr_format(const struct api_error *e, char *buf, size_t n);
/* Whether a write that failed this way may still have been applied by the server: it was
 * sent, and then the connection timed out or broke, a gateway gave up (502/504), or the reply
 * did not decode. Such a write is never sent again: its outcome is unknown, and said so. */
bool apierr_write_may_have_applied(const struct api_error *e);
/* The exit code of a write whose outcome is unknown (e->outcome_unknown). */
#define APIERR_EXIT_OUTCOME_UNKNOWN 6
/* Batch CLI exit code: 1 API/HTTP/decode/memory budget, 2 usage, 3 transport, 6 a write's
 * outcome unknown. */
int apierr_exit_code(const struct api_error *e);

#endif
