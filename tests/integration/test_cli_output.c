/* Batch output that cannot be written: a full disk (/dev/full) or a pipe whose reader left.
 * The real certdeck binary runs with stdout pointed at each, and with SIGPIPE ignored (as
 * Python's subprocess, CI runners and systemd leave it) or at its default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "testutil.h"

enum out_kind { OUT_DEV_FULL, OUT_CLOSED_PIPE };

struct ran {
    int exit_code; /* -1 when killed by a signal */
    int signal;    /* the signal that ended it, or 0 */
    char *err;
};

/* Runs $CERTDECK_BIN argv[] with stdin /dev/null, stdout as `kind`, stderr captured, and
 * SIGPIPE ignored or at its default. */
static struct ran spawn_cli(enum out_kind kind, bool ignore_sigpipe, const char *const *args)
{
    const char *bin = getenv("CERTDECK_BIN");
    assert_non_null(bin);
    char errp[] = "/tmp/certdeck-out-err-XXXXXX";
    int fe = mkstemp(errp);
    assert_true(fe >= 0);
    int out = -1;
    if (kind == OUT_DEV_FULL) {
        out = open("/dev/full", O_WRONLY);
    } else {
        int p[2];
        assert_int_equal(pipe(p), 0);
        close(p[0]); /* the reader has gone before the first byte */
        out = p[1];
    }
    assert_true(out >= 0);
    char *argv[16];
    size_t n = 0;
    argv[n++] = (char *)bin;
    for (; args[n - 1]; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(out, 1);
        dup2(fe, 2);
        signal(SIGPIPE, ignore_sigpipe ? SIG_IGN : SIG_DFL);
        execv(bin, argv);
        _exit(127);
    }
    close(out);
    close(fe);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    struct ran r = {WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0,
                    tu_read_file(errp, NULL)};
    unlink(errp);
    assert_non_null(r.err);
    return r;
}

static void assert_reported(struct ran *r, const char *reason)
{
    assert_int_equal(r->signal, 0);
    assert_int_equal(r->exit_code, 7);
    char *want = xasprintf("certdeck: cannot write output: %s\n", reason);
    assert_non_null(strstr(r->err, want));
    free(want);
    free(r->err);
}

/* Small outputs (one stdio buffer: only the final flush fails) and large ones (many writes,
 * the first fails), in each format, to a full disk. */
static void test_dev_full_is_reported(void **state)
{
    (void)state;
    static const char *const cases[][8] = {
        {"--demo", "records", "--limit", "3", NULL},
        {"--demo", "records", "--all", "-o", "csv", NULL},
        {"--demo", "records", "--all", "-o", "json", NULL},
        {"--demo", "detail", "37", "--all", "-o", "json", NULL},
        {"--demo", "detail", "37", "--all", "-o", "csv", NULL},
        {"--demo", "detail", "37", "--all", NULL},
        {"keys", NULL},
        {"--help", NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct ran r = spawn_cli(OUT_DEV_FULL, true, cases[i]);
        assert_reported(&r, "No space left on device");
    }
}

/* A pipe whose reader left, SIGPIPE ignored: EPIPE is an error, not a success. */
static void test_closed_pipe_sigpipe_ignored_is_reported(void **state)
{
    (void)state;
    static const char *const small[] = {"--demo", "records", "--limit", "3", NULL};
    static const char *const large[] = {"--demo", "detail", "37", "--all", "-o", "csv", NULL};
    struct ran r = spawn_cli(OUT_CLOSED_PIPE, true, small);
    assert_reported(&r, "Broken pipe");
    r = spawn_cli(OUT_CLOSED_PIPE, true, large);
    assert_reported(&r, "Broken pipe");
}

/* With SIGPIPE at its default the signal ends certdeck quietly, as `| head` users expect. */
static void test_closed_pipe_sigpipe_default_is_silent(void **state)
{
    (void)state;
    static const char *const large[] = {"--demo", "detail", "37", "--all", "-o", "json", NULL};
    struct ran r = spawn_cli(OUT_CLOSED_PIPE, false, large);
    assert_int_equal(r.signal, SIGPIPE);
    assert_string_equal(r.err, "");
    free(r.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dev_full_is_reported),
        cmocka_unit_test(test_closed_pipe_sigpipe_ignored_is_reported),
        cmocka_unit_test(test_closed_pipe_sigpipe_default_is_silent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
