/* Theme table, value parsing (names, colorN, #rrggbb mapped to 256/16/8 colours, attributes),
 * theme files (diags with line numbers), the shipped themes and the XDG search order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "testutil.h"
#include "tui/theme.h"

/* Every test starts from an empty temp HOME and no XDG_CONFIG_HOME (tu_home_setup), so a real
 * user config never leaks in. */

/* ---- the built-in table --------------------------------------------------------------- */

static const struct {
    const char *name, *fg, *bg, *attrs, *mono;
} table[] = {
#define ROW(id, name, fg, bg, attrs, mono) {name, fg, bg, attrs, mono},
    THEME_KEYS(ROW)
#undef ROW
};

static void test_builtin_table_complete(void **state)
{
    (void)state;
    assert_int_equal(ARRAY_LEN(table), THEME_KEY_COUNT);
    struct theme t;
    theme_builtin(&t);
    assert_string_equal(t.name, "default");
    assert_string_equal(t.path, "");
    assert_int_equal(t.n_diags, 0);
    assert_false(t.monochrome);
    for (int k = 0; k < THEME_KEY_COUNT; k++) {
        const char *name = theme_key_name((enum theme_key)k);
        assert_non_null(name);
        assert_true(name[0] != '\0');
        assert_string_equal(name, table[k].name);
        assert_int_equal(theme_key_from_name(name), k);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(name, table[j].name);

        /* Every entry parses, and theme_builtin holds exactly what it parses to. */
        char value[128], err[256] = "";
        snprintf(value, sizeof value, "%s %s %s", table[k].fg, table[k].bg,
                 table[k].attrs[0] ? table[k].attrs : "-");
        struct theme_style st = {0};
        assert_int_equal(theme_parse_value(value, 8, &st, err, sizeof err), 0);
        unsigned mono = 0;
        assert_int_equal(theme_parse_attrs(table[k].mono, &mono, err, sizeof err), 0);
        assert_int_equal(t.styles[k].fg, st.fg);
        assert_int_equal(t.styles[k].bg, st.bg);
        assert_int_equal(t.styles[k].attrs, st.attrs);
        assert_int_equal(t.styles[k].mono, mono);
        /* Basic colours only, so the built-in look works on 8-colour terminals. */
        assert_in_range(t.styles[k].fg + 1, 0, 8);
        assert_in_range(t.styles[k].bg + 1, 0, 8);
    }
    assert_null(theme_key_name(THEME_KEY_COUNT));
    assert_int_equal(theme_key_from_name("no.such.key"), -1);
    assert_int_equal(theme_key_from_name(""), -1);
    assert_int_equal(theme_key_from_name(NULL), -1);
    /* Spot-check that the table is really applied, not zeroed. */
    assert_int_equal(t.styles[THEME_TITLE].bg, 6);
    assert_int_equal(t.styles[THEME_TITLE].mono, THEME_ATTR_REVERSE | THEME_ATTR_BOLD);
}

/* ---- values --------------------------------------------------------------------------- */

static struct theme_style parse_ok(const char *value, int colors)
{
    struct theme_style st = {.fg = 99, .bg = 99, .attrs = 999, .mono = 77};
    char err[256] = "";
    int rc = theme_parse_value(value, colors, &st, err, sizeof err);
    if (rc != 0) fail_msg("'%s' at %d colours: %s", value, colors, err);
    assert_int_equal(st.mono, 77); /* never touched */
    return st;
}

static int fg_of(const char *value, int colors)
{
    return parse_ok(value, colors).fg;
}

static void expect_error(const char *value, int colors, const char *msg)
{
    struct theme_style st = {.fg = 42, .bg = 43, .attrs = 44, .mono = 45};
    char err[256] = "";
    assert_int_equal(theme_parse_value(value, colors, &st, err, sizeof err), -1);
    assert_string_equal(err, msg);
    assert_int_equal(st.fg, 42); /* unchanged on error */
    assert_int_equal(st.bg, 43);
    assert_int_equal(st.attrs, 44);
}

