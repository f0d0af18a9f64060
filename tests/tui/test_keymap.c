/* The key table: key names both ways, no default key doing two things on one screen, user
 * bindings winning (and being validated), the help's key lists, and `certdeck keys`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "tui/config.h"
#include "tui/keymap.h"

static void test_key_names_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"j",     "G",     "?",     "<",    "C-d",       "C-a", "M-x",
                           "Enter", "Esc",   "Tab",   "BTab", "Backspace", "Up",  "Down",
                           "Left",  "Right", "PgUp",  "PgDn", "Home",      "End", "F1",
                           "F5",    "F12",   "Space", "Del",  "\xc3\xa9" /* é */};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        int k = keymap_key_parse(names[i]);
        if (k < 0) fprintf(stderr, "cannot parse %s\n", names[i]);
        assert_true(k >= 0);
        char back[32];
        assert_string_equal(keymap_key_name(k, back, sizeof back), names[i]);
    }
    /* Names are case-insensitive, letters after C- too; distinct keys get distinct codes. */
    assert_int_equal(keymap_key_parse("pgdn"), keymap_key_parse("PgDn"));
    assert_int_equal(keymap_key_parse("ENTER"), KEYMAP_KEY_ENTER);
    assert_int_equal(keymap_key_parse("C-D"), 4);
    assert_int_equal(keymap_key_parse("S-Tab"), keymap_key_parse("BTab"));
    assert_int_not_equal(keymap_key_parse("j"), keymap_key_parse("J"));
    assert_int_not_equal(keymap_key_parse("M-j"), keymap_key_parse("j"));
    assert_int_not_equal(keymap_key_parse("F1"), keymap_key_parse("F2"));
    const char *bad[] = {"", "C-", "C-1", "F0", "F13", "xy", "\x01", "\x7f", "M-", "Enterr"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        assert_int_equal(keymap_key_parse(bad[i]), -1);
}

/* Every key spelling the config module accepts means a key here. */
static void test_config_keys_parse(void **state)
{
    (void)state;
    const char *keys[] = {"Enter", "Esc",  "Tab",  "Backspace", "Up",    "Down", "Left", "Right",
                          "PgUp",  "PgDn", "Home", "End",       "Space", "F1",   "F12",  "C-a",
                          "C-z",   "C-[",  "M-x",  "M-J",       "x",     "?",    "/"};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        char canon[32];
        assert_true(config_key_valid(keys[i], canon, sizeof canon));
        if (keymap_key_parse(canon) < 0) fprintf(stderr, "config key %s unknown here\n", canon);
        assert_true(keymap_key_parse(canon) >= 0);
    }
}

static void test_table_is_consistent(void **state)
{
    (void)state;
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        const char *name = keymap_action_name((enum keymap_action)a);
        assert_true(strlen(name) > 0);
        assert_true(strlen(keymap_action_help((enum keymap_action)a)) > 0);
        assert_int_equal(keymap_action_from_name(name), a);
        for (int b = a + 1; b < ACT_COUNT; b++)
            assert_string_not_equal(name, keymap_action_name((enum keymap_action)b));
    }
    assert_int_equal(keymap_action_from_name("no-such"), ACT_NONE);
    for (int c = 0; c < KM_CTX_COUNT; c++)
        assert_int_equal(keymap_ctx_from_name(keymap_ctx_name((enum keymap_ctx)c)), c);
    assert_int_equal(keymap_ctx_from_name("nowhere"), -1);
}

/* On any screen, a default key triggers one action, and every action has a key there. */
static void test_defaults_do_not_conflict(void **state)
{
    (void)state;
    struct keymap *km = keymap_new();
    for (int c = 0; c < KM_CTX_COUNT; c++) {
        for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
            if (!keymap_action_applies((enum keymap_action)a, (enum keymap_ctx)c)) continue;
            char keys[128];
            keymap_keys_for(km, (enum keymap_ctx)c, (enum keymap_action)a, keys, sizeof keys);
            if (!keys[0])
                fprintf(stderr, "%s has no key in %s\n", keymap_action_name(a), keymap_ctx_name(c));
            assert_true(keys[0] != '\0');
            /* And each of those keys leads back to the action. */
            char *save, *dup = xstrdup(keys);
            for (char *k = strtok_r(dup, ", ", &save); k; k = strtok_r(NULL, ", ", &save))
                assert_int_equal(keymap_lookup(km, (enum keymap_ctx)c, keymap_key_parse(k)), a);
            free(dup);
        }
    }
    keymap_free(km);
}

static void test_lookup_defaults(void **state)
{
    (void)state;
    struct keymap *km = keymap_new();
    assert_int_equal(keymap_lookup(km, KM_RECORDS, 'j'), ACT_MOVE_DOWN);
    assert_int_equal(keymap_lookup(km, KM_JSON, 'j'), ACT_MOVE_DOWN);
    assert_int_equal(keymap_lookup(km, KM_RECORDS, 'R'), ACT_ROLLBACK);
    assert_int_equal(keymap_lookup(km, KM_ITEMS, 'R'), ACT_NONE); /* not on instances */
    assert_int_equal(keymap_lookup(km, KM_JSON, 'd'), ACT_NONE);
    assert_int_equal(keymap_lookup(km, KM_DETAIL, KEYMAP_KEY_TAB), ACT_PANE_NEXT);
    assert_int_equal(keymap_lookup(km, KM_RECORDS, KEYMAP_KEY_TAB), ACT_NONE);
    assert_int_equal(keymap_lookup(km, KM_ITEMS, KEYMAP_KEY_ESC), ACT_BACK);
    assert_int_equal(keymap_lookup(km, KM_LOG, keymap_key_parse("PgDn")), ACT_PAGE_DOWN);
    assert_int_equal(keymap_lookup(km, KM_RECORDS, 'z'), ACT_NONE);
    keymap_free(km);
}

