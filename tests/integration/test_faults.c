/* Random faults (--fault-rate): the batch CLI's complete reads under a flaky network give
 * exactly the bytes of a fault-free run. The real certdeck binary runs against in-process
 * emulators whose data clock is pinned (--clock), so two runs of one configuration serve the
 * same bytes; the figures (kinds x rates, requests with and without faults) are printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/emulator/emulator.h"
#include "core/util.h"
#include "testutil.h"

#define PINNED_UNIX 1767139200 /* 2025-12-31 00:00:00 UTC */
#define BIG_RECORD  "37"       /* seed 1: a clb group of 5,000 instances */

static const struct emu_config base_cfg = {.seed = 1, .rate = -1, .data_clock_unix = PINNED_UNIX};

/* stdout of "$CERTDECK_BIN --endpoint URL <args>" (exit code 0 asserted). */
static char *cli(const struct emu *e, const char *args)
{
    char outp[] = "/tmp/certdeck-faults-XXXXXX";
    int fd = mkstemp(outp);
    assert_true(fd >= 0);
    close(fd);
    char *cmd = xasprintf("'%s' --endpoint %s --rate 500 --timeout 0.5 %s </dev/null >%s",
                          getenv("CERTDECK_BIN"), emu_url(e), args, outp);
    int st = system(cmd);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("'%s' failed (%d)", cmd, st);
    char *out = tu_read_file(outp, NULL);
    unlink(outp);
    free(cmd);
    assert_non_null(out);
    return out;
}

static const char *const reads[] = {"records --all -o json", "detail " BIG_RECORD " --all -o json",
                                    "detail 2 --all -o json"};

static int group_setup(void **state)
{
    (void)state;
    setenv("TENCENTCLOUD_SECRET_ID", EMU_DEMO_SECRET_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", EMU_DEMO_SECRET_KEY, 1);
    setenv("no_proxy", "*", 1);
    return 0;
}

/* Two emulators of one configuration, started apart, serve the same bytes. */
static void test_fault_free_rerun_is_identical(void **state)
{
    (void)state;
    struct emu *a = tu_emu_start(&base_cfg);
    char *first[ARRAY_LEN(reads)];
    for (size_t i = 0; i < ARRAY_LEN(reads); i++)
        first[i] = cli(a, reads[i]);
    emu_stop(a);
    sleep_ms(1100); /* a generated time taken from the wall clock would move */
    struct emu *b = tu_emu_start(&base_cfg);
    for (size_t i = 0; i < ARRAY_LEN(reads); i++) {
        char *again = cli(b, reads[i]);
        assert_string_equal(first[i], again);
        free(again);
        free(first[i]);
    }
    emu_stop(b);
}

/* Each kind set at each rate: the same bytes as without faults, after retries. */
static void test_random_faults_give_identical_output(void **state)
{
    (void)state;
    struct emu *e = tu_emu_start(&base_cfg);
    char *want[ARRAY_LEN(reads)];
    uint64_t before = emu_request_count(e);
    for (size_t i = 0; i < ARRAY_LEN(reads); i++)
        want[i] = cli(e, reads[i]);
    uint64_t clean_requests = emu_request_count(e) - before;
    assert_non_null(strstr(want[1], "\"TotalCount\":\t5000"));

    static const char *const kind_sets[] = {
        "http-500,http-503,reset,timeout,truncated,garbage,wrong-types,rate-limit,internal",
        "truncated,garbage,wrong-types", "reset,http-503"};
    static const double rates[] = {0.1, 0.3};
    for (size_t k = 0; k < ARRAY_LEN(kind_sets); k++) {
        unsigned kinds;
        assert_int_equal(emu_fault_kinds_from_list(kind_sets[k], &kinds), 0);
        for (size_t r = 0; r < ARRAY_LEN(rates); r++) {
            emu_set_random_faults(e, rates[r], 1000 + k * 10 + r, kinds);
            before = emu_request_count(e);
            for (size_t i = 0; i < ARRAY_LEN(reads); i++) {
                char *got = cli(e, reads[i]);
                assert_string_equal(want[i], got);
                free(got);
            }
            uint64_t n = emu_request_count(e) - before;
            printf("faults %-84s rate %.1f: output identical, %llu requests (%llu without)\n",
                   kind_sets[k], rates[r], (unsigned long long)n,
                   (unsigned long long)clean_requests);
            if (rates[r] >= 0.3) assert_true(n > clean_requests); /* faults struck, retried */
        }
    }
    emu_set_random_faults(e, 0, 0, 0);
    for (size_t i = 0; i < ARRAY_LEN(reads); i++)
        free(want[i]);
    emu_stop(e);
}

/* One seed gives the same faults whatever the order of requests: the same request draws the
 * same fault on its first arrival, and may draw another when retried. */
static void test_kinds_list(void **state)
{
    (void)state;
    unsigned kinds;
    assert_int_equal(emu_fault_kinds_from_list("reset,Truncated,503", &kinds), 0);
    assert_int_equal(kinds, (1u << EMU_FAULT_RESET) | (1u << EMU_FAULT_TRUNCATED) |
                                (1u << EMU_FAULT_HTTP_503));
    assert_int_equal(emu_fault_kinds_from_list("reset,nope", &kinds), -1);
    assert_int_equal(emu_fault_kinds_from_list("", &kinds), -1);
    assert_int_equal(emu_fault_kinds_from_list("none", &kinds), -1);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_list),
        cmocka_unit_test(test_fault_free_rerun_is_identical),
        cmocka_unit_test(test_random_faults_give_identical_output),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