static void test_parse_names(void **state)
{
    (void)state;
    static const char *names[8] = {"black", "red",     "green", "yellow",
                                   "blue",  "magenta", "cyan",  "white"};
    for (int i = 0; i < 8; i++) {
        char bright[32];
        snprintf(bright, sizeof bright, "bright-%s", names[i]);
        for (int colors = 8; colors <= 256; colors *= 2)
            assert_int_equal(fg_of(names[i], colors), i);
        assert_int_equal(fg_of(bright, 16), i + 8);
        assert_int_equal(fg_of(bright, 256), i + 8);
    }
    /* 8 colours: bright-X loses its bright bit. */
    for (int i = 0; i < 8; i++) {
        char bright[32];
        snprintf(bright, sizeof bright, "bright-%s", names[i]);
        assert_int_equal(fg_of(bright, 8), i);
    }

    struct theme_style st = parse_ok("default", 256);
    assert_int_equal(st.fg, -1);
    assert_int_equal(st.bg, -1); /* bg omitted: default */
    assert_int_equal(st.attrs, 0);
    st = parse_ok("  white\tblack  ", 16);
    assert_int_equal(st.fg, 7);
    assert_int_equal(st.bg, 0);
    st = parse_ok("default bright-cyan bold", 16);
    assert_int_equal(st.fg, -1);
    assert_int_equal(st.bg, 14);
    assert_int_equal(st.attrs, THEME_ATTR_BOLD);

    expect_error("purpel", 256, "unknown colour 'purpel'");
    expect_error("red purpel", 256, "unknown colour 'purpel'");
    expect_error("Red", 256, "unknown colour 'Red'");
    expect_error("brightred", 256, "unknown colour 'brightred'");
    expect_error("bright-", 256, "unknown colour 'bright-'");
    expect_error("", 256, "empty value (want: fg [bg [attrs]])");
    expect_error("   ", 256, "empty value (want: fg [bg [attrs]])");
}

