/* Snapshots end to end, with the real certdeck binary: `certdeck snapshot` against the emulator
 * over loopback (its data clock pinned, so nothing moves while the test runs), then every
 * read-only command under --offline prints exactly what it printed live — without a single
 * request. Writes are refused before anything is asked or sent, bad files get a clear error
 * and exit 2, and a snapshot that cannot be written leaves the old file as it was. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "core/emulator/emulator.h"
#include "core/util.h"
#include "testutil.h"

#define PINNED_UNIX 1767139200 /* 2025-12-31 00:00:00 UTC: the emulator's data stands still */

struct run {
    int status; /* exit code; 128 + N when a signal N ended it */
    char *out;
    char *err;
};

/* Runs "$CERTDECK_BIN args" through the shell, stdin from /dev/null. */
static struct run run_cli(const char *fmt, ...)
{
    char *outp = tu_path(tu_tmp, "stdout"), *errp = tu_path(tu_tmp, "stderr");
    struct buf args = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&args, fmt, ap);
    va_end(ap);
    const char *bin = getenv("CERTDECK_BIN");
    assert_non_null(bin);
    char *cmd = xasprintf("'%s' %s </dev/null >'%s' 2>'%s'", bin, args.data, outp, errp);
    int st = system(cmd);
    struct run r = {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), tu_read_file(outp, NULL),
                    tu_read_file(errp, NULL)};
    assert_non_null(r.out);
    assert_non_null(r.err);
    unlink(outp);
    unlink(errp);
    free(outp);
    free(errp);
    free(cmd);
    buf_free(&args);
    return r;
}

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

static void expect_in(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fprintf(stderr, "'%s' not in:\n%s\n", needle, hay);
    assert_non_null(strstr(hay, needle));
}

/* The emulator with the demo key pair, its data clock pinned and no server-side rate limit,
 * groups of up to 600 instances (paged, yet quick), and the environment that points certdeck's
 * credential chain at that key pair. */
