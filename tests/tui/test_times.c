/* Times on the TUI's screens in the display zone, labelled: the record list, the detail's
 * summary and runs, and the item pane all on one clock, here America/New_York (the goldens
 * run in utc). The zone is set before the emulator's threads start, as main.c does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/timefmt.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/harness.h"

/* dataset_small.json, record 102: created 2025-12-28 09:00:00 China time (01:00 UTC), updated
 * 11:31:10; run 2 (rollback) at 11:30:00; run 1's item 4001 created 01:00:00Z, updated
 * 01:02:30Z. In New York (EST, UTC-5) that is the evening before. */
static void test_one_zone_on_every_screen(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(timefmt_set_zone("America/New_York", err, sizeof err), 0);
    struct th_scenario s = {.cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "save-display @/records.txt\n"
                                      ":record 102\n"
                                      "wait-idle\n"
                                      "save-display @/detail.txt\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/item.txt\n"};
    int rc = th_run(&s);
    assert_int_equal(timefmt_set_zone("utc", err, sizeof err), 0);
    assert_int_equal(rc, 0);
    static const struct th_expect want[] = {
        {"records",
         .has = {"Created                Updated", "2025-12-27 20:00:00-05 2025-12-27 22:31:10-05",
                 "2025-12-31 21:00:00-05 2025-12-31 21:00:41-05"},
         .lacks = {"2025-12-28 09:00:00", "+08"}},
        {"detail", .has = {"created 2025-12-27 20:00:00-05", "2025-12-27 22:30:00-05 +2h30m"},
         .lacks = {"09:00:00"}},
        {"item",
         .has = {"Created          2025-12-27 20:00:00-05",
                 "Updated          2025-12-27 20:02:30-05"},
         .lacks = {"T01:00:00"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_one_zone_on_every_screen),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
