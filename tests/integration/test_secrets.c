/* Secrets on the command line and in core dumps: certdeck runs non-dumpable (doctor says so,
 * CERTDECK_ALLOW_CORE=1 aside); the standalone emulator takes its SecretKey from argv (and
 * wipes it there, so ps never shows it), from --secret-key-file or from the environment. */
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

#include "core/api.h"
#include "core/util.h"
#include "testutil.h"

#define KEY "emuSecretKey-0123456789abcdef"
#define ID  "AKIDsecretsTEST"

/* stdout of a shell command (exit 0 asserted). */
static char *sh(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&b, chunk, n);
    int st = pclose(p);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) fail_msg("'%s' failed", cmd);
    buf_puts(&b, "");
    return b.data;
}

static void test_doctor_reports_core_dumps_off(void **state)
{
    (void)state;
    char *cmd = xasprintf("'%s' --demo doctor", getenv("CERTDECK_BIN"));
    char *out = sh(cmd);
    assert_non_null(strstr(out, "core dumps:   off"));
    free(out);
    setenv("CERTDECK_ALLOW_CORE", "1", 1);
    out = sh(cmd);
    unsetenv("CERTDECK_ALLOW_CORE");
    assert_non_null(strstr(out, "core dumps:   allowed"));
    free(out);
    free(cmd);
}

struct running {
    pid_t pid;
    FILE *out;
    char url[128];
};

/* Starts $CERTDECK_EMULATOR with args (after --secret-id ID) and reads its URL. */
static struct running emu_spawn(const char *args)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct running r = {0};
    r.pid = fork();
    assert_true(r.pid >= 0);
    if (r.pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        char *cmd = xasprintf("exec '%s' --secret-id " ID " %s", getenv("CERTDECK_EMULATOR"), args);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    r.out = fdopen(p[0], "r");
    char line[256] = "";
    assert_non_null(fgets(line, sizeof line, r.out));
    assert_int_equal(sscanf(line, "listening on %127s", r.url), 1);
    return r;
}

static void emu_kill(struct running *r)
{
    kill(r->pid, SIGTERM);
    waitpid(r->pid, NULL, 0);
    fclose(r->out);
}

/* Whether needle occurs in the n bytes at hay (which may hold NULs). */
static bool bytes_have(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0) return true;
    return false;
}

/* A client with key answers (the emulator accepts it), and the wrong key does not. */
static void assert_key_accepted(const struct running *r)
{
    static const char *const keys[] = {KEY, "not-the-key"};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        struct creds cr;
        memset(&cr, 0, sizeof cr);
        strlcpy_safe(cr.secret_id, ID, sizeof cr.secret_id);
        strlcpy_safe(cr.secret_key, keys[i], sizeof cr.secret_key);
        struct api_config cfg = {.endpoint = r->url, .max_retries = -1, .rate = -1};
        struct api_error err;
        struct api_client *c = api_client_new(&cfg, &cr, &err);
        assert_non_null(c);
        struct records_page page;
        int rc = api_describe_records(c, NULL, &page, NULL, &err);
        if (i == 0) {
            assert_int_equal(rc, 0);
            model_records_page_clear(&page);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(err.code, "AuthFailure.SignatureFailure");
        }
        api_client_free(c);
    }
}

static void test_emulator_key_sources(void **state)
{
    (void)state;
    /* argv: accepted, and gone from /proc/PID/cmdline */
    struct running r = emu_spawn("--secret-key " KEY);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)r.pid);
    size_t len;
    char *cmdline = tu_read_file(path, &len);
    assert_non_null(cmdline);
    assert_true(len > 20);
    assert_false(bytes_have(cmdline, len, KEY));
    assert_true(bytes_have(cmdline, len, "--secret-key"));
    free(cmdline);
    assert_key_accepted(&r);
    emu_kill(&r);

    /* a file */
    char *dir = tu_mkdtemp("secrets");
    char *file = tu_path(dir, "key");
    tu_write_file(file, KEY "\n");
    char *args = xasprintf("--secret-key-file '%s'", file);
    r = emu_spawn(args);
    assert_key_accepted(&r);
    emu_kill(&r);
    free(args);

    /* the environment */
    setenv("CERTDECK_EMULATOR_SECRET_KEY", KEY, 1);
    r = emu_spawn("");
    unsetenv("CERTDECK_EMULATOR_SECRET_KEY");
    assert_key_accepted(&r);
    emu_kill(&r);

    tu_rm_rf(dir);
    free(file);
    free(dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    tu_loopback_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doctor_reports_core_dumps_off),
        cmocka_unit_test(test_emulator_key_sources),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