static struct emu *start_emu(void)
{
    struct emu_config ec = {.data_clock_unix = PINNED_UNIX, .rate = -1, .max_instances = 600};
    struct emu *e = tu_emu_start(&ec);
    setenv("TENCENTCLOUD_SECRET_ID", EMU_DEMO_SECRET_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", EMU_DEMO_SECRET_KEY, 1);
    return e;
}

static char *take_snapshot(struct emu *e, const char *name, const char *details)
{
    char *path = tu_path(tu_tmp, name);
    struct run r = run_cli("--endpoint %s --rate 1000 snapshot '%s'%s%s", emu_url(e), path,
                           details ? " --details " : "", details ? details : "");
    if (r.status) fprintf(stderr, "%s", r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    char *want = xasprintf("certdeck: wrote %s (", path);
    expect_in(r.err, want);
    free(want);
    run_free(&r);
    return path;
}

/* Live and offline give the same bytes on stdout and the same exit code. */
static void expect_same(struct emu *e, const char *snap, const char *args)
{
    struct run live = run_cli("--endpoint %s --rate 1000 %s", emu_url(e), args);
    struct run off = run_cli("--offline '%s' %s", snap, args);
    if (live.status != off.status || strcmp(live.out, off.out) != 0)
        fprintf(stderr, "'%s' differs: live %d (%zu bytes), offline %d (%zu bytes)\n%s", args,
                live.status, strlen(live.out), off.status, strlen(off.out), off.err);
    assert_int_equal(live.status, off.status);
    assert_string_equal(live.out, off.out);
    run_free(&live);
    run_free(&off);
}

/* The round trip: what `certdeck snapshot --details all` took, every read-only command prints
 * offline exactly as it printed live at that moment — records, every record's detail in JSON,
 * CSV and tables, errors, radar, wait. Offline, the emulator hears nothing. */
static void test_round_trip_equals_live(void **state)
{
    (void)state;
    struct emu *e = start_emu();
    char *snap = take_snapshot(e, "all.json", "all");
    static const char *const cmds[] = {
        "records --all -o json",
        "records --all -o csv",
        "records --all",
        "records --offset 3 --limit 5 -o json",
        "records --old-cert FvUbumWr --all -o csv",
        "detail 37 --all -o json",
        "detail 37 --all -o csv",
        "detail 37 --offset 200 --limit 50 -o json",
        "detail 37",
        "detail 2 -o json",
        "detail 2 --all",
        "errors 37",
        "errors 37 -o json",
        "radar -o json",
        "radar -o csv",
        "wait 34 -o json",
    };
    for (size_t i = 0; i < ARRAY_LEN(cmds); i++)
        expect_same(e, snap, cmds[i]);
    for (int id = 1; id <= 40; id++) {
        char args[64];
        snprintf(args, sizeof args, "detail %d --all -o json", id);
        expect_same(e, snap, args);
    }
    /* Offline runs reach no server: the emulator's count stands still. */
    uint64_t before = emu_request_count(e);
    struct run r = run_cli("--offline '%s' detail 37 --all -o csv", snap);
    assert_int_equal(r.status, 0);
    run_free(&r);
    r = run_cli("--offline '%s' radar", snap);
    assert_int_equal(r.status, 0);
    run_free(&r);
    assert_int_equal(emu_request_count(e), before);

    /* A snapshot of the snapshot holds the same data. */
    char *again = tu_path(tu_tmp, "again.json");
    r = run_cli("--offline '%s' snapshot '%s' --details all", snap, again);
    assert_int_equal(r.status, 0);
    run_free(&r);
    expect_same(e, again, "detail 37 --all -o json");
    expect_same(e, again, "records --all -o csv");
    free(again);

    /* No secret in the file: the SecretKey never, the SecretId only as a prefix. */
    char *text = tu_read_file(snap, NULL);
    assert_null(strstr(text, EMU_DEMO_SECRET_KEY));
    assert_null(strstr(text, EMU_DEMO_SECRET_ID));
    expect_in(text, "\"secret_id_prefix\":\"AKIDcert\"");
    expect_in(text, "\"certdeck_snapshot\":1");
    free(text);
    free(snap);
    emu_stop(e);
}

/* The default takes the details of the records that did not succeed (failed, rolled back,
 * rollback failed); the rest are named as not saved, exit 1. --details none: the list only. */
static void test_default_details_and_none(void **state)
{
    (void)state;
    struct emu *e = start_emu();
    char *snap = take_snapshot(e, "failed.json", NULL);
    expect_same(e, snap, "detail 37 --all -o json");          /* failed */
    expect_same(e, snap, "detail 36 --all -o json");          /* rolled back */
    expect_same(e, snap, "radar -o json");                    /* it reads exactly those */
    struct run r = run_cli("--offline '%s' detail 34", snap); /* succeeded: not taken */
    assert_int_equal(r.status, 1);
    expect_in(r.err, "OfflineSnapshot.NotSaved: offline snapshot: the detail of record 34 was not "
                     "saved in it");
    expect_in(r.err, "hint: the snapshot does not hold it: take one with --details all");
    run_free(&r);
    free(snap);

    snap = take_snapshot(e, "none.json", "none");
    expect_same(e, snap, "records --all -o json");
    r = run_cli("--offline '%s' detail 37", snap);
    assert_int_equal(r.status, 1);
    run_free(&r);
    r = run_cli("--endpoint %s snapshot x.json --details some", emu_url(e));
    assert_int_equal(r.status, 2);
    expect_in(r.err, "--details is failed, all or none, not 'some'");
    run_free(&r);
    free(snap);
    emu_stop(e);
}

/* Every write under --offline is refused with one clear line and exit 2 — before a question
 * is asked, and without a request anywhere. */
static void test_writes_refused_offline(void **state)
{
    (void)state;
    struct emu *e = start_emu();
    char *snap = take_snapshot(e, "w.json", "all");
    uint64_t before = emu_request_count(e);
    static const char *const writes[] = {
        "rollback 37 --yes",
        "rollback 37",
        "retry 37 --yes",
        "retry --item 5 --yes",
        "retry 37 --template 1 --yes",
        "update --old-cert FvUbumWr --cert c.pem --key k.pem --types clb --yes",
    };
    for (size_t i = 0; i < ARRAY_LEN(writes); i++) {
        struct run r = run_cli("--offline '%s' %s", snap, writes[i]);
        assert_int_equal(r.status, 2);
        expect_in(r.err, "certdeck: offline snapshot: writes are disabled");
        assert_null(strstr(r.err, "confirm"));
        assert_string_equal(r.out, "");
        run_free(&r);
    }
    assert_int_equal(emu_request_count(e), before);
    struct run r = run_cli("--offline '%s' doctor", snap);
    assert_int_equal(r.status, 2);
    run_free(&r);
    r = run_cli("--offline '%s' --demo records", snap);
    assert_int_equal(r.status, 2);
    expect_in(r.err, "--offline reads a snapshot");
    run_free(&r);
    /* wait: the snapshot never moves, so a finished record answers at once and a running one
     * is a timeout (5), not a wait without end. */
    r = run_cli("--offline '%s' wait 37", snap);
    assert_int_equal(r.status, 4);
    run_free(&r);
    r = run_cli("--offline '%s' wait 40", snap);
    assert_int_equal(r.status, 5);
    run_free(&r);
    free(snap);
    emu_stop(e);
}

/* Files that are not snapshots: each named, exit 2, never a crash. */
static void test_bad_files(void **state)
{
    (void)state;
    struct emu *e = start_emu();
    char *snap = take_snapshot(e, "good.json", "none");
    emu_stop(e);
    size_t len;
    char *text = tu_read_file(snap, &len);
    struct {
        const char *name, *content, *why;
    } cases[] = {
        {"cut.json", NULL, "is truncated"},
        {"foreign.json", "{\"Response\":{\"TotalCount\":0}}",
         "is JSON but not a certdeck snapshot"},
        {"v9.json", "{\"certdeck_snapshot\":9,\"taken\":\"2025-12-31T00:00:00Z\",\"records\":[]}",
         "is a version 9 snapshot; this certdeck reads version 1"},
        {"text.txt", "hello\n", "is not a certdeck snapshot (not a JSON object)"},
        {"empty.json", "", "is empty"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *p = tu_path(tu_tmp, cases[i].name);
        if (cases[i].content) {
            tu_write_file(p, cases[i].content);
        } else {
            char *half = xstrndup(text, len / 2);
            tu_write_file(p, half);
            free(half);
        }
        struct run r = run_cli("--offline '%s' records", p);
        assert_int_equal(r.status, 2);
        char *want = xasprintf("certdeck: %s: %s", p, cases[i].why);
        expect_in(r.err, want);
        free(want);
        run_free(&r);
        free(p);
    }
    char *huge = tu_path(tu_tmp, "huge.json");
    int fd = open(huge, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)300 * 1024 * 1024), 0); /* sparse: no disk used */
    close(fd);
    struct run r = run_cli("--offline '%s' records", huge);
    assert_int_equal(r.status, 2);
    expect_in(r.err, "is 300 MiB, larger than the 256 MiB a snapshot may be");
    run_free(&r);
    r = run_cli("--offline '%s' records", tu_tmp);
    assert_int_equal(r.status, 2);
    expect_in(r.err, "is a directory, not a snapshot file");
    run_free(&r);
    char *fifo = tu_path(tu_tmp, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    r = run_cli("--offline '%s'", fifo); /* the TUI: refused before any terminal is needed */
    assert_int_equal(r.status, 2);
    expect_in(r.err, "is not a regular file");
    run_free(&r);
    free(fifo);
    free(huge);
    free(text);
    free(snap);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d));)
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return n;
}

