/* The streaming JSON writer (contract in jsonw.h). */
#include "core/jsonw.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"

/* Pending output is handed to stdio once it passes this. */
#define JSONW_FLUSH_AT (64 * 1024)

void jsonw_init(struct jsonw *w, FILE *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void jsonw_flush(struct jsonw *w)
{
    if (w->b.len && w->out) fwrite(w->b.data, 1, w->b.len, w->out);
    w->b.len = 0;
    if (w->b.data) w->b.data[0] = '\0';
}

static void jsonw_maybe_flush(struct jsonw *w)
{
    if (w->b.len >= JSONW_FLUSH_AT) jsonw_flush(w);
}

int jsonw_finish(struct jsonw *w)
{
    jsonw_flush(w);
    buf_free(&w->b);
    return w->out && ferror(w->out) ? -1 : 0;
}

void jsonw_escape_data(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    buf_putc(b, '"');
    const unsigned char *run = p;
    while (*p) {
        unsigned char ch = *p;
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
            p++;
            continue;
        }
        buf_append(b, run, (size_t)(p - run));
        if (ch < 0x80) {
            switch (ch) {
            case '"':
                buf_puts(b, "\\\"");
                break;
            case '\\':
                buf_puts(b, "\\\\");
                break;
            case '\b':
                buf_puts(b, "\\b");
                break;
            case '\f':
                buf_puts(b, "\\f");
                break;
            case '\n':
                buf_puts(b, "\\n");
                break;
            case '\r':
                buf_puts(b, "\\r");
                break;
            case '\t':
                buf_puts(b, "\\t");
                break;
            default: /* the other C0 controls, and DEL */
                buf_printf(b, "\\u%04x", ch);
                break;
            }
            p++;
        } else {
            uint32_t cp;
            size_t n = utf8_next((const char *)p, &cp);
            if (sanitize_cp_needs_escape(cp))
                buf_printf(b, "\\u%04x", (unsigned)cp);
            else
                buf_append(b, p, n);
            p += n;
        }
        run = p;
    }
    buf_append(b, run, (size_t)(p - run));
    buf_putc(b, '"');
}

void jsonw_escape_text(struct buf *b, const char *s)
{
    char *clean = sanitize_dup(s ? s : "");
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)clean; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20)
            buf_printf(b, "\\u%04x", *p);
        else
            buf_putc(b, (char)*p);
    }
    buf_putc(b, '"');
    free(clean);
}

/* ---- layout ----------------------------------------------------------------------------- */

static void put_tabs(struct jsonw *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        buf_putc(&w->b, '\t');
}

/* Before a value: the separator an array puts between its elements. In an object the key has
 * written what goes before. */
static void before_value(struct jsonw *w)
{
    if (w->depth == 0) return;
    unsigned d = w->depth - 1;
    if (!w->obj[d]) {
        if (!w->empty[d]) buf_puts(&w->b, ", ");
        w->empty[d] = false;
    }
}

static void open_container(struct jsonw *w, bool obj)
{
    before_value(w);
    buf_puts(&w->b, obj ? "{\n" : "[");
    if (w->depth < JSONW_MAX_DEPTH) {
        w->obj[w->depth] = obj;
        w->empty[w->depth] = true;
    }
    w->depth++;
}

static void close_container(struct jsonw *w, bool obj)
{
    if (w->depth == 0) return;
    unsigned d = w->depth - 1;
    bool empty = d < JSONW_MAX_DEPTH ? w->empty[d] : false;
    if (obj) {
        if (!empty) buf_putc(&w->b, '\n');
        put_tabs(w, d);
        buf_putc(&w->b, '}');
    } else {
        buf_putc(&w->b, ']');
    }
    w->depth--;
    jsonw_maybe_flush(w);
}

void jsonw_object_begin(struct jsonw *w)
{
    open_container(w, true);
}

void jsonw_object_end(struct jsonw *w)
{
    close_container(w, true);
}

void jsonw_array_begin(struct jsonw *w)
{
    open_container(w, false);
}

void jsonw_array_end(struct jsonw *w)
{
    close_container(w, false);
}

void jsonw_key(struct jsonw *w, const char *name)
{
    if (w->depth == 0) return;
    unsigned d = w->depth - 1;
    if (d < JSONW_MAX_DEPTH) {
        if (!w->empty[d]) buf_puts(&w->b, ",\n");
        w->empty[d] = false;
    }
    put_tabs(w, w->depth);
    jsonw_escape_data(&w->b, name);
    buf_puts(&w->b, ":\t");
}

void jsonw_string(struct jsonw *w, const char *s)
{
    before_value(w);
    jsonw_escape_data(&w->b, s);
}

void jsonw_int(struct jsonw *w, bool neg, uint64_t magnitude)
{
    before_value(w);
    buf_printf(&w->b, "%s%llu", neg && magnitude ? "-" : "", (unsigned long long)magnitude);
}

void jsonw_null(struct jsonw *w)
{
    before_value(w);
    buf_puts(&w->b, "null");
}

void jsonw_bool(struct jsonw *w, bool v)
{
    before_value(w);
    buf_puts(&w->b, v ? "true" : "false");
}

void jsonw_newline(struct jsonw *w)
{
    buf_putc(&w->b, '\n');
    jsonw_maybe_flush(w);
}

/* A number as cJSON (1.7.15, the library built against) prints it: the shorter of 15 or 17
 * significant digits that reads back the same (integers below 10^15 come out whole); NaN
 * and infinities as null. */
static void put_cjson_number(struct jsonw *w, const cJSON *item)
{
    double d = item->valuedouble;
    before_value(w);
    if (isnan(d) || isinf(d)) {
        buf_puts(&w->b, "null");
        return;
    }
    char num[40];
    snprintf(num, sizeof num, "%1.15g", d);
    double back = strtod(num, NULL);
    double max = fabs(back) > fabs(d) ? fabs(back) : fabs(d);
    if (!(fabs(back - d) <= max * DBL_EPSILON)) snprintf(num, sizeof num, "%1.17g", d);
    buf_puts(&w->b, num);
}

void jsonw_cjson(struct jsonw *w, const cJSON *item)
{
    if (!item) return;
    if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
        bool obj = cJSON_IsObject(item) != 0;
        open_container(w, obj);
        for (const cJSON *c = item->child; c; c = c->next) {
            if (obj) jsonw_key(w, c->string);
            jsonw_cjson(w, c);
        }
        close_container(w, obj);
    } else if (cJSON_IsString(item)) {
        jsonw_string(w, item->valuestring);
    } else if (cJSON_IsNumber(item)) {
        put_cjson_number(w, item);
    } else if (cJSON_IsRaw(item)) {
        before_value(w);
        if (item->valuestring) buf_puts(&w->b, item->valuestring);
    } else if (cJSON_IsBool(item)) {
        jsonw_bool(w, cJSON_IsTrue(item) != 0);
    } else {
        jsonw_null(w);
    }
}
