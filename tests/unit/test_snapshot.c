/* The snapshot file and the offline source without any network: what is written reads back
 * field for field (hostile text, null lists and absent counts included), the file is replaced
 * atomically or not at all, every bad file (cut anywhere, foreign, another version, not a
 * regular file, too big) is refused with a clear message, and the offline client pages and
 * filters as the emulator does and refuses writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/api.h"
#include "core/codec.h"
#include "core/emulator/dataset.h"
#include "core/snapshot.h"
#include "core/store.h"
#include "core/timefmt.h"
#include "core/util.h"
#include "testutil.h"

/* A run with hostile text (a DEL, a C1 CSI, a bidi override, the \x01 the writer splices at,
 * quotes and a newline), a group whose List is null, one without PendingTotalCount, and an Id
 * of 16 digits (written as raw digits, past what cJSON prints exactly). */
static const char hostile_run[] =
    "{\"TotalCount\":3,\"SuccessTotalCount\":1,\"FailedTotalCount\":2,\"RunningTotalCount\":0,"
    "\"Type\":0,\"Status\":2,\"CreateTime\":\"2025-12-30 14:10:00\",\"RecordDetailList\":["
    "{\"ResourceType\":\"clb\",\"TotalCount\":2,\"List\":["
    "{\"Id\":1000000000000001,\"InstanceId\":\"lb-\\u007f\\u009b31m\\u202e\\u0001x\","
    "\"InstanceName\":\"say \\\"hi\\\"\\nthere\",\"Status\":2,\"ErrorMsg\":\"证书与域名不匹配\","
    "\"Domains\":[\"a.example.com\",\"b.example.com\"],\"Port\":443},"
    "{\"Id\":7,\"Status\":1,\"Domains\":null}]},"
    "{\"ResourceType\":\"cdn\",\"TotalCount\":1,\"List\":null}]}";

static void decode_run(const char *json, struct deploy_run *out)
{
    cJSON *o = cJSON_Parse(json);
    assert_non_null(o);
    struct api_error e;
    int rc = codec_decode_deploy_run(o, "run", out, &e);
    if (rc) fprintf(stderr, "%s\n", e.message);
    assert_int_equal(rc, 0);
    cJSON_Delete(o);
}

static void make_record(struct update_record *r, uint64_t id, const char *cert, int64_t status)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    r->old_cert_id = xstrdup(cert);
    r->resource_types = xcalloc(1, sizeof(char *));
    r->resource_types[0] = xstrdup("clb");
    r->n_resource_types = 1;
    r->status = status;
    r->create_time = xstrdup("2025-12-30 14:10:00");
    r->update_time = xstrdup("2025-12-30 14:14:05");
}

/* Five records (ids 105..101; 103 of certificate "B", the rest "A") and the detail of 103. */
struct fixture {
    struct update_record recs[5];
    struct detail_page detail;
};

static void fixture_make(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 5; i++)
        make_record(&f->recs[i], 105 - (uint64_t)i, i == 2 ? "B" : "A", i == 2 ? 2 : 1);
    f->detail.runs = xcalloc(1, sizeof *f->detail.runs);
    f->detail.n_runs = 1;
    decode_run(hostile_run, &f->detail.runs[0]);
}

static void fixture_free(struct fixture *f)
{
    for (int i = 0; i < 5; i++)
        model_record_clear(&f->recs[i]);
    model_detail_page_clear(&f->detail);
}

