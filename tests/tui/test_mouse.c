/* The mouse in the scripted TUI against the real emulator: a script's click and wheel lines
 * go through ncurses' mouse queue and the same handler as a terminal's KEY_MOUSE. A click
 * selects, a double click opens, the wheel moves, a breadcrumb goes back to its screen, and
 * clicks anywhere else (or while a question is open, or with the mouse off) change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/api.h"
#include "core/creds.h"
#include "core/emulator/emulator.h"
#include "core/http.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/app.h"
#include "tui/config.h"

/* The emulator's clock is pinned before every time in the dataset, so nothing in it moves. */
#define PINNED_UNIX 1767139200 /* 2025-12-31 00:00:00 UTC */

/* dataset_small.json at 80x24: row 0 breadcrumbs, 1 summary, 2 table header, 3-6 the records
 * 104, 103, 102, 101 (newest first), 23 the status line. */
#define ROW_104 3
#define ROW_103 4
#define ROW_102 5
#define ROW_101 6

static char *tmp;

static int setup(void **state)
{
    (void)state;
    tmp = tu_mkdtemp("tui-mouse");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rm_rf(tmp);
    free(tmp);
    tmp = NULL;
    return 0;
}

/* Runs script ('@' stands for the temp dir) at 80x24 on dataset_small.json; returns app_run's
 * exit code. */
static int run(const char *script, bool mouse)
{
    char *ds = tu_testdata("dataset_small.json");
    char err[512];
    struct emu_config ec = {.dataset_file = ds, .clock_offset_s = PINNED_UNIX - now_unix()};
    struct emu *e = emu_start(&ec, err, sizeof err);
    if (!e) fprintf(stderr, "emu_start: %s\n", err);
    assert_non_null(e);

    struct creds cr;
    memset(&cr, 0, sizeof cr);
    strlcpy_safe(cr.secret_id, EMU_DEMO_SECRET_ID, sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, EMU_DEMO_SECRET_KEY, sizeof cr.secret_key);
    struct api_config ac = {
        .endpoint = emu_url(e), .rate = 100, .clock_skew_s = PINNED_UNIX - now_unix()};
    struct api_error aerr;
    struct api_client *api = api_client_new(&ac, &cr, &aerr);
    assert_non_null(api);

    struct config cfg;
    config_defaults(&cfg);
    struct buf text = {0};
    for (const char *p = script; *p; p++) {
        if (*p == '@')
            buf_puts(&text, tmp);
        else
            buf_putc(&text, *p);
    }
    char *sp = tu_path(tmp, "script");
    tu_write_file(sp, text.data);
    buf_free(&text);

    struct app_options ao = {.endpoint_label = "emulator",
                             .profile_label = "test",
                             .config = &cfg,
                             .mouse = mouse,
                             .script = sp,
                             .script_cols = 80,
                             .script_lines = 24};
    int rc = app_run(api, &ao);
    api_client_free(api);
    emu_stop(e);
    free(sp);
    free(ds);
    return rc;
}

static char *display(const char *name)
{
    char *file = xasprintf("%s.txt", name);
    char *path = tu_path(tmp, file);
    char *text = tu_read_file(path, NULL);
    if (!text) fprintf(stderr, "the script did not save %s\n", path);
    assert_non_null(text);
    free(path);
    free(file);
    return text;
}

/* Row y of a saved display (the text part), as a heap string. */
static char *row_of(const char *text, int y)
{
    const char *p = text;
    for (int i = 0; i < y && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    assert_non_null(p);
    return xstrndup(p, strcspn(p, "\n"));
}

/* The rows drawn in the cursor style (bg=cyan in the built-in theme) in a display saved with
 * attrs; returns how many, the first in *first. */
static int cursor_rows(const char *text, int *first)
{
    const char *attrs = strstr(text, "-- attributes --\n");
    assert_non_null(attrs);
    int n = 0;
    *first = -1;
    for (const char *p = attrs; (p = strchr(p, '\n')) != NULL;) {
        p++;
        int y;
        if (sscanf(p, "%d:", &y) != 1) continue;
        char *line = xstrndup(p, strcspn(p, "\n"));
        if (strstr(line, "bg=cyan") && !strstr(line, "bg=default")) {
            if (n++ == 0) *first = y;
        }
        free(line);
    }
    return n;
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

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, hay);
    assert_non_null(strstr(hay, needle));
}

