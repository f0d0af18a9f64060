/* TC3-HMAC-SHA256 signing (client) and Authorization parsing/verification (emulator), over
 * OpenSSL 3 one-shot digest and HMAC calls (spec/API.md §5). */
#include "core/tc3.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/util.h"

#define TC3_TERMINATOR "tc3_request"
#define SHA256_LEN     32

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

void tc3_sha256_hex(const void *data, size_t len, char out[TC3_HEX_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(data ? data : "", len, md, &md_len, EVP_sha256(), NULL) ||
        md_len != SHA256_LEN) {
        /* Only reachable if OpenSSL itself is broken; an all-zero hash never verifies. */
        memset(md, 0, sizeof md);
    }
    hex_encode(md, SHA256_LEN, out);
}

void tc3_utc_date(int64_t timestamp, char out[11])
{
    time_t t = (time_t)timestamp;
    struct tm tm;
    /* A date outside 0000..9999 cannot be written in 10 bytes; such a timestamp is garbage
     * and gets a date that no honest request carries. */
    if ((int64_t)t != timestamp || !gmtime_r(&t, &tm) || tm.tm_year < -1900 ||
        tm.tm_year > 9999 - 1900) {
        memcpy(out, "0000-00-00", 11);
        return;
    }
    int year = tm.tm_year + 1900;
    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + (tm.tm_mon + 1) / 10);
    out[6] = (char)('0' + (tm.tm_mon + 1) % 10);
    out[7] = '-';
    out[8] = (char)('0' + tm.tm_mday / 10);
    out[9] = (char)('0' + tm.tm_mday % 10);
    out[10] = '\0';
}

/* ---- canonical request ------------------------------------------------------------------ */

struct canon_header {
    char *name;
    char *value;
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char ascii_lower(char c)
{
    return (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

/* Heap copy of s, trimmed of surrounding whitespace and lowercased (ASCII only: header
 * names are tokens, and lowering bytes >= 0x80 would corrupt UTF-8 values). */
static char *trim_lower(const char *s)
{
    if (!s) s = "";
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    char *out = xstrndup(s, n);
    for (size_t i = 0; i < n; i++)
        out[i] = ascii_lower(out[i]);
    return out;
}

static int canon_header_cmp(const void *a, const void *b)
{
    const struct canon_header *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

char *tc3_canonical_request(const struct tc3_request *req, char **signed_headers)
{
    size_t n = req->n_headers;
    struct canon_header *hs = xcalloc(n ? n : 1, sizeof *hs);
    for (size_t i = 0; i < n; i++) {
        hs[i].name = trim_lower(req->headers[i].name);
        hs[i].value = trim_lower(req->headers[i].value);
    }
    qsort(hs, n, sizeof *hs, canon_header_cmp);

    struct buf names = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) buf_putc(&names, ';');
        buf_puts(&names, hs[i].name);
    }

    char payload_hash[TC3_HEX_LEN + 1];
    if (req->unsigned_payload)
        tc3_sha256_hex("UNSIGNED-PAYLOAD", strlen("UNSIGNED-PAYLOAD"), payload_hash);
    else
        tc3_sha256_hex(req->payload, req->payload ? req->payload_len : 0, payload_hash);

    struct buf b = {0};
    buf_puts(&b, req->method ? req->method : "");
    buf_putc(&b, '\n');
    buf_puts(&b, req->uri ? req->uri : "");
    buf_putc(&b, '\n');
    buf_puts(&b, req->query ? req->query : "");
    buf_putc(&b, '\n');
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s:%s\n", hs[i].name, hs[i].value);
    buf_putc(&b, '\n');
    buf_append(&b, names.data, names.len);
    buf_putc(&b, '\n');
    buf_puts(&b, payload_hash);

    for (size_t i = 0; i < n; i++) {
        free(hs[i].name);
        free(hs[i].value);
    }
    free(hs);
    if (signed_headers)
        *signed_headers = buf_steal(&names);
    else
        buf_free(&names);
    return buf_steal(&b);
}

char *tc3_string_to_sign(int64_t timestamp, const char *service, const char *canonical_request)
{
    char date[11], hash[TC3_HEX_LEN + 1];
    tc3_utc_date(timestamp, date);
    tc3_sha256_hex(canonical_request, strlen(canonical_request), hash);
    return xasprintf(TC3_ALGORITHM "\n%" PRId64 "\n%s/%s/" TC3_TERMINATOR "\n%s", timestamp, date,
                     service, hash);
}

/* ---- key chain -------------------------------------------------------------------------- */

static void hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                        unsigned char out[SHA256_LEN])
{
    unsigned int out_len = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &out_len) ||
        out_len != SHA256_LEN)
        memset(out, 0, SHA256_LEN);
}

void tc3_signature(const char *secret_key, const char *date, const char *service,
                   const char *string_to_sign, char out[TC3_HEX_LEN + 1])
{
    size_t sk_len = strlen(secret_key);
    size_t k_len = 3 + sk_len;
    char *k_secret = xmalloc(k_len + 1);
    /* The prefix is not terminated on purpose: the key copied after it brings the NUL. */
    memcpy(k_secret, "TC3", 3); // NOLINT(bugprone-not-null-terminated-result)
    memcpy(k_secret + 3, secret_key, sk_len + 1);

    unsigned char k_date[SHA256_LEN], k_service[SHA256_LEN], k_signing[SHA256_LEN];
    unsigned char sig[SHA256_LEN];
    hmac_sha256(k_secret, k_len, date, strlen(date), k_date);
    hmac_sha256(k_date, sizeof k_date, service, strlen(service), k_service);
    hmac_sha256(k_service, sizeof k_service, TC3_TERMINATOR, strlen(TC3_TERMINATOR), k_signing);
    hmac_sha256(k_signing, sizeof k_signing, string_to_sign, strlen(string_to_sign), sig);
    hex_encode(sig, sizeof sig, out);

    secure_zero(k_secret, k_len + 1);
    free(k_secret);
    secure_zero(k_date, sizeof k_date);
    secure_zero(k_service, sizeof k_service);
    secure_zero(k_signing, sizeof k_signing);
    secure_zero(sig, sizeof sig);
}

