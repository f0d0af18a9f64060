/* Decoding: JSON bodies and objects of the update family into the model, strictly, driven by
 * the field tables (core/codec_shapes.h); the encoder is core/codec_encode.c.
 *
 * Decoding rules (every failure is APIERR_DECODE with "<path>: <what>"):
 *   - wrong JSON type:        "<path>: expected integer, got string". Type names: integer,
 *                             number (a non-integral number), string, array, object, boolean,
 *                             null.
 *   - integer fields accept a JSON number with an integral value of magnitude at most 2^53-1
 *     (beyond that a double is not exact: "expected integer within ±9007199254740991, got
 *     number 1e+20"), or a string of the form -?[0-9]+ parsed exactly, without a double
 *     ("15", "-3"). A fraction is "expected integer, got number 1.5"; a negative value for an
 *     unsigned field is "expected non-negative integer, got -3" (or got string "-3"); a numeric
 *     string outside the field's range is 'expected integer in int64 range, got string "…"'.
 *   - null: accepted for strings (NULL), for lists (empty, with the *_null flag where the model
 *     has one), and for the few numbers the model marks with a has_ flag. Anything else null
 *     is a type error ("expected integer, got null").
 *   - missing: only identity fields and the top-level lists are required ("<path>: missing");
 *     every other field takes its zero value (NULL, 0, empty). Unknown fields are ignored.
 *   - strings must be valid UTF-8: "<path>: invalid UTF-8 at byte N", N counted in the decoded
 *     string (after JSON escapes). Escapes are decoded verbatim (an ESC stays an ESC: text is
 *     sanitized at output); a \u0000 escape ends the string there (cJSON keeps C strings).
 * Envelope: "response is empty", "response is not valid JSON (at byte N)", "response is nested
 * too deeply (more than 1000 levels, at byte N)", "response: expected object, got array",
 * "Response: missing", "Response: expected object, got …". A Response.Error object yields
 * APIERR_API with Code, Message and RequestId sanitized and copied (bounded, cut at a UTF-8
 * boundary); an Error without a string Code is a decode error.
 *
 * Decoding never recurses deeper than the schema (four levels); cJSON's own parser stops at
 * CJSON_NESTING_LIMIT. Everything is linear in the body size. */
#include "core/codec.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec_shapes.h"
#include "core/model_arena.h"
#include "core/sanitize.h"
#include "core/util.h"

/* ---- decoding: path and errors ---------------------------------------------------------- */

struct dctx {
    struct api_error *err;
    char path[640];
    size_t len;
    bool use_arena;            /* groups get an arena for their items' strings */
    struct model_arena *arena; /* where strings go now; NULL: the heap */
};

static void dctx_init(struct dctx *c, struct api_error *err, const char *root)
{
    c->err = err;
    c->use_arena = false;
    c->arena = NULL;
    c->len = 0;
    c->path[0] = '\0';
    if (root) c->len = strlcpy_safe(c->path, root, sizeof c->path);
    if (c->len >= sizeof c->path) c->len = sizeof c->path - 1;
}

/* Appends a segment; returns the length to restore. A path too long for the buffer is cut
 * (only a caller-given root can make it long: the schema's own paths are short). */
static size_t path_push(struct dctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t path_push(struct dctx *c, const char *fmt, ...)
{
    size_t old = c->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->len, sizeof c->path - c->len, fmt, ap);
    va_end(ap);
    if (n > 0) c->len += (size_t)n;
    if (c->len >= sizeof c->path) c->len = sizeof c->path - 1;
    return old;
}

static size_t path_push_key(struct dctx *c, const char *name)
{
    return path_push(c, c->len ? ".%s" : "%s", name);
}

static void path_pop(struct dctx *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

static int fail(struct dctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct dctx *c, const char *fmt, ...)
{
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (c->err) {
        apierr_clear(c->err);
        apierr_set(c->err, APIERR_DECODE, "%s: %s", c->len ? c->path : "(root)", what);
    }
    return -1;
}

static bool is_integral(double d)
{
    return isfinite(d) && floor(d) == d;
}

static const char *type_name(const cJSON *v)
{
    if (!v) return "nothing";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNumber(v)) return is_integral(v->valuedouble) ? "integer" : "number";
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsArray(v)) return "array";
    if (cJSON_IsObject(v)) return "object";
    if (cJSON_IsRaw(v)) return "raw JSON";
    return "invalid value";
}

