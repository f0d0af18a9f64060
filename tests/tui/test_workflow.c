/* The operator's workflow in the scripted TUI, continued: the bell when a watched record
 * finishes. */
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

/* dataset_finishing.json: record 37 deploys one clb item whose UpdateTime is TH_PINNED_UNIX +
 * 2 s. The emulator's schedule hashes (item Id, that time): item 10575 was picked so that it
 * finishes, failed, 3 s later, a few seconds into the test. Watched on the record list, the
 * finish rings once and says so; the event log counts the bells. */
static void test_bell_on_the_record_list(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .dataset = "dataset_finishing.json",
                            .script = "wait-idle\n"
                                      "save-display @/before.txt\n"
                                      "refresh-until finished\n"
                                      "save-display @/finished.txt\n"
                                      "key L\n"
                                      "wait-idle\n"
                                      "key /\n"
                                      "keys finished\n"
                                      "key Enter\n"
                                      "save-display @/log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"before", .has = {"deploying"}, .lacks = {"finished"}},
        {"finished", .has = {"record 37 finished: failed"}},
        {"log", .has = {"record 37 finished: failed (bell 1)"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* The same finish watched on the record's detail, with bell = off: said, not rung. */
static void test_bell_off_on_the_detail(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .dataset = "dataset_finishing.json",
                            .config_text = "bell = off\n",
                            .script = "wait-idle\n"
                                      ":record 37\n"
                                      "wait-idle\n"
                                      "refresh-until finished\n"
                                      "save-display @/finished.txt\n"
                                      "key L\n"
                                      "wait-idle\n"
                                      "key /\n"
                                      "keys finished\n"
                                      "key Enter\n"
                                      "save-display @/log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"finished", .has = {"record 37 finished: failed"}},
        {"log", .has = {"record 37 finished: failed (bell off, quiet 1)"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_bell_on_the_record_list),
        TH_TEST(test_bell_off_on_the_detail),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
