/* Encoding: the model into cJSON with the API's own field names and nesting, driven by the
 * field tables (core/codec_shapes.h); and the response envelopes the emulator sends.
 *
 * cJSON prints numbers with 15 significant digits, so integers of 16 digits or more are added
 * as raw JSON text (cJSON_Raw) holding their exact decimal form; smaller ones are ordinary
 * cJSON numbers. */
#include "core/codec.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/codec_shapes.h"
#include "core/jsonw.h"
#include "core/model.h"
#include "core/util.h"

static cJSON *encode_shape(const struct codec_shape *sh, const void *base);

/* Below 10^15 a double prints exactly under cJSON's "%1.15g"; beyond, write the digits. */
static void add_integer(cJSON *obj, const char *name, bool neg, uint64_t mag)
{
    if (mag < 1000000000000000ULL) {
        double d = (double)mag;
        cJSON_AddNumberToObject(obj, name, neg ? -d : d);
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%s%llu", neg ? "-" : "", (unsigned long long)mag);
    cJSON_AddRawToObject(obj, name, digits);
}

/* Element i (< n) of an object list: a group's items (the one list in an arena) come through
 * model_group_item, packed or not. */
static const void *list_object(const struct codec_field *f, const void *base, size_t i,
                               struct deploy_item *scratch)
{
    if (f->flags & CODEC_F_ARENA) return model_group_item(base, i, scratch);
    void *const *slot = CODEC_MEMBER(base, f->off, void *const);
    return (const char *)*slot + i * f->sub->size;
}

/* Whether the list has its n elements to read. */
static bool list_present(const struct codec_field *f, const void *base)
{
    return (f->flags & CODEC_F_ARENA) || *CODEC_MEMBER(base, f->off, void *const);
}

static cJSON *encode_list(const struct codec_field *f, const void *base)
{
    void *const *slot = CODEC_MEMBER(base, f->off, void *const);
    size_t n = *CODEC_MEMBER(base, f->n_off, const size_t);
    bool null_flag = (f->flags & CODEC_F_NULLFLAG) && *CODEC_MEMBER(base, f->flag_off, const bool);
    if (null_flag && n == 0) return cJSON_CreateNull();
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; list_present(f, base) && i < n; i++) {
        cJSON *e;
        if (f->kind == CODEC_F_STRS) {
            const char *s = ((char *const *)*slot)[i];
            e = s ? cJSON_CreateString(s) : cJSON_CreateNull();
        } else {
            struct deploy_item scratch;
            e = encode_shape(f->sub, list_object(f, base, i, &scratch));
        }
        cJSON_AddItemToArray(arr, e);
    }
    return arr;
}

static cJSON *encode_shape(const struct codec_shape *sh, const void *base)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; i < sh->n_fields; i++) {
        const struct codec_field *f = &sh->fields[i];
        switch (f->kind) {
        case CODEC_F_STR: {
            const char *s = *CODEC_MEMBER(base, f->off, char *const);
            if (s) cJSON_AddStringToObject(obj, f->name, s);
            break;
        }
        case CODEC_F_I64:
            if ((f->flags & CODEC_F_HAS) && !*CODEC_MEMBER(base, f->flag_off, const bool)) {
                if (f->flags & CODEC_F_NULL_IF_ABSENT) cJSON_AddNullToObject(obj, f->name);
                break;
            }
            {
                int64_t v = *CODEC_MEMBER(base, f->off, const int64_t);
                add_integer(obj, f->name, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
                break;
            }
        case CODEC_F_U64:
            add_integer(obj, f->name, false, *CODEC_MEMBER(base, f->off, const uint64_t));
            break;
        case CODEC_F_STRS:
        case CODEC_F_OBJS:
            cJSON_AddItemToObject(obj, f->name, encode_list(f, base));
            break;
        }
    }
    return obj;
}

/* ---- streaming: the same tables into the JSON writer ------------------------------------ */

static void write_shape(struct jsonw *w, const struct codec_shape *sh, const void *base);