/* xterm-256 palette, computed here independently of the module. */
static void rgb_of(int n, int rgb[3])
{
    static const int basic[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    static const int level[6] = {0, 95, 135, 175, 215, 255};
    if (n < 16) {
        memcpy(rgb, basic[n], sizeof basic[n]);
    } else if (n < 232) {
        rgb[0] = level[(n - 16) / 36];
        rgb[1] = level[(n - 16) / 6 % 6];
        rgb[2] = level[(n - 16) % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (n - 232);
    }
}

static void test_parse_color_number(void **state)
{
    (void)state;
    char v[32];
    for (int n = 0; n < 256; n++) {
        snprintf(v, sizeof v, "color%d", n);
        assert_int_equal(fg_of(v, 256), n);
        if (n < 16) assert_int_equal(fg_of(v, 16), n); /* what the terminal has: unchanged */
        if (n < 8) assert_int_equal(fg_of(v, 8), n);
        assert_in_range(fg_of(v, 16), 0, 15);
        /* 8 colours: the 16-colour answer without its bright bit. */
        assert_int_equal(fg_of(v, 8), fg_of(v, 16) & 7);
        assert_int_equal(fg_of(v, 88), fg_of(v, 16)); /* 88 colours: treated as 16 */
    }
    assert_int_equal(fg_of("color196", 16), 9);  /* (255,0,0) is bright-red exactly */
    assert_int_equal(fg_of("color196", 8), 1);   /* nearest basic: red (205,0,0) */
    assert_int_equal(fg_of("color244", 16), 8);  /* grey (128,128,128) ~ bright-black */
    assert_int_equal(fg_of("color244", 8), 0);   /* bright-black without bright: black */
    assert_int_equal(fg_of("color252", 8), 7);   /* (208,208,208) ~ white (229,229,229) */
    assert_int_equal(fg_of("color16", 16), 0);   /* cube black */
    assert_int_equal(fg_of("color231", 16), 15); /* cube white */
    assert_int_equal(fg_of("color21", 16), 4);   /* (0,0,255): blue (0,0,238) is 17 away */
    assert_int_equal(fg_of("color9", 8), 1);
    assert_int_equal(fg_of("color007", 256), 7);

    expect_error("color256", 256, "unknown colour 'color256'");
    expect_error("color300", 16, "unknown colour 'color300'");
    expect_error("color", 256, "unknown colour 'color'");
    expect_error("color-1", 256, "unknown colour 'color-1'");
    expect_error("color1a", 256, "unknown colour 'color1a'");
    expect_error("color0001", 256, "unknown colour 'color0001'");
}

static void test_parse_rgb(void **state)
{
    (void)state;
    /* Worked by hand: #ff0000 is cube (5,0,0) = 16 + 36*5 = 196; with 16 colours it is
     * bright-red (9) exactly, with 8 the nearest is red (1). */
    assert_int_equal(fg_of("#ff0000", 256), 196);
    assert_int_equal(fg_of("#FF0000", 256), 196);
    assert_int_equal(fg_of("#ff0000", 16), 9);
    assert_int_equal(fg_of("#ff0000", 8), 1);
    /* #87afd7: levels 135,175,215 = (2,3,4) -> 16 + 72 + 18 + 4 = 110. */
    assert_int_equal(fg_of("#87afd7", 256), 110);
    /* #808080: grey ramp 8+10*12 = 128 exactly (244); the cube's nearest is 135 away. */
    assert_int_equal(fg_of("#808080", 256), 244);
    /* #000000 and #ffffff stay in 16-255 at 256 colours (0-15 are user-redefinable). */
    assert_int_equal(fg_of("#000000", 256), 16);
    assert_int_equal(fg_of("#ffffff", 256), 231);
    /* #7f7f80: cube 95 or 135 per channel, grey 128 (244) is nearest. */
    assert_int_equal(fg_of("#7f7f80", 256), 244);
    /* 16 colours: #cd0000 is red exactly, navy (0,0,128) is nearer blue (0,0,238) than black. */
    assert_int_equal(fg_of("#cd0000", 16), 1);
    assert_int_equal(fg_of("#000080", 16), 4);
    assert_int_equal(fg_of("#e5e5e5", 16), 7);
    assert_int_equal(fg_of("#ffffff", 16), 15);
    assert_int_equal(fg_of("#ffffff", 8), 7);

    /* Every palette colour 16-255 written as #rrggbb comes back as itself at 256, and at 16
     * it agrees with the same colour written as colorN. */
    for (int n = 16; n < 256; n++) {
        int rgb[3];
        char hex[16], num[16];
        rgb_of(n, rgb);
        snprintf(hex, sizeof hex, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
        snprintf(num, sizeof num, "color%d", n);
        assert_int_equal(fg_of(hex, 256), n);
        assert_int_equal(fg_of(hex, 16), fg_of(num, 16));
        assert_int_equal(fg_of(hex, 8), fg_of(num, 8));
    }
    /* The 16-colour mapping is the true nearest basic colour by squared RGB distance. */
    for (int n = 16; n < 256; n++) {
        int rgb[3], got;
        long best_d = -1;
        char num[16];
        rgb_of(n, rgb);
        for (int b = 0; b < 16; b++) {
            int p[3];
            rgb_of(b, p);
            long d = 0;
            for (int c = 0; c < 3; c++)
                d += (long)(p[c] - rgb[c]) * (p[c] - rgb[c]);
            if (best_d < 0 || d < best_d) best_d = d;
        }
        snprintf(num, sizeof num, "color%d", n);
        got = fg_of(num, 16);
        int gp[3];
        rgb_of(got, gp);
        long gd = 0;
        for (int c = 0; c < 3; c++)
            gd += (long)(gp[c] - rgb[c]) * (gp[c] - rgb[c]);
        assert_int_equal(gd, best_d);
    }

    struct theme_style st = parse_ok("#000000 #ffffff underline", 256);
    assert_int_equal(st.fg, 16);
    assert_int_equal(st.bg, 231);
    assert_int_equal(st.attrs, THEME_ATTR_UNDERLINE);

    expect_error("#ff00", 256, "unknown colour '#ff00'");
    expect_error("#ff00000", 256, "unknown colour '#ff00000'");
    expect_error("#gg0000", 256, "unknown colour '#gg0000'");
    expect_error("ff0000", 256, "unknown colour 'ff0000'");
}

static void test_parse_attrs(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        unsigned bit;
    } all[] = {
        {"bold", THEME_ATTR_BOLD},           {"dim", THEME_ATTR_DIM},
        {"underline", THEME_ATTR_UNDERLINE}, {"reverse", THEME_ATTR_REVERSE},
        {"standout", THEME_ATTR_STANDOUT},   {"italic", THEME_ATTR_ITALIC},
        {"blink", THEME_ATTR_BLINK},
    };
    char err[256];
    unsigned a = 12345, every = 0;
    struct buf list = {0};
    for (size_t i = 0; i < ARRAY_LEN(all); i++) {
        assert_int_equal(theme_parse_attrs(all[i].name, &a, err, sizeof err), 0);
        assert_int_equal(a, all[i].bit);
        assert_int_equal(every & all[i].bit, 0); /* distinct bits */
        every |= all[i].bit;
        buf_printf(&list, "%s%s", i ? "," : "", all[i].name);
    }
    assert_int_equal(theme_parse_attrs(list.data, &a, err, sizeof err), 0);
    assert_int_equal(a, every);
    buf_free(&list);

    assert_int_equal(theme_parse_attrs("bold,underline", &a, err, sizeof err), 0);
    assert_int_equal(a, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
    a = 7;
    assert_int_equal(theme_parse_attrs("-", &a, err, sizeof err), 0);
    assert_int_equal(a, 0);
    a = 7;
    assert_int_equal(theme_parse_attrs("none", &a, err, sizeof err), 0);
    assert_int_equal(a, 0);
    a = 7;
    assert_int_equal(theme_parse_attrs("", &a, err, sizeof err), 0);
    assert_int_equal(a, 0);

    a = 7;
    assert_int_equal(theme_parse_attrs("blod", &a, err, sizeof err), -1);
    assert_string_equal(err, "unknown attribute 'blod'");
    assert_int_equal(a, 7);
    assert_int_equal(theme_parse_attrs("bold,italc", &a, err, sizeof err), -1);
    assert_string_equal(err, "unknown attribute 'italc'");
    assert_int_equal(theme_parse_attrs("bold,", &a, err, sizeof err), -1);
    assert_string_equal(err, "empty attribute in 'bold,'");
    assert_int_equal(theme_parse_attrs(",bold", &a, err, sizeof err), -1);
    assert_int_equal(theme_parse_attrs("bold,,dim", &a, err, sizeof err), -1);
    assert_int_equal(a, 7);

    struct theme_style st = parse_ok("red default bold,reverse", 8);
    assert_int_equal(st.attrs, THEME_ATTR_BOLD | THEME_ATTR_REVERSE);
    expect_error("red default blod", 8, "unknown attribute 'blod'");
    expect_error("red default bold underline", 8,
                 "unexpected 'underline' after the attributes (attributes are comma-separated)");
}

/* ---- theme files ---------------------------------------------------------------------- */

static void load_ok(struct theme *t, const char *name, int colors)
{
    char err[1024] = "";
    int rc = theme_load(t, name, colors, err, sizeof err);
    if (rc != 0) fail_msg("theme_load(%s): %s", name, err);
}

static void assert_no_diags(const struct theme *t)
{
    tu_assert_diags(t->diags, t->n_diags, t->path, NULL, 0);
}

static void test_shipped_themes_load_clean(void **state)
{
    (void)state;
    static const char *shipped[] = {"default", "light", "high-contrast", "mono"};
    struct theme t;
    for (size_t i = 0; i < ARRAY_LEN(shipped); i++) {
        for (int colors = 8; colors <= 256; colors *= 2) {
            load_ok(&t, shipped[i], colors);
            assert_no_diags(&t);
            assert_string_equal(t.name, shipped[i]);
            char *want = xasprintf("%s/%s.theme", CERTDECK_THEMES_DIR, shipped[i]);
            assert_string_equal(t.path, want);
            free(want);
            assert_int_equal(t.monochrome, strcmp(shipped[i], "mono") == 0);
            /* Statuses stay distinguishable by colour on every terminal. */
            static const enum theme_key st[] = {THEME_STATUS_SUCCESS, THEME_STATUS_FAILED,
                                                THEME_STATUS_RUNNING, THEME_STATUS_ROLLBACK};
            for (size_t a = 0; a < ARRAY_LEN(st) && !t.monochrome; a++)
                for (size_t b = 0; b < a; b++)
                    assert_int_not_equal(t.styles[st[a]].fg, t.styles[st[b]].fg);
            for (int k = 0; k < THEME_KEY_COUNT; k++) {
                int top = colors >= 256 ? 255 : colors >= 16 ? 15 : 7;
                assert_in_range(t.styles[k].fg + 1, 0, top + 1);
                assert_in_range(t.styles[k].bg + 1, 0, top + 1);
            }
        }
    }
    /* The themes differ from the built-in look where they claim to. */
    struct theme builtin;
    theme_builtin(&builtin);
    load_ok(&t, "high-contrast", 16);
    assert_int_equal(t.styles[THEME_TABLE_CURSOR].attrs & THEME_ATTR_REVERSE, THEME_ATTR_REVERSE);
    assert_int_equal(t.styles[THEME_STATUS_FAILED].fg, 9);
    load_ok(&t, "light", 256);
    assert_int_equal(t.styles[THEME_STATUS_SUCCESS].fg, 28); /* #008700 */
    load_ok(&t, "mono", 256);
    assert_memory_equal(t.styles, builtin.styles, sizeof t.styles);

    /* Every *.theme in the directory, whatever its name, loads by path with no diags. */
    DIR *d = opendir(CERTDECK_THEMES_DIR);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 6, ".theme") != 0) continue;
        char *p = tu_path(CERTDECK_THEMES_DIR, e->d_name);
        load_ok(&t, p, 256);
        assert_no_diags(&t);
        free(p);
        n++;
    }
    closedir(d);
    assert_true(n >= (int)ARRAY_LEN(shipped));
}

