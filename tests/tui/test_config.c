/* User configuration: defaults, NO_COLOR, every directive in both forms, the XDG location,
 * bind lines and key names, diags with line numbers, and the limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "testutil.h"
#include "tui/config.h"
#include "tui/keymap.h"

/* Every test starts from an empty temp HOME (tu_home_setup), no XDG_CONFIG_HOME and no
 * NO_COLOR. */
static int setup(void **state)
{
    unsetenv("NO_COLOR");
    return tu_home_setup(state);
}

/* Loads text as an explicit config file (defaults first); returns the path (caller frees). */
static char *load_text(struct config *c, const char *text)
{
    char *path = tu_path(tu_tmp, "config");
    tu_write_file(path, text);
    config_defaults(c);
    char err[1024] = "";
    int rc = config_load(c, path, err, sizeof err);
    if (rc != 0) fail_msg("config_load: %s", err);
    return path;
}

static void assert_no_diags(const struct config *c)
{
    tu_assert_diags(c->diags, c->n_diags, c->path, NULL, 0);
}

/* diags[i] == "<path>:<rest>" */
static void assert_diag(const struct config *c, size_t i, const char *path, const char *rest)
{
    assert_true(i < c->n_diags);
    char *want = xasprintf("%s:%s", path, rest);
    assert_string_equal(c->diags[i], want);
    free(want);
}

/* ---- defaults and NO_COLOR ------------------------------------------------------------ */

static void test_defaults(void **state)
{
    (void)state;
    struct config c;
    memset(&c, 0x5a, sizeof c);
    config_defaults(&c);
    assert_string_equal(c.theme, "");
    assert_int_equal(c.refresh_s, 30);
    assert_string_equal(c.profile, "");
    assert_string_equal(c.endpoint, "");
    assert_false(c.mouse);
    assert_true(c.bell);
    assert_string_equal(c.clipboard, "osc52");
    assert_false(c.no_color);
    assert_int_equal(c.n_bindings, 0);
    assert_string_equal(c.path, "");
    assert_int_equal(c.n_diags, 0);
}

static void test_no_color(void **state)
{
    (void)state;
    struct config c;
    setenv("NO_COLOR", "1", 1);
    config_defaults(&c);
    assert_true(c.no_color);
    setenv("NO_COLOR", "anything at all", 1);
    config_defaults(&c);
    assert_true(c.no_color);
    setenv("NO_COLOR", "", 1); /* set but empty: colour stays on (no-color.org) */
    config_defaults(&c);
    assert_false(c.no_color);
    unsetenv("NO_COLOR");
    config_defaults(&c);
    assert_false(c.no_color);
}

/* ---- directives ----------------------------------------------------------------------- */

static void test_every_directive(void **state)
{
    (void)state;
    struct config c;
    char *path = load_text(&c, "# certdeck config\n"
                               "\n"
                               "theme light\n"
                               "refresh 10\n"
                               "profile prod\n"
                               "endpoint https://ssl.tencentcloudapi.com\n"
                               "mouse on\n"
                               "bell off\n"
                               "clipboard xclip -selection clipboard\n"
                               "bind records J next-page\n"
                               "   # indented comment\n");
    assert_no_diags(&c);
    assert_string_equal(c.path, path);
    assert_string_equal(c.theme, "light");
    assert_int_equal(c.refresh_s, 10);
    assert_string_equal(c.profile, "prod");
    assert_string_equal(c.endpoint, "https://ssl.tencentcloudapi.com");
    assert_true(c.mouse);
    assert_false(c.bell);
    assert_string_equal(c.clipboard, "xclip -selection clipboard");
    assert_int_equal(c.n_bindings, 1);
    assert_string_equal(c.bindings[0].context, "records");
    assert_string_equal(c.bindings[0].key, "J");
    assert_string_equal(c.bindings[0].action, "next-page");
    assert_int_equal(c.bindings[0].line, 10);
    free(path);

    /* The key = value form, quotes, CRLF endings and a BOM; later lines win. */
    path = load_text(&c, "\xef\xbb\xbftheme = \"/home/me/my theme.theme\"\r\n"
                         "refresh=0\r\n"
                         "profile = 'staging'\n"
                         "endpoint = http://127.0.0.1:8080\n"
                         "mouse = yes\n"
                         "mouse=off\n"
                         "theme   =   high-contrast  \n");
    assert_no_diags(&c);
    assert_string_equal(c.theme, "high-contrast");
    assert_int_equal(c.refresh_s, 0);
    assert_string_equal(c.profile, "staging");
    assert_string_equal(c.endpoint, "http://127.0.0.1:8080");
    assert_false(c.mouse);
    free(path);

    path = load_text(&c, "theme = \"/home/me/my theme.theme\"\n");
    assert_string_equal(c.theme, "/home/me/my theme.theme");
    free(path);

    /* A file setting nothing leaves what config_defaults (or the caller) put there. */
    config_defaults(&c);
    c.mouse = true;
    c.refresh_s = 5;
    path = tu_path(tu_tmp, "empty");
    tu_write_file(path, "# nothing\n");
    char err[256];
    assert_int_equal(config_load(&c, path, err, sizeof err), 0);
    assert_true(c.mouse);
    assert_int_equal(c.refresh_s, 5);
    free(path);
}

