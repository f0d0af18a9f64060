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

#include <cjson/cJSON.h>

#include "core/apitime.h"
#include "core/codec.h"
#include "core/sanitize.h"
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

static const char *type_of(const cJSON *v)
{
    return !v                  ? "nothing"
           : cJSON_IsString(v) ? "a string"
           : cJSON_IsNumber(v) ? "a number"
           : cJSON_IsArray(v)  ? "an array"
           : cJSON_IsObject(v) ? "an object"
           : cJSON_IsBool(v)   ? "a boolean"
           : cJSON_IsNull(v)   ? "null"
                               : "something else";
}

/* ---- events ------------------------------------------------------------------------------ */

static const char *intern(struct snapshot *s, const char *text)
{
    for (size_t i = 0; i < s->n_strings; i++)
        if (!strcmp(s->strings[i], text)) return s->strings[i];
    s->strings = xrealloc(s->strings, (s->n_strings + 1) * sizeof *s->strings);
    return s->strings[s->n_strings++] = sanitize_dup(text);
}

/* A member that must be a string (absent: ""), copied sanitized into dst[n]. */
static bool ev_str(const cJSON *o, const char *name, char *dst, size_t n, char *why, size_t wn)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (v && !cJSON_IsString(v)) {
        snprintf(why, wn, "%s: expected a string, got %s", name, type_of(v));
        return false;
    }
    sanitize_copy(dst, n, v ? v->valuestring : "");
    return true;
}

static bool ev_int(const cJSON *o, const char *name, int64_t *dst, char *why, size_t wn)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *dst = 0;
    if (v && codec_int_value(v, dst) != 0) {
        snprintf(why, wn, "%s: expected an integer, got %s", name, type_of(v));
        return false;
    }
    return true;
}

static bool ev_bool(const cJSON *o, const char *name, bool *dst)
{
    *dst = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
    return true;
}

