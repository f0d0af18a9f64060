/* The mouse in the scripted TUI against the real emulator: a script's click and wheel lines
 * go through ncurses' mouse queue and the same handler as a terminal's KEY_MOUSE. A click
 * selects, a double click opens, the wheel moves, a breadcrumb goes back to its screen, and
 * clicks anywhere else (or while a question is open, or with the mouse off) change nothing. */
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
#include "tui/config.h"
#include "tui/harness.h"

/* dataset_small.json at 80x24: row 0 breadcrumbs, 1 summary, 2 table header, 3-6 the records
 * 104, 103, 102, 101 (newest first), 23 the status line. */
#define ROW_104 3
#define ROW_103 4
#define ROW_102 5
#define ROW_101 6

/* Runs script at 80x24 on dataset_small.json, with the mouse on or off; returns app_run's
 * exit code. */
static int run(const char *script, bool mouse)
{
    return th_run(&(struct th_scenario){.mouse = mouse, .script = script});
}

/* The screen column where needle starts in a row of text (every character here is one
 * column wide). */
static int column_of(const char *line, const char *needle)
{
    const char *at = strstr(line, needle);
    assert_non_null(at);
    int col = 0;
    for (const char *p = line; p < at; p++)
        col += ((unsigned char)*p & 0xc0) != 0x80;
    return col;
}

static void assert_cursor_on(const char *name, int row)
{
    char *t = th_display(name);
    int first;
    int n = th_cursor_rows(t, &first);
    if (n != 1 || first != row)
        fprintf(stderr, "%s: %d cursor rows, first %d (want row %d):\n%s\n", name, n, first, row,
                t);
    assert_int_equal(n, 1);
    assert_int_equal(first, row);
    free(t);
}

/* ---- click, double click, wheel ---------------------------------------------------------- */

static void test_click_selects_double_click_opens(void **state)
{
    (void)state;
    char script[512];
    snprintf(script, sizeof script,
             "wait-idle\n"
             "save-display @/start.txt attrs\n"
             "click %d 10\n"
             "save-display @/clicked.txt attrs\n"
             "key Enter\n"
             "wait-idle\n"
             "save-display @/opened_by_key.txt\n"
             "key Esc\n"
             "click %d 40 double\n"
             "wait-idle\n"
             "save-display @/opened_by_double.txt\n",
             ROW_102, ROW_103);
    assert_int_equal(run(script, true), 0);
    assert_cursor_on("start", ROW_104);
    assert_cursor_on("clicked", ROW_102);
    char *crumbs = th_saved_row("opened_by_key", 0);
    th_assert_contains(crumbs, "Records \xe2\x80\xba #102"); /* the click selected 102 */
    free(crumbs);
    char *t = th_display("opened_by_double");
    crumbs = th_row(t, 0);
    th_assert_contains(crumbs, "Records \xe2\x80\xba #103");
    free(crumbs);
    th_assert_contains(t, "Record #103");
    free(t);
}

/* In a detail, a double click on a group opens its instances; a single click on a run
 * selects it and shows its groups. */
static void test_click_in_detail(void **state)
{
    (void)state;
    char script[512];
    snprintf(script, sizeof script,
             "wait-idle\n"
             "click %d 10 double\n"
             "wait-idle\n"
             "save-display @/detail.txt\n"
             /* runs at rows 3-4 (1 deploy, 2 rollback); the groups table below the rule */
             "click 4 20\n"
             "save-display @/run2.txt\n"
             "click 7 4 double\n"
             "wait-idle\n"
             "save-display @/items.txt\n",
             ROW_102);
    assert_int_equal(run(script, true), 0);
    char *groups_rule = th_saved_row("detail", 5);
    th_assert_contains(groups_rule, "run 1 deploy");
    free(groups_rule);
    groups_rule = th_saved_row("run2", 5);
    th_assert_contains(groups_rule, "run 2 rollback"); /* the click selected the rollback run */
    free(groups_rule);
    char *t = th_display("items");
    char *crumbs = th_row(t, 0);
    th_assert_contains(crumbs, "#102 \xe2\x80\xba run 2 rollback \xe2\x80\xba tke");
    free(crumbs);
    th_assert_contains(t, "cls-a1b2c3d4");
    free(t);
}