static char *write_fixture(const struct fixture *f, const char *name, const char *secret_id)
{
    char *path = tu_path(tu_tmp, name);
    struct snapshot_meta meta = {.taken_unix = 1767139200,
                                 .endpoint = "https://ssl.tencentcloudapi.com",
                                 .secret_id = secret_id,
                                 .records_total = 5};
    char err[512];
    struct snapshot_writer *w = snapshot_write_begin(path, &meta, false, err, sizeof err);
    assert_non_null(w);
    for (int i = 0; i < 5; i++)
        snapshot_write_record(w, &f->recs[i]);
    snapshot_write_detail(w, 103, &f->detail);
    struct api_trace t = {.action = "DescribeHostUploadUpdateRecordDetail",
                          .params = "DeployRecordId=103 Offset=0 Limit=200",
                          .started_ms = 5000,
                          .duration_ms = 42,
                          .attempts = 2,
                          .http_status = 200};
    strcpy(t.request_id, "rid-1");
    snapshot_write_event(w, &t, 10000, 1767139200); /* 5 s before "now" */
    t.err.kind = APIERR_API;
    strcpy(t.err.code, "InternalError");
    strcpy(t.err.message, "boom");
    snapshot_write_event(w, &t, 10000, 1767139200);
    struct snapshot_stats st;
    assert_int_equal(snapshot_write_end(w, &st, err, sizeof err), 0);
    assert_int_equal(st.records, 5);
    assert_int_equal(st.details, 1);
    assert_int_equal(st.items, 2);
    assert_int_equal(st.events, 2);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((uint64_t)sb.st_size, st.bytes);
    return path;
}

