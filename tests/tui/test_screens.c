/* The TUI in scripted mode against the real emulator over loopback: every screen, the help
 * overlay, filter, sort, errors, the too-small guard, resizes, paging of a large group, write
 * actions, key bindings and a hostile dataset, compared with golden screens in
 * tests/tui/golden/ (80x24, 120x40, NO_COLOR and LC_ALL=C variants). A golden file is written
 * only when CERTDECK_UPDATE_GOLDEN=1; otherwise any difference fails with a diff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/http.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/harness.h"

/* ---- the walk: records -> detail -> rollback run -> group -> instance -> JSON and back ---- */

/* Dataset order (newest first): 104 running, 103 failed, 102 rolled back, 101 success. */
static const char walk_script[] = "wait-idle\n"
                                  "save-display @/records.txt\n"
                                  "key j\n"
                                  "key j\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/detail.txt\n"
                                  "key j\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/groups.txt\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/items.txt\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/item.txt\n"
                                  "key d\n"
                                  "wait-idle\n"
                                  "save-display @/json.txt\n"
                                  "key Esc\n"
                                  "key Esc\n"
                                  "wait-idle\n"
                                  "save-display @/back_items.txt attrs\n"
                                  "key Esc\n"
                                  "key Esc\n"
                                  "key Esc\n"
                                  "wait-idle\n"
                                  "save-display @/back_records.txt attrs\n";

/* Runs the walk at a size and checks every display it saved against <name>_<suffix>. */
static void walk(int cols, int lines, bool no_color, const char *suffix)
{
    static const char *const names[] = {"records", "detail", "groups",     "items",
                                        "item",    "json",   "back_items", "back_records"};
    struct th_scenario s = {
        .cols = cols, .lines = lines, .no_color = no_color, .script = walk_script};
    assert_int_equal(th_run(&s), 0);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *golden = th_rename_saved(names[i], suffix);
        th_check_golden(golden);
        free(golden);
    }
}

static void test_walk_80x24(void **state)
{
    (void)state;
    walk(80, 24, false, "80x24");
}

static void test_walk_120x40(void **state)
{
    (void)state;
    walk(120, 40, false, "120x40");
}

static void test_walk_80x24_no_color(void **state)
{
    (void)state;
    walk(80, 24, true, "80x24_nocolor");
}

static void test_walk_120x40_no_color(void **state)
{
    (void)state;
    walk(120, 40, true, "120x40_nocolor");
}

/* What the walk must show, whatever the goldens say. */
static void test_walk_content(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 100, .lines = 30, .script = walk_script};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"records", .has = {"4 records", "Hb3Nc6Vd"}},
        /* the rollback came 2.5 hours after its deploy */
        {"groups", .has = {"Records \xe2\x80\xba #102", "run 2 rollback", "+2h30m"}},
        {"items",
         .has = {"Records \xe2\x80\xba #102 \xe2\x80\xba run 2 rollback \xe2\x80\xba tke"}},
        {"json", .has = {"\"ResourceType\": \"tke\""}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    /* Back on the records, the cursor is still on record 102 (screen row 5: the third data
     * row), drawn across the whole width in the cursor style. */
    char *t = th_display("back_records");
    for (int row = 3; row <= 6; row++) {
        char *one = th_attrs_row(t, row);
        assert_non_null(one);
        bool cursor = th_is_cursor_row(one);
        if (cursor != (row == 5)) fprintf(stderr, "row %d: %s\n", row, one);
        assert_true(cursor == (row == 5));
        free(one);
    }
    free(t);
}

/* Opening an overlay (the event log) while the record list is still loading does not abort
 * that load: the view below is still on the stack. Only leaving a view for good does. */