static void test_wheel_moves(void **state)
{
    (void)state;
    assert_int_equal(run("wait-idle\n"
                         "wheel down 10 10\n"
                         "save-display @/down.txt attrs\n"
                         "wheel down 10 10\n"
                         "save-display @/down2.txt attrs\n"
                         "wheel up 4 10\n"
                         "save-display @/up.txt attrs\n"
                         "key ?\n"
                         "save-display @/help.txt\n"
                         "wheel down 12 30\n"
                         "save-display @/help_down.txt\n"
                         "wheel up 12 30\n"
                         "save-display @/help_up.txt\n",
                         true),
                     0);
    assert_cursor_on("down", ROW_101);  /* three rows down from 104 */
    assert_cursor_on("down2", ROW_101); /* the last row stays the last */
    assert_cursor_on("up", ROW_104);    /* three up from 101 */
    /* The help text scrolls by three lines and back. */
    char *before = th_display("help"), *after = th_display("help_down"),
         *back = th_display("help_up");
    char *first = th_row(before, 1), *fourth = th_row(before, 4), *now_first = th_row(after, 1);
    assert_string_not_equal(first, now_first);
    assert_string_equal(fourth, now_first);
    assert_string_equal(before, back);
    free(first);
    free(fourth);
    free(now_first);
    free(before);
    free(after);
    free(back);
}

/* ---- breadcrumbs ------------------------------------------------------------------------- */

/* Row 0 in the drill-down reads " certdeck  Records › #102 › run 2 rollback › tke": Records at
 * columns 11-17, #102 at 21-24, run 2 rollback at 28-41, tke at 45-47, "? help" at 73-78. */
static void test_breadcrumbs_go_back(void **state)
{
    (void)state;
    static const char walk[] = "key j\nkey j\nkey Enter\nwait-idle\nkey j\nkey Enter\nkey Enter\n"
                               "wait-idle\n";
    struct buf s = {0};
    buf_printf(&s,
               "wait-idle\n%s"
               "save-display @/items.txt\n"
               "click 0 46\n" /* tke: the screen we are on */
               "save-display @/same.txt\n"
               "click 0 26\n" /* the separator between #102 and run 2 */
               "save-display @/sep.txt\n"
               "click 0 22\n" /* #102 */
               "wait-idle\n"
               "save-display @/detail.txt\n"
               "key Enter\n"
               "wait-idle\n"
               "click 0 33\n" /* run 2 rollback: the detail, where that run is selected */
               "wait-idle\n"
               "save-display @/run.txt attrs\n"
               "key Enter\n"
               "wait-idle\n"
               "key Enter\n"
               "wait-idle\n"
               "save-display @/item.txt\n"
               "click 0 12\n" /* Records, from four screens deep */
               "wait-idle\n"
               "save-display @/records.txt attrs\n"
               "click 0 75\n" /* ? help */
               "save-display @/help.txt\n",
               walk);
    assert_int_equal(run(s.data, true), 0);
    buf_free(&s);

    char *items = th_display("items"), *same = th_display("same"), *sep = th_display("sep");
    char *crumbs = th_row(items, 0);
    th_assert_contains(crumbs,
                       "Records \xe2\x80\xba #102 \xe2\x80\xba run 2 rollback \xe2\x80\xba tke");
    /* The columns the clicks below aim at. */
    assert_int_equal(column_of(crumbs, "Records"), 11);
    assert_int_equal(column_of(crumbs, "#102"), 21);
    assert_int_equal(column_of(crumbs, "run 2 rollback"), 28);
    assert_int_equal(column_of(crumbs, "tke"), 45);
    assert_int_equal(column_of(crumbs, "? help"), 73);
    free(crumbs);
    assert_string_equal(items, same); /* the current screen: nothing to do */
    assert_string_equal(items, sep);  /* a separator: nothing */
    free(items);
    free(same);
    free(sep);

    char *t = th_display("detail");
    crumbs = th_row(t, 0);
    th_assert_contains(crumbs, "Records \xe2\x80\xba #102");
    assert_null(strstr(crumbs, "tke"));
    free(crumbs);
    th_assert_contains(t, "Record #102");
    free(t);

    t = th_display("run");
    crumbs = th_row(t, 0);
    assert_null(strstr(crumbs, "run 2"));
    th_assert_contains(crumbs, "#102");
    free(crumbs);
    char *rule = th_row(t, 5);
    th_assert_contains(rule, "run 2 rollback");
    free(rule);
    free(t);

    crumbs = th_saved_row("item", 0);
    th_assert_contains(crumbs, "item 4002");
    free(crumbs);
    assert_cursor_on("records", ROW_102); /* back on the list, the cursor where it was */
    crumbs = th_saved_row("records", 0);
    assert_null(strstr(crumbs, "#102"));
    free(crumbs);
    crumbs = th_saved_row("help", 0);
    th_assert_contains(crumbs, "Help");
    free(crumbs);
}