static bool same_json(cJSON *a, cJSON *b)
{
    bool same = cJSON_Compare(a, b, 1);
    if (!same) {
        char *x = cJSON_Print(a), *y = cJSON_Print(b);
        fprintf(stderr, "--- want\n%s\n--- got\n%s\n", x, y);
        free(x);
        free(y);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return same;
}

/* What is written reads back as the same API JSON; only the SecretId's prefix is kept; events
 * keep their time, action, outcome and error. */
static void test_round_trip(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f);
    char *path = write_fixture(&f, "rt.json", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
    char *text = tu_read_file(path, NULL);
    assert_null(strstr(text, "bsJ5yKBZ")); /* nothing past the prefix */
    /* Inert on a terminal: the DEL, C1 and bidi controls are escaped, as batch JSON is. */
    assert_null(strstr(text, "\x7f"));
    assert_null(strstr(text, "\xc2\x9b"));
    assert_null(strstr(text, "\xe2\x80\xae"));
    assert_non_null(strstr(text, "\\u202e"));
    free(text);

    char err[512];
    struct snapshot *s = snapshot_load(path, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(s->taken, "2025-12-31T00:00:00Z");
    assert_int_equal(s->taken_unix, 1767139200);
    assert_string_equal(s->endpoint, "https://ssl.tencentcloudapi.com");
    assert_string_equal(s->secret_id_prefix, "AKIDz8kr");
    assert_null(s->old_cert_filter);
    assert_int_equal(s->records_total, 5);
    assert_int_equal(s->n_records, 5);
    for (int i = 0; i < 5; i++)
        assert_true(same_json(codec_encode_update_record(&f.recs[i]),
                              codec_encode_update_record(&s->records[i])));
    assert_int_equal(s->n_details, 1);
    const struct snapshot_detail *d = snapshot_find_detail(s, 103);
    assert_non_null(d);
    assert_null(snapshot_find_detail(s, 104));
    assert_true(same_json(codec_encode_detail_page(&f.detail), codec_encode_detail_page(&d->page)));
    assert_int_equal(tu_item(&d->page.runs[0].groups[0], 0)->id, 1000000000000001ULL);
    assert_false(d->page.runs[0].has_pending_total_count);
    assert_true(d->page.runs[0].groups[1].list_null);

    assert_int_equal(s->n_events, 2);
    assert_string_equal(s->events[0].action, "DescribeHostUploadUpdateRecordDetail");
    assert_string_equal(s->events[0].params, "DeployRecordId=103 Offset=0 Limit=200");
    assert_int_equal(s->events[0].attempts, 2);
    assert_int_equal(s->events[0].duration_ms, 42);
    assert_string_equal(s->events[0].request_id, "rid-1");
    assert_int_equal(s->events[0].err.kind, APIERR_NONE);
    assert_int_equal(s->events[1].err.kind, APIERR_API);
    assert_string_equal(s->events[1].err.code, "InternalError");
    /* The event happened at 1767139195: its age now is now_unix() minus that. */
    int64_t age_s = (now_ms() - s->events[0].started_ms) / 1000;
    int64_t want = now_unix() - 1767139195;
    assert_true(age_s >= want - 2 && age_s <= want + 2);
    char taken[64];
    snapshot_taken_text(s, taken, sizeof taken);
    char err2[256];
    assert_int_equal(timefmt_set_zone("utc", err2, sizeof err2), 0);
    snapshot_taken_text(s, taken, sizeof taken);
    assert_string_equal(taken, "2025-12-31 00:00:00+00");
    assert_int_equal(timefmt_set_zone("Asia/Shanghai", err2, sizeof err2), 0);
    snapshot_taken_text(s, taken, sizeof taken);
    assert_string_equal(taken, "2025-12-31 08:00:00+08");
    assert_int_equal(timefmt_set_zone("utc", err2, sizeof err2), 0);
    assert_string_equal(s->path, path);
    snapshot_free(s);
    free(path);
    fixture_free(&f);
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* The file is replaced whole or not at all: no temporary file is left behind, an abort leaves
 * the old file, exclusive never replaces, and a directory is refused. */
static void test_atomic_write(void **state)
{
    (void)state;
    char *path = tu_path(tu_tmp, "a.json");
    tu_write_file(path, "old");
    struct snapshot_meta meta = {.taken_unix = 1767139200};
    char err[512];
    struct snapshot_writer *w = snapshot_write_begin(path, &meta, false, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(dir_entries(tu_tmp), 2); /* a.json and its temporary file */
    snapshot_write_abort(w);
    char *text = tu_read_file(path, NULL);
    assert_string_equal(text, "old");
    free(text);
    assert_int_equal(dir_entries(tu_tmp), 1);

    assert_null(snapshot_write_begin(path, &meta, true, err, sizeof err));
    assert_non_null(strstr(err, "exists"));
    w = snapshot_write_begin(path, &meta, false, err, sizeof err);
    assert_int_equal(snapshot_write_end(w, NULL, err, sizeof err), 0);
    assert_int_equal(dir_entries(tu_tmp), 1);
    struct snapshot *s = snapshot_load(path, err, sizeof err);
    assert_non_null(s); /* an empty snapshot: every section written empty */
    assert_int_equal(s->n_records, 0);
    assert_int_equal(s->n_details, 0);
    assert_int_equal(s->n_events, 0);
    snapshot_free(s);

    /* Exclusive: a file that appears while the snapshot is written is not replaced. */
    char *fresh = tu_path(tu_tmp, "b.json");
    w = snapshot_write_begin(fresh, &meta, true, err, sizeof err);
    assert_non_null(w);
    tu_write_file(fresh, "theirs");
    assert_int_equal(snapshot_write_end(w, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "exists"));
    text = tu_read_file(fresh, NULL);
    assert_string_equal(text, "theirs");
    free(text);
    assert_int_equal(dir_entries(tu_tmp), 2);

    assert_null(snapshot_write_begin(tu_tmp, &meta, false, err, sizeof err));
    assert_non_null(strstr(err, "is a directory"));
    char *nodir = tu_path(tu_tmp, "no/such/dir.json");
    assert_null(snapshot_write_begin(nodir, &meta, false, err, sizeof err));
    assert_non_null(strstr(err, "cannot create it"));
    free(nodir);
    free(fresh);
    free(path);
}

static void expect_refused(const char *name, const char *text, const char *why)
{
    char err[1200] = "";
    struct snapshot *s = snapshot_parse(name, text, strlen(text), err, sizeof err);
    if (s || !strstr(err, why)) fprintf(stderr, "%s: got '%s', want '%s'\n", name, err, why);
    assert_null(s);
    assert_non_null(strstr(err, why));
}

/* Foreign, other versions, wrong shapes: each named for what it is. */
static void test_bad_documents(void **state)
{
    (void)state;
    expect_refused("e", "", "is empty");
    expect_refused("e", "  \n", "is empty");
    expect_refused("t", "hello", "not a JSON object");
    expect_refused("a", "[1,2]", "not a JSON object");
    expect_refused("f", "{\"Response\":{\"TotalCount\":0}}", "not a certdeck snapshot");
    expect_refused("v", "{\"certdeck_snapshot\":2,\"taken\":\"2025-12-31T00:00:00Z\"}",
                   "is a version 2 snapshot");
    expect_refused("v", "{\"certdeck_snapshot\":\"one\"}", "not a positive integer");
    expect_refused("v", "{\"certdeck_snapshot\":0}", "not a positive integer");
    expect_refused("t", "{\"certdeck_snapshot\":1,\"taken\":\"yesterday\",\"records\":[]}",
                   "taken: expected a UTC time");
    expect_refused("t",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31 00:00:00\",\"records\":[]}",
                   "taken: expected a UTC time");
    expect_refused("r", "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\"}",
                   "records: expected an array, got nothing");
    expect_refused("r",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\","
                   "\"records\":[{\"Id\":1},{\"Id\":\"x\"}]}",
                   "records[1].Id: expected integer");
    expect_refused("d",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],"
                   "\"details\":{\"abc\":{\"DeployRecordDetail\":[]}}}",
                   "'abc' is not a record Id");
    expect_refused("d",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],"
                   "\"details\":{\"7\":[]}}",
                   "details.7: expected {\"DeployRecordDetail\"");
    expect_refused("d",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],"
                   "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"Status\":\"x\"}]}}}",
                   "details.7.DeployRecordDetail[0].Status: expected integer");
    expect_refused("d",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],"
                   "\"details\":{\"7\":{\"DeployRecordDetail\":[]},\"7\":{\"DeployRecordDetail\":"
                   "[]}}}",
                   "record 7 appears twice");
    expect_refused("ev",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],"
                   "\"events\":[{\"time\":\"2025-12-31T00:00:00Z\",\"attempts\":\"x\"}]}",
                   "events[0]: attempts: expected an integer");
    expect_refused("ev",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],"
                   "\"events\":[{\"time\":\"noon\"}]}",
                   "events[0]: time: expected a UTC time");
    expect_refused("x",
                   "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[]}x",
                   "is not valid JSON");
    /* Empty sections, null ones and members a later version may add are all fine (an empty
     * "details" once reached qsort with a null array: found by the fuzzer). */
    const char fine[] = "{\"certdeck_snapshot\":1,\"future\":{\"x\":[1,{\"y\":\"}\"}]},"
                        "\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],\"details\":{},"
                        "\"events\":null}";
    char err[512];
    struct snapshot *s = snapshot_parse("fine", fine, strlen(fine), err, sizeof err);
    if (!s) fprintf(stderr, "%s\n", err);
    assert_non_null(s);
    assert_int_equal(s->n_details, 0);
    assert_null(snapshot_find_detail(s, 1));
    snapshot_free(s);
    /* A name with control characters is shown inert. */
    expect_refused("evil\x1b[2J", "", "evil^[[2J: is empty");
}

