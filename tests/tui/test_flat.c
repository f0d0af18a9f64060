/* The drill-down of a later resource-type group in the scripted TUI against the real emulator,
 * under both readings of the detail's Limit/Offset (spec/API.md §10): inside each group, or
 * over each run's groups concatenated (flat). Either way G loads the whole group and the
 * header says "N instances", never a "loaded X of N" that stopped short. */
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
#define PINNED_UNIX  1767139200 /* 2025-12-31 00:00:00 UTC */
#define TWO_RECORD   31         /* clb 1,234 then cdn 200 */
#define THREE_RECORD 32         /* clb, cdn, waf: 150 each */

struct group_def {
    const char *type;
    int items;
    int first_id;
};

static const struct group_def two_groups[] = {{"clb", 1234, 100000}, {"cdn", 200, 200000}};
static const struct group_def three_groups[] = {
    {"clb", 150, 300000}, {"cdn", 150, 400000}, {"waf", 150, 500000}};

static char *tmp;

static int setup(void **state)
{
    (void)state;
    tmp = tu_mkdtemp("tui-flat");
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

static void put_detail(struct buf *b, int record_id, const struct group_def *g, size_t n)
{
    int total = 0;
    for (size_t k = 0; k < n; k++)
        total += g[k].items;
    buf_printf(b,
               "\"%d\":[{\"TotalCount\":%d,\"SuccessTotalCount\":%d,\"FailedTotalCount\":0,"
               "\"RunningTotalCount\":0,\"Type\":0,\"Status\":1,\"CreateTime\":"
               "\"2025-12-01 09:00:00\",\"RecordDetailList\":[",
               record_id, total, total);
    for (size_t k = 0; k < n; k++) {
        buf_printf(b, "%s{\"ResourceType\":\"%s\",\"TotalCount\":%d,\"List\":[", k ? "," : "",
                   g[k].type, g[k].items);
        for (int i = 0; i < g[k].items; i++)
            buf_printf(b,
                       "%s{\"Id\":%d,\"OldCertId\":\"FlatCert\",\"InstanceId\":\"ins-%06d\","
                       "\"Domains\":[\"d%d.example.com\"],\"Status\":1,\"ErrorMsg\":\"\","
                       "\"ResourceType\":\"%s\"}",
                       i ? "," : "", g[k].first_id + i, i, i, g[k].type);
        buf_puts(b, "]}");
    }
    buf_puts(b, "]}]");
}

static char *write_dataset(void)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[");
    for (int id = TWO_RECORD; id <= THREE_RECORD; id++)
        buf_printf(&b,
                   "%s{\"Id\":%d,\"OldCertId\":\"FlatCert\",\"ResourceTypes\":[\"clb\",\"cdn\"],"
                   "\"Status\":1,\"CreateTime\":\"2025-12-01 09:00:00\",\"UpdateTime\":"
                   "\"2025-12-01 09:30:00\"}",
                   id == TWO_RECORD ? "" : ",", id);
    buf_puts(&b, "],\"Details\":{");
    put_detail(&b, TWO_RECORD, two_groups, 2);
    buf_putc(&b, ',');
    put_detail(&b, THREE_RECORD, three_groups, 3);
    buf_puts(&b, "}}");
    char *path = tu_path(tmp, "flat.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

/* Runs script ('@' stands for the temp dir) at 120x30 against the dataset above served with
 * the given paging; returns app_run's exit code. */
static int run(const char *script, enum emu_paging paging)
{
    char *ds = write_dataset();
    char err[512];
    struct emu_config ec = {.dataset_file = ds,
                            .clock_offset_s = PINNED_UNIX - now_unix(),
                            .paging = paging,
                            .rate = -1}; /* the server never refuses: only the client limits */
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
                             .script = sp,
                             .script_cols = 120,
                             .script_lines = 30};
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

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fprintf(stderr, "\"%s\" not in:\n%s\n", needle, hay);
    assert_non_null(strstr(hay, needle));
}

/* Opens record_id, moves `down` rows in its groups table, drills into that group, presses G
 * and waits; the saved display's header (row 1) names the group and says it is whole, and the
 * group's last instance is on screen. */
static void drill_last(enum emu_paging paging, int record_id, int down, const struct group_def *g)
{
    char moves[32] = "";
    for (int i = 0; i < down; i++)
        strcat(moves, "key j\n");
    char script[512];
    snprintf(script, sizeof script,
             "wait-idle\n"
             ":record %d\n"
             "wait-idle\n"
             "key Tab\n"
             "%s"
             "key Enter\n"
             "wait-idle\n"
             "key G\n"
             "wait-idle\n"
             "save-display @/items.txt\n",
             record_id, moves);
    assert_int_equal(run(script, paging), 0);
    char *t = display("items");
    char *head = row_of(t, 1);
    assert_contains(head, g->type);
    char want[64];
    snprintf(want, sizeof want, "%d instances", g->items);
    assert_contains(head, want);
    if (strstr(head, "loaded")) fprintf(stderr, "header: %s\n", head);
    assert_null(strstr(head, "loaded"));
    free(head);
    char last[32];
    snprintf(last, sizeof last, "%d", g->first_id + g->items - 1);
    assert_contains(t, last);
    free(t);
}

static void test_flat_second_of_two(void **state)
{
    (void)state;
    drill_last(EMU_PAGING_FLAT, TWO_RECORD, 1, &two_groups[1]);
}

static void test_flat_third_of_three(void **state)
{
    (void)state;
    drill_last(EMU_PAGING_FLAT, THREE_RECORD, 2, &three_groups[2]);
}

static void test_group_paging_same_screens(void **state)
{
    (void)state;
    drill_last(EMU_PAGING_GROUP, TWO_RECORD, 1, &two_groups[1]);
    drill_last(EMU_PAGING_GROUP, THREE_RECORD, 2, &three_groups[2]);
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8"))
        setlocale(LC_ALL, "en_US.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flat_second_of_two, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flat_third_of_three, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_paging_same_screens, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
