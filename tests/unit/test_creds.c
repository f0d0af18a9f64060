/* The credential chain against a temporary HOME: environment, INI profile file, tccli JSON,
 * their order, file permission warnings, and that no secret ever reaches a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/creds.h"
#include "core/util.h"
#include "testutil.h"

#define ENV_ID      "AKIDenvEnvEnvEnvEnvEnv1111"
#define ENV_KEY     "envSecretKeyVALUE9999"
#define INI_ID      "AKIDiniDefaultIniIni2222"
#define INI_KEY     "iniDefaultSecretKEY8888"
#define PROD_ID     "AKIDprodProdProdProd3333"
#define PROD_KEY    "prodSecretKeyValue7777"
#define TCCLI_ID    "AKIDtccliTccliTccli4444"
#define TCCLI_KEY   "tccliSecretKeyValue6666"
#define TOKEN_VALUE "tokenValueSessionABCDEF"

struct fixture {
    char *home;
    char err[1024];
    char warn[1024];
    struct creds c;
};

static const char *const chain_vars[] = {
    "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY",       "TENCENTCLOUD_SESSION_TOKEN",
    "TENCENTCLOUD_TOKEN",     "TENCENTCLOUD_CREDENTIALS_FILE", "TCCLI_PROFILE",
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->home = tu_mkdtemp("creds");
    setenv("HOME", f->home, 1);
    for (size_t i = 0; i < ARRAY_LEN(chain_vars); i++)
        unsetenv(chain_vars[i]);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tu_rm_rf(f->home);
    free(f->home);
    free(f);
    return 0;
}

/* Writes HOME-relative file `rel` (creating its directory) with the given mode. */
static char *write_file(struct fixture *f, const char *rel, const char *text, mode_t mode)
{
    char *path = tu_path(f->home, rel);
    tu_write_file(path, text);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

/* None of the secrets may appear in err, warn or source. */
static void assert_no_secret(const struct fixture *f)
{
    static const char *const secrets[] = {ENV_KEY, INI_KEY, PROD_KEY, TCCLI_KEY, TOKEN_VALUE};
    for (size_t i = 0; i < ARRAY_LEN(secrets); i++) {
        assert_null(strstr(f->err, secrets[i]));
        assert_null(strstr(f->warn, secrets[i]));
        assert_null(strstr(f->c.source, secrets[i]));
    }
}

static int resolve(struct fixture *f, const char *profile)
{
    struct creds_opts o = {.profile = profile};
    int rc = creds_resolve(&o, &f->c, f->err, sizeof f->err, f->warn, sizeof f->warn);
    assert_no_secret(f);
    return rc;
}

static const char ini_text[] = "# certdeck test file\n"
                               "[default]\n"
                               "secret_id = " INI_ID "\n"
                               "secret_key = " INI_KEY "\n"
                               "\n"
                               "[prod]\n"
                               "secret_id=" PROD_ID "\n"
                               "secret_key=" PROD_KEY "\n";

static void test_env_wins(void **state)
{
    struct fixture *f = *state;
    free(write_file(f, ".tencentcloud/credentials", ini_text, 0600));
    setenv("TENCENTCLOUD_SECRET_ID", ENV_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", ENV_KEY, 1);
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->c.secret_id, ENV_ID);
    assert_string_equal(f->c.secret_key, ENV_KEY);
    assert_false(creds_has_token(&f->c));
    assert_non_null(strstr(f->c.source, "TENCENTCLOUD_SECRET_ID"));
    assert_string_equal(f->warn, "");

    /* Only half of the pair: the environment is ignored (with a warning), the file is used. */
    unsetenv("TENCENTCLOUD_SECRET_KEY");
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->c.secret_id, INI_ID);
    assert_non_null(strstr(f->warn, "TENCENTCLOUD_SECRET_KEY"));
}

static void test_env_tokens(void **state)
{
    struct fixture *f = *state;
    setenv("TENCENTCLOUD_SECRET_ID", ENV_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", ENV_KEY, 1);
    setenv("TENCENTCLOUD_TOKEN", "tccli-" TOKEN_VALUE, 1);
    assert_int_equal(resolve(f, NULL), 0);
    assert_true(creds_has_token(&f->c));
    assert_string_equal(f->c.token, "tccli-" TOKEN_VALUE);
    assert_non_null(strstr(f->c.source, "TENCENTCLOUD_TOKEN"));

    /* The SDKs' variable wins over tccli's. */
    setenv("TENCENTCLOUD_SESSION_TOKEN", TOKEN_VALUE, 1);
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->c.token, TOKEN_VALUE);
    assert_non_null(strstr(f->c.source, "TENCENTCLOUD_SESSION_TOKEN"));
}