/* Shortest %g form that reads back as the same double. */
static void format_double(char *buf, size_t n, double d)
{
    snprintf(buf, n, "%.15g", d);
    if (strtod(buf, NULL) != d) snprintf(buf, n, "%.17g", d);
}

/* ---- decoding: integers ----------------------------------------------------------------- */

#define SAFE_INT_MAX 9007199254740991.0 /* 2^53 - 1: larger doubles are not exact integers */

/* -?[0-9]+ into sign and magnitude, exactly. Returns 0, -1 when s is not of that form, or 1
 * when it is but the magnitude does not fit in 64 bits. */
static int parse_decimal(const char *s, bool *neg, uint64_t *mag)
{
    *neg = false;
    *mag = 0;
    if (*s == '-') {
        *neg = true;
        s++;
    }
    if (*s < '0' || *s > '9') return -1;
    bool overflow = false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        unsigned d = (unsigned)(*s - '0');
        if (*mag > (UINT64_MAX - d) / 10)
            overflow = true; /* keep scanning: a later non-digit still makes it "not a number" */
        else
            *mag = *mag * 10 + d;
    }
    return overflow ? 1 : 0;
}

/* A JSON value as sign + magnitude. Returns 0, or -1 having reported the error. */
static int integer_parts(struct dctx *c, const cJSON *v, const char *range, bool *neg,
                         uint64_t *mag)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        char num[40];
        format_double(num, sizeof num, d);
        if (!is_integral(d)) return fail(c, "expected integer, got number %s", num);
        if (fabs(d) > SAFE_INT_MAX)
            return fail(c, "expected integer within ±9007199254740991, got number %s", num);
        *neg = d < 0;
        *mag = (uint64_t)fabs(d);
        return 0;
    }
    if (cJSON_IsString(v)) {
        int r = parse_decimal(v->valuestring, neg, mag);
        if (r < 0) return fail(c, "expected integer, got string");
        if (r > 0) {
            size_t len = strlen(v->valuestring);
            return fail(c, "expected integer in %s range, got string \"%.32s%s\"", range,
                        v->valuestring, len > 32 ? "…" : "");
        }
        return 0;
    }
    return fail(c, "expected integer, got %s", type_name(v));
}

static int decode_i64(struct dctx *c, const cJSON *v, bool nonneg, int64_t *out)
{
    bool neg = false;
    uint64_t mag = 0;
    if (integer_parts(c, v, "int64", &neg, &mag) < 0) return -1;
    if (neg && mag != 0 && nonneg) {
        if (cJSON_IsString(v))
            return fail(c, "expected non-negative integer, got string \"%s\"", v->valuestring);
        return fail(c, "expected non-negative integer, got -%llu", (unsigned long long)mag);
    }
    /* Only a numeric string can get here out of range: numbers stop at 2^53. */
    if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX)
        return fail(c, "expected integer in int64 range, got string \"%.32s%s\"", v->valuestring,
                    strlen(v->valuestring) > 32 ? "…" : "");
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return 0;
}

static int decode_u64(struct dctx *c, const cJSON *v, uint64_t *out)
{
    bool neg = false;
    uint64_t mag = 0;
    if (integer_parts(c, v, "uint64", &neg, &mag) < 0) return -1;
    if (neg && mag != 0) {
        if (cJSON_IsString(v))
            return fail(c, "expected non-negative integer, got string \"%s\"", v->valuestring);
        return fail(c, "expected non-negative integer, got -%llu", (unsigned long long)mag);
    }
    *out = mag;
    return 0;
}

int codec_int_value(const cJSON *v, int64_t *out)
{
    if (!v || !out) return -1;
    struct dctx c;
    dctx_init(&c, NULL, NULL);
    int64_t x = 0;
    if (decode_i64(&c, v, false, &x) < 0) return -1;
    *out = x;
    return 0;
}

/* ---- decoding: strings, lists, objects -------------------------------------------------- */

/* A string value; NULL for missing or null. field numbers the member for the arena's
 * interning statistics. */
