/* Writing a snapshot file: piece by piece (a record, a group's items one by one, an event),
 * each encoded with the codec and printed at once, into a temporary file renamed into place. */
#include "core/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/codec.h"
#include "core/sanitize.h"
#include "core/util.h"

#ifndef CERTDECK_VERSION
#define CERTDECK_VERSION "0"
#endif

/* Where a list goes in an object printed around it: cJSON escapes every control character
 * inside strings, so this byte appears in the printed text only where the raw marker is. */
#define SPLICE_MARK "\x01"

enum section { SEC_RECORDS, SEC_DETAILS, SEC_EVENTS };

struct snapshot_writer {
    FILE *f;
    char *path, *tmp;
    bool exclusive;
    enum section sec;
    size_t in_sec; /* pieces written in the current section */
    struct snapshot_stats st;
    struct buf esc; /* scratch for escaping */
};

/* ---- output ------------------------------------------------------------------------------ */

static void put(struct snapshot_writer *w, const char *s, size_t n)
{
    if (n && fwrite(s, 1, n, w->f) == n) w->st.bytes += n;
}

static void puts_(struct snapshot_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Appends text with the code points that must not reach a terminal raw (DEL, C1, bidi
 * controls) written as \uXXXX, so `cat` of a snapshot is inert, as batch JSON output is. The
 * text is cJSON's output of valid UTF-8: anything else is copied as it is. */
static void put_json(struct snapshot_writer *w, const char *s, size_t n)
{
    buf_reset(&w->esc);
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        if (i + len > n) len = n - i;
        uint32_t cp = c;
        if (len == 2) cp = ((uint32_t)(c & 0x1f) << 6) | (s[i + 1] & 0x3f);
        if (len == 3)
            cp = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[i + 1] & 0x3f) << 6) |
                 (s[i + 2] & 0x3f);
        if (len < 4 && sanitize_cp_needs_escape(cp)) {
            buf_append(&w->esc, s + run, i - run);
            buf_printf(&w->esc, "\\u%04x", (unsigned)cp);
            run = i + len;
        }
        i += len;
    }
    buf_append(&w->esc, s + run, n - run);
    put(w, w->esc.data, w->esc.len);
}

/* Prints v compactly and writes it; deletes v. */
static void put_value(struct snapshot_writer *w, cJSON *v)
{
    char *text = cJSON_PrintUnformatted(v);
    if (!text) {
        fprintf(stderr, "certdeck: out of memory (printing a snapshot)\n");
        abort();
    }
    put_json(w, text, strlen(text));
    cJSON_free(text);
    cJSON_Delete(v);
}

/* Writes obj with its member `name` replaced by what fill() writes: the object's other
 * members are printed by cJSON, in the codec's order, around the list written piece by piece.
 * Deletes obj. */
static void put_spliced(struct snapshot_writer *w, cJSON *obj, const char *name,
                        void (*fill)(struct snapshot_writer *w, const void *ctx), const void *ctx)
{
    cJSON_ReplaceItemInObjectCaseSensitive(obj, name, cJSON_CreateRaw(SPLICE_MARK));
    char *text = cJSON_PrintUnformatted(obj);
    if (!text) {
        fprintf(stderr, "certdeck: out of memory (printing a snapshot)\n");
        abort();
    }
    char *mark = strchr(text, SPLICE_MARK[0]);
    put_json(w, text, mark ? (size_t)(mark - text) : strlen(text));
    if (mark) {
        fill(w, ctx);
        put_json(w, mark + 1, strlen(mark + 1));
    }
    cJSON_free(text);
    cJSON_Delete(obj);
}

/* ---- sections ---------------------------------------------------------------------------- */

static const char *const section_open[] = {"", "],\n\"details\":{\n", "},\n\"events\":[\n"};
static const char *const section_close[] = {"]", "}", "]"};

/* Moves to section sec (never back), writing the separators; then one more piece's comma. */
static void next_piece(struct snapshot_writer *w, enum section sec)
{
    if (sec < w->sec) {
        fprintf(stderr, "certdeck: snapshot pieces out of order\n");
        abort();
    }
    while (w->sec < sec) {
        w->sec++;
        puts_(w, section_open[w->sec]);
        w->in_sec = 0;
    }
    if (w->in_sec++) puts_(w, ",\n");
}

/* ---- begin and end ----------------------------------------------------------------------- */

static void set_err(char *err, size_t n, const char *path, const char *what, int e)
{
    char *shown = sanitize_dup(path);
    snprintf(err, n, "%s: %s%s%s", shown, what, e ? ": " : "", e ? strerror(e) : "");
    free(shown);
}