/* A detail is read run by run and item by item (no tree holds a group's items): an item's
 * error names its place, a broken list is refused, the first List of a group counts as a
 * whole parse would have it, and the items read are packed, Ids and values intact. */
static void test_details_item_by_item(void **state)
{
    (void)state;
#define HEAD "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[],"
    expect_refused("d",
                   HEAD "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"RecordDetailList\":[{"
                        "\"ResourceType\":\"clb\",\"List\":[{\"Id\":1},{\"Id\":2,\"Port\":\"x\"}]}"
                        "]}]}}}",
                   "details.7.DeployRecordDetail[0].RecordDetailList[0].List[1].Port: expected "
                   "integer");
    expect_refused("d",
                   HEAD "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"RecordDetailList\":[{"
                        "\"List\":[{\"Id\":1},,{\"Id\":2}]}]}]}}}",
                   "is not valid JSON");
    expect_refused("d",
                   HEAD "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"RecordDetailList\":[{"
                        "\"List\":[{\"Id\":1},]}]}]}}}",
                   "is not valid JSON");
    expect_refused("d",
                   HEAD "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"RecordDetailList\":[{"
                        "\"List\":[{\"Id\":1} {\"Id\":2}]}]}]}}}",
                   "is not valid JSON");
    expect_refused("d",
                   HEAD "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"RecordDetailList\":[7]}]"
                        "}}}",
                   "details.7.DeployRecordDetail[0].RecordDetailList[0]: expected object");
    expect_refused("d",
                   HEAD "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"RecordDetailList\":[{"
                        "\"List\":[3]}]}]}}}",
                   "details.7.DeployRecordDetail[0].RecordDetailList[0].List[0]: expected "
                   "object");

    const char text[] =
        HEAD "\"details\":{\"7\":{\"DeployRecordDetail\":[{\"Type\":0,\"RecordDetailList\":["
             "{\"ResourceType\":\"clb\",\"TotalCount\":3,\"List\":[{\"Id\":11,\"Port\":443,"
             "\"Region\":\"ap-guangzhou\"},{\"Id\":12,\"Port\":8443,\"Domains\":null},"
             "{\"Id\":13,\"Status\":9000000000}],\"List\":[{\"Id\":99}]},"
             "{\"ResourceType\":\"cdn\",\"TotalCount\":0,\"List\":null}]},"
             "{\"Type\":1,\"RecordDetailList\":[]}]}}}";
#undef HEAD
    char err[1200];
    struct snapshot *s = snapshot_parse("ok", text, strlen(text), err, sizeof err);
    if (!s) fprintf(stderr, "%s\n", err);
    assert_non_null(s);
    const struct snapshot_detail *d = snapshot_find_detail(s, 7);
    assert_non_null(d);
    assert_int_equal(d->page.n_runs, 2);
    const struct resource_group *clb = &d->page.runs[0].groups[0];
    assert_int_equal(clb->n_items, 3); /* the first List, as a whole parse reads it */
    assert_null(clb->items);           /* packed */
    assert_true(tu_item(clb, 0)->id == 11 && tu_item(clb, 0)->port == 443);
    assert_string_equal(tu_item(clb, 0)->region, "ap-guangzhou");
    assert_true(tu_item(clb, 1)->domains_null);
    assert_true(tu_item(clb, 2)->status == 9000000000LL);
    assert_true(d->page.runs[0].groups[1].list_null);
    assert_int_equal(d->page.runs[0].groups[1].n_items, 0);
    assert_int_equal(d->page.runs[1].n_groups, 0);
    snapshot_free(s);
}

