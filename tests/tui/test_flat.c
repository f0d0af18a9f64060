/* The drill-down of a later resource-type group in the scripted TUI against the real emulator,
 * under both readings of the detail's Limit/Offset (spec/API.md §10): inside each group, or
 * over each run's groups concatenated (flat). Either way G loads the whole group and the
 * header says "N instances", never a "loaded X of N" that stopped short. */
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

#define TWO_RECORD   31 /* clb 1,234 then cdn 200 */
#define THREE_RECORD 32 /* clb, cdn, waf: 150 each */

struct group_def {
    const char *type;
    int items;
    int first_id;
};

static const struct group_def two_groups[] = {{"clb", 1234, 100000}, {"cdn", 200, 200000}};
static const struct group_def three_groups[] = {
    {"clb", 150, 300000}, {"cdn", 150, 400000}, {"waf", 150, 500000}};

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
    char *path = tu_path(tu_tmp, "flat.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

/* Runs script at 120x30 against the dataset above served with the given paging, by an
 * emulator that never refuses (only the client limits); returns app_run's exit code. */
static int run(const char *script, enum emu_paging paging)
{
    char *ds = write_dataset();
    int rc = th_run(&(struct th_scenario){.dataset = ds,
                                          .emu_rate = -1,
                                          .paging = paging,
                                          .cols = 120,
                                          .lines = 30,
                                          .script = script});
    free(ds);
    return rc;
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
    char *t = th_display("items");
    char *head = th_row(t, 1);
    th_assert_contains(head, g->type);
    char want[64];
    snprintf(want, sizeof want, "%d instances", g->items);
    th_assert_contains(head, want);
    th_assert_lacks(head, "loaded");
    free(head);
    char last[32];
    snprintf(last, sizeof last, "%d", g->first_id + g->items - 1);
    th_assert_contains(t, last);
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
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_flat_second_of_two),
        TH_TEST(test_flat_third_of_three),
        TH_TEST(test_group_paging_same_screens),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