static char *utc_text(int64_t t)
{
    char b[80]; /* room for any int fields, as the compiler counts them */
    time_t tt = (time_t)t;
    struct tm tm;
    /* Four-digit years (strftime's %Y does not pad), as the reader wants them: anything else
     * is the epoch. */
    if (!gmtime_r(&tt, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
        strlcpy_safe(b, "1970-01-01T00:00:00Z", sizeof b);
    else
        snprintf(b, sizeof b, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return xstrdup(b);
}

struct snapshot_writer *snapshot_write_begin(const char *path, const struct snapshot_meta *meta,
                                             bool exclusive, char *err, size_t errlen)
{
    struct stat st;
    if (!path || !path[0]) {
        snprintf(err, errlen, "no file name");
        return NULL;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            set_err(err, errlen, path, "is a directory", 0);
            return NULL;
        }
        if (exclusive) {
            set_err(err, errlen, path, "exists (pick another name)", 0);
            return NULL;
        }
    }
    struct snapshot_writer *w = xcalloc(1, sizeof *w);
    w->path = xstrdup(path);
    w->tmp = xasprintf("%s.tmp-XXXXXX", path);
    w->exclusive = exclusive;
    int fd = mkstemp(w->tmp);
    if (fd < 0 || !(w->f = fdopen(fd, "w"))) {
        set_err(err, errlen, path, "cannot create it", errno);
        if (fd >= 0) {
            close(fd);
            unlink(w->tmp);
        }
        free(w->tmp);
        free(w->path);
        free(w);
        return NULL;
    }
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "certdeck_snapshot", SNAPSHOT_VERSION);
    char *taken = utc_text(meta->taken_unix);
    cJSON_AddStringToObject(h, "taken", taken);
    free(taken);
    cJSON_AddStringToObject(h, "certdeck_version", CERTDECK_VERSION);
    cJSON_AddStringToObject(h, "endpoint", meta->endpoint ? meta->endpoint : "");
    char prefix[SNAPSHOT_SECRET_ID_PREFIX + 1];
    strlcpy_safe(prefix, meta->secret_id ? meta->secret_id : "", sizeof prefix);
    cJSON_AddStringToObject(h, "secret_id_prefix", prefix);
    if (meta->old_cert_filter && meta->old_cert_filter[0])
        cJSON_AddStringToObject(h, "old_certificate_id", meta->old_cert_filter);
    else
        cJSON_AddNullToObject(h, "old_certificate_id");
    char total[32];
    snprintf(total, sizeof total, "%llu", (unsigned long long)meta->records_total);
    cJSON_AddRawToObject(h, "records_total", total);
    cJSON_AddRawToObject(h, "records", SPLICE_MARK);
    char *text = cJSON_PrintUnformatted(h);
    cJSON_Delete(h);
    if (!text) abort();
    char *mark = strchr(text, SPLICE_MARK[0]);
    put_json(w, text, (size_t)(mark - text));
    puts_(w, "[\n");
    cJSON_free(text);
    w->sec = SEC_RECORDS;
    return w;
}

void snapshot_write_abort(struct snapshot_writer *w)
{
    if (!w) return;
    fclose(w->f);
    unlink(w->tmp);
    buf_free(&w->esc);
    free(w->tmp);
    free(w->path);
    free(w);
}

int snapshot_write_end(struct snapshot_writer *w, struct snapshot_stats *stats, char *err,
                       size_t errlen)
{
    puts_(w, section_close[w->sec]);
    /* Sections never written are written empty, so a reader always finds all three. */
    for (int s = (int)w->sec + 1; s <= SEC_EVENTS; s++) {
        puts_(w, section_open[s] + 1); /* without the "]" or "}" closing the one before */
        puts_(w, section_close[s]);
    }
    puts_(w, "}\n");
    int e = 0;
    if (ferror(w->f)) e = errno ? errno : EIO;
    if (!e && fflush(w->f) != 0) e = errno;
    if (!e && fsync(fileno(w->f)) != 0) e = errno;
    if (fclose(w->f) != 0 && !e) e = errno;
    w->f = NULL;
    int rc = 0;
    if (e) {
        set_err(err, errlen, w->path, "write failed", e);
        rc = -1;
    } else if (w->exclusive) {
        /* link() refuses an existing name: no file that appeared meanwhile is replaced. */
        if (link(w->tmp, w->path) != 0) {
            set_err(err, errlen, w->path,
                    errno == EEXIST ? "exists (pick another name)" : "cannot create it",
                    errno == EEXIST ? 0 : errno);
            rc = -1;
        }
    } else if (rename(w->tmp, w->path) != 0) {
        set_err(err, errlen, w->path, "cannot replace it", errno);
        rc = -1;
    }
    unlink(w->tmp); /* after link(), or after a failure; gone already after rename() */
    if (rc == 0 && stats) *stats = w->st;
    buf_free(&w->esc);
    free(w->tmp);
    free(w->path);
    free(w);
    return rc;
}

/* ---- pieces ------------------------------------------------------------------------------ */

void snapshot_write_record(struct snapshot_writer *w, const struct update_record *r)
{
    next_piece(w, SEC_RECORDS);
    put_value(w, codec_encode_update_record(r));
    w->st.records++;
}

static void fill_items(struct snapshot_writer *w, const void *ctx)
{
    const struct resource_group *g = ctx;
    puts_(w, "[");
    for (size_t i = 0; i < g->n_items; i++) {
        if (i) puts_(w, ",");
        struct deploy_item scratch;
        put_value(w, codec_encode_deploy_item(model_group_item(g, i, &scratch)));
    }
    puts_(w, "]");
    w->st.items += g->n_items;
}

static void fill_groups(struct snapshot_writer *w, const void *ctx)
{
    const struct deploy_run *run = ctx;
    puts_(w, "[");
    for (size_t k = 0; k < run->n_groups; k++) {
        const struct resource_group *g = &run->groups[k];
        if (k) puts_(w, ",");
        struct resource_group shell = *g;
        shell.items = NULL;
        shell.packed = NULL;
        shell.n_items = 0;
        /* The codec's group (it has no encoder of its own) without its items; a null List
         * stays null. */
        struct deploy_run one = {0};
        one.groups = &shell;
        one.n_groups = 1;
        cJSON *enc = codec_encode_deploy_run(&one);
        cJSON *list = cJSON_GetObjectItemCaseSensitive(enc, "RecordDetailList");
        cJSON *gobj = cJSON_DetachItemFromArray(list, 0);
        cJSON_Delete(enc);
        if (g->list_null)
            put_value(w, gobj);
        else
            put_spliced(w, gobj, "List", fill_items, g);
    }
    puts_(w, "]");
}

void snapshot_write_detail(struct snapshot_writer *w, uint64_t record_id,
                           const struct detail_page *d)
{
    next_piece(w, SEC_DETAILS);
    char key[48];
    snprintf(key, sizeof key, "\"%llu\":{\"DeployRecordDetail\":[", (unsigned long long)record_id);
    puts_(w, key);
    for (size_t r = 0; r < d->n_runs; r++) {
        const struct deploy_run *run = &d->runs[r];
        if (r) puts_(w, ",\n");
        struct deploy_run shell = *run;
        shell.groups = NULL;
        shell.n_groups = 0;
        cJSON *obj = codec_encode_deploy_run(&shell);
        if (run->groups_null)
            put_value(w, obj);
        else
            put_spliced(w, obj, "RecordDetailList", fill_groups, run);
    }
    puts_(w, "]}");
    w->st.details++;
    w->st.runs += d->n_runs;
}

void snapshot_write_event(struct snapshot_writer *w, const struct api_trace *t, int64_t now_ms_,
                          int64_t now_unix_)
{
    next_piece(w, SEC_EVENTS);
    cJSON *o = cJSON_CreateObject();
    char *when = utc_text(now_unix_ - (now_ms_ - t->started_ms) / 1000);
    cJSON_AddStringToObject(o, "time", when);
    free(when);
    cJSON_AddStringToObject(o, "action", t->action ? t->action : "");
    cJSON_AddStringToObject(o, "params", t->params);
    cJSON_AddNumberToObject(o, "duration_ms", (double)t->duration_ms);
    cJSON_AddNumberToObject(o, "rate_wait_ms", (double)t->rate_wait_ms);
    cJSON_AddNumberToObject(o, "attempts", t->attempts);
    cJSON_AddNumberToObject(o, "rate_limited", t->rate_limited);
    cJSON_AddNumberToObject(o, "http_status", (double)t->http_status);
    cJSON_AddStringToObject(o, "request_id", t->request_id);
    const struct api_error *e = &t->err;
    if (e->kind == APIERR_NONE) {
        cJSON_AddNullToObject(o, "error");
    } else {
        cJSON *eo = cJSON_AddObjectToObject(o, "error");
        cJSON_AddNumberToObject(eo, "kind", e->kind);
        cJSON_AddStringToObject(eo, "code", e->code);
        cJSON_AddStringToObject(eo, "message", e->message);
        cJSON_AddStringToObject(eo, "request_id", e->request_id);
        cJSON_AddNumberToObject(eo, "http_status", (double)e->http_status);
        cJSON_AddStringToObject(eo, "transport", e->transport);
        cJSON_AddBoolToObject(eo, "request_sent", e->request_sent);
        cJSON_AddBoolToObject(eo, "outcome_unknown", e->outcome_unknown);
    }
    put_value(w, o);
    w->st.events++;
}

/* ---- names ------------------------------------------------------------------------------- */

void snapshot_default_name(int64_t t, char *out, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char stamp[32] = "00000000-000000";
    if (localtime_r(&tt, &tm)) strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(out, n, "certdeck-snapshot-%s.json", stamp);
}

void snapshot_size_text(uint64_t bytes, char *out, size_t n)
{
    if (bytes < 1000)
        snprintf(out, n, "%llu bytes", (unsigned long long)bytes);
    else if (bytes < 1000 * 1000)
        snprintf(out, n, "%.1f kB", (double)bytes / 1000.0);
    else if (bytes < (uint64_t)1000 * 1000 * 1000)
        snprintf(out, n, "%.1f MB", (double)bytes / 1e6);
    else
        snprintf(out, n, "%.2f GB", (double)bytes / 1e9);
}