/* A file cut at any byte is refused, as truncated, never crashes and never loads. */
static void test_truncated_anywhere(void **state)
{
    (void)state;
    size_t len;
    char *text = tu_read_testdata("snapshot_small.json", &len);
    char err[1200];
    struct snapshot *whole = snapshot_parse("s", text, len, err, sizeof err);
    assert_non_null(whole);
    snapshot_free(whole);
    size_t end = len;
    while (end && (text[end - 1] == '\n' || text[end - 1] == ' '))
        end--;
    for (size_t n = 1; n < end; n++) {
        struct snapshot *s = snapshot_parse("s", text, n, err, sizeof err);
        if (s || !strstr(err, "is truncated")) fprintf(stderr, "cut at %zu: %s\n", n, err);
        assert_null(s);
        assert_non_null(strstr(err, "is truncated"));
    }
    free(text);
}

/* Only a regular file under the cap is read: a directory, a FIFO (which would block), a file
 * over 256 MiB (sparse here) and a missing one are refused before anything is read. */
static void test_bad_files(void **state)
{
    (void)state;
    char err[1200];
    assert_null(snapshot_load(tu_tmp, err, sizeof err));
    assert_non_null(strstr(err, "is a directory"));
    char *fifo = tu_path(tu_tmp, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_null(snapshot_load(fifo, err, sizeof err));
    assert_non_null(strstr(err, "is not a regular file"));
    char *huge = tu_path(tu_tmp, "huge.json");
    int fd = open(huge, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)SNAPSHOT_MAX_BYTES + 1), 0);
    close(fd);
    assert_null(snapshot_load(huge, err, sizeof err));
    assert_non_null(strstr(err, "larger than the 256 MiB"));
    char *missing = tu_path(tu_tmp, "missing.json");
    assert_null(snapshot_load(missing, err, sizeof err));
    assert_non_null(strstr(err, "cannot open it"));
    free(fifo);
    free(huge);
    free(missing);
}