static int decode_str(struct dctx *c, const cJSON *v, char **out, unsigned field)
{
    *out = NULL;
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsString(v) || !v->valuestring)
        return fail(c, "expected string, got %s", type_name(v));
    size_t len = strlen(v->valuestring);
    long bad = utf8_invalid_offset(v->valuestring, len);
    if (bad >= 0) return fail(c, "invalid UTF-8 at byte %ld", bad);
    *out = c->arena ? model_arena_str(c->arena, v->valuestring, len, field)
                    : xstrndup(v->valuestring, len);
    return 0;
}

static int decode_shape(struct dctx *c, const cJSON *obj, const struct codec_shape *sh, void *base);

/* Elements are appended one at a time (count first, so a failure leaves a clearable array):
 * the allocation grows with what was actually decoded, not with what a hostile array claims.
 * In an arena, a list of strings is gathered on the heap and then copied there whole; a list
 * of objects tells the arena its capacity. */
static int decode_list(struct dctx *c, const cJSON *arr, const struct codec_field *f, void *base)
{
    void **slot = CODEC_MEMBER(base, f->off, void *);
    size_t *count = CODEC_MEMBER(base, f->n_off, size_t);
    bool gather = f->kind == CODEC_F_STRS && c->arena;
    char **strs = NULL;
    size_t n_strs = 0;
    void **into = gather ? (void **)&strs : slot;
    size_t *into_count = gather ? &n_strs : count;
    size_t esize = f->kind == CODEC_F_STRS ? sizeof(char *) : f->sub->size;
    unsigned field = (unsigned)(f->off / sizeof(char *));
    size_t cap = 0, i = 0;
    int r = 0;
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        *into = xgrow(*into, &cap, i + 1, esize);
        char *elem = (char *)*into + i * esize;
        memset(elem, 0, esize);
        *into_count = i + 1;
        size_t mark = path_push(c, "[%zu]", i);
        if (f->kind == CODEC_F_STRS) {
            if (cJSON_IsNull(e))
                r = fail(c, "expected string, got null");
            else
                r = decode_str(c, e, (char **)(void *)elem, field);
        } else if (!cJSON_IsObject(e)) {
            r = fail(c, "expected object, got %s", type_name(e));
        } else {
            r = decode_shape(c, e, f->sub, elem);
        }
        if (r < 0) break;
        path_pop(c, mark);
    }
    if (gather) {
        if (r == 0 && n_strs) {
            char **v = model_arena_strv(c->arena, n_strs);
            if (v) { /* NULL: the arena is full, which the memory check reports */
                memcpy(v, strs, n_strs * sizeof *v);
                *slot = v;
                *count = n_strs;
            }
        }
        free(strs); /* its strings are the arena's */
    } else if (c->arena && f->kind == CODEC_F_OBJS) {
        model_arena_items_cap(c->arena, cap, esize);
    }
    return r;
}

static int decode_field(struct dctx *c, const cJSON *v, const struct codec_field *f, void *base)
{
    if (!v) {
        if (f->flags & CODEC_F_REQUIRED) return fail(c, "missing");
        return 0; /* zero value: base was zeroed */
    }
    if (cJSON_IsNull(v) && (f->flags & CODEC_F_HAS)) return 0; /* has_ stays false */
    if (cJSON_IsNull(v) && (f->flags & CODEC_F_NULLFLAG)) {
        *CODEC_MEMBER(base, f->flag_off, bool) = true;
        return 0;
    }
    switch (f->kind) {
    case CODEC_F_STR:
        return decode_str(c, v, CODEC_MEMBER(base, f->off, char *),
                          (unsigned)(f->off / sizeof(char *)));
    case CODEC_F_I64:
        if (decode_i64(c, v, f->flags & CODEC_F_NONNEG, CODEC_MEMBER(base, f->off, int64_t)) < 0)
            return -1;
        if (f->flags & CODEC_F_HAS) *CODEC_MEMBER(base, f->flag_off, bool) = true;
        return 0;
    case CODEC_F_U64:
        return decode_u64(c, v, CODEC_MEMBER(base, f->off, uint64_t));
    case CODEC_F_STRS:
    case CODEC_F_OBJS:
        if (cJSON_IsNull(v)) return 0; /* a list without a null flag: empty */
        if (!cJSON_IsArray(v)) return fail(c, "expected array, got %s", type_name(v));
        return decode_list(c, v, f, base);
    }
    return fail(c, "internal: unknown field kind");
}

