/* TC3 verification of a request and the key pair it is checked against. */
#include "core/emulator/verify.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/emulator/decimal.h"
#include "core/tc3.h"

#define EMU_MAX_SKEW_S 300

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Host without its port: "127.0.0.1:8080" → "127.0.0.1", "[::1]:80" → "[::1]"; NULL if there
 * was no port. */
static char *host_without_port(const char *host)
{
    const char *colon;
    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        if (!end || end[1] != ':') return NULL;
        colon = end + 1;
    } else {
        colon = strrchr(host, ':');
        if (!colon || strchr(host, ':') != colon) return NULL;
    }
    return xstrndup(host, (size_t)(colon - host));
}

/* Verifies the TC3 signature over the headers the client says it signed. 0 ok, -1 a signed
 * header is missing (note says which), -2 signature mismatch. */
static int verify_signature(const char *secret_key, struct MHD_Connection *c,
                            const struct tc3_auth *auth, const struct buf *body, int64_t ts,
                            char *note, size_t note_len)
{
    struct tc3_header hs[32];
    char names[sizeof auth->signed_headers];
    strlcpy_safe(names, auth->signed_headers, sizeof names);
    size_t n = 0;
    int host_index = -1;
    char *save = NULL;
    for (char *tok = strtok_r(names, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        if (n == ARRAY_LEN(hs)) {
            snprintf(note, note_len, "too many signed headers");
            return -1;
        }
        const char *v = header(c, tok);
        if (!v) {
            snprintf(note, note_len, "signed header %s is not in the request", tok);
            return -1;
        }
        if (strcasecmp(tok, "host") == 0) host_index = (int)n;
        hs[n].name = tok;
        hs[n].value = v;
        n++;
    }
    const char *cs = header(c, "X-TC-Content-SHA256");
    struct tc3_request tr = {
        .method = "POST",
        .uri = "/",
        .query = "",
        .headers = hs,
        .n_headers = n,
        .payload = body->data ? body->data : "",
        .payload_len = body->len,
        .unsigned_payload = cs && strcmp(cs, "UNSIGNED-PAYLOAD") == 0,
    };
    if (tc3_verify(&tr, auth, ts, secret_key)) return 0;
    if (host_index >= 0) {
        char *bare = host_without_port(hs[host_index].value);
        if (bare) {
            /* tr.headers points at hs: the retry below reads this. */
            hs[host_index].value = bare; // cppcheck-suppress unreadVariable
            bool ok = tc3_verify(&tr, auth, ts, secret_key);
            free(bare);
            if (ok) return 0;
        }
    }
    char date[11];
    tc3_utc_date(ts, date);
    if (strcmp(date, auth->date) != 0)
        snprintf(note, note_len, "credential date %s is not the UTC date %s of the timestamp",
                 auth->date, date);
    else
        snprintf(note, note_len, "signature mismatch");
    return -2;
}

/* Compares a received token with ours in time that does not depend on where they differ. */
static bool same_secret(const char *got, const char *want)
{
    size_t n = strlen(want);
    return strlen(got) == n && CRYPTO_memcmp(got, want, n) == 0;
}

static bool has_signed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncasecmp(p, name, n) == 0) return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

void emu_credentials_init(struct emu_credentials *cred, const struct emu_config *cfg)
{
    bool demo = !cfg->secret_id || !cfg->secret_key;
    cred->secret_id = xstrdup(demo ? EMU_DEMO_SECRET_ID : cfg->secret_id);
    cred->secret_key = xstrdup(demo ? EMU_DEMO_SECRET_KEY : cfg->secret_key);
    cred->token = cfg->token && *cfg->token ? xstrdup(cfg->token) : NULL;
}

void emu_credentials_wipe(struct emu_credentials *cred)
{
    free(cred->secret_id);
    if (cred->secret_key) secure_zero(cred->secret_key, strlen(cred->secret_key));
    free(cred->secret_key);
    if (cred->token) secure_zero(cred->token, strlen(cred->token));
    free(cred->token);
    memset(cred, 0, sizeof *cred);
}

bool emu_verify_request(const struct emu_credentials *cred, struct MHD_Connection *c,
                        const struct buf *body, int64_t now, const char *rid, enum emu_lang l,
                        struct emu_answer *a)
{
    struct tc3_auth auth;
    const char *authz = header(c, "Authorization");
    if (!authz) {
        emu_answer_std(a, rid, l, "AuthFailure.InvalidAuthorization", "no Authorization header");
        return false;
    }
    if (tc3_parse_authorization(authz, &auth) != 0) {
        emu_answer_std(a, rid, l, "AuthFailure.InvalidAuthorization", "malformed Authorization");
        return false;
    }
    if (!has_signed(auth.signed_headers, "content-type") ||
        !has_signed(auth.signed_headers, "host")) {
        emu_answer_std(a, rid, l, "AuthFailure.InvalidAuthorization",
                       "SignedHeaders must include content-type and host");
        return false;
    }
    const char *ts_h = header(c, "X-TC-Timestamp");
    int64_t ts;
    if (!ts_h || !*ts_h) {
        emu_answer_param(a, rid, l, EMU_PARAM_MISSING, "Timestamp", NULL);
        return false;
    }
    if (!decimal_parse_i64(ts_h, &ts)) {
        emu_answer_param(a, rid, l, EMU_PARAM_TYPE, "Timestamp", NULL);
        return false;
    }
    int64_t skew = now - ts;
    if (skew > EMU_MAX_SKEW_S || skew < -EMU_MAX_SKEW_S) {
        char note[96];
        snprintf(note, sizeof note, "timestamp is %" PRId64 " s off", skew);
        emu_answer_std(a, rid, l, "AuthFailure.SignatureExpire", note);
        return false;
    }
    if (strcmp(auth.secret_id, cred->secret_id) != 0) {
        emu_answer_std(a, rid, l, "AuthFailure.SecretIdNotFound", "unknown SecretId");
        return false;
    }
    char note[160] = "";
    if (verify_signature(cred->secret_key, c, &auth, body, ts, note, sizeof note) != 0) {
        emu_answer_std(a, rid, l, "AuthFailure.SignatureFailure", note);
        return false;
    }
    if (cred->token) {
        const char *tok = header(c, "X-TC-Token");
        if (!tok || !same_secret(tok, cred->token)) {
            emu_answer_std(a, rid, l, "AuthFailure.TokenFailure",
                           tok ? "X-TC-Token differs" : "no X-TC-Token");
            return false;
        }
    }
    return true;
}