/* A snapshot that cannot be taken or written leaves whatever was at FILE as it was, and no
 * temporary file: a directory, a missing folder (exit 7), an API error (exit 1). */
static void test_write_failures_leave_old_file(void **state)
{
    (void)state;
    struct emu *e = start_emu();
    char *dir = tu_path(tu_tmp, "out");
    char *inner = tu_path(dir, "keep.json");
    tu_write_file(inner, "old contents");
    struct run r = run_cli("--endpoint %s snapshot '%s'", emu_url(e), dir);
    assert_int_equal(r.status, 7);
    expect_in(r.err, "is a directory");
    run_free(&r);
    r = run_cli("--endpoint %s snapshot '%s/no/such/dir.json'", emu_url(e), dir);
    assert_int_equal(r.status, 7);
    expect_in(r.err, "cannot create it");
    run_free(&r);
    setenv("TENCENTCLOUD_SECRET_KEY", "wrong-key", 1);
    r = run_cli("--endpoint %s snapshot '%s'", emu_url(e), inner);
    assert_int_equal(r.status, 1);
    expect_in(r.err, "AuthFailure.SignatureFailure");
    assert_null(strstr(r.err, "wrong-key"));
    run_free(&r);
    char *text = tu_read_file(inner, NULL);
    assert_string_equal(text, "old contents");
    free(text);
    assert_int_equal(count_entries(dir), 1);
    /* With the right key the same FILE is replaced, whole. */
    setenv("TENCENTCLOUD_SECRET_KEY", EMU_DEMO_SECRET_KEY, 1);
    r = run_cli("--endpoint %s snapshot '%s' --details none", emu_url(e), inner);
    assert_int_equal(r.status, 0);
    run_free(&r);
    text = tu_read_file(inner, NULL);
    expect_in(text, "\"certdeck_snapshot\":1");
    free(text);
    assert_int_equal(count_entries(dir), 1);
    free(inner);
    free(dir);
    emu_stop(e);
}

/* The TUI on a snapshot, from the command line: the title row says whose data and when, and
 * the status line says offline. */
static void test_tui_offline_title(void **state)
{
    (void)state;
    char *snap = tu_testdata("snapshot_small.json");
    char *script = tu_path(tu_tmp, "script");
    char *shown = tu_path(tu_tmp, "screen.txt");
    char *body = xasprintf("wait-idle\nkey R\nsave-display %s\n", shown);
    tu_write_file(script, body);
    struct run r = run_cli("--offline '%s' --script '%s' --size 200x24", snap, script);
    assert_int_equal(r.status, 0);
    run_free(&r);
    char *screen = tu_read_file(shown, NULL);
    assert_non_null(screen);
    char *want = xasprintf("offline: %s, taken 2025-12-31 00:00:00+00", snap);
    expect_in(screen, want);
    expect_in(screen, "offline snapshot: writes are disabled (rollback refused)");
    expect_in(screen, "offline");
    free(want);
    free(screen);
    free(body);
    free(shown);
    free(script);
    free(snap);
}

int main(void)
{
    tu_loopback_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_equals_live, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_default_details_and_none, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_writes_refused_offline, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_write_failures_leave_old_file, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_tui_offline_title, tu_home_setup, tu_tmp_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
