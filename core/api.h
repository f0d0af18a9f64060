/* One function per action of the SSL "update, certificate ID unchanged" family: build the
 * JSON request, sign it (TC3), send it through http, decode the answer. Every call is paced
 * by the client's rate limiter (core/ratelimit.h), which learns from a RequestLimitExceeded;
 * read actions are retried on it and on transport failures (with exponential backoff on the
 * calling thread only); write actions are never retried blindly. An api_client is safe to use from
 * several threads at once (it keeps a pool of HTTP handles and one shared rate limiter). */
#ifndef CERTDECK_API_H
#define CERTDECK_API_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/apierr.h"
#include "core/creds.h"
#include "core/http.h"
#include "core/model.h"
#include "core/ratelimit.h"
#include "core/trace.h" /* struct api_trace, api_observer_fn */

#define API_SERVICE          "ssl"
#define API_VERSION          "2019-12-05"
#define API_DEFAULT_ENDPOINT "https://ssl.tencentcloudapi.com"
/* One constant, identical in the signature and on the wire. */
#define API_CONTENT_TYPE     "application/json"
#define API_DETAIL_MAX_LIMIT 200

/* What certdeck agrees to page through, whatever a server claims: one set of limits for the
 * batch helpers (api_records_all, api_detail_all) and the TUI's worker (core/worker.h). A
 * server claiming more (a TotalCount of 2^53, or pages that never end) gets a clear
 * APIERR_DECODE naming the count instead of a loop, a flood of requests or an allocation that
 * aborts. The instances of a record are not capped by a count: what is fetched is held
 * compactly (core/model_arena.h) and bounded by the memory budget (--max-memory,
 * model_mem_set_budget), which fails the fetch with APIERR_MEMORY when passed.
 * API_DETAIL_MAX_ITEMS is only the claim no account can hold (the positions a group's Id
 * index addresses). */
#define API_RECORDS_MAX       100000       /* rows of the record list (its TotalCount) */
#define API_DETAIL_MAX_ITEMS  4294967295LL /* instances of one group, or of a record */
#define API_DETAIL_MAX_GROUPS 4096 /* resource-type groups of one record, over all its runs */

struct api_config {
    const char *endpoint; /* URL, e.g. "https://ssl.tencentcloudapi.com" or
                             "http://127.0.0.1:8080"; NULL: API_DEFAULT_ENDPOINT */
    const char *language; /* NULL, "zh-CN" or "en-US" (X-TC-Language) */
    struct http_opts http;
    double rate;             /* requests per second for the whole process; 0: 20; < 0: no limit */
    int max_retries;         /* read actions; 0: 4 (negative: none) */
    int64_t backoff_base_ms; /* first retry delay; 0: 500 ms, doubling, with jitter */
    int64_t clock_skew_s;    /* added to the timestamp (tests) */
};

struct api_client;

/* Copies config (strings too) and the credentials; returns NULL with err on a bad endpoint. */
struct api_client *api_client_new(const struct api_config *config, const struct creds *creds,
                                  struct api_error *err);
void api_client_free(struct api_client *c);
/* A source that answers calls in place of the network: core/snapshot.h's offline snapshot. */
struct api_source {
    /* Answers one call as a server would: a heap response body (the Response envelope, or the
     * error envelope) for the action's request body. Called from several threads at once. */
    char *(*answer)(void *ctx, const char *action, bool write, const char *body, size_t len);
    void *ctx;
    const char *endpoint;         /* what api_client_endpoint reports */
    const char *secret_id_prefix; /* what api_client_secret_id reports */
    int64_t as_of_unix;           /* when the data it answers with was current */
};
/* A client whose every call goes to src (copied; what it points to must outlive the client):
 * no credentials, no rate limit, no network. Its calls reach no observer (they are not API
 * calls). */
struct api_client *api_client_new_source(const struct api_source *src);
/* The source of a client from api_client_new_source; NULL for a client of the API. */
const struct api_source *api_client_source(const struct api_client *c);
/* The SecretId the client signs with (a source's: its prefix) into out, cut to fit. The
 * SecretId names the key; it is not the secret. */