static void test_default_theme_names_every_key(void **state)
{
    (void)state;
    char *path = xasprintf("%s/default.theme", CERTDECK_THEMES_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int colour_seen[THEME_KEY_COUNT] = {0}, mono_seen[THEME_KEY_COUNT] = {0};
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char key[128];
        if (sscanf(line, " %127[^= \t\n]", key) != 1 || key[0] == '#') continue;
        bool mono = strncmp(key, "mono.", 5) == 0;
        const char *name = mono ? key + 5 : key;
        int k = -1;
        for (int i = 0; i < THEME_KEY_COUNT; i++)
            if (!strcmp(table[i].name, name)) k = i;
        if (k < 0) fail_msg("default.theme:%d: '%s' is not in THEME_KEYS", lineno, key);
        (mono ? mono_seen : colour_seen)[k]++;
    }
    free(line);
    fclose(f);
    for (int k = 0; k < THEME_KEY_COUNT; k++) {
        if (colour_seen[k] != 1 || mono_seen[k] != 1)
            fail_msg("default.theme: key '%s' appears %d times, mono.%s %d times (want 1, 1)",
                     table[k].name, colour_seen[k], table[k].name, mono_seen[k]);
    }

    /* ...with the built-in values. */
    struct theme t, builtin;
    theme_builtin(&builtin);
    for (int colors = 8; colors <= 256; colors *= 2) {
        load_ok(&t, path, colors);
        assert_no_diags(&t);
        for (int k = 0; k < THEME_KEY_COUNT; k++) {
            if (memcmp(&t.styles[k], &builtin.styles[k], sizeof t.styles[k]) != 0)
                fail_msg("default.theme: '%s' differs from the built-in table", table[k].name);
        }
    }
    free(path);
}