static void test_explicit_profile_skips_env(void **state)
{
    struct fixture *f = *state;
    char *path = write_file(f, ".tencentcloud/credentials", ini_text, 0600);
    setenv("TENCENTCLOUD_SECRET_ID", ENV_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", ENV_KEY, 1);
    assert_int_equal(resolve(f, "prod"), 0);
    assert_string_equal(f->c.secret_id, PROD_ID);
    assert_string_equal(f->c.secret_key, PROD_KEY);
    assert_non_null(strstr(f->c.source, path));
    assert_non_null(strstr(f->c.source, "[prod]"));
    /* "default" named explicitly also skips the environment. */
    assert_int_equal(resolve(f, "default"), 0);
    assert_string_equal(f->c.secret_id, INI_ID);
    free(path);
}

static void test_credentials_file_env(void **state)
{
    struct fixture *f = *state;
    free(write_file(f, ".tencentcloud/credentials", ini_text, 0600));
    char *other =
        write_file(f, "elsewhere/creds.ini",
                   "[default]\nsecret_id = " PROD_ID "\nsecret_key = " PROD_KEY "\n", 0600);
    setenv("TENCENTCLOUD_CREDENTIALS_FILE", other, 1);
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->c.secret_id, PROD_ID);
    assert_non_null(strstr(f->c.source, other));

    /* Naming a file that does not exist is an error that names it. */
    char *missing = tu_path(f->home, "nope.ini");
    setenv("TENCENTCLOUD_CREDENTIALS_FILE", missing, 1);
    assert_int_equal(resolve(f, NULL), -1);
    assert_non_null(strstr(f->err, missing));
    assert_string_equal(f->c.secret_id, "");
    free(missing);
    free(other);
}

static void test_ini_syntax(void **state)
{
    struct fixture *f = *state;
    static const char text[] = "; a comment\r\n"
                               "# another\r\n"
                               "\r\n"
                               "[default]\r\n"
                               "secret_id = AKIDwrongSection000\r\n"
                               "secret_key = wrongKey000\r\n"
                               "  [ staging ]  \r\n"
                               "   secret_id   =   " PROD_ID "   \r\n"
                               "\t# comment inside\r\n"
                               "SECRET_KEY=\"" PROD_KEY "\"\r\n"
                               "token = " TOKEN_VALUE "\r\n"
                               "region = ap-guangzhou\r\n"
                               "[later]\r\n"
                               "secret_id = AKIDlater000\r\n";
    free(write_file(f, ".tencentcloud/credentials", text, 0600));
    assert_int_equal(resolve(f, "staging"), 0);
    assert_string_equal(f->c.secret_id, PROD_ID);
    assert_string_equal(f->c.secret_key, PROD_KEY);
    assert_string_equal(f->c.token, TOKEN_VALUE);
    assert_string_equal(f->warn, "");

    /* A section with only half a key pair is an error naming the missing key, not a value. */
    assert_int_equal(resolve(f, "later"), -1);
    assert_non_null(strstr(f->err, "secret_key"));
    assert_non_null(strstr(f->err, "[later]"));

    /* A malformed line is reported by number, without its text. */
    static const char bad[] = "[default]\nsecret_id = " INI_ID "\n" INI_KEY "\n";
    free(write_file(f, ".tencentcloud/credentials", bad, 0600));
    assert_int_equal(resolve(f, NULL), -1);
    assert_non_null(strstr(f->err, "line 3"));
}

static void test_tccli_json(void **state)
{
    struct fixture *f = *state;
    char *path = write_file(f, ".tccli/default.credential",
                            "{\"type\": \"\", \"secretId\": \"" TCCLI_ID
                            "\", \"secretKey\": \"" TCCLI_KEY "\", \"token\": \"" TOKEN_VALUE "\"}",
                            0600);
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->c.secret_id, TCCLI_ID);
    assert_string_equal(f->c.secret_key, TCCLI_KEY);
    assert_string_equal(f->c.token, TOKEN_VALUE);
    assert_string_equal(f->c.source, path);

    /* TCCLI_PROFILE picks the tccli file; an INI file, when it has the section, comes first. */
    char *work =
        write_file(f, ".tccli/work.credential",
                   "{\"secretId\": \"" PROD_ID "\", \"secretKey\": \"" PROD_KEY "\"}", 0600);
    setenv("TCCLI_PROFILE", "work", 1);
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->c.secret_id, PROD_ID);
    assert_false(creds_has_token(&f->c));
    unsetenv("TCCLI_PROFILE");
    free(write_file(f, ".tencentcloud/credentials", ini_text, 0600));
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->c.secret_id, INI_ID);

    /* Broken JSON is an error naming the file. */
    free(write_file(f, ".tccli/broken.credential", "{\"secretId\": \"" TCCLI_KEY, 0600));
    assert_int_equal(resolve(f, "broken"), -1);
    assert_non_null(strstr(f->err, "broken.credential"));
    free(work);
    free(path);
}