static void assert_cursor_on(const char *name, int row)
{
    char *t = display(name);
    int first;
    int n = cursor_rows(t, &first);
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
    char *t = display("opened_by_key");
    char *crumbs = row_of(t, 0);
    assert_contains(crumbs, "Records \xe2\x80\xba #102"); /* the click selected 102 */
    free(crumbs);
    free(t);
    t = display("opened_by_double");
    crumbs = row_of(t, 0);
    assert_contains(crumbs, "Records \xe2\x80\xba #103");
    free(crumbs);
    assert_contains(t, "Record #103");
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
    char *t = display("detail");
    char *groups_rule = row_of(t, 5);
    assert_contains(groups_rule, "run 1 deploy");
    free(groups_rule);
    free(t);
    t = display("run2");
    groups_rule = row_of(t, 5);
    assert_contains(groups_rule, "run 2 rollback"); /* the click selected the rollback run */
    free(groups_rule);
    free(t);
    t = display("items");
    char *crumbs = row_of(t, 0);
    assert_contains(crumbs, "#102 \xe2\x80\xba run 2 rollback \xe2\x80\xba tke");
    free(crumbs);
    assert_contains(t, "cls-a1b2c3d4");
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
    char *before = display("help"), *after = display("help_down"), *back = display("help_up");
    char *first = row_of(before, 1), *fourth = row_of(before, 4), *now_first = row_of(after, 1);
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

    char *items = display("items"), *same = display("same"), *sep = display("sep");
    char *crumbs = row_of(items, 0);
    assert_contains(crumbs,
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

    char *t = display("detail");
    crumbs = row_of(t, 0);
    assert_contains(crumbs, "Records \xe2\x80\xba #102");
    assert_null(strstr(crumbs, "tke"));
    free(crumbs);
    assert_contains(t, "Record #102");
    free(t);

    t = display("run");
    crumbs = row_of(t, 0);
    assert_null(strstr(crumbs, "run 2"));
    assert_contains(crumbs, "#102");
    free(crumbs);
    char *rule = row_of(t, 5);
    assert_contains(rule, "run 2 rollback");
    free(rule);
    free(t);

    t = display("item");
    crumbs = row_of(t, 0);
    assert_contains(crumbs, "item 4002");
    free(crumbs);
    free(t);
    assert_cursor_on("records", ROW_102); /* back on the list, the cursor where it was */
    t = display("records");
    crumbs = row_of(t, 0);
    assert_null(strstr(crumbs, "#102"));
    free(crumbs);
    free(t);
    t = display("help");
    crumbs = row_of(t, 0);
    assert_contains(crumbs, "Help");
    free(crumbs);
    free(t);
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
                         "key n\n"
                         "save-display @/answered.txt attrs\n"
                         /* Nor on the "too small" screen. */
                         "resize 50 10\n"
                         "click 5 10 double\n"
                         "resize 80 24\n"
                         "save-display @/resized.txt attrs\n",
                         true),
                     0);
    char *before = display("before"), *after = display("after");
    assert_string_equal(before, after);
    char *t = display("filter");
    char *crumbs = row_of(t, 0);
    assert_null(strstr(crumbs, "#10"));
    free(crumbs);
    free(t);
    assert_cursor_on("filter", ROW_104);
    t = display("question");
    assert_contains(t, "Roll back record #104 (resource count not loaded yet)");
    crumbs = row_of(t, 0);
    assert_null(strstr(crumbs, "#10"));
    free(crumbs);
    free(t);
    assert_cursor_on("question", ROW_104);
    t = display("answered");
    assert_contains(t, "cancelled");
    free(t);
    t = display("resized");
    crumbs = row_of(t, 0);
    assert_null(strstr(crumbs, "#10"));
    free(crumbs);
    free(t);
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
    char *t = display("off");
    char *crumbs = row_of(t, 0);
    assert_null(strstr(crumbs, "#102"));
    free(crumbs);
    free(t);
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
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8"))
        setlocale(LC_ALL, "en_US.UTF-8");
    unsetenv("NO_COLOR");
    unsetenv("XDG_CONFIG_HOME");
    http_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_click_selects_double_click_opens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_click_in_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wheel_moves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breadcrumbs_go_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clicks_elsewhere_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mouse_off_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_mouse_lines_fail_the_script, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