static int decode_shape(struct dctx *c, const cJSON *obj, const struct codec_shape *sh, void *base)
{
    struct model_arena *outer = c->arena, *own = NULL;
    if (sh->has_arena) {
        if (c->use_arena) {
            own = model_arena_new();
            *CODEC_MEMBER(base, sh->arena_off, struct model_arena *) = own;
        }
        c->arena = NULL; /* the object's own strings stay on the heap */
    }
    int r = 0;
    for (size_t i = 0; i < sh->n_fields && r == 0; i++) {
        const struct codec_field *f = &sh->fields[i];
        size_t mark = path_push_key(c, f->name);
        if (f->flags & CODEC_F_ARENA) c->arena = own;
        r = decode_field(c, cJSON_GetObjectItemCaseSensitive(obj, f->name), f, base);
        if (sh->has_arena) c->arena = NULL;
        if (r == 0) path_pop(c, mark);
    }
    c->arena = outer;
    return r;
}

/* ---- decoding: the envelope ------------------------------------------------------------- */

/* cJSON resets and sets a process-global error position on every parse; serializing parses
 * keeps concurrent workers free of that data race. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

/* Offset of the first bracket that nests deeper than cJSON accepts, or -1. */
static long excess_nesting_at(const char *s, size_t len)
{
    size_t depth = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > CJSON_NESTING_LIMIT) return (long)i;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return -1;
}

static void set_envelope_error(struct api_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_envelope_error(struct api_error *err, const char *fmt, ...)
{
    if (!err) return;
    apierr_clear(err);
    err->kind = APIERR_DECODE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* Parses a whole body: exactly one JSON value, optionally surrounded by whitespace. The body
 * need not be NUL-terminated; cJSON reads a private terminated copy. */
cJSON *codec_parse(const char *body, size_t len, size_t *error_at, struct api_error *err)
{
    if (error_at) *error_at = 0;
    if (!body || len == 0) {
        set_envelope_error(err, "response is empty");
        return NULL;
    }
    char *copy = xstrndup(body, len);
    const char *end = NULL;
    pthread_mutex_lock(&parse_lock);
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    pthread_mutex_unlock(&parse_lock);
    size_t at = end && end >= copy ? (size_t)(end - copy) : 0;
    if (at > len) at = len;
    if (!root) {
        long deep = excess_nesting_at(copy, len);
        if (deep >= 0 && (size_t)deep <= at)
            set_envelope_error(err,
                               "response is nested too deeply (more than %d levels, at byte %ld)",
                               CJSON_NESTING_LIMIT, deep);
        else
            set_envelope_error(err, "response is not valid JSON (at byte %zu)", at);
        if (error_at) *error_at = deep >= 0 && (size_t)deep <= at ? (size_t)deep : at;
        secure_zero(copy, len);
        free(copy);
        return NULL;
    }
    while (at < len &&
           (copy[at] == ' ' || copy[at] == '\t' || copy[at] == '\n' || copy[at] == '\r'))
        at++;
    secure_zero(copy, len);
    free(copy);
    if (at != len) {
        set_envelope_error(err, "response is not valid JSON (at byte %zu)", at);
        if (error_at) *error_at = at;
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* Response.Error → APIERR_API (returns -1); a malformed Error is a decode error (-1); no
 * Error (or null) returns 0. */
static int check_api_error(struct dctx *c, const cJSON *resp, const char *rid)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "Error");
    if (!e || cJSON_IsNull(e)) return 0;
    path_push_key(c, "Error");
    if (!cJSON_IsObject(e)) return fail(c, "expected object, got %s", type_name(e));
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "Code");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "Message");
    size_t mark = path_push_key(c, "Code");
    if (!code) return fail(c, "missing");
    if (!cJSON_IsString(code)) return fail(c, "expected string, got %s", type_name(code));
    path_pop(c, mark);
    path_push_key(c, "Message");
    if (msg && !cJSON_IsNull(msg) && !cJSON_IsString(msg))
        return fail(c, "expected string, got %s", type_name(msg));
    if (c->err) {
        /* The error fields are text for people (the data keeps exact bytes, the error does
         * not): sanitized here, so no consumer can print a server's escape sequence. */
        apierr_clear(c->err);
        c->err->kind = APIERR_API;
        sanitize_copy(c->err->code, sizeof c->err->code, code->valuestring);
        sanitize_copy(c->err->message, sizeof c->err->message,
                      msg && cJSON_IsString(msg) ? msg->valuestring : "");
        sanitize_copy(c->err->request_id, sizeof c->err->request_id, rid);
    }
    return -1;
}