static void test_file_diags_with_line_numbers(void **state)
{
    (void)state;
    char *path = tu_path(tu_tmp, "mine.theme");
    tu_write_file(path, "# my theme\n"
                        "\n"
                        "title = red\n"
                        "titel = red\n"
                        "crumbs = purpel default bold\n"
                        "mono.label = underline\n");
    struct theme t, builtin;
    theme_builtin(&builtin);
    load_ok(&t, path, 256);
    assert_string_equal(t.name, "mine");
    assert_string_equal(t.path, path);
    static const char *const want[] = {"4: unknown key 'titel'", "5: unknown colour 'purpel'"};
    tu_assert_diags(t.diags, t.n_diags, path, want, ARRAY_LEN(want));
    /* The good lines apply, the bad one changes nothing. */
    assert_int_equal(t.styles[THEME_TITLE].fg, 1);
    assert_int_equal(t.styles[THEME_TITLE].bg, -1);
    assert_int_equal(t.styles[THEME_TITLE].attrs, 0);
    assert_int_equal(t.styles[THEME_TITLE].mono, builtin.styles[THEME_TITLE].mono);
    assert_memory_equal(&t.styles[THEME_CRUMBS], &builtin.styles[THEME_CRUMBS], sizeof t.styles[0]);
    assert_int_equal(t.styles[THEME_LABEL].mono, THEME_ATTR_UNDERLINE);
    assert_int_equal(t.styles[THEME_LABEL].fg, builtin.styles[THEME_LABEL].fg);
    free(path);
}