static bool decode_event(struct snapshot *s, const cJSON *o, struct api_trace *t, int64_t now_ms_,
                         int64_t now_unix_, char *why, size_t wn)
{
    memset(t, 0, sizeof *t);
    if (!cJSON_IsObject(o)) {
        snprintf(why, wn, "expected an object, got %s", type_of(o));
        return false;
    }
    char when[40], action[80];
    int64_t v, at;
    if (!ev_str(o, "time", when, sizeof when, why, wn)) return false;
    if (!apitime_unix(when, &at) || strchr(when, ' ')) {
        snprintf(why, wn, "time: expected a UTC time like 2025-12-31T00:00:00Z");
        return false;
    }
    t->started_ms = now_ms_ - (now_unix_ - at) * 1000;
    if (!ev_str(o, "action", action, sizeof action, why, wn)) return false;
    t->action = intern(s, action);
    if (!ev_str(o, "params", t->params, sizeof t->params, why, wn)) return false;
    if (!ev_int(o, "duration_ms", &t->duration_ms, why, wn)) return false;
    if (!ev_int(o, "rate_wait_ms", &t->rate_wait_ms, why, wn)) return false;
    if (!ev_int(o, "attempts", &v, why, wn)) return false;
    t->attempts = v > 0 && v < 1000000 ? (int)v : 0;
    if (!ev_int(o, "rate_limited", &v, why, wn)) return false;
    t->rate_limited = v > 0 && v < 1000000 ? (int)v : 0;
    if (!ev_int(o, "http_status", &v, why, wn)) return false;
    t->http_status = v > 0 && v < 1000 ? (long)v : 0;
    if (!ev_str(o, "request_id", t->request_id, sizeof t->request_id, why, wn)) return false;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (!e || cJSON_IsNull(e)) return true;
    if (!cJSON_IsObject(e)) {
        snprintf(why, wn, "error: expected an object or null, got %s", type_of(e));
        return false;
    }
    struct api_error *er = &t->err;
    if (!ev_int(e, "kind", &v, why, wn)) return false;
    er->kind = v > APIERR_NONE && v <= APIERR_USAGE ? (enum apierr_kind)v : APIERR_API;
    if (!ev_str(e, "code", er->code, sizeof er->code, why, wn) ||
        !ev_str(e, "message", er->message, sizeof er->message, why, wn) ||
        !ev_str(e, "request_id", er->request_id, sizeof er->request_id, why, wn) ||
        !ev_str(e, "transport", er->transport, sizeof er->transport, why, wn) ||
        !ev_int(e, "http_status", &v, why, wn))
        return false;
    er->http_status = v > 0 && v < 1000 ? (long)v : 0;
    ev_bool(e, "request_sent", &er->request_sent);
    ev_bool(e, "outcome_unknown", &er->outcome_unknown);
    return true;
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

static int decode_details(struct snapshot *s, cJSON *details, const char *name, char *err, size_t n)
{
    if (!details || cJSON_IsNull(details)) return 0;
    if (!cJSON_IsObject(details)) {
        fail(err, n, name, "details: expected an object, got %s", type_of(details));
        return -1;
    }
    size_t count = (size_t)cJSON_GetArraySize(details);
    s->details = xcalloc(count ? count : 1, sizeof *s->details);
    for (cJSON *d = details->child, *next; d; d = next) {
        next = d->next;
        uint64_t id;
        if (!parse_key(d->string, &id)) {
            fail(err, n, name, "details: '%s' is not a record Id", d->string ? d->string : "");
            return -1;
        }
        const cJSON *runs = cJSON_GetObjectItemCaseSensitive(d, "DeployRecordDetail");
        if (!cJSON_IsObject(d) || !cJSON_IsArray(runs)) {
            fail(err, n, name, "details.%s: expected {\"DeployRecordDetail\": [...]}", d->string);
            return -1;
        }
        struct snapshot_detail *sd = &s->details[s->n_details++];
        sd->record_id = id;
        size_t nr = (size_t)cJSON_GetArraySize(runs);
        sd->page.runs = xcalloc(nr ? nr : 1, sizeof *sd->page.runs);
        size_t groups = 0;
        for (const cJSON *r = runs->child; r; r = r->next) {
            char path[96];
            snprintf(path, sizeof path, "details.%s.DeployRecordDetail[%zu]", d->string,
                     sd->page.n_runs);
            struct api_error e;
            apierr_clear(&e);
            if (codec_decode_deploy_run(r, path, &sd->page.runs[sd->page.n_runs], &e) != 0) {
                fail(err, n, name, "%s", e.message);
                return -1;
            }
            groups += sd->page.runs[sd->page.n_runs++].n_groups;
        }
        if (groups > API_DETAIL_MAX_GROUPS) {
            fail(err, n, name,
                 "details.%s: %zu resource-type groups, more than the %d certdeck "
                 "reads",
                 d->string, groups, API_DETAIL_MAX_GROUPS);
            return -1;
        }
        cap_partial_groups(s, &sd->page);
        cJSON_Delete(cJSON_DetachItemViaPointer(details, d)); /* done with it: free it now */
    }
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
        fail(err, n, name, "records: expected an array, got %s", type_of(recs));
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
    if (!evs || cJSON_IsNull(evs)) return 0;
    if (!cJSON_IsArray(evs)) {
        fail(err, n, name, "events: expected an array, got %s", type_of(evs));
        return -1;
    }
    size_t count = (size_t)cJSON_GetArraySize(evs);
    s->events = xcalloc(count ? count : 1, sizeof *s->events);
    int64_t nm = now_ms(), nu = now_unix();
    for (const cJSON *e = evs->child; e; e = e->next) {
        char why[200];
        if (!decode_event(s, e, &s->events[s->n_events], nm, nu, why, sizeof why)) {
            fail(err, n, name, "events[%zu]: %s", s->n_events, why);
            return -1;
        }
        s->n_events++;
    }
    return 0;
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
    if (!cJSON_IsString(taken) || strlen(taken->valuestring) != 20 ||
        taken->valuestring[10] != 'T' || taken->valuestring[19] != 'Z' ||
        !apitime_unix(taken->valuestring, &s->taken_unix)) {
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
            fail(err, n, name, "%s: expected a string, got %s", strs[i].key, type_of(x));
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
        fail(err, n, name, "secret_id_prefix: expected a string, got %s", type_of(pre));
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

/* Whether the text stops inside a string or with brackets still open: what a file cut short
 * (an interrupted copy, a full disk) looks like, as opposed to one that is not JSON at all. */
static bool json_unfinished(const char *d, size_t len)
{
    size_t depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = d[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return in_str || depth > 0;
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
    size_t at = 0;
    struct api_error pe;
    apierr_clear(&pe);
    cJSON *root = codec_parse(data, len, &at, &pe);
    if (!root) {
        if (json_unfinished(data, len))
            fail(err, errlen, name,
                 "is truncated: its JSON stops at byte %zu before it is complete (an interrupted "
                 "copy or a full disk?)",
                 len);
        else if (strstr(pe.message, "nested too deeply"))
            fail(err, errlen, name, "is not a certdeck snapshot (JSON nested too deeply)");
        else
            fail(err, errlen, name, "is not valid JSON (at byte %zu): not a certdeck snapshot", at);
        return NULL;
    }
    struct snapshot *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(name);
    int rc = decode_header(s, root, name, err, errlen);
    if (rc == 0) {
        const cJSON *recs = cJSON_GetObjectItemCaseSensitive(root, "records");
        rc = decode_records(s, recs, name, err, errlen);
    }
    if (rc == 0) {
        const cJSON *total = cJSON_GetObjectItemCaseSensitive(root, "records_total");
        int64_t t = 0;
        if (total && !cJSON_IsNull(total) && (codec_int_value(total, &t) != 0 || t < 0)) {
            fail(err, errlen, name, "records_total: expected a count, got %s", type_of(total));
            rc = -1;
        }
        s->records_total = total && t > 0 ? (uint64_t)t : s->n_records;
    }
    if (rc == 0)
        rc =
            decode_details(s, cJSON_GetObjectItemCaseSensitive(root, "details"), name, err, errlen);
    if (rc == 0)
        rc = decode_events(s, cJSON_GetObjectItemCaseSensitive(root, "events"), name, err, errlen);
    cJSON_Delete(root);
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
    snprintf(out, n, "%.10s %.5s UTC", s->taken, s->taken + 11);
}
