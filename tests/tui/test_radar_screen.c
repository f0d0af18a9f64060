/* The rollback radar screen (:radar) in scripted mode against the real emulator over loopback,
 * on tests/data/dataset_radar.json: one certificate rolled back twice and once more with a
 * failed rollback (median delay 30m), one that failed twice, and instances that fail across
 * records (lb-radar001 in 203, 205 and 206; cdn.example.com in 203 and 205). Golden screens at
 * 80x24 and 120x40; Tab, the filter and Enter; progress while the details fill in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/http.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/harness.h"

static const char radar_script[] = "wait-idle\n"
                                   ":radar\n"
                                   "wait-idle\n"
                                   "save-display @/radar.txt\n"
                                   "key Tab\n"
                                   "key j\n"
                                   "save-display @/radar_tab.txt attrs\n";

static void radar_at(int cols, int lines, const char *suffix)
{
    struct th_scenario s = {
        .dataset = "dataset_radar.json", .cols = cols, .lines = lines, .script = radar_script};
    assert_int_equal(th_run(&s), 0);
    static const char *const names[] = {"radar", "radar_tab"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *golden = th_rename_saved(names[i], suffix);
        th_check_golden(golden);
        free(golden);
    }
}

static void test_radar_80x24(void **state)
{
    (void)state;
    radar_at(80, 24, "80x24");
}

static void test_radar_120x40(void **state)
{
    (void)state;
    radar_at(120, 40, "120x40");
}

/* What the screen says and does, beyond the goldens: the numbers, Enter on an offender opens
 * the record it last failed in, the filter narrows the focused table, and the screen is
 * usable (certificates listed, details counted) while the details still arrive. */
static void test_radar_content(void **state)
{
    (void)state;
    struct th_scenario s = {.dataset = "dataset_radar.json",
                            .cols = 120,
                            .lines = 40,
                            .rate = 2,
                            .script = "wait-idle\n"
                                      ":radar\n"
                                      "wait-text of 5 details\n"
                                      "save-display @/filling.txt\n"
                                      "wait-idle\n"
                                      "save-display @/full.txt\n"
                                      ":filter cdn\n"
                                      "save-display @/filtered.txt\n"
                                      "key Tab\n"
                                      ":filter cdn\n"
                                      "save-display @/filtered_insts.txt\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/opened.txt\n"
                                      "key Esc\n"
                                      ":records\n"
                                      ":radar\n"
                                      "save-display @/again.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"filling", .has = {"Radar", "Ab12Cd34", "of 5 details"}},
        {"full", .has = {"5 of 5 details", "30m00s", "lb-radar001", "203,205,206"},
         .lacks = {"lb-once0001", "lb-fine0001"}},
        {"full", .has = {"回滚失败：实例<*>正在变更中", "domain <*> is not deployed on HTTPS"}},
        /* the certificates' table has no "cdn" row: the filter empties it, not the offenders */
        {"filtered", .has = {"0 shown by /cdn", "cdn.example.com"}},
        {"filtered_insts", .has = {"1 shown by /cdn", "cdn.example.com"}, .lacks = {"lb-radar001"}},
        {"opened", .has = {"#205"}},
        /* back again: the digests come from the store at once, no new fetch needed */
        {"again", .has = {"5 of 5 details", "lb-radar001"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_radar_80x24),
        TH_TEST(test_radar_120x40),
        TH_TEST(test_radar_content),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
