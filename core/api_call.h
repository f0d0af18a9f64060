/* One call as an action builds it (core/api_actions.c) and the client sends it (core/api.c):
 * the request body, and how to decode the answer. */
#ifndef CERTDECK_API_CALL_H
#define CERTDECK_API_CALL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/apierr.h"

struct api_client;

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

/* Sends call: waits for the rate limiter, signs and POSTs, decodes, and retries as the policy
 * allows (core/backoff.h); then hands the trace to the observer. rid_out (may be NULL)
 * receives the RequestId. Returns 0, or -1 with err. */
int api_call_run(struct api_client *c, const struct api_call *call, const atomic_int *cancel,
                 char *rid_out, size_t rid_out_len, struct api_error *err);

#endif