static void test_overlay_keeps_loading(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 100,
                            .lines = 30,
                            .latency_ms = 300,
                            .script = "key L\n"
                                      "wait-idle\n"
                                      "key Esc\n"
                                      "wait-idle\n"
                                      "save-display @/records.txt\n"
                                      "key L\n"
                                      "save-display @/log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"records", .has = {"4 records"}},
        {"log", .has = {"DescribeHostUploadUpdateRecord"}, .lacks = {"cancelled"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* ---- overlays, filter, sort ------------------------------------------------------------- */

static void test_help(void **state)
{
    (void)state;
    struct th_scenario s = {.script = "wait-idle\n"
                                      "key ?\n"
                                      "save-display @/help_80x24.txt\n"
                                      "key PgDn\n"
                                      "save-display @/help_80x24_page2.txt\n"
                                      "key q\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key ?\n"
                                      "resize 120 40\n"
                                      "save-display @/help_detail_120x40.txt\n"};
    assert_int_equal(th_run(&s), 0);
    th_check_goldens(
        (const char *const[]){"help_80x24", "help_80x24_page2", "help_detail_120x40", NULL});
    static const struct th_expect want[] = {{"help_80x24", .has = {"move-down", "Records"}}};
    th_check_displays(want, ARRAY_LEN(want));
}

static void test_filter_and_sort(void **state)
{
    (void)state;
    struct th_scenario s = {.script = "wait-idle\n"
                                      "key /\n"
                                      "keys status:fail\n"
                                      "save-display @/filter_typing_80x24.txt\n"
                                      "key Enter\n"
                                      "save-display @/filter_80x24.txt\n"
                                      "key /\n"
                                      "key C-u\n"
                                      "keys clb\n"
                                      "key Enter\n"
                                      "save-display @/filter_words_80x24.txt\n"
                                      "key /\n"
                                      "key C-u\n"
                                      "key Enter\n"
                                      "key >\n"
                                      "key >\n"
                                      "save-display @/sort_cert_80x24.txt\n"
                                      "key s\n"
                                      "save-display @/sort_cert_rev_80x24.txt\n"
                                      ":sort status\n"
                                      "save-display @/sort_status_80x24.txt\n"
                                      ":sort nosuch\n"
                                      "save-display @/sort_bad_80x24.txt\n"};
    assert_int_equal(th_run(&s), 0);
    th_check_goldens((const char *const[]){"filter_typing_80x24", "filter_80x24",
                                           "filter_words_80x24", "sort_cert_80x24",
                                           "sort_cert_rev_80x24", "sort_status_80x24", NULL});
    static const struct th_expect want[] = {
        {"filter_80x24", .has = {"103"}, .lacks = {"Kx7Pq2Lm"}}, /* 104 is running, not failed */
        {"sort_bad_80x24", .has = {"no column 'nosuch'"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* ---- errors, too small, resize ---------------------------------------------------------- */

static void test_error_state(void **state)
{
    (void)state;
    struct th_scenario s = {.fault = EMU_FAULT_INTERNAL,
                            .fault_count = 1,
                            .max_retries = -1, /* the fault shows at once */
                            .script = "wait-idle\n"
                                      "save-display @/error_80x24.txt\n"
                                      "resize 120 40\n"
                                      "save-display @/error_120x40.txt\n"
                                      "key r\n"
                                      "wait-idle\n"
                                      "save-display @/recovered.txt\n"
                                      "key L\n"
                                      "wait-idle\n"
                                      "save-display @/log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    th_check_goldens((const char *const[]){"error_80x24", "error_120x40", NULL});
    static const struct th_expect want[] = {
        {"error_120x40", .has = {"InternalError", "r retries", "Press r to try again"}},
        {"recovered", .has = {"4 records"}, .lacks = {"InternalError"}},
        {"log", .has = {"DescribeHostUploadUpdateRecord", "InternalError", "OK"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

static void test_too_small_and_resize(void **state)
{
    (void)state;
    struct th_scenario s = {.script = "wait-idle\n"
                                      "resize 50 10\n"
                                      "save-display @/too_small.txt\n"
                                      "key j\n"
                                      "resize 59 30\n"
                                      "save-display @/too_narrow.txt\n"
                                      "resize 60 12\n"
                                      "save-display @/smallest_60x12.txt\n"
                                      "key Enter\n"
                                      "resize 100 30\n"
                                      "wait-idle\n"
                                      "save-display @/resized_detail_100x30.txt\n"};
    assert_int_equal(th_run(&s), 0);
    th_check_goldens(
        (const char *const[]){"too_small", "smallest_60x12", "resized_detail_100x30", NULL});
    static const struct th_expect want[] = {
        {"too_narrow", .has = {"Terminal too small: 59x30"}},
        /* j was ignored while too small: Enter opened the first record. */
        {"resized_detail_100x30", .has = {"#104"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* ---- hostile text, ASCII fallback -------------------------------------------------------- */

static const char hostile_script[] = "wait-idle\n"
                                     "save-display @/h_records.txt\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_detail.txt\n"
                                     "key Tab\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_items.txt\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_item.txt\n"
                                     "key d\n"
                                     "save-display @/h_json.txt\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key G\n"
                                     "key k\n"
                                     "key k\n"
                                     "key Enter\n"
                                     "save-display @/h_item_cjk.txt\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key j\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "key Tab\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_waf.txt\n";

static const char *const hostile_names[] = {"h_records", "h_detail",   "h_items", "h_item",
                                            "h_json",    "h_item_cjk", "h_waf"};

static void check_inert(const char *name)
{
    char *t = th_display(name);
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        /* No C0 control but newline, no DEL, no C1 (U+0080-U+009F as UTF-8 C2 80-9F). */
        assert_true(*p >= 0x20 || *p == '\n');
        assert_true(*p != 0x7f);
        if (p[0] == 0xc2 && p[1]) assert_false(p[1] >= 0x80 && p[1] <= 0x9f);
        /* No bidi controls: U+202A-U+202E (E2 80 AA-AE), U+2066-U+2069 (E2 81 A6-A9). */
        if (p[0] == 0xe2 && p[1] == 0x80 && p[2]) assert_false(p[2] >= 0xaa && p[2] <= 0xae);
        if (p[0] == 0xe2 && p[1] == 0x81 && p[2]) assert_false(p[2] >= 0xa6 && p[2] <= 0xa9);
    }
    free(t);
}

static void check_ascii(const char *name)
{
    char *t = th_display(name);
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        assert_true((*p >= 0x20 && *p < 0x7f) || *p == '\n'); /* ASCII only */
    free(t);
}

/* Runs the hostile walk; checks every saved display with check, then as golden
 * <name>_<suffix>. */
static void hostile_walk(struct th_scenario *s, void (*check)(const char *name), const char *suffix)
{
    s->dataset = "dataset_hostile.json";
    s->script = hostile_script;
    assert_int_equal(th_run(s), 0);
    for (size_t i = 0; i < ARRAY_LEN(hostile_names); i++) {
        check(hostile_names[i]);
        char *golden = th_rename_saved(hostile_names[i], suffix);
        th_check_golden(golden);
        free(golden);
    }
}

static void test_hostile(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120, .lines = 40};
    hostile_walk(&s, check_inert, "120x40");
    static const struct th_expect want[] = {
        {"h_item_120x40", .has = {"^[[31m"}}, /* the escape shows as text */
        {"h_records_120x40", .has = {"^[[31mcert^[[0m"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

static void test_hostile_80x24_ascii(void **state)
{
    (void)state;
    struct th_scenario s = {.ascii = true};
    hostile_walk(&s, check_ascii, "80x24_ascii");
}

/* ---- a large group: paging ahead of the cursor, G loads everything ----------------------- */

/* Writes a dataset with one record whose clb group has n instances; returns its path. */
static char *big_dataset(int n)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[{\"Id\":7,\"OldCertId\":\"BigCert1\",\"ResourceTypes\":[\"clb\","
                 "\"cos\"],\"Status\":2,\"CreateTime\":\"2026-02-01 09:00:00\",\"UpdateTime\":"
                 "\"2026-02-01 09:30:00\"}],\"Details\":{\"7\":[{\"TotalCount\":");
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed += i % 97 == 5;
    buf_printf(&b,
               "%d,\"SuccessTotalCount\":%d,\"FailedTotalCount\":%d,\"RunningTotalCount\":0,"
               "\"Type\":0,\"Status\":2,\"CreateTime\":\"2026-02-01 09:00:00\","
               "\"RecordDetailList\":[{\"ResourceType\":\"clb\",\"TotalCount\":%d,\"List\":[",
               n + 1, n + 1 - failed, failed, n);
    for (int i = 0; i < n; i++) {
        bool fail = i % 97 == 5;
        buf_printf(
            &b,
            "%s{\"Id\":%d,\"OldCertId\":\"BigCert1\",\"InstanceId\":\"lb-%06d\","
            "\"InstanceName\":\"big-%d\",\"ListenerId\":\"lbl-%06d\",\"ListenerName\":"
            "\"https-%d\",\"Domains\":[\"d%d.example.com\"],\"Protocol\":\"HTTPS\","
            "\"Status\":%d,\"ErrorMsg\":\"%s\",\"CreateTime\":\"2026-02-01T01:00:00.000000Z\","
            "\"UpdateTime\":\"2026-02-01T01:05:00.000000Z\",\"SniSwitch\":1,\"Bucket\":\"\","
            "\"Namespace\":\"\",\"SecretName\":\"\",\"Port\":%d,\"Region\":\"ap-guangzhou\","
            "\"Forward\":1,\"SSLMode\":\"UNIDIRECTIONAL\",\"ResourceType\":\"clb\"}",
            i ? "," : "", 100000 + i, i, i, i, 443 + i % 3, i, fail ? 2 : 1,
            fail ? "CertificateNotFound: listener gone" : "", 443 + i % 3);
    }
    buf_puts(&b, "]},{\"ResourceType\":\"cos\",\"TotalCount\":1,\"List\":[{\"Id\":99,\"Status\":1,"
                 "\"Bucket\":\"assets-1250000000\",\"Region\":\"ap-shanghai\",\"Domains\":["
                 "\"static.example.com\"],\"ErrorMsg\":\"\",\"ResourceType\":\"cos\"}]}]}]}}");
    char *path = tu_path(tu_tmp, "big.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

static void test_large_group_paging(void **state)
{
    (void)state;
    char *ds = big_dataset(1234);
    struct th_scenario s = {.dataset = ds,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/big_detail.txt\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "resize 100 30\n"
                                      "wait-idle\n"
                                      "save-display @/big_first_page.txt\n"
                                      "key PgDn\n"
                                      "key PgDn\n"
                                      "wait-idle\n"
                                      "key G\n"
                                      "key g\n"
                                      "key j\n"
                                      "wait-idle\n"
                                      "save-display @/big_all.txt\n"
                                      "key n\n"
                                      "key n\n"
                                      "save-display @/big_next_failed.txt\n"
                                      "key G\n"
                                      "save-display @/big_last.txt\n"
                                      "key /\n"
                                      "keys status:failed\n"
                                      "key Enter\n"
                                      "save-display @/big_failed.txt\n"};
    assert_int_equal(th_run(&s), 0);
    th_check_goldens(
        (const char *const[]){"big_first_page", "big_all", "big_next_failed", "big_last", NULL});
    static const struct th_expect want[] = {
        {"big_detail", .has = {"BigCert1", "200/1,234"}}, /* only the first page so far */
        {"big_first_page", .has = {"loaded 200 of 1,234"}},
        {"big_all", .has = {"1,234 instances", "13 failed"}},
        {"big_last", .has = {"lb-001233"}},
        {"big_failed", .has = {"13 shown by /status:failed"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    free(ds);
}

/* G while the pages stream in ends on the last row once they are all in. */
static void test_large_group_follow_end(void **state)
{
    (void)state;
    char *ds = big_dataset(1234);
    struct th_scenario s = {.dataset = ds,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "key G\n"
                                      "wait-idle\n"
                                      "save-display @/big_follow_end.txt\n"
                                      "key Esc\n"
                                      "wait-idle\n"
                                      "save-display @/big_detail_loaded.txt\n"};
    assert_int_equal(th_run(&s), 0);
    th_check_golden("big_follow_end");
    static const struct th_expect want[] = {
        {"big_follow_end", .has = {"lb-001233", "1,234 instances"}},
        /* the detail shows what the drill-down loaded; the group's failed count, exact now:
         * no "+" */
        {"big_detail_loaded", .has = {"1,234/1,234", "1,234      13"}, .lacks = {"13+"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    free(ds);
}

/* Sorting and filtering a group bigger than TABLE_SYNC_ROWS runs in steps: the status line
 * shows how far it got, keys keep moving the cursor over the old order meanwhile, and the
 * cursor stays on its row once the new order is in; Esc leaves while a sort is under way. */
static void test_large_group_sorts_in_steps(void **state)
{
    (void)state;
    char *ds = big_dataset(20000);
    struct th_scenario s = {.dataset = ds,
                            .emu_rate = -1,
                            .rate = 1000,
                            .cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "key G\n"
                                      "wait-idle 60000\n"
                                      "key g\n"
                                      ":sort port\n"
                                      "save-display @/bigsort_started.txt attrs\n"
                                      "key j\n"
                                      "key j\n"
                                      "save-display @/bigsort_moved.txt attrs\n"
                                      "wait-idle\n"
                                      "save-display @/bigsort_done.txt attrs\n"
                                      "key /\n"
                                      "keys lb-0001\n"
                                      "key Enter\n"
                                      "save-display @/bigsort_filtering.txt\n"
                                      "wait-idle\n"
                                      "save-display @/bigsort_filtered.txt\n"
                                      "key /\n"
                                      "key C-u\n"
                                      "key Enter\n"
                                      ":sort id desc\n"
                                      "save-display @/bigsort_again.txt\n"
                                      "key Esc\n"
                                      "save-display @/bigsort_left.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"bigsort_started", .has = {"20,000 instances", "sorting "}, .lacks = {"sorting 99%"}},
        {"bigsort_moved", .has = {"sorting "}},
        {"bigsort_done", .has = {"Port▲"}, .lacks = {"sorting"}},
        {"bigsort_filtering", .has = {"filtering "}},
        {"bigsort_filtered", .has = {"100 shown by /lb-0001", "lb-000197"}, .lacks = {"filtering"}},
        {"bigsort_again", .has = {"sorting "}},
        {"bigsort_left", .has = {"resource groups"}, .lacks = {"sorting"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    /* While sorting, the rows were still in server order and j moved the cursor over them: the
     * cursor is on the third row, Id 100002. */
    char *moved = th_display("bigsort_moved");
    int first;
    assert_int_equal(th_cursor_rows(moved, &first), 1);
    char *row = th_row(moved, first);
    th_assert_contains(row, "100002");
    /* Once sorted by port (443, 444, 445, cycling), 100002 (port 445) comes after the 13,334
     * rows of 443 and 444; the cursor went with it. */
    char *done = th_display("bigsort_done");
    assert_int_equal(th_cursor_rows(done, &first), 1);
    char *drow = th_row(done, first);
    th_assert_contains(drow, "100002");
    th_assert_contains(drow, "445");
    free(moved);
    free(row);
    free(done);
    free(drow);
    free(ds);
}

/* ---- writes, read-only, bindings, commands ----------------------------------------------- */

static void test_read_only_refuses(void **state)
{
    (void)state;
    struct th_scenario s = {.read_only = true,
                            .script = "wait-idle\n"
                                      "key R\n"
                                      "save-display @/ro.txt\n"
                                      "key j\n"
                                      "key T\n"
                                      "save-display @/ro_retry.txt\n"
                                      "key L\n"
                                      "save-display @/ro_log.txt\n"
                                      "key Esc\n"
                                      "key G\n"
                                      "key T\n"
                                      "save-display @/ro_retry_ok.txt\n"
                                      "key /\n"
                                      "keys kind:x\n"
                                      "save-display @/ro_bad_field.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"ro", .has = {"read-only mode: rollback refused", "read-only"}},
        {"ro_retry", .has = {"read-only mode: retry refused"}},
        {"ro_log", .lacks = {"UploadUpdateCertificateRecord"}}, /* nothing was sent */
        {"ro_retry_ok", .has = {"record #101 has not failed: nothing to retry"}},
        {"ro_bad_field", .has = {"no column 'kind' here"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* Dataset: 101 (cos 1) succeeded, 103 (clb 2, cdn 2) failed with 2 failed items. The
 * questions say what a record-wide write touches once the record's detail is in the store,
 * and say so when it is not, instead of guessing. */
static void test_rollback_and_retry(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key G\n"
                                      "key R\n"
                                      "save-display @/confirm.txt\n"
                                      "key y\n"
                                      "key Esc\n"
                                      "save-display @/cancelled.txt\n"
                                      "key R\n"
                                      "keys 10\n"
                                      "save-display @/typing.txt\n"
                                      "key Enter\n"
                                      "save-display @/wrong_id.txt\n"
                                      "key R\n"
                                      "keys 101\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/rolled.txt\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/rolled_detail.txt\n"
                                      "key Esc\n"
                                      "key R\n"
                                      "save-display @/confirm_loaded.txt\n"
                                      "key Esc\n"
                                      "key g\n"
                                      "key j\n"
                                      "key T\n"
                                      "save-display @/retry_all_unloaded.txt\n"
                                      "key n\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key T\n"
                                      "save-display @/retry_all.txt\n"
                                      "key n\n"
                                      "key R\n"
                                      "save-display @/confirm_groups.txt\n"
                                      "key Esc\n"
                                      "key Esc\n"
                                      "key T\n"
                                      "save-display @/retry_all_records.txt\n"
                                      "key n\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key n\n"
                                      "key T\n"
                                      "key y\n"
                                      "wait-idle\n"
                                      "save-display @/retried.txt\n"
                                      "key L\n"
                                      "save-display @/writes_log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"confirm", .has = {"Roll back record #101 (resource count not loaded yet) back to the old "
                            "certificate? Type 101 to confirm:"}},
        /* y alone does not roll back: it is typed, and Esc cancels */
        {"cancelled", .has = {"cancelled"}, .lacks = {"sent"}},
        {"typing", .has = {"Type 101 to confirm: 10"}},
        {"wrong_id", .has = {"cancelled: '10' is not 101"}, .lacks = {"sent"}},
        {"rolled", .has = {"rollback of record #101 accepted"}},
        {"rolled_detail", .has = {"rollback"}},
        /* the latest deploy run, not the rollback run that followed it */
        {"confirm_loaded",
         .has = {"Roll back record #101 \xe2\x80\x94 1 resource (cos 1) back to the old "
                 "certificate? Type 101 to confirm:"}},
        {"retry_all_unloaded",
         .has = {"Retry every failed item of record #103 (count not loaded yet)? [y/N]"}},
        {"retry_all", .has = {"Retry the 2 failed items of record #103? [y/N]"}},
        {"confirm_groups",
         .has = {"Roll back record #103 \xe2\x80\x94 4 resources (clb 2, cdn 2) back to the old "
                 "certificate? Type 103 to confirm:"}},
        {"retry_all_records", .has = {"Retry the 2 failed items of record #103? [y/N]"}},
        {"retried", .has = {"retry of item 5002 (record #103) accepted"}},
        {"writes_log",
         .has = {"UploadUpdateCertificateRecordRollback", "UploadUpdateCertificateRecordRetry"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

static void test_bindings_and_commands(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 140,
                            .lines = 30,
                            .config_text = "bind records x raw-json\n"
                                           "bind global C-e move-down\n"
                                           "bind records y no-such-action\n"
                                           "bind nowhere z quit\n"
                                           "bind json d rollback\n",
                            .script = "wait-idle\n"
                                      "save-display @/start.txt\n"
                                      "key x\n"
                                      "save-display @/bound_json.txt\n"
                                      "key Esc\n"
                                      "key L\n"
                                      "key j\n"
                                      "save-display @/diag1.txt\n"
                                      "key j\n"
                                      "save-display @/diag2.txt\n"
                                      "key j\n"
                                      "save-display @/diag3.txt\n"
                                      "key Esc\n"
                                      "key ?\n"
                                      "save-display @/help_bound.txt\n"
                                      "key Esc\n"
                                      ":record 102\n"
                                      "wait-idle\n"
                                      "save-display @/cmd_record.txt\n"
                                      ":cert Rt5Yw8Zn\n"
                                      "wait-idle\n"
                                      "save-display @/cmd_cert.txt\n"
                                      ":nonsense\n"
                                      "save-display @/cmd_bad.txt\n"
                                      ":cert\n"
                                      "wait-idle\n"
                                      "key :\n"
                                      "keys filter Qa9\n"
                                      "save-display @/cmd_typing.txt\n"
                                      "key Enter\n"
                                      "save-display @/cmd_filter.txt\n"
                                      ":q\n"
                                      "save-display @/never.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"start", .has = {"3 configuration problems"}},
        {"bound_json", .has = {"\"OldCertId\": \"Kx7Pq2Lm\""}},
        {"help_bound", .has = {"x"}},
        {"cmd_record", .has = {"Records \xe2\x80\xba #102"}},
        {"cmd_cert", .has = {"Records (cert Rt5Yw8Zn)", "1 record"}, .lacks = {"Kx7Pq2Lm"}},
        {"cmd_bad", .has = {"unknown command :nonsense"}},
        {"cmd_filter", .has = {"101"}, .lacks = {"Kx7Pq2Lm"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    /* The three notes, one per selected row of the event log, shown in full below it. */
    struct buf all = {0};
    for (int i = 1; i <= 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "diag%d", i);
        char *t = th_display(name);
        buf_puts(&all, t);
        free(t);
    }
    th_assert_contains(all.data, "unknown action 'no-such-action'");
    th_assert_contains(all.data, "unknown context 'nowhere'");
    th_assert_contains(all.data, "'rollback' in context 'json'");
    buf_free(&all);
    char *never = th_saved_path("never");
    assert_int_equal(access(never, F_OK), -1); /* :q ended the script */
    free(never);
}

/* Themes become colour pairs: the mono theme has none, high-contrast paints every cell, an
 * unknown theme falls back to the built-in look and says so. */
static void test_themes(void **state)
{
    (void)state;
    struct th_scenario mono = {.config_text = "theme mono\n",
                               .script = "wait-idle\nsave-display @/mono.txt attrs\n"};
    assert_int_equal(th_run(&mono), 0);
    struct th_scenario hc = {.config_text = "theme high-contrast\n",
                             .script = "wait-idle\nsave-display @/hc.txt attrs\n"};
    assert_int_equal(th_run(&hc), 0);
    struct th_scenario bad = {.config_text = "theme nosuch-theme\n",
                              .script = "wait-idle\n"
                                        "save-display @/bad.txt attrs\n"
                                        "key L\n"
                                        "key j\n"
                                        "save-display @/bad_log.txt\n"};
    assert_int_equal(th_run(&bad), 0);
    static const struct th_expect want[] = {
        /* the failed row still stands out */
        {"mono", .has = {"bold,underline"}, .lacks = {"fg="}, .from = "-- attributes --"},
        {"hc", .has = {"\n10: 0-79 fg=bright-white bg=black;"},
         .from = "-- attributes --"}, /* an empty row */
        {"bad",
         .has = {"1 configuration problem: L shows it", "fg=red"}}, /* the built-in colours */
        {"bad_log", .has = {"nosuch-theme"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

static void test_script_errors_fail_loudly(void **state)
{
    (void)state;
    struct th_scenario s = {.script = "key NoSuchKey\n"};
    assert_int_not_equal(th_run(&s), 0);
    struct th_scenario s2 = {.script = "frobnicate\n"};
    assert_int_not_equal(th_run(&s2), 0);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_walk_80x24),
        TH_TEST(test_walk_120x40),
        TH_TEST(test_walk_80x24_no_color),
        TH_TEST(test_walk_120x40_no_color),
        TH_TEST(test_walk_content),
        TH_TEST(test_overlay_keeps_loading),
        TH_TEST(test_help),
        TH_TEST(test_filter_and_sort),
        TH_TEST(test_error_state),
        TH_TEST(test_too_small_and_resize),
        TH_TEST(test_hostile),
        TH_TEST(test_hostile_80x24_ascii),
        TH_TEST(test_large_group_paging),
        TH_TEST(test_large_group_follow_end),
        TH_TEST(test_large_group_sorts_in_steps),
        TH_TEST(test_read_only_refuses),
        TH_TEST(test_rollback_and_retry),
        TH_TEST(test_bindings_and_commands),
        TH_TEST(test_themes),
        TH_TEST(test_script_errors_fail_loudly),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