char *tc3_authorization(const struct tc3_request *req, const char *service, int64_t timestamp,
                        const char *secret_id, const char *secret_key)
{
    char *signed_headers = NULL;
    char *canonical = tc3_canonical_request(req, &signed_headers);
    char *sts = tc3_string_to_sign(timestamp, service, canonical);
    char date[11], sig[TC3_HEX_LEN + 1];
    tc3_utc_date(timestamp, date);
    tc3_signature(secret_key, date, service, sts, sig);
    char *auth = xasprintf(TC3_ALGORITHM " Credential=%s/%s/%s/" TC3_TERMINATOR
                                         ", SignedHeaders=%s, Signature=%s",
                           secret_id, date, service, signed_headers, sig);
    free(signed_headers);
    free(canonical);
    free(sts);
    return auth;
}

/* ---- server side ------------------------------------------------------------------------ */

/* Characters allowed in each part. The secret id and service are opaque to us, so anything
 * printable that is not a delimiter of this header is accepted; header names are tokens. */
static int id_char(char c)
{
    return c > ' ' && c < 0x7f && c != '/' && c != ',' && c != ';' && c != '=' && c != '"';
}

static int header_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int lower_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Copies the run of characters accepted by ok() at *p into out (capacity cap, including the
 * NUL). Fails on an empty run or one that does not fit; never reads past the run. */
static int take(const char **p, int (*ok)(char), char *out, size_t cap)
{
    size_t n = 0;
    while (ok((*p)[n])) {
        if (n + 1 >= cap) return -1;
        n++;
    }
    if (n == 0) return -1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n;
    return 0;
}

static int expect(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0) return -1;
    *p += n;
    return 0;
}

static void skip_ows(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

static int valid_date(const char *d)
{
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (d[i] != '-') return 0;
        } else if (!is_digit(d[i])) {
            return 0;
        }
    }
    if (d[10] != '\0') return 0;
    int month = (d[5] - '0') * 10 + (d[6] - '0');
    int day = (d[8] - '0') * 10 + (d[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/* SignedHeaders: one or more names joined by single ';' (no empty names). */
static int take_signed_headers(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    for (;;) {
        size_t start = n;
        while (header_name_char(s[n]))
            n++;
        if (n == start) return -1;
        if (s[n] != ';') break;
        n++;
    }
    if (n + 1 > cap) return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    *p += n;
    return 0;
}

static int take_date(const char **p, char out[11])
{
    for (int i = 0; i < 10; i++)
        if (!(*p)[i]) return -1;
    memcpy(out, *p, 10);
    out[10] = '\0';
    if (!valid_date(out)) return -1;
    *p += 10;
    return 0;
}

int tc3_parse_authorization(const char *header, struct tc3_auth *out)
{
    struct tc3_auth a;
    memset(&a, 0, sizeof a);
    memset(out, 0, sizeof *out);
    if (!header) return -1;

    const char *p = header;
    if (expect(&p, TC3_ALGORITHM " Credential=") ||
        take(&p, id_char, a.secret_id, sizeof a.secret_id) || expect(&p, "/") ||
        take_date(&p, a.date) || expect(&p, "/") ||
        take(&p, id_char, a.service, sizeof a.service) || expect(&p, "/" TC3_TERMINATOR ","))
        return -1;
    skip_ows(&p);
    if (expect(&p, "SignedHeaders=") ||
        take_signed_headers(&p, a.signed_headers, sizeof a.signed_headers) || expect(&p, ","))
        return -1;
    skip_ows(&p);
    if (expect(&p, "Signature=")) return -1;
    for (int i = 0; i < TC3_HEX_LEN; i++) {
        if (!lower_hex(p[i])) return -1;
    }
    memcpy(a.signature, p, TC3_HEX_LEN);
    a.signature[TC3_HEX_LEN] = '\0';
    p += TC3_HEX_LEN;
    skip_ows(&p); /* trailing optional whitespace is not part of an HTTP field value */
    if (*p) return -1;

    *out = a;
    return 0;
}

bool tc3_verify(const struct tc3_request *req, const struct tc3_auth *auth, int64_t timestamp,
                const char *secret_key)
{
    /* The credential scope's date must be the UTC date of X-TC-Timestamp (a client that
     * used local time fails here, as it does against the real API). */
    char date[11];
    tc3_utc_date(timestamp, date);
    if (strcmp(date, auth->date) != 0) return false;

    char *signed_headers = NULL;
    char *canonical = tc3_canonical_request(req, &signed_headers);
    bool same_headers = strcmp(signed_headers, auth->signed_headers) == 0;
    char *sts = tc3_string_to_sign(timestamp, auth->service, canonical);
    char sig[TC3_HEX_LEN + 1];
    tc3_signature(secret_key, auth->date, auth->service, sts, sig);
    bool ok = CRYPTO_memcmp(sig, auth->signature, TC3_HEX_LEN) == 0;
    secure_zero(sig, sizeof sig);
    free(signed_headers);
    free(canonical);
    free(sts);
    return ok && same_headers;
}