struct diags {
    char lines[16][512];
    int n;
};

static void collect(void *ctx, const char *line)
{
    struct diags *d = ctx;
    if (d->n < 16) strlcpy_safe(d->lines[d->n++], line, sizeof d->lines[0]);
}

static void add_bind(struct config *c, const char *ctx, const char *key, const char *action)
{
    struct config_binding *b = &c->bindings[c->n_bindings++];
    strlcpy_safe(b->context, ctx, sizeof b->context);
    strlcpy_safe(b->key, key, sizeof b->key);
    strlcpy_safe(b->action, action, sizeof b->action);
    b->line = (int)c->n_bindings;
}

static bool any_contains(const struct diags *d, const char *s)
{
    for (int i = 0; i < d->n; i++)
        if (strstr(d->lines[i], s)) return true;
    return false;
}

static void test_user_bindings_win_and_are_checked(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    strlcpy_safe(cfg.path, "/home/u/.config/certdeck/config", sizeof cfg.path);
    add_bind(&cfg, "records", "j", "quit");       /* 1: replaces move-down on records */
    add_bind(&cfg, "global", "x", "help");        /* 2: a new key everywhere */
    add_bind(&cfg, "records", "v", "frobnicate"); /* 3: unknown action */
    add_bind(&cfg, "nowhere", "z", "quit");       /* 4: unknown context */
    add_bind(&cfg, "json", "w", "rollback");      /* 5: does not apply in json */
    add_bind(&cfg, "records", "C-", "quit");      /* 6: bad key */
    add_bind(&cfg, "records", "x", "raw-json");   /* 7: beats the global x on records */
    add_bind(&cfg, "records", "x", "open");       /* 8: same key again: reported, wins */
    struct keymap *km = keymap_new();
    struct diags d = {0};
    int bad = keymap_apply_config(km, &cfg, collect, &d);
    assert_int_equal(bad, 4);
    assert_true(any_contains(&d, "config:3: bind: unknown action 'frobnicate'"));
    assert_true(any_contains(&d, "config:4: bind: unknown context 'nowhere'"));
    assert_true(any_contains(&d, "config:5: bind: action does not apply here"));
    assert_true(any_contains(&d, "config:6: bind: unknown key 'C-'"));
    assert_true(any_contains(&d, "config:1: bind: records j replaces its default (move-down)"));
    assert_true(any_contains(&d, "config:8:"));

    assert_int_equal(keymap_lookup(km, KM_RECORDS, 'j'), ACT_QUIT);
    assert_int_equal(keymap_lookup(km, KM_ITEMS, 'j'), ACT_MOVE_DOWN); /* other screens keep it */
    assert_int_equal(keymap_lookup(km, KM_ITEMS, 'x'), ACT_HELP);
    assert_int_equal(keymap_lookup(km, KM_RECORDS, 'x'), ACT_OPEN);
    assert_int_equal(keymap_lookup(km, KM_RECORDS, 'v'), ACT_NONE);

    /* The help lists what really happens. */
    char keys[128];
    keymap_keys_for(km, KM_RECORDS, ACT_MOVE_DOWN, keys, sizeof keys);
    assert_null(strstr(keys, "j"));
    assert_non_null(strstr(keys, "Down"));
    keymap_keys_for(km, KM_RECORDS, ACT_QUIT, keys, sizeof keys);
    assert_non_null(strstr(keys, "j"));
    assert_non_null(strstr(keys, "Q"));
    keymap_keys_for(km, KM_DETAIL, ACT_HELP, keys, sizeof keys);
    assert_non_null(strstr(keys, "x"));
    keymap_free(km);
}

static void test_print_lists_every_action(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    keymap_print(f);
    fclose(f);
    assert_non_null(strstr(text, "| Keys | Action | Where | What it does |"));
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        char cell[80];
        snprintf(cell, sizeof cell, "| `%s` |", keymap_action_name((enum keymap_action)a));
        assert_non_null(strstr(text, cell));
    }
    assert_non_null(strstr(text, "| `R` | `rollback` | records, detail |"));
    assert_non_null(strstr(text, "`Esc` `Backspace` `h` `Left`"));
    free(text);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_names_round_trip),
        cmocka_unit_test(test_config_keys_parse),
        cmocka_unit_test(test_table_is_consistent),
        cmocka_unit_test(test_defaults_do_not_conflict),
        cmocka_unit_test(test_lookup_defaults),
        cmocka_unit_test(test_user_bindings_win_and_are_checked),
        cmocka_unit_test(test_print_lists_every_action),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
