/* Snapshots in the TUI, scripted: :save writes what the session holds (against the real
 * emulator over loopback) and says where and how big; :save alone proposes a name; an existing
 * file is never replaced. On a snapshot (--offline) the title row says whose data and when,
 * every screen works from the file, writes and switches are refused, and the event log shows
 * the calls of the session the snapshot was taken in. Golden screens for the offline title. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/emulator/emulator.h"
#include "core/http.h"
#include "core/snapshot.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/harness.h"

/* Dataset order (newest first): 104 running, 103 failed, 102 rolled back, 101 success. */
static void test_save_live_session(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key j\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key Esc\n"
                                      "wait-idle\n"
                                      ":save @/snap.json\n"
                                      "wait-text saved @/snap.json (\n"
                                      "save-display @/saved.txt\n"
                                      ":save @/snap.json\n"
                                      "save-display @/exists.txt\n"
                                      ":save @\n"
                                      "save-display @/dir.txt\n"
                                      ":save\n"
                                      "save-display @/proposed.txt\n"
                                      "key Esc\n"
                                      "keys :sa\n"
                                      "key Tab\n"
                                      "save-display @/tab.txt\n"
                                      "key Esc\n"};
    assert_int_equal(th_run(&s), 0);

    char *path = tu_path(tu_tmp, "snap.json");
    char *saved = th_display("saved");
    char *status = th_status_line(saved);
    char *want = xasprintf("saved %s (", path);
    th_assert_contains(status, want);
    th_assert_contains(status, " kB: 4 records, 1 detail, ");
    free(want);
    free(status);
    free(saved);

    char *exists = th_display("exists");
    status = th_status_line(exists);
    th_assert_contains(status, "exists (pick another name)");
    free(status);
    free(exists);
    char *dir = th_display("dir");
    status = th_status_line(dir);
    th_assert_contains(status, "is a directory");
    free(status);
    free(dir);
    /* :save alone puts a proposal on the command line, to edit or confirm with Enter. */
    char *proposed = th_display("proposed");
    th_assert_contains(proposed, ":save certdeck-snapshot-");
    th_assert_contains(proposed, ".json");
    free(proposed);

    /* Tab completes the command's name. */
    char *tab = th_display("tab");
    th_assert_contains(tab, ":save ");
    free(tab);

    /* The file holds what the session held: the list, the detail opened, the calls made. */
    char err[512];
    struct snapshot *snap = snapshot_load(path, err, sizeof err);
    if (!snap) fprintf(stderr, "%s\n", err);
    assert_non_null(snap);
    assert_int_equal(snap->n_records, 4);
    assert_int_equal(snap->n_details, 1);
    const struct snapshot_detail *d = snapshot_find_detail(snap, 103);
    assert_non_null(d);
    assert_int_equal(d->page.n_runs, 1);
    assert_true(snap->n_events >= 2);
    assert_string_equal(snap->secret_id_prefix, "AKIDcert");
    char *text = tu_read_file(path, NULL);
    assert_null(strstr(text, EMU_DEMO_SECRET_KEY));
    assert_null(strstr(text, EMU_DEMO_SECRET_ID));
    free(text);
    snapshot_free(snap);
    free(path);
}

/* The snapshot in tests/data, shown under a name that is the same on every machine. */
static struct snapshot *fixture(void)
{
    char *path = tu_testdata("snapshot_small.json");
    char err[512];
    struct snapshot *snap = snapshot_load(path, err, sizeof err);
    if (!snap) fprintf(stderr, "%s\n", err);
    assert_non_null(snap);
    free(snap->path);
    snap->path = xstrdup("snapshot_small.json");
    free(path);
    return snap;
}

static int run_offline(struct snapshot *snap, int cols, int lines, const char *script)
{
    struct api_client *api = snapshot_client_new(snap);
    struct th_scenario s = {.cols = cols, .lines = lines, .offline = snap};
    char *text = th_expand(script);
    char *sp = tu_path(tu_tmp, "script");
    tu_write_file(sp, text);
    int rc = th_app_run(api, &s, sp);
    free(sp);
    free(text);
    api_client_free(api);
    return rc;
}

static void offline_golden(int cols, int lines, const char *suffix)
{
    struct snapshot *snap = fixture();
    assert_int_equal(run_offline(snap, cols, lines,
                                 "wait-idle\n"
                                 "save-display @/offline_records.txt\n"
                                 "key j\n"
                                 "key Enter\n"
                                 "wait-idle\n"
                                 "save-display @/offline_detail.txt\n"),
                     0);
    static const char *const names[] = {"offline_records", "offline_detail"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *golden = th_rename_saved(names[i], suffix);
        th_check_golden(golden);
        free(golden);
    }
    snapshot_free(snap);
}

static void test_offline_80x24(void **state)
{
    (void)state;
    offline_golden(80, 24, "80x24");
}

static void test_offline_120x40(void **state)
{
    (void)state;
    offline_golden(120, 40, "120x40");
}

/* Offline: the title and status say so at any width, reads work on every screen, writes and
 * switches are refused, and L shows the saved session's calls. */
static void test_offline_behaviour(void **state)
{
    (void)state;
    struct snapshot *snap = fixture();
    assert_int_equal(run_offline(snap, 140, 30,
                                 "wait-idle\n"
                                 "save-display @/records.txt\n"
                                 "key U\n"
                                 "save-display @/renew.txt\n"
                                 "key j\n"
                                 "key Enter\n"
                                 "wait-idle\n"
                                 "key R\n"
                                 "save-display @/rollback.txt\n"
                                 "key T\n"
                                 "save-display @/retry.txt\n"
                                 "key Enter\n"
                                 "wait-idle\n"
                                 "save-display @/groups.txt\n"
                                 ":profile prod\n"
                                 "wait-idle\n"
                                 "save-display @/switch.txt\n"
                                 "key L\n"
                                 "wait-idle\n"
                                 "save-display @/log.txt\n"
                                 "resize 60 12\n"
                                 "wait-idle\n"
                                 "save-display @/narrow.txt\n"),
                     0);
    static const struct th_expect want[] = {
        {"records",
         .has = {"offline: snapshot_small.json, taken 2025-12-31 00:00:00+00", "4 records",
                 "offline \xc2\xb7 https://ssl.tencentcloudapi.com \xc2\xb7 AKID",
                 "as in the snapshot"},
         .lacks = {"read-only"}},
        {"renew", .has = {"offline snapshot: writes are disabled (renewal refused)"}},
        {"rollback", .has = {"offline snapshot: writes are disabled (rollback refused)"}},
        {"retry", .has = {"offline snapshot: writes are disabled (retry refused)"}},
        {"groups", .has = {"#103", "clb"}},
        {"switch", .has = {"a snapshot is one account at one time"}},
        {"log", .has = {"DescribeHostUploadUpdateRecordDetail",
                        "00000000-0000-4000-8000-000000000001", "5 API calls"}},
        /* At the smallest size the time is still there; the file name gives way. */
        {"narrow", .has = {"offline: \xe2\x80\xa6", ", taken 2025-12-31 00:00:00+00"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    snapshot_free(snap);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_save_live_session),
        TH_TEST(test_offline_80x24),
        TH_TEST(test_offline_120x40),
        TH_TEST(test_offline_behaviour),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