static void write_integer(struct jsonw *w, int64_t v)
{
    jsonw_int(w, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

static void write_list(struct jsonw *w, const struct codec_field *f, const void *base)
{
    void *const *slot = CODEC_MEMBER(base, f->off, void *const);
    size_t n = *CODEC_MEMBER(base, f->n_off, const size_t);
    bool null_flag = (f->flags & CODEC_F_NULLFLAG) && *CODEC_MEMBER(base, f->flag_off, const bool);
    if (null_flag && n == 0) {
        jsonw_null(w);
        return;
    }
    jsonw_array_begin(w);
    for (size_t i = 0; list_present(f, base) && i < n; i++) {
        if (f->kind == CODEC_F_STRS) {
            const char *s = ((char *const *)*slot)[i];
            if (s)
                jsonw_string(w, s);
            else
                jsonw_null(w);
        } else {
            struct deploy_item scratch;
            write_shape(w, f->sub, list_object(f, base, i, &scratch));
        }
    }
    jsonw_array_end(w);
}

static void write_shape(struct jsonw *w, const struct codec_shape *sh, const void *base)
{
    jsonw_object_begin(w);
    for (size_t i = 0; i < sh->n_fields; i++) {
        const struct codec_field *f = &sh->fields[i];
        switch (f->kind) {
        case CODEC_F_STR: {
            const char *s = *CODEC_MEMBER(base, f->off, char *const);
            if (s) {
                jsonw_key(w, f->name);
                jsonw_string(w, s);
            }
            break;
        }
        case CODEC_F_I64:
            if ((f->flags & CODEC_F_HAS) && !*CODEC_MEMBER(base, f->flag_off, const bool)) {
                if (f->flags & CODEC_F_NULL_IF_ABSENT) {
                    jsonw_key(w, f->name);
                    jsonw_null(w);
                }
                break;
            }
            jsonw_key(w, f->name);
            write_integer(w, *CODEC_MEMBER(base, f->off, const int64_t));
            break;
        case CODEC_F_U64:
            jsonw_key(w, f->name);
            jsonw_int(w, false, *CODEC_MEMBER(base, f->off, const uint64_t));
            break;
        case CODEC_F_STRS:
        case CODEC_F_OBJS:
            jsonw_key(w, f->name);
            write_list(w, f, base);
            break;
        }
    }
    jsonw_object_end(w);
}

void codec_write_records_page(struct jsonw *w, const struct records_page *p)
{
    write_shape(w, &codec_records_shape, p);
}

void codec_write_detail_page(struct jsonw *w, const struct detail_page *p)
{
    write_shape(w, &codec_detail_shape, p);
}

void codec_write_deploy_item(struct jsonw *w, const struct deploy_item *it)
{
    write_shape(w, &codec_item_shape, it);
}

/* ---- trees ------------------------------------------------------------------------------ */

cJSON *codec_encode_update_record(const struct update_record *r)
{
    return encode_shape(&codec_record_shape, r);
}

cJSON *codec_encode_deploy_run(const struct deploy_run *r)
{
    return encode_shape(&codec_run_shape, r);
}

cJSON *codec_encode_deploy_item(const struct deploy_item *it)
{
    return encode_shape(&codec_item_shape, it);
}

cJSON *codec_encode_records_page(const struct records_page *p)
{
    return encode_shape(&codec_records_shape, p);
}

cJSON *codec_encode_detail_page(const struct detail_page *p)
{
    return encode_shape(&codec_detail_shape, p);
}

cJSON *codec_encode_upload_result(const struct upload_result *r)
{
    return encode_shape(&codec_upload_shape, r);
}

/* cJSON prints into its own allocation; hand back one from our family. */
static char *print_compact(const cJSON *root)
{
    char *s = cJSON_PrintUnformatted(root);
    if (!s) {
        fprintf(stderr, "certdeck: out of memory (printing JSON)\n");
        abort();
    }
    char *out = xstrdup(s);
    cJSON_free(s);
    return out;
}

char *codec_envelope(cJSON *inner, const char *request_id)
{
    if (!inner) inner = cJSON_CreateObject();
    if (request_id) {
        /* RequestId goes last, once, whatever inner already held. */
        cJSON_DeleteItemFromObjectCaseSensitive(inner, "RequestId");
        cJSON_AddStringToObject(inner, "RequestId", request_id);
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "Response", inner);
    char *s = print_compact(root);
    cJSON_Delete(root);
    return s;
}

char *codec_error_envelope(const char *code, const char *message, const char *request_id)
{
    cJSON *inner = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(inner, "Error");
    cJSON_AddStringToObject(e, "Code", code ? code : "");
    cJSON_AddStringToObject(e, "Message", message ? message : "");
    return codec_envelope(inner, request_id);
}