static void test_bad_values(void **state)
{
    (void)state;
    struct config c;
    char *path = load_text(&c, "refresh -5\n"
                               "refresh abc\n"
                               "refresh 10x\n"
                               "refresh\n"
                               "refresh 86401\n"
                               "refresh 99999999999999999999\n"
                               "refresh +5\n"
                               "refresh 86400\n"
                               "mouse maybe\n"
                               "endpoint ftp://example.com\n"
                               "theme\n"
                               "colour red\n"
                               "profile "
                               "a234567890123456789012345678901234567890123456789012345678901234\n"
                               "= 3\n");
    assert_int_equal(c.refresh_s, 86400); /* the one good line; bad ones change nothing */
    assert_false(c.mouse);
    assert_string_equal(c.endpoint, "");
    assert_string_equal(c.theme, "");
    assert_string_equal(c.profile, "");
    static const char *const want[] = {
        "1: refresh takes whole seconds from 0 (manual only) to 86400, not '-5'",
        "2: refresh takes whole seconds from 0 (manual only) to 86400, not 'abc'",
        "3: refresh takes whole seconds from 0 (manual only) to 86400, not '10x'",
        "4: refresh takes whole seconds from 0 (manual only) to 86400, not ''",
        "5: refresh takes whole seconds from 0 (manual only) to 86400, not '86401'",
        "6: refresh takes whole seconds from 0 (manual only) to 86400, not "
        "'99999999999999999999'",
        "7: refresh takes whole seconds from 0 (manual only) to 86400, not '+5'",
        "9: mouse takes on or off, not 'maybe'",
        "10: endpoint must start with http:// or https://, not 'ftp://example.com'",
        "11: 'theme' needs a value",
        "12: unknown setting 'colour'",
        "13: profile is too long (at most 63 characters)",
        "14: unknown setting ''",
    };
    tu_assert_diags(c.diags, c.n_diags, path, want, ARRAY_LEN(want));
    free(path);
}

static void test_control_characters_in_diags(void **state)
{
    (void)state;
    struct config c;
    char *path = load_text(&c, "the\x1b[31mme red\n"
                               "mouse \x07\x9b\n");
    assert_int_equal(c.n_diags, 2);
    for (size_t i = 0; i < c.n_diags; i++)
        for (const unsigned char *p = (const unsigned char *)c.diags[i]; *p; p++)
            assert_true(*p >= 0x20 && *p != 0x7f);
    free(path);
}

/* ---- bind ----------------------------------------------------------------------------- */

static void test_bind_lines(void **state)
{
    (void)state;
    struct config c;
    char *path = load_text(&c, "bind global q quit\n"
                               "# comment\n"
                               "bind records C-D page-down\n"
                               "bind = detail pgdn page_down\n"
                               "bind\titems\tM-J\tjump.next\n"
                               "bind global f5 refresh\n"
                               "bind global ENTER open\n"
                               "bind global C-[ back\n"
                               "bind global ? help\n"
                               "bind records j down\n"
                               "bind records j up\n");
    assert_no_diags(&c);
    static const struct {
        const char *context, *key, *action;
        int line;
    } want[] = {
        {"global", "q", "quit", 1},         {"records", "C-d", "page-down", 3},
        {"detail", "PgDn", "page_down", 4}, {"items", "M-J", "jump.next", 5},
        {"global", "F5", "refresh", 6},     {"global", "Enter", "open", 7},
        {"global", "C-[", "back", 8},       {"global", "?", "help", 9},
        {"records", "j", "down", 10},       {"records", "j", "up", 11},
    };
    assert_int_equal(c.n_bindings, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        assert_string_equal(c.bindings[i].context, want[i].context);
        assert_string_equal(c.bindings[i].key, want[i].key);
        assert_string_equal(c.bindings[i].action, want[i].action);
        assert_int_equal(c.bindings[i].line, want[i].line);
    }
    free(path);
}