static void test_missing_profile_lists_places(void **state)
{
    struct fixture *f = *state;
    free(write_file(f, ".tencentcloud/credentials", ini_text, 0600));
    setenv("TENCENTCLOUD_SECRET_ID", ENV_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", ENV_KEY, 1);
    assert_int_equal(resolve(f, "nope"), -1);
    char *ini = tu_path(f->home, ".tencentcloud/credentials");
    char *tccli = tu_path(f->home, ".tccli/nope.credential");
    assert_non_null(strstr(f->err, "nope"));
    assert_non_null(strstr(f->err, ini));
    assert_non_null(strstr(f->err, tccli));
    assert_string_equal(f->c.secret_id, "");

    /* Nothing anywhere: the message names the variables and both files. */
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
    unlink(ini);
    assert_int_equal(resolve(f, NULL), -1);
    assert_non_null(strstr(f->err, "TENCENTCLOUD_SECRET_ID"));
    assert_non_null(strstr(f->err, ini));
    assert_non_null(strstr(f->err, "default.credential"));
    free(ini);
    free(tccli);
}

static void test_permission_warning(void **state)
{
    struct fixture *f = *state;
    char *path = write_file(f, ".tencentcloud/credentials", ini_text, 0644);
    assert_int_equal(resolve(f, NULL), 0);
    assert_non_null(strstr(f->warn, path));
    assert_non_null(strstr(f->warn, "readable by"));
    assert_non_null(strstr(f->warn, "chmod 600"));

    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(resolve(f, NULL), 0);
    assert_string_equal(f->warn, "");

    char *tc =
        write_file(f, ".tccli/p.credential",
                   "{\"secretId\": \"" TCCLI_ID "\", \"secretKey\": \"" TCCLI_KEY "\"}", 0640);
    assert_int_equal(resolve(f, "p"), 0);
    assert_non_null(strstr(f->warn, tc));
    free(tc);
    free(path);
}

static void test_long_values_rejected_quietly(void **state)
{
    struct fixture *f = *state;
    struct buf b = {0};
    buf_puts(&b, "[default]\nsecret_id = " INI_ID "\nsecret_key = ");
    for (int i = 0; i < 20; i++)
        buf_puts(&b, INI_KEY);
    buf_puts(&b, "\n");
    free(write_file(f, ".tencentcloud/credentials", b.data, 0600));
    assert_int_equal(resolve(f, NULL), -1);
    assert_non_null(strstr(f->err, "too long"));
    assert_string_equal(f->c.secret_key, "");
    buf_free(&b);
}

/* The picker's list: environment first, then INI sections, then tccli files, each once, with
 * where it comes from and never a secret. */
static void test_profiles_listed(void **state)
{
    struct fixture *f = *state;
    struct creds_profile p[8];
    assert_int_equal(creds_profiles(NULL, p, 8), 0);

    char *ini = write_file(f, ".tencentcloud/credentials", ini_text, 0600);
    free(write_file(f, ".tccli/zeta.credential", "{\"secretId\": \"" TCCLI_ID "\"}", 0600));
    free(write_file(f, ".tccli/prod.credential", "{\"secretId\": \"" TCCLI_ID "\"}", 0600));
    free(write_file(f, ".tccli/alpha.credential", "{}", 0600));
    free(write_file(f, ".tccli/prod.configure", "{}", 0600));
    setenv("TENCENTCLOUD_SECRET_ID", ENV_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", ENV_KEY, 1);
    size_t n = creds_profiles(NULL, p, 8);
    assert_int_equal(n, 5);
    static const char *const names[] = {"", "default", "prod", "alpha", "zeta"};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(p[i].name, names[i]);
        static const char *const secrets[] = {ENV_ID, ENV_KEY, INI_ID, INI_KEY, PROD_KEY, TCCLI_ID};
        for (size_t k = 0; k < ARRAY_LEN(secrets); k++)
            assert_null(strstr(p[i].source, secrets[k]));
    }
    assert_non_null(strstr(p[0].source, "environment"));
    assert_string_equal(p[1].source, ini);
    assert_string_equal(p[2].source, ini); /* [prod] of the INI file hides tccli's prod */
    assert_non_null(strstr(p[3].source, ".tccli/alpha.credential"));

    /* cap: the first cap entries, in the same order */
    struct creds_profile two[2];
    assert_int_equal(creds_profiles(NULL, two, 2), 2);
    assert_string_equal(two[1].name, "default");
    free(ini);
}

static void test_mask(void **state)
{
    (void)state;
    char out[64];
    creds_mask_id("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", out, sizeof out);
    assert_string_equal(out, "****MPLE");
    creds_mask_id("abc", out, sizeof out);
    assert_null(strstr(out, "abc"));
    creds_mask_id("", out, sizeof out);
    assert_string_equal(out, "****");
}

static void test_wipe(void **state)
{
    (void)state;
    struct creds c;
    memset(&c, 'x', sizeof c);
    creds_wipe(&c);
    const unsigned char *p = (const unsigned char *)&c;
    for (size_t i = 0; i < sizeof c; i++)
        assert_int_equal(p[i], 0);
    assert_false(creds_has_token(&c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_env_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_profile_skips_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credentials_file_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ini_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tccli_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_profile_lists_places, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permission_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_values_rejected_quietly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profiles_listed, setup, teardown),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