/* ---- the offline source --------------------------------------------------------------- */

static struct snapshot *fixture_snapshot(struct fixture *f)
{
    fixture_make(f);
    char *path = write_fixture(f, "src.json", "AKIDtest");
    char err[512];
    struct snapshot *s = snapshot_load(path, err, sizeof err);
    assert_non_null(s);
    free(path);
    return s;
}

/* The record list: Offset/Limit and the filter as the emulator applies them. */
static void test_source_records(void **state)
{
    (void)state;
    struct fixture f;
    struct snapshot *s = fixture_snapshot(&f);
    struct api_client *c = snapshot_client_new(s);
    assert_non_null(api_client_source(c));
    assert_string_equal(api_client_endpoint(c), "https://ssl.tencentcloudapi.com");
    char sid[32];
    api_client_secret_id(c, sid, sizeof sid);
    assert_string_equal(sid, "AKIDtest");
    struct records_page p;
    struct api_error e;
    struct records_query q = {.offset = 1, .limit = 2};
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &e), 0);
    assert_int_equal(p.total_count, 5);
    assert_int_equal(p.n_records, 2);
    assert_int_equal(p.records[0].id, 104);
    assert_int_equal(p.records[1].id, 103);
    model_records_page_clear(&p);
    q = (struct records_query){.offset = 0, .limit = 0}; /* the server's default: 10 */
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &e), 0);
    assert_int_equal(p.n_records, 5);
    model_records_page_clear(&p);
    q = (struct records_query){.offset = 0, .limit = 10, .old_cert_id = "B"};
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &e), 0);
    assert_int_equal(p.total_count, 1);
    assert_int_equal(p.records[0].id, 103);
    model_records_page_clear(&p);
    q = (struct records_query){.offset = 7, .limit = 10};
    assert_int_equal(api_describe_records(c, &q, &p, NULL, &e), 0);
    assert_int_equal(p.total_count, 5);
    assert_int_equal(p.n_records, 0);
    model_records_page_clear(&p);
    assert_int_equal(api_records_all(c, NULL, &p, NULL, &e), 0);
    assert_int_equal(p.n_records, 5);
    model_records_page_clear(&p);
    api_client_free(c);
    snapshot_free(s);
    fixture_free(&f);
}

/* A detail page is the emulator's slice of the saved runs; what the snapshot lacks is named. */
static void test_source_detail(void **state)
{
    (void)state;
    struct fixture f;
    struct snapshot *s = fixture_snapshot(&f);
    struct api_client *c = snapshot_client_new(s);
    struct detail_page p;
    struct api_error e;
    struct detail_query q = {.record_id = 103, .offset = 1, .limit = 1};
    assert_int_equal(api_describe_detail(c, &q, &p, NULL, &e), 0);
    assert_string_equal(p.request_id, "offline-snapshot");
    free(p.request_id);
    p.request_id = NULL;
    struct dataset_record view = {.runs = f.detail.runs, .n_runs = f.detail.n_runs};
    struct detail_page want;
    dataset_detail_page(&view, 1, 1, &want);
    assert_true(same_json(codec_encode_detail_page(&want), codec_encode_detail_page(&p)));
    assert_int_equal(p.runs[0].groups[0].n_items, 1);
    assert_int_equal(tu_item(&p.runs[0].groups[0], 0)->id, 7);
    model_detail_page_clear(&p);
    model_detail_page_clear(&want);
    assert_int_equal(api_detail_all(c, 103, 4, &p, NULL, &e), 0);
    assert_true(same_json(codec_encode_detail_page(&f.detail), tu_detail_json(&p)));
    model_detail_page_clear(&p);

    q.record_id = 104; /* listed, detail not saved */
    assert_int_equal(api_describe_detail(c, &q, &p, NULL, &e), -1);
    assert_int_equal(e.kind, APIERR_API);
    assert_string_equal(e.code, "OfflineSnapshot.NotSaved");
    assert_non_null(strstr(e.message, "detail of record 104 was not saved"));
    assert_non_null(strstr(apierr_hint(&e), "--details all"));
    q.record_id = 999;
    assert_int_equal(api_describe_detail(c, &q, &p, NULL, &e), -1);
    assert_non_null(strstr(e.message, "holds no record 999"));
    q = (struct detail_query){.record_id = 103, .offset = 0, .limit = 0};
    assert_int_equal(api_describe_detail(c, &q, &p, NULL, &e), 0); /* Limit 0: default 10 */
    model_detail_page_clear(&p);
    api_client_free(c);
    snapshot_free(s);
    fixture_free(&f);
}