/* ---- clicks that must change nothing ----------------------------------------------------- */

static void test_clicks_elsewhere_change_nothing(void **state)
{
    (void)state;
    assert_int_equal(run("wait-idle\n"
                         "save-display @/before.txt attrs\n"
                         "click 0 2\n"  /* the title */
                         "click 0 60\n" /* empty breadcrumb row */
                         "click 1 5\n"  /* the summary */
                         "click 2 5\n"  /* the table header */
                         "click 2 5 double\n"
                         "click 12 30 double\n" /* below the last row */
                         "click 22 0\n"
                         "click 23 10 double\n" /* the status line */
                         "click 23 79\n"
                         "wheel up 23 79\n" /* at the top already */
                         "save-display @/after.txt attrs\n"
                         /* With the filter prompt open, a double click opens nothing. */
                         "key /\n"
                         "click 5 10 double\n"
                         "wheel down 5 10\n"
                         "save-display @/filter.txt attrs\n"
                         "key Esc\n"
                         /* Nor with a question open: the answer still concerns 104. */
                         "key R\n"
                         "click 4 10 double\n"
                         "click 0 12\n"
                         "save-display @/question.txt attrs\n"
                         "key Esc\n"
                         "save-display @/answered.txt attrs\n"
                         /* Nor on the "too small" screen. */
                         "resize 50 10\n"
                         "click 5 10 double\n"
                         "resize 80 24\n"
                         "save-display @/resized.txt attrs\n",
                         true),
                     0);
    char *before = th_display("before"), *after = th_display("after");
    assert_string_equal(before, after);
    char *crumbs = th_saved_row("filter", 0);
    assert_null(strstr(crumbs, "#10"));
    free(crumbs);
    assert_cursor_on("filter", ROW_104);
    char *t = th_display("question");
    th_assert_contains(t, "Roll back record #104 (resource count not loaded yet)");
    crumbs = th_row(t, 0);
    assert_null(strstr(crumbs, "#10"));
    free(crumbs);
    free(t);
    assert_cursor_on("question", ROW_104);
    t = th_display("answered");
    th_assert_contains(t, "cancelled");
    free(t);
    crumbs = th_saved_row("resized", 0);
    assert_null(strstr(crumbs, "#10"));
    free(crumbs);
    assert_cursor_on("resized", ROW_104);
    free(before);
    free(after);
}

/* Off (the default), the mouse does nothing at all: no terminal would send the events. */
static void test_mouse_off_by_default(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    assert_false(cfg.mouse);
    char script[256];
    snprintf(script, sizeof script,
             "wait-idle\n"
             "click %d 10\n"
             "wheel down 10 10\n"
             "click %d 10 double\n"
             "wait-idle\n"
             "save-display @/off.txt attrs\n",
             ROW_102, ROW_102);
    assert_int_equal(run(script, false), 0);
    assert_cursor_on("off", ROW_104);
    char *crumbs = th_saved_row("off", 0);
    assert_null(strstr(crumbs, "#102"));
    free(crumbs);
}

static void test_bad_mouse_lines_fail_the_script(void **state)
{
    (void)state;
    assert_int_not_equal(run("click 24 0\n", true), 0); /* below the screen */
    assert_int_not_equal(run("click 3 80\n", true), 0);
    assert_int_not_equal(run("click 3\n", true), 0);
    assert_int_not_equal(run("click 3 3 triple\n", true), 0);
    assert_int_not_equal(run("wheel sideways 3 3\n", true), 0);
    assert_int_not_equal(run("wheel up 3\n", true), 0);
    assert_int_equal(run("click 3 3\nwheel up 3 3\n", true), 0);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_click_selects_double_click_opens),
        TH_TEST(test_click_in_detail),
        TH_TEST(test_wheel_moves),
        TH_TEST(test_breadcrumbs_go_back),
        TH_TEST(test_clicks_elsewhere_change_nothing),
        TH_TEST(test_mouse_off_by_default),
        TH_TEST(test_bad_mouse_lines_fail_the_script),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
