/* TC3-HMAC-SHA256 request signing and verification (spec/API.md §5). Pure functions over
 * explicit inputs: the timestamp is a parameter, nothing reads the clock or the environment. */
#ifndef CERTDECK_TC3_H
#define CERTDECK_TC3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TC3_ALGORITHM "TC3-HMAC-SHA256"
#define TC3_HEX_LEN   64

struct tc3_header {
    const char *name;  /* any case; lowercased and trimmed in the canonical form */
    const char *value; /* lowercased and trimmed in the canonical form */
};

struct tc3_request {
    const char *method;               /* "POST" */
    const char *uri;                  /* "/" */
    const char *query;                /* canonical query string, "" for POST */
    const struct tc3_header *headers; /* exactly the headers to sign, any order */
    size_t n_headers;
    const void *payload;
    size_t payload_len;
    bool unsigned_payload; /* X-TC-Content-SHA256: UNSIGNED-PAYLOAD */
};

/* Lowercase hex SHA-256 of data; out must hold 65 bytes. */
void tc3_sha256_hex(const void *data, size_t len, char out[TC3_HEX_LEN + 1]);
/* The UTC date of a Unix timestamp, "YYYY-MM-DD" (never local time). */
void tc3_utc_date(int64_t timestamp, char out[11]);
/* The canonical request (heap string) and, if signed_headers is non-NULL, the
 * SignedHeaders list ("content-type;host") as a heap string. */
char *tc3_canonical_request(const struct tc3_request *req, char **signed_headers);
/* "TC3-HMAC-SHA256\n<ts>\n<date>/<service>/tc3_request\n<hex sha256(canonical)>" (heap). */
char *tc3_string_to_sign(int64_t timestamp, const char *service, const char *canonical_request);
/* hex(HMAC chain over "TC3"+secret_key, date, service, "tc3_request", string_to_sign). */
void tc3_signature(const char *secret_key, const char *date, const char *service,
                   const char *string_to_sign, char out[TC3_HEX_LEN + 1]);

/* The whole chain: returns the Authorization header value (heap string), e.g.
 * "TC3-HMAC-SHA256 Credential=AKID…/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host,
 * Signature=72e4…". Intermediate buffers holding derived keys are wiped. */
char *tc3_authorization(const struct tc3_request *req, const char *service, int64_t timestamp,
                        const char *secret_id, const char *secret_key);

/* A parsed Authorization header (the server side). */
struct tc3_auth {
    char secret_id[129];
    char date[11];
    char service[65];
    char signed_headers[513]; /* "content-type;host" as received */
    char signature[TC3_HEX_LEN + 1];
};
/* Parses "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=…,
 * Signature=…". Returns 0, or -1 when malformed (wrong algorithm, missing part, bad date or
 * signature shape, anything too long). */
int tc3_parse_authorization(const char *header, struct tc3_auth *out);
/* Recomputes the signature of req (whose headers must be those named in auth->signed_headers)
 * with secret_key and compares in constant time. The date and service come from auth. */
bool tc3_verify(const struct tc3_request *req, const struct tc3_auth *auth, int64_t timestamp,
                const char *secret_key);

#endif
