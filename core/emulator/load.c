/* The dataset file loader and validator (dataset_load_json, dataset_load_file): the API's own
 * field names, every error path-precise, and nothing half-loaded left behind. */
#include "core/emulator/dataset.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/codec.h"
#include "core/util.h"

static const char *json_type(const cJSON *v)
{
    if (cJSON_IsArray(v)) return "array";
    if (cJSON_IsObject(v)) return "object";
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsNumber(v)) return "number";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNull(v)) return "null";
    return "invalid";
}

static int load_fail(struct dataset *ds, cJSON *root, struct api_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int load_fail(struct dataset *ds, cJSON *root, struct api_error *err, const char *fmt, ...)
{
    if (err) {
        apierr_clear(err);
        err->kind = APIERR_DECODE;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    cJSON_Delete(root);
    dataset_free(ds);
    return -1;
}

/* A Details key: a decimal record id without sign, spaces or leading zeros. */
static bool parse_id_key(const char *s, uint64_t *out)
{
    if (!s || !*s || (s[0] == '0' && s[1]) || strlen(s) > 19) return false;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return true;
}

/* Record ids with their position in Records, sorted by id then position: duplicate
 * detection and the Details lookup in O(n log n) (pairwise comparison took minutes on a file
 * of a few hundred thousand records). */
struct id_pos {
    uint64_t id;
    size_t at;
};

static int id_pos_cmp(const void *a, const void *b)
{
    const struct id_pos *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Sorts idx[0..n) and finds the first record, in file order, whose id an earlier record
 * already has: returns true with *dup its position and *first the earlier one's. */
static bool first_duplicate(struct id_pos *idx, size_t n, size_t *dup, size_t *first)
{
    qsort(idx, n, sizeof *idx, id_pos_cmp);
    bool found = false;
    for (size_t i = 1; i < n; i++) {
        if (idx[i].id != idx[i - 1].id) continue;
        size_t k = i;
        while (k > 0 && idx[k - 1].id == idx[i].id)
            k--;
        if (!found || idx[i].at < *dup) {
            *dup = idx[i].at;
            *first = idx[k].at;
            found = true;
        }
        while (i + 1 < n && idx[i + 1].id == idx[i].id)
            i++;
    }
    return found;
}

static const struct id_pos *find_id(const struct id_pos *idx, size_t n, uint64_t id)
{
    struct id_pos key = {id, 0};
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (id_pos_cmp(&idx[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && idx[lo].id == id ? &idx[lo] : NULL;
}

static int load_fail_dup(struct dataset *ds, cJSON *root, struct api_error *err, struct id_pos *idx,
                         size_t dup, size_t first)
{
    uint64_t id = ds->records[dup].info.id;
    free(idx);
    return load_fail(ds, root, err,
                     "Records[%zu].Id: duplicate record id %" PRIu64 " (as Records[%zu])", dup, id,
                     first);
}

int dataset_load_json(struct dataset *ds, const char *json, size_t len, struct api_error *err)
{
    memset(ds, 0, sizeof *ds);
    struct api_error perr;
    size_t off = 0;
    cJSON *root = codec_parse(json, len, &off, &perr);
    if (!root) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++) {
            if (json[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return load_fail(ds, NULL, err, "invalid JSON at line %zu, column %zu", line, col);
    }
    if (!cJSON_IsObject(root))
        return load_fail(ds, root, err, "(top level): expected object, got %s", json_type(root));

    for (const cJSON *k = root->child; k; k = k->next)
        if (strcmp(k->string, "Records") != 0 && strcmp(k->string, "Details") != 0)
            return load_fail(ds, root, err, "%s: unknown key (expected Records and Details)",
                             k->string);

    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(root, "Records");
    if (!recs) return load_fail(ds, root, err, "Records: missing");
    if (!cJSON_IsArray(recs))
        return load_fail(ds, root, err, "Records: expected array, got %s", json_type(recs));
    size_t n = (size_t)cJSON_GetArraySize(recs);
    ds->records = xcalloc(n ? n : 1, sizeof *ds->records);
    struct id_pos *idx = xcalloc(n ? n : 1, sizeof *idx);
    size_t i = 0, dup = 0, first = 0;
    for (const cJSON *r = recs->child; r; r = r->next, i++) {
        char path[64];
        snprintf(path, sizeof path, "Records[%zu]", i);
        struct api_error e;
        apierr_clear(&e);
        if (codec_decode_update_record(r, path, &ds->records[i].info, &e) != 0) {
            /* A duplicate before the bad record is the first problem in the file. */
            if (first_duplicate(idx, i, &dup, &first))
                return load_fail_dup(ds, root, err, idx, dup, first);
            free(idx);
            return load_fail(ds, root, err, "%s", e.message);
        }
        ds->n_records = i + 1;
        idx[i] = (struct id_pos){ds->records[i].info.id, i};
    }
    if (first_duplicate(idx, ds->n_records, &dup, &first))
        return load_fail_dup(ds, root, err, idx, dup, first);

    const cJSON *details = cJSON_GetObjectItemCaseSensitive(root, "Details");
    if (details && !cJSON_IsObject(details)) {
        free(idx);
        return load_fail(ds, root, err, "Details: expected object, got %s", json_type(details));
    }
    /* cJSON keeps repeated keys: "given twice" is tracked per record, empty lists included.
     * load_fail frees root, so every failure leaves both loops at once (no ->next after). */
    bool *given = xcalloc(ds->n_records ? ds->n_records : 1, sizeof *given);
    int rc = 0;
    for (const cJSON *d = details ? details->child : NULL; d; d = d->next) {
        uint64_t id;
        const struct id_pos *at = NULL;
        if (!parse_id_key(d->string, &id)) {
            rc = load_fail(ds, root, err, "Details.%s: key is not a record id", d->string);
            break;
        }
        if (!(at = find_id(idx, ds->n_records, id))) {
            rc = load_fail(ds, root, err, "Details.%s: no record with Id %" PRIu64 " in Records",
                           d->string, id);
            break;
        }
        if (given[at->at]) {
            rc = load_fail(ds, root, err, "Details.%s: given twice", d->string);
            break;
        }
        if (!cJSON_IsArray(d)) {
            rc = load_fail(ds, root, err, "Details.%s: expected array, got %s", d->string,
                           json_type(d));
            break;
        }
        struct dataset_record *rec = &ds->records[at->at];
        given[at->at] = true;
        size_t nr = (size_t)cJSON_GetArraySize(d);
        rec->runs = xcalloc(nr ? nr : 1, sizeof *rec->runs);
        size_t k = 0;
        for (const cJSON *run = d->child; run; run = run->next, k++) {
            char path[96];
            snprintf(path, sizeof path, "Details.%s[%zu]", d->string, k);
            struct api_error e;
            apierr_clear(&e);
            if (codec_decode_deploy_run(run, path, &rec->runs[k], &e) != 0) {
                rc = load_fail(ds, root, err, "%s", e.message);
                break;
            }
            rec->n_runs = k + 1;
        }
        if (rc != 0) break;
    }
    free(given);
    free(idx);
    if (rc != 0) return rc; /* load_fail freed root and the dataset */
    cJSON_Delete(root);
    ds->started_unix = now_unix();
    ds->advanced_unix = INT64_MIN;
    return 0;
}

int dataset_load_file(struct dataset *ds, const char *path, struct api_error *err)
{
    memset(ds, 0, sizeof *ds);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return load_fail(ds, NULL, err, "cannot open %s: %s", path, strerror(e));
    }
    /* /dev/zero or a FIFO would be read forever; a huge file would be held whole. */
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return load_fail(ds, NULL, err, "%s is not a regular file", path);
    }
    struct buf b = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + got > EMU_DATASET_MAX_BYTES) {
            fclose(f);
            buf_free(&b);
            return load_fail(ds, NULL, err, "%s is larger than %d MiB (the dataset size cap)", path,
                             EMU_DATASET_MAX_BYTES >> 20);
        }
        buf_append(&b, chunk, got);
    }
    bool failed = ferror(f);
    int e = errno;
    fclose(f);
    if (failed) {
        buf_free(&b);
        return load_fail(ds, NULL, err, "cannot read %s: %s", path, strerror(e));
    }
    int rc = dataset_load_json(ds, b.data ? b.data : "", b.len, err);
    buf_free(&b);
    return rc;
}
