/* The operator's workflow in the scripted TUI: Esc followed at once by a key (as over SSH) is
 * two keys unless Meta+key is bound; the detail's groups table and side pane agree; y and Y
 * copy, sanitized. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/harness.h"

/* "M-:" is what ncurses makes of Esc and ':' read together. Unbound, it is Esc (which closes
 * the filter prompt and restores the old filter) and then ':' (which opens the command line);
 * bound by the user, it stays one key. */
static void test_esc_then_key_is_two_keys(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .config_text = "bind records M-x raw-json\n",
                            .script = "wait-idle\n"
                                      "key /\n"
                                      "keys zzqq\n"
                                      "key M-:\n"
                                      "save-display @/esc_colon.txt\n"
                                      "key Esc\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key M-h\n"
                                      "save-display @/esc_back.txt\n"
                                      "key M-x\n"
                                      "save-display @/meta_bound.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"esc_colon", .has = {"record ID  cert ID"}, .lacks = {"zzqq"}},
        /* Esc went back from the detail, then h (back) did nothing more on the list */
        {"esc_back", .has = {"records"}, .lacks = {"Records \xe2\x80\xba"}},
        {"meta_bound", .has = {"\"OldCertId\""}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* Dataset: record 104's clb group has one item deploying and one waiting. The groups table
 * counts them in two columns, as the side pane does, not both as running. */
static void test_groups_running_and_pending_agree(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      ":record 104\n"
                                      "wait-idle\n"
                                      "save-display @/groups.txt\n"};
    assert_int_equal(th_run(&s), 0);
    char *t = th_display("groups");
    th_assert_contains(t, "Type   Total  Failed  Running  Pending  Loaded");
    th_assert_contains(t, "clb        3       0        1        1     3/3");
    th_assert_contains(t, "\xe2\x80\xa2 running                 1");
    th_assert_contains(t, "\xe2\x97\xa6 pending                 1");
    free(t);
}

/* y and Y through a clipboard command (config `clipboard`): y copies the record Id, Y the row
 * tab-separated; what reaches the clipboard is sanitized; off and a failing command say so. */
static void test_copy_through_a_command(void **state)
{
    (void)state;
    char *clip = tu_path(tu_tmp, "clip.txt");
    char config[1024];
    snprintf(config, sizeof config, "clipboard = cat > '%s'\n", clip);
    struct th_scenario s = {.cols = 120,
                            .config_text = config,
                            .script = "wait-idle\n"
                                      "key y\n"
                                      "save-display @/copied_id.txt\n"};
    assert_int_equal(th_run(&s), 0);
    char *t = th_display("copied_id");
    th_assert_contains(t, "copied 3 bytes");
    free(t);
    char *got = tu_read_file(clip, NULL);
    assert_string_equal(got, "104");
    free(got);

    s.script = "wait-idle\nkey j\nkey Y\nsave-display @/copied_row.txt\n";
    assert_int_equal(th_run(&s), 0);
    got = tu_read_file(clip, NULL);
    /* The row as shown: times in the display zone (the harness pins utc), labelled. */
    assert_string_equal(got, "103\tRt5Yw8Zn\tclb, cdn\tfailed\t2025-12-30 06:10:00+00\t"
                             "2025-12-30 06:14:05+00");
    free(got);

    /* The hostile dataset's names carry escape sequences and control characters. */
    s.dataset = "dataset_hostile.json";
    s.script = "wait-idle\nkey Y\n";
    assert_int_equal(th_run(&s), 0);
    size_t len;
    got = tu_read_file(clip, &len);
    assert_true(len > 0);
    for (size_t i = 0; i < len; i++)
        assert_true((unsigned char)got[i] >= 0x20 || got[i] == '\t');
    assert_null(strchr(got, 0x7f));
    free(got);

    struct th_scenario off = {.cols = 120,
                              .config_text = "clipboard off\n",
                              .script = "wait-idle\nkey y\nsave-display @/off.txt\n"};
    assert_int_equal(th_run(&off), 0);
    t = th_display("off");
    th_assert_contains(t, "copying is off");
    free(t);
    struct th_scenario bad = {.cols = 120,
                              .config_text = "clipboard = exit 3\n",
                              .script = "wait-idle\nkey y\nsave-display @/bad.txt\n"};
    assert_int_equal(th_run(&bad), 0);
    t = th_display("bad");
    th_assert_contains(t, "not copied: the clipboard command exited with 3");
    free(t);
    free(clip);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_esc_then_key_is_two_keys),
        TH_TEST(test_groups_running_and_pending_agree),
        TH_TEST(test_copy_through_a_command),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