/* Every write is refused by the source itself, whatever the front end did. */
static void test_source_refuses_writes(void **state)
{
    (void)state;
    struct fixture f;
    struct snapshot *s = fixture_snapshot(&f);
    struct api_client *c = snapshot_client_new(s);
    char rid[80];
    struct api_error e;
    assert_int_equal(api_rollback(c, 103, rid, sizeof rid, &e), -1);
    assert_string_equal(e.code, "OfflineSnapshot.WritesDisabled");
    assert_string_equal(e.message, "offline snapshot: writes are disabled");
    assert_false(e.outcome_unknown);
    assert_int_equal(apierr_exit_code(&e), 1);
    assert_int_equal(api_retry(c, -1, 7, rid, sizeof rid, &e), -1);
    assert_string_equal(e.code, "OfflineSnapshot.WritesDisabled");
    const char *types[] = {"clb"};
    struct upload_request req = {"A", types, 1, "cert", "key", NULL, 0};
    struct upload_result res;
    assert_int_equal(api_upload_update(c, &req, &res, &e), -1);
    assert_string_equal(e.code, "OfflineSnapshot.WritesDisabled");
    api_client_free(c);
    snapshot_free(s);
    fixture_free(&f);
}

/* A group saved half-loaded (a :save before paging finished) is answered with what it holds:
 * its TotalCount becomes the items saved, so paging ends instead of asking for the rest. */
static void test_partial_group(void **state)
{
    (void)state;
    const char doc[] =
        "{\"certdeck_snapshot\":1,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[{\"Id\":9}],"
        "\"details\":{\"9\":{\"DeployRecordDetail\":[{\"TotalCount\":500,\"RecordDetailList\":["
        "{\"ResourceType\":\"clb\",\"TotalCount\":500,\"List\":[{\"Id\":1},{\"Id\":2}]},"
        "{\"ResourceType\":\"cdn\",\"TotalCount\":3,\"List\":null}]}]}}}";
    char err[512];
    struct snapshot *s = snapshot_parse("p", doc, strlen(doc), err, sizeof err);
    assert_non_null(s);
    assert_int_equal(s->partial_groups, 1);
    assert_int_equal(s->records_total, 1);
    struct api_client *c = snapshot_client_new(s);
    struct detail_page p;
    struct api_error e;
    assert_int_equal(api_detail_all(c, 9, 2, &p, NULL, &e), 0);
    assert_int_equal(p.runs[0].groups[0].total_count, 2);
    assert_int_equal(p.runs[0].groups[0].n_items, 2);
    assert_int_equal(p.runs[0].total_count, 500); /* the run's counts stay as the API said */
    assert_true(p.runs[0].groups[1].list_null);
    model_detail_page_clear(&p);
    api_client_free(c);
    snapshot_free(s);
}