static void test_file_other_diags(void **state)
{
    (void)state;
    char *path = tu_path(tu_tmp, "odd.theme");
    /* CRLF endings, a BOM, a line with no '=', a bad attribute, an unknown mono key, a bad
     * monochrome value, an escape character (which must not reach the diag raw). */
    tu_write_file(path, "\xef\xbb\xbfnormal = white black\r\n"
                        "just words\r\n"
                        "  # indented comment\n"
                        "label = red default blod\n"
                        "mono.nope = bold\n"
                        "monochrome = maybe\n"
                        "ti\x1btle = red\n"
                        "monochrome = yes\n"
                        "table.cursor =\n");
    struct theme t;
    load_ok(&t, path, 16);
    assert_int_equal(t.styles[THEME_NORMAL].fg, 7);
    assert_int_equal(t.styles[THEME_NORMAL].bg, 0);
    assert_true(t.monochrome);
    static const char *const want[] = {
        "2: expected 'key = value', got 'just words'",
        "4: unknown attribute 'blod'",
        "5: unknown key 'mono.nope'",
        "6: monochrome takes yes or no, not 'maybe'",
        NULL, /* line 7: checked below */
        "9: empty value (want: fg [bg [attrs]])",
    };
    tu_assert_diags(t.diags, t.n_diags, path, want, ARRAY_LEN(want));
    char *prefix = xasprintf("%s:7: unknown key 'ti", path);
    assert_memory_equal(t.diags[4], prefix, strlen(prefix));
    free(prefix);
    for (size_t i = 0; i < t.n_diags; i++)
        for (const char *p = t.diags[i]; *p; p++)
            assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
    free(path);
}

static void test_too_many_diags(void **state)
{
    (void)state;
    struct buf text = {0};
    for (int i = 1; i <= 40; i++)
        buf_printf(&text, "bad%d = red\n", i);
    char *path = tu_path(tu_tmp, "many.theme");
    tu_write_file(path, text.data);
    buf_free(&text);
    struct theme t;
    load_ok(&t, path, 256);
    assert_int_equal(t.n_diags, THEME_MAX_DIAGS);
    char want[600];
    snprintf(want, sizeof want, "%s:31: unknown key 'bad31'", path);
    assert_string_equal(t.diags[THEME_MAX_DIAGS - 2], want);
    snprintf(want, sizeof want, "%s: 9 more problems not shown", path);
    assert_string_equal(t.diags[THEME_MAX_DIAGS - 1], want);
    free(path);
}