static void test_bind_invalid(void **state)
{
    (void)state;
    struct config c;
    char *path = load_text(&c, "bind global Ctrl+d quit\n"
                               "bind global jj down\n"
                               "bind global C-1 x\n"
                               "bind global F13 x\n"
                               "bind global M- x\n"
                               "bind global q\n"
                               "bind global q quit now\n"
                               "bind Global! q quit\n"
                               "bind global q 9lives\n"
                               "bind global q quit\n");
    assert_int_equal(c.n_bindings, 1);
    assert_int_equal(c.bindings[0].line, 10);
    static const char *const want[] = {
        "1: invalid key name 'Ctrl+d' (use a character, C-x, M-x or a key name like PgDn)",
        "2: invalid key name 'jj' (use a character, C-x, M-x or a key name like PgDn)",
        "3: invalid key name 'C-1' (use a character, C-x, M-x or a key name like PgDn)",
        "4: invalid key name 'F13' (use a character, C-x, M-x or a key name like PgDn)",
        "5: invalid key name 'M-' (use a character, C-x, M-x or a key name like PgDn)",
        "6: bind needs CONTEXT KEY ACTION, e.g. 'bind records J next'",
        "7: bind needs CONTEXT KEY ACTION, e.g. 'bind records J next'",
        "8: invalid context 'Global!'",
        "9: invalid action name '9lives'",
    };
    tu_assert_diags(c.diags, c.n_diags, path, want, ARRAY_LEN(want));
    free(path);
}

static void test_key_names(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon;
    } good[] = {
        {"a", "a"},         {"Z", "Z"},
        {"~", "~"},         {"C-a", "C-a"},
        {"C-Z", "C-z"},     {"C-@", "C-@"},
        {"C-\\", "C-\\"},   {"C-_", "C-_"},
        {"M-x", "M-x"},     {"M-X", "M-X"},
        {"M-1", "M-1"},     {"M-?", "M-?"},
        {"enter", "Enter"}, {"ESC", "Esc"},
        {"tab", "Tab"},     {"backspace", "Backspace"},
        {"up", "Up"},       {"DOWN", "Down"},
        {"Left", "Left"},   {"right", "Right"},
        {"pgup", "PgUp"},   {"PgDn", "PgDn"},
        {"home", "Home"},   {"END", "End"},
        {"space", "Space"}, {"f1", "F1"},
        {"F12", "F12"},     {"f10", "F10"},
        {"del", "Del"},     {"INS", "Ins"},
        {"btab", "BTab"},   {"s-tab", "S-Tab"},
        {"c-a", "C-a"},     {"m-x", "M-x"},
        {"é", "é"},         {"M-é", "M-é"},
        {"中", "中"},       {"M-\xf0\x9f\x94\x91", "M-\xf0\x9f\x94\x91"},
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        char canon[32] = "";
        if (!config_key_valid(good[i].in, canon, sizeof canon))
            fail_msg("'%s' should be valid", good[i].in);
        assert_string_equal(canon, good[i].canon);
        assert_true(config_key_valid(good[i].in, NULL, 0));
        /* The key table reads what this module accepts, and the canonical spelling means the
         * same key as what was written. */
        int code = keymap_key_parse(good[i].in);
        if (code < 0) fail_msg("keymap_key_parse rejects '%s'", good[i].in);
        assert_int_equal(keymap_key_parse(canon), code);
    }
    static const char *const bad[] = {
        "",         " ",    "\t",   "\x1b",         "\x7f",         "ab",     "C-",
        "C-1",      "C-ab", "C-é",  "M-",           "M-ab",         "M-\x7f", "M-\xc2\x85",
        "F0",       "F13",  "Fx",   "Ctrl",         "PageUp",       "Insert", "éé",
        "\xc2\x9b", "\xff", "\xc3", "\xef\xbf\xbd", "\xed\xa0\x80", NULL,
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char canon[32] = "untouched";
        if (config_key_valid(bad[i], canon, sizeof canon))
            fail_msg("'%s' should be invalid", bad[i] ? bad[i] : "(null)");
        assert_string_equal(canon, "untouched");
    }
}

