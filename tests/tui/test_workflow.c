/* The operator's workflow in the scripted TUI, continued: the bell when a watched record
 * finishes; e exports the rows shown as the batch commands would; the prompt line's histories
 * and Tab completion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/http.h"
#include "tui/cli/batch.h"
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

/* e on the drill-down of record 104's clb group writes exactly what `certdeck detail 104 --all
 * -o csv` prints (the record has that one group); e on the filtered record list, to a .json
 * path, writes the rows shown as JSON; an existing file is never overwritten. */
static void test_export_equals_batch_csv(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      ":record 104\n"
                                      "wait-idle\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key e\n"
                                      "save-display @/prompt.txt\n"
                                      "key C-u\n"
                                      "keys @/items.csv\n"
                                      "key Enter\n"
                                      "save-display @/wrote.txt\n"
                                      "key e\n"
                                      "key C-u\n"
                                      "keys @/items.csv\n"
                                      "key Enter\n"
                                      "save-display @/exists.txt\n"
                                      ":records\n"
                                      "wait-idle\n"
                                      ":filter failed\n"
                                      "key e\n"
                                      "save-display @/rprompt.txt\n"
                                      "key C-u\n"
                                      "keys @/records.json\n"
                                      "key Enter\n"
                                      "save-display @/wrote_json.txt\n"};
    struct th_env env;
    th_env_start(&env, &s);
    char *script = th_expand(s.script);
    char *script_path = xasprintf("%s/script", tu_tmp);
    tu_write_file(script_path, script);
    assert_int_equal(th_app_run(env.api, &s, script_path), 0);

    char *batch_path = xasprintf("%s/batch.csv", tu_tmp);
    FILE *f = fopen(batch_path, "w");
    assert_non_null(f);
    struct batch_options o = {.format = BATCH_CSV, .all = true};
    assert_int_equal(batch_detail(env.api, 104, &o, f), 0);
    fclose(f);
    th_env_stop(&env);

    char *items_path = xasprintf("%s/items.csv", tu_tmp);
    char *exported = tu_read_file(items_path, NULL), *batch = tu_read_file(batch_path, NULL);
    assert_non_null(exported);
    assert_non_null(strstr(batch, ",clb,"));
    assert_string_equal(exported, batch);
    assert_non_null(strstr(exported, ":00+00,")); /* times converted and labelled, as shown */

    static const struct th_expect want[] = {
        {"prompt", .has = {"export to: certdeck-104-clb-", ".csv"}},
        {"wrote", .has = {"wrote 3 rows to "}},
        {"exists", .has = {"items.csv exists (pick another name)"}},
        {"rprompt", .has = {"export to: certdeck-records-"}},
        {"wrote_json", .has = {"wrote 1 row to ", "records.json"}},
    };
    th_check_displays(want, ARRAY_LEN(want));

    char *json_path = xasprintf("%s/records.json", tu_tmp);
    char *json = tu_read_file(json_path, NULL);
    cJSON *j = cJSON_Parse(json);
    assert_true(cJSON_IsArray(j));
    assert_int_equal(cJSON_GetArraySize(j), 1);
    cJSON *row;
    cJSON_ArrayForEach(row, j)
    {
        const char *st = cJSON_GetObjectItemCaseSensitive(row, "STATUS")->valuestring;
        assert_non_null(strstr(st, "fail"));
        /* JSON keeps the API's times (China time, no zone); the CSV shows them converted. */
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(row, "CREATED")->valuestring,
                            "2025-12-30 14:10:00");
    }
    cJSON_Delete(j);
    free(json);
    free(json_path);
    free(exported);
    free(batch);
    free(items_path);
    free(batch_path);
    free(script_path);
    free(script);
}

/* : and / keep their own histories (Up, Down), kept in $XDG_STATE_HOME/certdeck/ (the harness
 * points it into the test's temp dir) and there at the next start; Tab completes command
 * names. */
static void test_prompt_history_and_completion(void **state)
{
    (void)state;
    struct th_scenario s = {.cols = 120,
                            .script = "wait-idle\n"
                                      "key :\n"
                                      "keys record 104\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key :\n"
                                      "keys rec\n"
                                      "key Tab\n"
                                      "save-display @/tab_many.txt\n"
                                      "key Esc\n"
                                      "key :\n"
                                      "keys he\n"
                                      "key Tab\n"
                                      "keys |\n"
                                      "save-display @/tab_one.txt\n"
                                      "key Esc\n"
                                      "key :\n"
                                      "keys draft\n"
                                      "key Up\n"
                                      "save-display @/up.txt\n"
                                      "key Down\n"
                                      "save-display @/down.txt\n"
                                      "key Esc\n"
                                      "key Esc\n"
                                      "key /\n"
                                      "keys clb\n"
                                      "key Enter\n"
                                      "key /\n"
                                      "key C-u\n"
                                      "key Up\n"
                                      "save-display @/filter_up.txt\n"
                                      "key Esc\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"tab_many", .has = {":record", "commands: record records"}},
        {"tab_one", .has = {":help |"}},
        {"up", .has = {":record 104"}, .lacks = {"draft"}},
        {"down", .has = {":draft"}},
        {"filter_up", .has = {"/clb"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    char *hist_path = xasprintf("%s/state/certdeck/history", tu_tmp);
    char *filt_path = xasprintf("%s/state/certdeck/filter-history", tu_tmp);
    char *hist = tu_read_file(hist_path, NULL), *filt = tu_read_file(filt_path, NULL);
    assert_string_equal(hist, "record 104\n");
    assert_string_equal(filt, "clb\n");

    /* The next start has it: Up on a fresh command line brings the last command back. */
    struct th_scenario again = {.cols = 120,
                                .script = "wait-idle\n"
                                          "key :\n"
                                          "key Up\n"
                                          "save-display @/next_start.txt\n"
                                          "key Esc\n"};
    assert_int_equal(th_run(&again), 0);
    static const struct th_expect want2[] = {{"next_start", .has = {":record 104"}}};
    th_check_displays(want2, ARRAY_LEN(want2));
    free(hist);
    free(filt);
    free(hist_path);
    free(filt_path);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_bell_on_the_record_list),
        TH_TEST(test_bell_off_on_the_detail),
        TH_TEST(test_export_equals_batch_csv),
        TH_TEST(test_prompt_history_and_completion),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