static void test_xdg_search_order(void **state)
{
    (void)state;
    char *xdg = tu_path(tu_tmp, "xdg"), *home = tu_path(tu_tmp, "home");
    char *xdg_default = tu_path(tu_tmp, "xdg/certdeck/themes/default.theme");
    char *home_light = tu_path(tu_tmp, "home/.config/certdeck/themes/light.theme");
    char *home_own = tu_path(tu_tmp, "home/.config/certdeck/themes/own.theme");
    tu_write_file(xdg_default, "title = color100\n");
    tu_write_file(home_light, "title = color101\n");
    tu_write_file(home_own, "title = color102\n");
    struct theme t;

    /* XDG_CONFIG_HOME set: its theme shadows the shipped one of the same name... */
    setenv("XDG_CONFIG_HOME", xdg, 1);
    load_ok(&t, "default", 256);
    assert_string_equal(t.path, xdg_default);
    assert_int_equal(t.styles[THEME_TITLE].fg, 100);
    /* ...and ~/.config is not consulted at all: light comes from the shipped dir. */
    load_ok(&t, "light", 256);
    char *shipped_light = xasprintf("%s/light.theme", CERTDECK_THEMES_DIR);
    assert_string_equal(t.path, shipped_light);
    assert_int_not_equal(t.styles[THEME_TITLE].fg, 101);

    /* Unset, or relative (ignored per the XDG spec): ~/.config/certdeck/themes. */
    unsetenv("XDG_CONFIG_HOME");
    load_ok(&t, "light", 256);
    assert_string_equal(t.path, home_light);
    assert_int_equal(t.styles[THEME_TITLE].fg, 101);
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    load_ok(&t, "own", 256);
    assert_string_equal(t.path, home_own);
    assert_string_equal(t.name, "own");
    assert_int_equal(t.styles[THEME_TITLE].fg, 102);
    /* Not in the user dir: the shipped one. */
    load_ok(&t, "default", 256);
    char *shipped_default = xasprintf("%s/default.theme", CERTDECK_THEMES_DIR);
    assert_string_equal(t.path, shipped_default);

    /* $XDG_DATA_HOME/certdeck/themes (~/.local/share/… when unset) comes after the config
     * directory and before the shipped themes. */
    unsetenv("XDG_CONFIG_HOME");
    char *data_light = tu_path(tu_tmp, "data/certdeck/themes/light.theme");
    char *data_hc = tu_path(tu_tmp, "data/certdeck/themes/high-contrast.theme");
    char *home_data_hc = tu_path(tu_tmp, "home/.local/share/certdeck/themes/high-contrast.theme");
    tu_write_file(data_light, "title = color103\n");
    tu_write_file(data_hc, "title = color104\n");
    tu_write_file(home_data_hc, "title = color105\n");
    char *data = tu_path(tu_tmp, "data");
    setenv("XDG_DATA_HOME", data, 1);
    load_ok(&t, "light", 256); /* ~/.config/certdeck/themes/light.theme wins */
    assert_string_equal(t.path, home_light);
    load_ok(&t, "high-contrast", 256);
    assert_string_equal(t.path, data_hc);
    assert_int_equal(t.styles[THEME_TITLE].fg, 104);
    unsetenv("XDG_DATA_HOME");
    load_ok(&t, "high-contrast", 256);
    assert_string_equal(t.path, home_data_hc);
    assert_int_equal(t.styles[THEME_TITLE].fg, 105);
    free(data_light), free(data_hc), free(home_data_hc), free(data);

    /* A directory named like a theme is skipped, not opened. */
    unsetenv("XDG_CONFIG_HOME");
    char *dir_theme = tu_path(tu_tmp, "home/.config/certdeck/themes/mono.theme/x");
    tu_write_file(dir_theme, "");
    load_ok(&t, "mono", 256);
    char *shipped_mono = xasprintf("%s/mono.theme", CERTDECK_THEMES_DIR);
    assert_string_equal(t.path, shipped_mono);

    free(xdg), free(home), free(xdg_default), free(home_light), free(home_own);
    free(shipped_light), free(shipped_default), free(dir_theme), free(shipped_mono);
}

