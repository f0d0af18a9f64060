/* Reading a snapshot file: a regular file under the size cap, its version, then every record,
 * detail and event checked as strictly as an API answer (path-precise errors), each part of
 * the parsed tree freed as soon as it is decoded. */
#include "core/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include <cjson/cJSON.h>

#include "core/apitime.h"
#include "core/codec.h"
#include "core/jsonscan.h"
#include "core/sanitize.h"
#include "core/timefmt.h"
#include "core/snapshot_parts.h"
#include "core/util.h"

/* "<name>: <what>", name sanitized. */
static void fail(char *err, size_t n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(char *err, size_t n, const char *name, const char *fmt, ...)
{
    char what[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char *shown = sanitize_dup(name);
    char *clean = sanitize_dup(what);
    snprintf(err, n, "%s: %s", shown, clean);
    free(shown);
    free(clean);
}

/* ---- the document ------------------------------------------------------------------------ */

static int cmp_detail(const void *a, const void *b)
{
    uint64_t x = ((const struct snapshot_detail *)a)->record_id;
    uint64_t y = ((const struct snapshot_detail *)b)->record_id;
    return x < y ? -1 : x > y;
}

/* Groups that hold fewer items than their TotalCount answer with what they hold: offline, the
 * rest can never be fetched. */
static void cap_partial_groups(struct snapshot *s, struct detail_page *p)
{
    for (size_t r = 0; r < p->n_runs; r++)
        for (size_t g = 0; g < p->runs[r].n_groups; g++) {
            struct resource_group *grp = &p->runs[r].groups[g];
            if (!grp->list_null && (int64_t)grp->n_items < grp->total_count) {
                grp->total_count = (int64_t)grp->n_items;
                s->partial_groups++;
            }
        }
}

/* A record id as a details key: decimal digits only, no sign, no leading zero. */
static bool parse_key(const char *k, uint64_t *out)
{
    if (!k || !*k || (k[0] == '0' && k[1]) || strlen(k) > 20) return false;
    uint64_t v = 0;
    for (const char *p = k; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static int check_duplicates(struct snapshot *s, const char *name, char *err, size_t n)
{
    if (s->n_details == 0) return 0; /* qsort wants an array */
    qsort(s->details, s->n_details, sizeof *s->details, cmp_detail);
    for (size_t i = 1; i < s->n_details; i++)
        if (s->details[i].record_id == s->details[i - 1].record_id) {
            fail(err, n, name, "details: record %llu appears twice",
                 (unsigned long long)s->details[i].record_id);
            return -1;
        }
    return 0;
}

static int decode_records(struct snapshot *s, const cJSON *recs, const char *name, char *err,
                          size_t n)
{
    if (!cJSON_IsArray(recs)) {
        fail(err, n, name, "records: expected an array, got %s", snapshot_json_type(recs));
        return -1;
    }
    size_t count = (size_t)cJSON_GetArraySize(recs);
    if (count > API_RECORDS_MAX) {
        fail(err, n, name, "records: %zu of them, more than the %d certdeck reads", count,
             API_RECORDS_MAX);
        return -1;
    }
    s->records = xcalloc(count ? count : 1, sizeof *s->records);
    for (const cJSON *r = recs->child; r; r = r->next) {
        char path[32];
        snprintf(path, sizeof path, "records[%zu]", s->n_records);
        struct api_error e;
        apierr_clear(&e);
        if (codec_decode_update_record(r, path, &s->records[s->n_records], &e) != 0) {
            fail(err, n, name, "%s", e.message);
            return -1;
        }
        s->n_records++;
    }
    return 0;
}

static int decode_events(struct snapshot *s, const cJSON *evs, const char *name, char *err,
                         size_t n)
{
    char why[300];
    if (snapshot_decode_events(s, evs, why, sizeof why) == 0) return 0;
    fail(err, n, name, "%s", why);
    return -1;
}

/* The header: the version first (a foreign or newer file is named as such before anything
 * else is judged), then the time and where the data came from. */
static int decode_header(struct snapshot *s, const cJSON *root, const char *name, char *err,
                         size_t n)
{
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "certdeck_snapshot");
    int64_t v;
    if (!ver) {
        fail(err, n, name,
             "is JSON but not a certdeck snapshot (it has no \"certdeck_snapshot\" "
             "version)");
        return -1;
    }
    if (codec_int_value(ver, &v) != 0 || v < 1) {
        fail(err, n, name,
             "is not a certdeck snapshot (its \"certdeck_snapshot\" version is not a "
             "positive integer)");
        return -1;
    }
    if (v != SNAPSHOT_VERSION) {
        fail(err, n, name,
             "is a version %" PRId64 " snapshot; this certdeck reads version %d (a newer certdeck "
             "wrote it: update certdeck)",
             v, SNAPSHOT_VERSION);
        return -1;
    }
    const cJSON *taken = cJSON_GetObjectItemCaseSensitive(root, "taken");
    if (!cJSON_IsString(taken) || !snapshot_utc_time(taken->valuestring, &s->taken_unix)) {
        fail(err, n, name, "taken: expected a UTC time like 2025-12-31T00:00:00Z");
        return -1;
    }
    strlcpy_safe(s->taken, taken->valuestring, sizeof s->taken);
    const struct {
        const char *key;
        char **dst;
    } strs[] = {{"endpoint", &s->endpoint}, {"old_certificate_id", &s->old_cert_filter}};
    for (size_t i = 0; i < ARRAY_LEN(strs); i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(root, strs[i].key);
        if (x && !cJSON_IsString(x) && !cJSON_IsNull(x)) {
            fail(err, n, name, "%s: expected a string, got %s", strs[i].key, snapshot_json_type(x));
            return -1;
        }
        *strs[i].dst = cJSON_IsString(x) ? sanitize_dup(x->valuestring) : NULL;
    }
    if (!s->endpoint) s->endpoint = xstrdup("");
    if (s->old_cert_filter && !s->old_cert_filter[0]) {
        free(s->old_cert_filter);
        s->old_cert_filter = NULL;
    }
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(root, "secret_id_prefix");
    if (pre && !cJSON_IsString(pre) && !cJSON_IsNull(pre)) {
        fail(err, n, name, "secret_id_prefix: expected a string, got %s", snapshot_json_type(pre));
        return -1;
    }
    /* Only a prefix is ever kept, whatever the file holds. */
    if (cJSON_IsString(pre)) {
        char cut[SNAPSHOT_SECRET_ID_PREFIX + 1];
        strlcpy_safe(cut, pre->valuestring, sizeof cut);
        sanitize_copy(s->secret_id_prefix, sizeof s->secret_id_prefix, cut);
    }
    return 0;
}

/* The top-level members certdeck reads; others are skipped (a later version may add some). */
enum member {
    M_VERSION,
    M_TAKEN,
    M_ENDPOINT,
    M_PREFIX,
    M_FILTER,
    M_TOTAL,
    M_RECORDS,
    M_DETAILS,
    M_EVENTS,
    M_COUNT
};
static const char *const member_names[M_COUNT] = {"certdeck_snapshot",
                                                  "taken",
                                                  "endpoint",
                                                  "secret_id_prefix",
                                                  "old_certificate_id",
                                                  "records_total",
                                                  "records",
                                                  "details",
                                                  "events"};

struct span {
    size_t a, b;
    bool have;
};

/* The document, one piece at a time: where it stops making sense, and why. */
struct reader {
    const char *name, *data;
    size_t len;
    char *err;
    size_t errlen;
};

static int scan_failed(const struct reader *r, enum jsonscan_result res, size_t at)
{
    if (res == JSONSCAN_TRUNCATED)
        fail(r->err, r->errlen, r->name,
             "is truncated: its JSON stops at byte %zu before it is complete (an interrupted "
             "copy or a full disk?)",
             r->len);
    else
        fail(r->err, r->errlen, r->name, "is not valid JSON (at byte %zu): not a certdeck snapshot",
             at);
    return -1;
}

/* Parses the piece [a, b) on its own; NULL with err set. */
static cJSON *parse_piece(const struct reader *r, size_t a, size_t b)
{
    size_t at = 0;
    struct api_error pe;
    apierr_clear(&pe);
    cJSON *v = codec_parse(r->data + a, b - a, &at, &pe);
    if (!v && strstr(pe.message, "nested too deeply"))
        fail(r->err, r->errlen, r->name, "is not a certdeck snapshot (JSON nested too deeply)");
    else if (!v)
        scan_failed(r, JSONSCAN_INVALID, a + at);
    return v;
}

/* A member's key as text (heap), or NULL with err set. */
static char *piece_key(const struct reader *r, size_t a, size_t b)
{
    cJSON *k = parse_piece(r, a, b);
    char *key = cJSON_IsString(k) ? xstrdup(k->valuestring) : NULL;
    cJSON_Delete(k);
    return key;
}

/* ---- a detail, one item at a time ---------------------------------------------------------- */

/* Where a group's List lies in the file: read one item at a time once the rest of its run is
 * decoded, so that no tree ever holds a group's items. */
struct list_span {
    size_t group; /* the group's position in RecordDetailList */
    size_t a, b;
};

struct list_spans {
    struct list_span *v;
    size_t n, cap;
};

/* The object [a, b) as a tree of its members, each parsed on its own, except the first one
 * named `name` whose value is an array: that value is special(r, its span, ctx) instead. A
 * value that is not an object is parsed as it is (the codec then says what it is). NULL with
 * err set. */
typedef cJSON *special_fn(const struct reader *r, size_t a, size_t b, void *ctx);
static cJSON *object_shell(const struct reader *r, size_t a, size_t b, const char *name,
                           special_fn *special, void *ctx)
{
    if (r->data[a] != '{') return parse_piece(r, a, b);
    cJSON *obj = cJSON_CreateObject();
    size_t pos = a, ka, kb, va, vb;
    bool done = false;
    enum jsonscan_result res;
    jsonscan_object_open(r->data, b, &pos);
    while ((res = jsonscan_member(r->data, b, &pos, &ka, &kb, &va, &vb)) == JSONSCAN_OK) {
        char *key = piece_key(r, ka, kb);
        cJSON *v = NULL;
        if (key && !done && !strcmp(key, name) && r->data[va] == '[') {
            done = true;
            v = special(r, va, vb, ctx);
        } else if (key) {
            v = parse_piece(r, va, vb);
        }
        if (v) cJSON_AddItemToObject(obj, key, v);
        free(key);
        if (!v) {
            cJSON_Delete(obj);
            return NULL;
        }
    }
    if (res == JSONSCAN_END) return obj;
    cJSON_Delete(obj);
    scan_failed(r, res, pos);
    return NULL;
}

struct group_ctx {
    struct list_spans *ls;
    size_t group;
};

/* A group's List: its span kept for later, an empty array in the tree. */
static cJSON *list_placeholder(const struct reader *r, size_t a, size_t b, void *ctx)
{
    (void)r;
    struct group_ctx *gc = ctx;
    struct list_spans *ls = gc->ls;
    ls->v = xgrow(ls->v, &ls->cap, ls->n + 1, sizeof *ls->v);
    ls->v[ls->n++] = (struct list_span){gc->group, a, b};
    return cJSON_CreateArray();
}

/* RecordDetailList [a, b): each group as a tree whose List is empty (its span kept). */
static cJSON *groups_shell(const struct reader *r, size_t a, size_t b, void *ctx)
{
    size_t pos = a, ea, eb;
    jsonscan_array_open(r->data, b, &pos);
    cJSON *arr = cJSON_CreateArray();
    enum jsonscan_result res;
    for (size_t gi = 0; (res = jsonscan_element(r->data, b, &pos, &ea, &eb)) == JSONSCAN_OK; gi++) {
        struct group_ctx gc = {ctx, gi};
        cJSON *g = object_shell(r, ea, eb, "List", list_placeholder, &gc);
        if (!g) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, g);
    }
    if (res == JSONSCAN_END) return arr;
    cJSON_Delete(arr);
    scan_failed(r, res, pos);
    return NULL;
}

/* The run object [a, b) as a tree, its groups' Lists empty (their spans in ls). */
static cJSON *run_shell(const struct reader *r, size_t a, size_t b, struct list_spans *ls)
{
    return object_shell(r, a, b, "RecordDetailList", groups_shell, ls);
}

/* The items of one List span into group g, one parse at a time; 0, or -1 with err set. */
static int read_list(const struct reader *r, const char *path, const struct list_span *sp,
                     struct resource_group *g)
{
    size_t pos = sp->a, ea, eb;
    enum jsonscan_result res = jsonscan_array_open(r->data, sp->b, &pos);
    for (size_t i = 0; res == JSONSCAN_OK; i++) {
        res = jsonscan_element(r->data, sp->b, &pos, &ea, &eb);
        if (res != JSONSCAN_OK) break;
        cJSON *v = parse_piece(r, ea, eb);
        if (!v) return -1;
        char where[160];
        snprintf(where, sizeof where, "%s.RecordDetailList[%zu].List[%zu]", path, sp->group, i);
        struct deploy_item item;
        struct api_error e;
        apierr_clear(&e);
        int rc = codec_decode_deploy_item(v, where, &item, &e);
        cJSON_Delete(v);
        if (rc != 0) {
            fail(r->err, r->errlen, r->name, "%s", e.message);
            return -1;
        }
        model_group_append(g, &item);
        model_item_clear(&item);
    }
    if (res == JSONSCAN_END) return 0;
    return scan_failed(r, res, pos);
}

/* One run of a detail [a, b) appended to sd; 0, or -1 with err set. */
static int read_run(const struct reader *r, const char *key, size_t a, size_t b,
                    struct snapshot_detail *sd, size_t *cap_runs)
{
    char path[96];
    snprintf(path, sizeof path, "details.%s.DeployRecordDetail[%zu]", key, sd->page.n_runs);
    struct list_spans ls = {0};
    cJSON *shell = run_shell(r, a, b, &ls);
    if (!shell) {
        free(ls.v);
        return -1;
    }
    sd->page.runs = xgrow(sd->page.runs, cap_runs, sd->page.n_runs + 1, sizeof *sd->page.runs);
    struct deploy_run *run = &sd->page.runs[sd->page.n_runs];
    struct api_error e;
    apierr_clear(&e);
    int rc = codec_decode_deploy_run(shell, path, run, &e);
    cJSON_Delete(shell);
    if (rc != 0) {
        fail(r->err, r->errlen, r->name, "%s", e.message);
        free(ls.v);
        return -1;
    }
    sd->page.n_runs++; /* cleared with the snapshot from here on */
    for (size_t i = 0; i < ls.n && rc == 0; i++)
        if (ls.v[i].group < run->n_groups)
            rc = read_list(r, path, &ls.v[i], &run->groups[ls.v[i].group]);
    free(ls.v);
    return rc;
}

/* One member of "details": its key (a record Id) and its value [a, b), read run by run and
 * item by item. */
static int read_detail(struct snapshot *s, const struct reader *r, const char *key, size_t a,
                       size_t b)
{
    uint64_t id;
    if (!parse_key(key, &id)) {
        fail(r->err, r->errlen, r->name, "details: '%s' is not a record Id", key ? key : "");
        return -1;
    }
    /* The first DeployRecordDetail, an array; other members are only checked to be JSON. */
    size_t pos = a, ka, kb, va, vb, ra = 0, rb = 0;
    bool have = false;
    enum jsonscan_result res = JSONSCAN_END;
    if (r->data[a] == '{') {
        jsonscan_object_open(r->data, b, &pos);
        while ((res = jsonscan_member(r->data, b, &pos, &ka, &kb, &va, &vb)) == JSONSCAN_OK) {
            char *k = piece_key(r, ka, kb);
            if (!k) return -1;
            bool runs = !have && !strcmp(k, "DeployRecordDetail");
            free(k);
            if (runs) {
                have = true;
                ra = va;
                rb = vb;
                continue;
            }
            cJSON *other = parse_piece(r, va, vb);
            if (!other) return -1;
            cJSON_Delete(other);
        }
        if (res != JSONSCAN_END) return scan_failed(r, res, pos);
    }
    if (!have || r->data[ra] != '[') {
        if (have) { /* what it is, if it is JSON at all */
            cJSON *v = parse_piece(r, ra, rb);
            if (!v) return -1;
            cJSON_Delete(v);
        }
        fail(r->err, r->errlen, r->name, "details.%s: expected {\"DeployRecordDetail\": [...]}",
             key);
        return -1;
    }
    s->details = xgrow(s->details, &s->cap_details, s->n_details + 1, sizeof *s->details);
    struct snapshot_detail *sd = &s->details[s->n_details++];
    memset(sd, 0, sizeof *sd);
    sd->record_id = id;
    size_t cap_runs = 0, groups = 0;
    pos = ra;
    jsonscan_array_open(r->data, rb, &pos);
    for (;;) {
        size_t ea, eb;
        res = jsonscan_element(r->data, rb, &pos, &ea, &eb);
        if (res == JSONSCAN_END) break;
        if (res != JSONSCAN_OK) return scan_failed(r, res, pos);
        if (read_run(r, key, ea, eb, sd, &cap_runs) != 0) return -1;
        groups += sd->page.runs[sd->page.n_runs - 1].n_groups;
        if (groups > API_DETAIL_MAX_GROUPS) {
            fail(r->err, r->errlen, r->name,
                 "details.%s: %zu resource-type groups, more than the %d certdeck reads", key,
                 groups, API_DETAIL_MAX_GROUPS);
            return -1;
        }
    }
    cap_partial_groups(s, &sd->page);
    return 0;
}

/* The members of "details", each parsed and decoded on its own and then freed. */
static int read_details(struct snapshot *s, const struct reader *r, const struct span *sp)
{
    if (!sp->have) return 0;
    size_t pos = sp->a;
    if (r->data[pos] != '{') {
        cJSON *v = parse_piece(r, sp->a, sp->b);
        bool null = cJSON_IsNull(v);
        if (v && !null)
            fail(r->err, r->errlen, r->name, "details: expected an object, got %s",
                 snapshot_json_type(v));
        cJSON_Delete(v);
        return null ? 0 : -1;
    }
    pos++; /* past the '{' */
    for (;;) {
        size_t ka, kb, va, vb;
        enum jsonscan_result res = jsonscan_member(r->data, sp->b, &pos, &ka, &kb, &va, &vb);
        if (res == JSONSCAN_END) break;
        if (res != JSONSCAN_OK) return scan_failed(r, res, pos);
        char *key = piece_key(r, ka, kb);
        int rc = key ? read_detail(s, r, key, va, vb) : -1;
        free(key);
        if (rc != 0) return -1;
    }
    return check_duplicates(s, r->name, r->err, r->errlen);
}

/* Finds the top-level members (the first of each name counts) without parsing them. */
static int find_members(const struct reader *r, struct span *sp)
{
    size_t pos = 0;
    enum jsonscan_result res = jsonscan_object_open(r->data, r->len, &pos);
    if (res != JSONSCAN_OK) return scan_failed(r, res, pos);
    for (;;) {
        size_t ka, kb, va, vb;
        res = jsonscan_member(r->data, r->len, &pos, &ka, &kb, &va, &vb);
        if (res == JSONSCAN_END) break;
        if (res != JSONSCAN_OK) return scan_failed(r, res, pos);
        char *key = piece_key(r, ka, kb);
        if (!key) return -1;
        for (int m = 0; m < M_COUNT; m++)
            if (!strcmp(key, member_names[m]) && !sp[m].have) sp[m] = (struct span){va, vb, true};
        free(key);
    }
    if (!jsonscan_only_space(r->data, r->len, pos)) return scan_failed(r, JSONSCAN_INVALID, pos);
    return 0;
}

struct snapshot *snapshot_parse(const char *name, const char *data, size_t len, char *err,
                                size_t errlen)
{
    size_t lead = 0;
    while (lead < len &&
           (data[lead] == ' ' || data[lead] == '\n' || data[lead] == '\r' || data[lead] == '\t'))
        lead++;
    if (lead == len) {
        fail(err, errlen, name, "is empty: not a certdeck snapshot");
        return NULL;
    }
    if (data[lead] != '{') {
        fail(err, errlen, name, "is not a certdeck snapshot (not a JSON object)");
        return NULL;
    }
    struct reader r = {name, data, len, err, errlen};
    struct span sp[M_COUNT] = {{0}};
    if (find_members(&r, sp) != 0) return NULL;
    /* The small members in one object, for the header's checks; the large ones one by one. */
    cJSON *head = cJSON_CreateObject();
    int rc = 0;
    for (int m = 0; m < M_COUNT && rc == 0; m++) {
        if (!sp[m].have || m == M_RECORDS || m == M_DETAILS || m == M_EVENTS) continue;
        cJSON *v = parse_piece(&r, sp[m].a, sp[m].b);
        if (!v)
            rc = -1;
        else
            cJSON_AddItemToObject(head, member_names[m], v);
    }
    struct snapshot *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(name);
    if (rc == 0) rc = decode_header(s, head, name, err, errlen);
    if (rc == 0 && !sp[M_RECORDS].have) {
        fail(err, errlen, name, "records: expected an array, got nothing");
        rc = -1;
    }
    if (rc == 0) {
        cJSON *recs = parse_piece(&r, sp[M_RECORDS].a, sp[M_RECORDS].b);
        rc = recs ? decode_records(s, recs, name, err, errlen) : -1;
        cJSON_Delete(recs);
    }
    if (rc == 0) {
        const cJSON *total = cJSON_GetObjectItemCaseSensitive(head, "records_total");
        int64_t t = 0;
        if (total && !cJSON_IsNull(total) && (codec_int_value(total, &t) != 0 || t < 0)) {
            fail(err, errlen, name, "records_total: expected a count, got %s",
                 snapshot_json_type(total));
            rc = -1;
        }
        s->records_total = total && t > 0 ? (uint64_t)t : s->n_records;
    }
    if (rc == 0) rc = read_details(s, &r, &sp[M_DETAILS]);
    if (rc == 0 && sp[M_EVENTS].have) {
        cJSON *evs = parse_piece(&r, sp[M_EVENTS].a, sp[M_EVENTS].b);
        rc = evs ? decode_events(s, evs, name, err, errlen) : -1;
        cJSON_Delete(evs);
    }
    cJSON_Delete(head);
    if (rc != 0) {
        snapshot_free(s);
        return NULL;
    }
    return s;
}

struct snapshot *snapshot_load(const char *path, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO must not hang the open; only a regular file is read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fail(err, errlen, path, "cannot open it: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        fail(err, errlen, path, "cannot read it: %s", strerror(errno));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(err, errlen, path, "%s",
             S_ISDIR(st.st_mode) ? "is a directory, not a snapshot file" : "is not a regular file");
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size > SNAPSHOT_MAX_BYTES) {
        fail(err, errlen, path, "is %.0f MiB, larger than the %zu MiB a snapshot may be",
             (double)st.st_size / (1024.0 * 1024.0), SNAPSHOT_MAX_BYTES / (1024 * 1024));
        close(fd);
        return NULL;
    }
    /* The size may change while we read: never more than the cap. */
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap > SNAPSHOT_MAX_BYTES) break;
            cap *= 2;
            data = xrealloc(data, cap);
        }
        ssize_t r = read(fd, data + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            fail(err, errlen, path, "cannot read it: %s", strerror(errno));
            free(data);
            close(fd);
            return NULL;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    if (len > SNAPSHOT_MAX_BYTES) {
        fail(err, errlen, path, "grew past the %zu MiB a snapshot may be while it was read",
             SNAPSHOT_MAX_BYTES / (1024 * 1024));
        free(data);
        return NULL;
    }
    struct snapshot *s = snapshot_parse(path, data, len, err, errlen);
    free(data);
#ifdef __GLIBC__
    /* The file's bytes and the parse trees of its pieces, all freed now, are several times what
     * the snapshot keeps: handed back to the system rather than held for the session. */
    malloc_trim(0);
#endif
    return s;
}

void snapshot_free(struct snapshot *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_records; i++)
        model_record_clear(&s->records[i]);
    free(s->records);
    for (size_t i = 0; i < s->n_details; i++)
        model_detail_page_clear(&s->details[i].page);
    free(s->details);
    free(s->events);
    for (size_t i = 0; i < s->n_strings; i++)
        free(s->strings[i]);
    free(s->strings);
    free(s->endpoint);
    free(s->old_cert_filter);
    free(s->path);
    free(s);
}

const struct snapshot_detail *snapshot_find_detail(const struct snapshot *s, uint64_t record_id)
{
    struct snapshot_detail key = {.record_id = record_id};
    return s->n_details ? bsearch(&key, s->details, s->n_details, sizeof key, cmp_detail) : NULL;
}

void snapshot_taken_text(const struct snapshot *s, char *out, size_t n)
{
    timefmt_unix(s->taken_unix, out, n);
}