static void test_too_many_bindings_and_diags(void **state)
{
    (void)state;
    struct config c;
    struct buf text = {0};
    for (int i = 0; i < CONFIG_MAX_BINDINGS + 2; i++)
        buf_printf(&text, "bind global %c act%d\n", 'a' + i % 26, i);
    char *path = load_text(&c, text.data);
    buf_reset(&text);
    assert_int_equal(c.n_bindings, CONFIG_MAX_BINDINGS);
    assert_string_equal(c.bindings[CONFIG_MAX_BINDINGS - 1].action, "act127");
    assert_int_equal(c.bindings[CONFIG_MAX_BINDINGS - 1].line, CONFIG_MAX_BINDINGS);
    assert_int_equal(c.n_diags, 1);
    char *want = xasprintf("%s: 2 more bindings ignored (at most %d)", path, CONFIG_MAX_BINDINGS);
    assert_string_equal(c.diags[0], want);
    free(want);
    free(path);

    for (int i = 1; i <= 40; i++)
        buf_printf(&text, "nonsense%d\n", i);
    path = load_text(&c, text.data);
    buf_free(&text);
    assert_int_equal(c.n_diags, CONFIG_MAX_DIAGS);
    assert_diag(&c, 0, path, "1: unknown setting 'nonsense1'");
    assert_diag(&c, CONFIG_MAX_DIAGS - 2, path, "31: unknown setting 'nonsense31'");
    want = xasprintf("%s: 9 more problems not shown", path);
    assert_string_equal(c.diags[CONFIG_MAX_DIAGS - 1], want);
    free(want);
    free(path);
}

/* ---- where the file is ---------------------------------------------------------------- */

static void test_xdg_location(void **state)
{
    (void)state;
    char *xdg = tu_path(tu_tmp, "xdg"), *xdg_conf = tu_path(tu_tmp, "xdg/certdeck/config");
    char *home_conf = tu_path(tu_tmp, "home/.config/certdeck/config");
    tu_write_file(xdg_conf, "profile from-xdg\n");
    tu_write_file(home_conf, "profile from-home\n");
    struct config c;
    char err[256] = "";
    char dir[512];

    setenv("XDG_CONFIG_HOME", xdg, 1);
    config_defaults(&c);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.profile, "from-xdg");
    assert_string_equal(c.path, xdg_conf);
    assert_int_equal(config_user_dir(dir, sizeof dir), 0);
    char *want = xasprintf("%s/certdeck", xdg);
    assert_string_equal(dir, want);
    free(want);

    /* Unset, empty or relative XDG_CONFIG_HOME: ~/.config. */
    static const char *const fallbacks[] = {NULL, "", "relative/xdg"};
    for (size_t i = 0; i < ARRAY_LEN(fallbacks); i++) {
        if (fallbacks[i])
            setenv("XDG_CONFIG_HOME", fallbacks[i], 1);
        else
            unsetenv("XDG_CONFIG_HOME");
        config_defaults(&c);
        assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
        assert_string_equal(c.profile, "from-home");
        assert_string_equal(c.path, home_conf);
    }

    /* XDG set but holding no config: not an error, nothing read, ~/.config not consulted. */
    char *empty = tu_path(tu_tmp, "empty-xdg");
    setenv("XDG_CONFIG_HOME", empty, 1);
    config_defaults(&c);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_string_equal(c.profile, "");
    assert_string_equal(c.path, "");
    assert_int_equal(c.n_diags, 0);

    /* A directory where the file should be: a diag, not an error (only -c FILE is fatal). */
    char *xdg_dir = tu_path(tu_tmp, "xdg2/certdeck/config/x");
    tu_write_file(xdg_dir, "");
    char *xdg2 = tu_path(tu_tmp, "xdg2");
    setenv("XDG_CONFIG_HOME", xdg2, 1);
    config_defaults(&c);
    assert_int_equal(config_load(&c, NULL, err, sizeof err), 0);
    assert_int_equal(c.n_diags, 1);
    assert_non_null(strstr(c.diags[0], "xdg2/certdeck/config: cannot read"));

    free(xdg), free(xdg_conf), free(home_conf), free(empty), free(xdg_dir), free(xdg2);
}

static void test_explicit_missing_file(void **state)
{
    (void)state;
    struct config c;
    config_defaults(&c);
    char *path = tu_path(tu_tmp, "no/such/config");
    char err[1024] = "";
    assert_int_equal(config_load(&c, path, err, sizeof err), -1);
    char *want = xasprintf("cannot read config file '%s': %s", path, strerror(ENOENT));
    assert_string_equal(err, want);
    free(want);
    assert_string_equal(c.path, "");
    assert_int_equal(c.refresh_s, 30);

    /* A directory is not a config file either. */
    assert_int_equal(config_load(&c, tu_tmp, err, sizeof err), -1);
    assert_non_null(strstr(err, tu_tmp));
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_no_color, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_every_directive, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_bad_values, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_control_characters_in_diags, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_bind_lines, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_bind_invalid, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_key_names, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_too_many_bindings_and_diags, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_xdg_location, setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_explicit_missing_file, setup, tu_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