static void test_missing_theme(void **state)
{
    (void)state;
    char *xdg = tu_path(tu_tmp, "xdg"), *data = tu_path(tu_tmp, "data");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    setenv("XDG_DATA_HOME", data, 1);
    struct theme t, builtin;
    theme_builtin(&builtin);
    memset(&t, 0x5a, sizeof t);
    char err[1024] = "";
    assert_int_equal(theme_load(&t, "nosuch", 256, err, sizeof err), -1);
    char *want = xasprintf("theme 'nosuch' not found (looked in %s/certdeck/themes/nosuch.theme, "
                           "%s/certdeck/themes/nosuch.theme, %s/nosuch.theme)",
                           xdg, data, CERTDECK_THEMES_DIR);
    assert_string_equal(err, want);
    free(want);
    /* t is still usable: the built-in look. */
    assert_memory_equal(&t, &builtin, sizeof t);
    /* A bare file name is a name, with a hint. */
    assert_int_equal(theme_load(&t, "mine.theme", 256, err, sizeof err), -1);
    want = xasprintf("theme 'mine.theme' not found (looked in %s/certdeck/themes/mine.theme.theme, "
                     "%s/certdeck/themes/mine.theme.theme, %s/mine.theme.theme); for a file here, "
                     "write ./mine.theme",
                     xdg, data, CERTDECK_THEMES_DIR);
    assert_string_equal(err, want);
    free(want);

    /* A path that does not exist names the path and the reason. */
    char *path = tu_path(tu_tmp, "none/here.theme");
    assert_int_equal(theme_load(&t, path, 256, err, sizeof err), -1);
    want = xasprintf("cannot read theme file '%s': %s", path, strerror(ENOENT));
    assert_string_equal(err, want);
    free(want);
    /* A directory given as a path is refused too. */
    assert_int_equal(theme_load(&t, tu_tmp, 256, err, sizeof err), -1);
    assert_non_null(strstr(err, tu_tmp));

    /* NULL and "" mean the built-in look, no file. */
    memset(&t, 0x5a, sizeof t);
    assert_int_equal(theme_load(&t, NULL, 256, err, sizeof err), 0);
    assert_memory_equal(&t, &builtin, sizeof t);
    assert_int_equal(theme_load(&t, "", 256, err, sizeof err), 0);
    assert_memory_equal(&t, &builtin, sizeof t);
    free(path);
    free(xdg), free(data);
}

static void test_load_resets_previous_theme(void **state)
{
    (void)state;
    char *a = tu_path(tu_tmp, "a.theme"), *b = tu_path(tu_tmp, "b.theme");
    tu_write_file(a, "monochrome = yes\ntitle = red\nbogus = 1\n");
    tu_write_file(b, "crumbs = green\n");
    struct theme t, builtin;
    theme_builtin(&builtin);
    load_ok(&t, a, 16);
    assert_true(t.monochrome);
    assert_int_equal(t.n_diags, 1);
    load_ok(&t, b, 16);
    assert_false(t.monochrome);
    assert_int_equal(t.n_diags, 0);
    assert_int_equal(t.styles[THEME_TITLE].fg, builtin.styles[THEME_TITLE].fg);
    assert_int_equal(t.styles[THEME_CRUMBS].fg, 2);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_builtin_table_complete, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_parse_names, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_parse_color_number, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_parse_rgb, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_parse_attrs, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_shipped_themes_load_clean, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_default_theme_names_every_key, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_file_diags_with_line_numbers, tu_home_setup,
                                        tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_file_other_diags, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_too_many_diags, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_xdg_search_order, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_missing_theme, tu_home_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_load_resets_previous_theme, tu_home_setup,
                                        tu_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