/* A store's contents, copied and written, read back: the rows, the loaded detail, the log. */
static void test_store_hold(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f);
    struct store *st = store_new();
    store_records_begin(st, "A", false);
    struct records_page rp = {.total_count = 9, .records = f.recs, .n_records = 5};
    store_records_put(st, 0, &rp);
    store_detail_begin(st, 103, false);
    store_detail_put(st, 103, 0, 200, &f.detail);
    store_detail_begin(st, 104, false); /* asked for, nothing loaded: not written */
    struct api_trace t = {.action = "DescribeHostUploadUpdateRecord", .started_ms = now_ms()};
    store_log_push(st, &t);
    struct snapshot_hold *h = snapshot_hold_take(st);
    store_free(st); /* the copy stands alone */
    char *path = tu_path(tu_tmp, "hold.json");
    struct snapshot_meta meta = {.taken_unix = 1767139200, .secret_id = "AKIDlongerthan8"};
    char err[512];
    struct snapshot_stats stats;
    assert_int_equal(snapshot_hold_write(h, path, &meta, true, &stats, err, sizeof err), 0);
    assert_int_equal(snapshot_hold_write(h, path, &meta, true, &stats, err, sizeof err), -1);
    assert_non_null(strstr(err, "exists"));
    snapshot_hold_free(h);
    struct snapshot *s = snapshot_load(path, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(s->old_cert_filter, "A");
    assert_int_equal(s->records_total, 9);
    assert_int_equal(s->n_records, 5);
    assert_int_equal(s->n_details, 1);
    assert_non_null(snapshot_find_detail(s, 103));
    assert_int_equal(s->n_events, 1);
    assert_string_equal(s->events[0].action, "DescribeHostUploadUpdateRecord");
    assert_string_equal(s->secret_id_prefix, "AKIDlong");
    snapshot_free(s);
    free(path);
    fixture_free(&f);
}

/* Times are written with four-digit years whatever the year (strftime's %Y does not pad), so
 * any time a file holds reads back (found by the fuzzer). */
static void test_times_read_back(void **state)
{
    (void)state;
    const char doc[] = "{\"certdeck_snapshot\":1,\"taken\":\"0381-12-31T00:00:00Z\",\"records\":[],"
                       "\"events\":[{\"time\":\"0099-01-02T03:04:05Z\",\"action\":\"X\"}]}";
    char err[512];
    struct snapshot *s = snapshot_parse("y", doc, strlen(doc), err, sizeof err);
    assert_non_null(s);
    char *path = tu_path(tu_tmp, "years.json");
    struct snapshot_meta meta = {.taken_unix = s->taken_unix};
    struct snapshot_writer *w = snapshot_write_begin(path, &meta, false, err, sizeof err);
    int64_t nm = now_ms(), nu = now_unix();
    snapshot_write_event(w, &s->events[0], nm, nu);
    assert_int_equal(snapshot_write_end(w, NULL, err, sizeof err), 0);
    struct snapshot *again = snapshot_load(path, err, sizeof err);
    if (!again) fprintf(stderr, "%s\n", err);
    assert_non_null(again);
    assert_string_equal(again->taken, "0381-12-31T00:00:00Z");
    assert_int_equal(again->n_events, 1);
    char *text = tu_read_file(path, NULL);
    assert_non_null(strstr(text, "\"time\":\"0099-01-02T03:04:0"));
    free(text);
    expect_refused("y",
                   "{\"certdeck_snapshot\":1,\"taken\":\"-025-12-31T00:00:00Z\",\"records\":[]}",
                   "taken: expected a UTC time");
    snapshot_free(again);
    snapshot_free(s);
    free(path);
}

static void test_names(void **state)
{
    (void)state;
    char b[64];
    snapshot_default_name(1767139200, b, sizeof b);
    assert_true(strncmp(b, "certdeck-snapshot-2025", 22) == 0 ||
                strncmp(b, "certdeck-snapshot-2026", 22) == 0);
    assert_int_equal(strlen(b), strlen("certdeck-snapshot-20251231-000000.json"));
    snapshot_size_text(999, b, sizeof b);
    assert_string_equal(b, "999 bytes");
    snapshot_size_text(12345, b, sizeof b);
    assert_string_equal(b, "12.3 kB");
    snapshot_size_text(4500000, b, sizeof b);
    assert_string_equal(b, "4.5 MB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_atomic_write, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test(test_bad_documents),
        cmocka_unit_test(test_details_item_by_item),
        cmocka_unit_test(test_truncated_anywhere),
        cmocka_unit_test_setup_teardown(test_bad_files, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_source_records, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_source_detail, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_source_refuses_writes, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test(test_partial_group),
        cmocka_unit_test_setup_teardown(test_store_hold, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_times_read_back, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