void api_client_secret_id(const struct api_client *c, char *out, size_t n);
/* Called after every call (from the thread that made it: api_detail_all's page fetches run on
 * its helper threads) — the TUI's event log. Calls to the observer are serialized, so it
 * must not call this client's actions itself. */
void api_client_set_observer(struct api_client *c, api_observer_fn fn, void *ctx);
/* Hears every wait in this client's rate limiter as it happens (see ratelimit_wait_fn): token
 * waits, longer after a RequestLimitExceeded, on the thread making the call (api_detail_all's
 * helper threads too). The same contract as ratelimit_set_wait_hook: ctx must outlive any call
 * that may be waiting when the hook is removed (fn NULL). */
void api_client_set_wait_hook(struct api_client *c, ratelimit_wait_fn fn, void *ctx);
/* The client-side limit in requests per second, as api_client_new resolved api_config.rate
 * (0 there gives 20); 0 when there is none. */
double api_client_rate(const struct api_client *c);
const char *api_client_endpoint(const struct api_client *c);

/* Every action takes an optional cancel flag (NULL: never cancelled) and fills err on failure
 * (return -1). On success they return 0 and fill their out parameter, which the caller clears
 * with the matching model_*_clear. */
struct records_query {
    uint64_t offset;
    uint64_t limit;          /* 0: server default (10) */
    const char *old_cert_id; /* NULL: no filter */
};
int api_describe_records(struct api_client *c, const struct records_query *q,
                         struct records_page *out, const atomic_int *cancel, struct api_error *err);

struct detail_query {
    int64_t record_id;
    int64_t offset;
    int64_t limit; /* 0: server default (10); > 200 is sent as asked (the server clamps) */
};
int api_describe_detail(struct api_client *c, const struct detail_query *q, struct detail_page *out,
                        const atomic_int *cancel, struct api_error *err);

/* Write actions: never retried except on RequestLimitExceeded (which the server did not act
 * on). record_id or detail_id < 0 means "not given"; exactly one must be given to retry. */
int api_rollback(struct api_client *c, int64_t record_id, char *request_id, size_t rid_len,
                 struct api_error *err);
int api_retry(struct api_client *c, int64_t record_id, int64_t detail_id, char *request_id,
              size_t rid_len, struct api_error *err);

/* The regions of one region-scoped resource type (ResourceTypesRegions, spec §2.3). */
struct upload_type_regions {
    const char *resource_type;
    const char *const *regions;
    size_t n_regions;
};

struct upload_request {
    const char *old_certificate_id;
    const char *const *resource_types;
    size_t n_resource_types;
    const char *public_key_pem;
    const char *private_key_pem;
    const struct upload_type_regions *type_regions; /* optional: sent when n_type_regions > 0 */
    size_t n_type_regions;
};
int api_upload_update(struct api_client *c, const struct upload_request *req,
                      struct upload_result *out, struct api_error *err);

/* Paging. All records matching old_cert_id (NULL: all), in server order. Stops when the
 * pages reach TotalCount, come back empty, or bring only records already seen; a TotalCount
 * above API_RECORDS_MAX is refused (APIERR_DECODE) rather than paged through. */
int api_records_all(struct api_client *c, const char *old_cert_id, struct records_page *out,
                    const atomic_int *cancel, struct api_error *err);
/* Every item of every group of every run of a record. Limit/Offset page inside each
 * resource-type group ([G] in the spec): pages after the first are fetched concurrently (up to
 * `concurrency` threads, within the rate limit) and merged by run position and ResourceType,
 * de-duplicated by item Id. Also correct if the server pages the concatenated list instead: it
 * keeps asking until every group holds TotalCount items or a page brings nothing new.
 * Pages are merged in offset order as they arrive, at most 2 x concurrency of them held
 * decoded at once; a round of pages ends at the first page that brings nothing new.
 * Bounded whatever the server claims: concurrency is capped at 16, and a group TotalCount
 * above API_DETAIL_MAX_ITEMS, more than API_DETAIL_MAX_GROUPS groups in all, or paging that
 * has not converged after 1,000 rounds fail with APIERR_DECODE naming the count; passing the
 * memory budget fails with APIERR_MEMORY. */
int api_detail_all(struct api_client *c, int64_t record_id, int concurrency,
                   struct detail_page *out, const atomic_int *cancel, struct api_error *err);

#endif
