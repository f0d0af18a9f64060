/* The operator's workflow in the scripted TUI: Esc followed at once by a key (as over SSH) is
 * two keys unless Meta+key is bound; the detail's groups table and side pane agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_esc_then_key_is_two_keys),
        TH_TEST(test_groups_running_and_pending_agree),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