/* Decodes a body into out (zeroed first) following sh; on failure clear(out) and err. */
static int decode_body(const char *body, size_t len, const struct codec_shape *sh, void *out,
                       void (*clear)(void *), bool use_arena, struct api_error *err)
{
    memset(out, 0, sh->size);
    cJSON *root = codec_parse(body, len, NULL, err);
    if (!root) return -1;

    struct dctx c;
    dctx_init(&c, err, NULL);
    c.use_arena = use_arena;
    const char *rid = NULL;
    int r = -1;
    if (!cJSON_IsObject(root)) {
        set_envelope_error(err, "response: expected object, got %s", type_name(root));
        goto out;
    }
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(root, "Response");
    path_push_key(&c, "Response");
    if (!resp) {
        fail(&c, "missing");
        goto out;
    }
    if (!cJSON_IsObject(resp)) {
        fail(&c, "expected object, got %s", type_name(resp));
        goto out;
    }
    const cJSON *rid_item = cJSON_GetObjectItemCaseSensitive(resp, "RequestId");
    if (cJSON_IsString(rid_item)) rid = rid_item->valuestring;
    if (check_api_error(&c, resp, rid) < 0) goto out;
    r = decode_shape(&c, resp, sh, out);

out:
    /* Decode errors carry the RequestId too: it is what a bug report needs. */
    if (r < 0 && err && rid) sanitize_copy(err->request_id, sizeof err->request_id, rid);
    if (r < 0) clear(out);
    cJSON_Delete(root);
    return r;
}

static void clear_records(void *p)
{
    model_records_page_clear(p);
}
static void clear_detail(void *p)
{
    model_detail_page_clear(p);
}
static void clear_upload(void *p)
{
    model_upload_result_clear(p);
}
static void clear_empty(void *p)
{
    struct codec_empty_response *e = p;
    free(e->request_id);
    e->request_id = NULL;
}

int codec_decode_records_body(const char *body, size_t len, struct records_page *out,
                              struct api_error *err)
{
    return decode_body(body, len, &codec_records_shape, out, clear_records, false, err);
}

int codec_decode_detail_body(const char *body, size_t len, struct detail_page *out,
                             struct api_error *err)
{
    return decode_body(body, len, &codec_detail_shape, out, clear_detail, true, err);
}

int codec_decode_upload_body(const char *body, size_t len, struct upload_result *out,
                             struct api_error *err)
{
    return decode_body(body, len, &codec_upload_shape, out, clear_upload, false, err);
}

int codec_decode_empty_body(const char *body, size_t len, char *request_id, size_t rid_len,
                            struct api_error *err)
{
    struct codec_empty_response e;
    if (request_id && rid_len) request_id[0] = '\0';
    if (decode_body(body, len, &codec_empty_shape, &e, clear_empty, false, err) < 0) return -1;
    if (request_id && rid_len) sanitize_copy(request_id, rid_len, e.request_id);
    clear_empty(&e);
    return 0;
}

static int decode_object(const cJSON *obj, const char *path, const struct codec_shape *sh,
                         void *out, void (*clear)(void *), struct api_error *err)
{
    memset(out, 0, sh->size);
    struct dctx c;
    dctx_init(&c, err, path);
    if (!cJSON_IsObject(obj)) return fail(&c, "expected object, got %s", type_name(obj));
    if (decode_shape(&c, obj, sh, out) < 0) {
        clear(out);
        return -1;
    }
    return 0;
}

static void clear_record(void *p)
{
    model_record_clear(p);
}
static void clear_run(void *p)
{
    model_run_clear(p);
}

int codec_decode_update_record(const cJSON *obj, const char *path, struct update_record *out,
                               struct api_error *err)
{
    return decode_object(obj, path, &codec_record_shape, out, clear_record, err);
}

int codec_decode_deploy_run(const cJSON *obj, const char *path, struct deploy_run *out,
                            struct api_error *err)
{
    return decode_object(obj, path, &codec_run_shape, out, clear_run, err);
}

static void clear_item(void *p)
{
    model_item_clear(p);
}

int codec_decode_deploy_item(const cJSON *obj, const char *path, struct deploy_item *out,
                             struct api_error *err)
{
    return decode_object(obj, path, &codec_item_shape, out, clear_item, err);
}
