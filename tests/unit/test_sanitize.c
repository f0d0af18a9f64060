/* The sanitizer: hostile inputs with their exact visible forms, clean text unchanged,
 * keep_newlines, the fast path agreeing with the slow one, UTF-8 validation offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/sanitize.h"
#include "core/util.h"

#define FFFD "\xef\xbf\xbd"

/* S("…") gives a string literal and its length, embedded NULs included. */
#define S(lit) lit, sizeof(lit) - 1

struct row {
    const char *in;
    size_t len;
    const char *out; /* keep_newlines = false */
};

static const struct row hostile[] = {
    /* escape sequences: ESC becomes "^[", the rest is inert text */
    {S("\x1b[31mred"), "^[[31mred"},
    {S("\x1b]0;title\x07"), "^[]0;title^G"},
    {S("\x1b[2J\x1b[H"), "^[[2J^[[H"},
    {S("\x1b"), "^["},
    /* C0 and DEL */
    {S("a\rb"), "a^Mb"},
    {S("a\0b"), "a^@b"},
    {S("\x01\x1f"), "^A^_"},
    {S("\x08\x0b\x0c"), "^H^K^L"},
    {S("del\x7f"), "del^?"},
    {S("a\nb\tc"), "a b c"},
    {S("a\r\nb"), "a^M b"},
    /* C1 as UTF-8 code points: visible \u escapes */
    {S("\xc2\x9b"), "\\u009b"},
    {S("\xc2\x80x\xc2\x9f"), "\\u0080x\\u009f"},
    {S("\xc2\x9b"
       "31m"),
     "\\u009b31m"},
    /* C1 as raw bytes: invalid UTF-8 */
    {S("\x9b"), FFFD},
    {S("\x9b[31m"), FFFD "[31m"},
    {S("\x80\x9f"), FFFD FFFD},
    /* bidi controls */
    {S("\xe2\x80\xae"), "\\u202e"},
    {S("abc\xe2\x80\xae"
       "fdp.exe"),
     "abc\\u202efdp.exe"},
    {S("\xe2\x80\x8e\xe2\x80\x8f"), "\\u200e\\u200f"},
    {S("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), "\\u202a\\u202b\\u202c\\u202d"},
    {S("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"), "\\u2066\\u2067\\u2068\\u2069"},
    {S("\xd8\x9c"), "\\u061c"},
    /* invalid UTF-8: each offending byte becomes U+FFFD */
    {S("\xff"), FFFD},
    {S("\xfe\xfe"), FFFD FFFD},
    {S("\xc0\xaf"), FFFD FFFD},                   /* overlong '/' */
    {S("\xc1\xbf"), FFFD FFFD},                   /* overlong */
    {S("\xe0\x80\xaf"), FFFD FFFD FFFD},          /* overlong, 3 bytes */
    {S("\xf0\x80\x80\xaf"), FFFD FFFD FFFD FFFD}, /* overlong, 4 bytes */
    {S("\xed\xa0\x80"), FFFD FFFD FFFD},          /* surrogate U+D800 */
    {S("\xed\xbf\xbf"), FFFD FFFD FFFD},          /* surrogate U+DFFF */
    {S("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD}, /* U+110000 */
    {S("\xf5\x80\x80\x80"), FFFD FFFD FFFD FFFD}, /* lead byte beyond Unicode */
    {S("\xf8\x88\x80\x80\x80"), FFFD FFFD FFFD FFFD FFFD},
    {S("\xe4\xb8"), FFFD FFFD}, /* truncated 中 */
    {S("\xe4\xb8"
       "A"),
     FFFD FFFD "A"},
    {S("\xf0\x9f\x94"), FFFD FFFD FFFD}, /* truncated emoji */
    {S("\xe4"
       "\x1b"),
     FFFD "^["},
    {S("ok\xe4\xb8\xad\xe6\x96\x87\xe2\x80\xae"
       "evil\x1b[0m"),
     "ok\xe4\xb8\xad\xe6\x96\x87\\u202eevil^[[0m"},
};

/* Valid printable UTF-8 passes byte for byte. */
static const char *const clean[] = {
    "",
    "plain ASCII: a-z A-Z 0-9 ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
    "\xe4\xb8\xad\xe6\x96\x87\xe8\xaf\x81\xe4\xb9\xa6", /* 中文证书 */
    "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",             /* テスト */
    "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",             /* 한국어 */
    "\xf0\x9f\x94\x92 \xf0\x9f\x98\x80",                /* emoji */
    "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x92\xbb",     /* ZWJ sequence (U+200D is not bidi) */
    "caf\xc3\xa9 na\xc3\xafve",                         /* Latin-1 range */
    "\xc2\xa0\xc2\xbf",                                 /* U+00A0, U+00BF: just past C1 */
    "\xef\xbf\xbd",                                     /* U+FFFD itself */
    "\xed\x9f\xbf\xee\x80\x80",                         /* U+D7FF, U+E000: around surrogates */
    "\xf4\x8f\xbf\xbf",                                 /* U+10FFFF */
};

static char *run(const char *in, size_t len, bool keep)
{
    struct buf b = {0};
    sanitize_append(&b, in, len, keep);
    return buf_steal(&b);
}

/* sanitize_append of (in, len) on an empty buffer gives exactly want. */
static void expect_run(const char *in, size_t len, bool keep, const char *want)
{
    char *out = run(in, len, keep);
    assert_string_equal(out, want);
    free(out);
}

static void test_hostile_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
        char *out = run(hostile[i].in, hostile[i].len, false);
        if (strcmp(out, hostile[i].out) != 0)
            fail_msg("row %zu: got \"%s\", want \"%s\"", i, out, hostile[i].out);
        /* Every hostile row is unclean and its output is clean. */
        if (sanitize_is_clean(hostile[i].in, hostile[i].len)) fail_msg("row %zu is clean", i);
        assert_true(sanitize_is_clean(out, strlen(out)));
        assert_int_equal(utf8_invalid_offset(out, strlen(out)), -1);
        free(out);
    }
}

static void test_clean_passes_unchanged(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(clean); i++) {
        size_t len = strlen(clean[i]);
        for (int keep = 0; keep <= 1; keep++) {
            char *out = run(clean[i], len, keep);
            if (strcmp(out, clean[i]) != 0) fail_msg("clean[%zu] changed: \"%s\"", i, out);
            free(out);
        }
        assert_true(sanitize_is_clean(clean[i], len));
        assert_int_equal(utf8_invalid_offset(clean[i], len), -1);
    }
    /* Next to a harmless format character (ZWJ), an override is still caught. */
    expect_run(S("\xe2\x80\x8d\xe2\x80\xad"), false, "\xe2\x80\x8d\\u202d");
}

static void test_keep_newlines(void **state)
{
    (void)state;
    static const struct row kept[] = {
        {S("a\nb\tc"), "a\nb\tc"},
        {S("line1\r\nline2"), "line1^M\nline2"}, /* CR is never kept */
        {S("\n\n"), "\n\n"},
        {S("\x1b[1m\n"), "^[[1m\n"},
        {S("\x0b\x0c"), "^K^L"},             /* vertical tab and form feed are not newlines */
        {S("\xc2\x85"), "\\u0085"},          /* NEL is C1, not a newline */
        {S("\xe2\x80\xa8"), "\xe2\x80\xa8"}, /* U+2028 is printable text to a terminal */
    };
    for (size_t i = 0; i < ARRAY_LEN(kept); i++) {
        char *out = run(kept[i].in, kept[i].len, true);
        if (strcmp(out, kept[i].out) != 0)
            fail_msg("kept row %zu: got \"%s\", want \"%s\"", i, out, kept[i].out);
        free(out);
    }
    /* Without keep_newlines, newlines and tabs are spaces. */
    expect_run(S("a\nb\tc\n"), false, "a b c ");
}

/* sanitize_is_clean(s) is true exactly when sanitize_append(keep_newlines=false) is the
 * identity on s: checked on every table row. */
static void test_is_clean_agrees(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
        char *out = run(hostile[i].in, hostile[i].len, false);
        bool same =
            strlen(out) == hostile[i].len && memcmp(out, hostile[i].in, hostile[i].len) == 0;
        assert_int_equal(sanitize_is_clean(hostile[i].in, hostile[i].len), same);
        free(out);
    }
    for (size_t i = 0; i < ARRAY_LEN(clean); i++) {
        size_t len = strlen(clean[i]);
        char *out = run(clean[i], len, false);
        assert_int_equal(sanitize_is_clean(clean[i], len), strcmp(out, clean[i]) == 0);
        free(out);
    }
    /* Newlines and tabs change under keep_newlines=false, so they are not clean. */
    assert_false(sanitize_is_clean(S("a\nb")));
    assert_false(sanitize_is_clean(S("a\tb")));
    assert_true(sanitize_is_clean(S("a b")));
}

static void test_append_and_dup(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "prefix:");
    sanitize_append(&b, S("x\x1by"), false);
    sanitize_append(&b, S(""), false);
    sanitize_append(&b, S("\xff"), false);
    assert_string_equal(b.data, "prefix:x^[y" FFFD);
    assert_int_equal(b.len, strlen("prefix:x^[y" FFFD));
    buf_free(&b);

    /* The length bounds the input: bytes past len are not looked at. */
    expect_run("abc\x1b", 3, false, "abc");
    expect_run("\xe4\xb8\xad", 2, false, FFFD FFFD); /* a complete 中 cut by len */

    static const struct {
        const char *in, *want;
    } dups[] = {
        {NULL, ""},
        {"", ""},
        {"name\x1b]8;;http://evil\x07\tx\n", "name^[]8;;http://evil^G x "},
        {"\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87"},
    };
    for (size_t i = 0; i < ARRAY_LEN(dups); i++) {
        char *d = sanitize_dup(dups[i].in);
        assert_string_equal(d, dups[i].want);
        free(d);
    }
}

static void test_utf8_invalid_offset(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len;
        long want;
    } rows[] = {
        {S(""), -1},
        {S("abc"), -1},
        {S("\x1b[31m\x7f\n"), -1}, /* controls are valid UTF-8 */
        {S("\xc2\x9b"), -1},       /* C1 too */
        {S("\xe4\xb8\xad\xe6\x96\x87\xf0\x9f\x94\x92"), -1},
        {S("\xf4\x8f\xbf\xbf"), -1},
        {S("ab\xff"), 2},
        {S("\xff"
           "ab"),
         0},
        {S("ok\x80"), 2},
        {S("\xc0\xaf"), 0},
        {S("a\xe0\x80\xaf"), 1},
        {S("a\xed\xa0\x80"), 1},
        {S("\xe4\xb8\xad\xf4\x90\x80\x80"), 3},
        {S("\xe4\xb8\xad\xe4\xb8"), 3},
        {S("\xe4\xb8\xad\xe4\xb8x"), 3},
        {S("\xf0\x9f\x94\x92\xf0\x9f\x94"), 4},
        {S("abc\0\xff"), 4},
        {"\xe4\xb8\xad", 2, 0}, /* bounded by len */
    };
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        long got = utf8_invalid_offset(rows[i].s, rows[i].len);
        if (got != rows[i].want) fail_msg("row %zu: got %ld, want %ld", i, got, rows[i].want);
    }
}

/* ---- property check over many generated inputs ------------------------------------------- */

/* True when s (valid UTF-8 by the time this is called) holds no C0 other than those allowed,
 * no DEL, no C1 code point and no bidi control. */
static bool terminal_safe(const char *s, size_t len, bool keep)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        if (u[i] < 0x20 && !(keep && (u[i] == '\n' || u[i] == '\t'))) return false;
        if (u[i] == 0x7f) return false;
        if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f) return false;
        if (u[i] == 0xd8 && i + 1 < len && u[i + 1] == 0x9c) return false;
        if (u[i] == 0xe2 && i + 2 < len) {
            unsigned b1 = u[i + 1], b2 = u[i + 2];
            if (b1 == 0x80 && (b2 == 0x8e || b2 == 0x8f || (b2 >= 0xaa && b2 <= 0xae)))
                return false;
            if (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return false;
        }
    }
    return true;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void check_one(const char *in, size_t len)
{
    for (int keep = 0; keep <= 1; keep++) {
        char *out = run(in, len, keep);
        size_t n = strlen(out);
        assert_int_equal(utf8_invalid_offset(out, n), -1);
        assert_true(terminal_safe(out, n, keep));
        if (!keep) {
            bool same = n == len && memcmp(out, in, len) == 0;
            assert_int_equal(sanitize_is_clean(in, len), same);
            /* Idempotent: sanitizing sanitized text changes nothing. */
            char *again = run(out, n, false);
            assert_string_equal(again, out);
            free(again);
        }
        free(out);
    }
}

static void test_generated_inputs(void **state)
{
    (void)state;
    /* Every 1- and 2-byte string. */
    for (unsigned a = 0; a < 256; a++) {
        char s1[1] = {(char)a};
        check_one(s1, 1);
        for (unsigned b = 0; b < 256; b++) {
            char s2[2] = {(char)a, (char)b};
            check_one(s2, 2);
        }
    }
    /* Random strings biased toward lead bytes, continuations and controls. */
    static const unsigned char interesting[] = {0x00, 0x07, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x8f,
                                                0x9b, 0x9f, 0xa0, 0xae, 0xbf, 0xc0, 0xc2, 0xd8,
                                                0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
    char buf[12];
    for (int iter = 0; iter < 100000; iter++) {
        size_t len = 1 + rng() % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            uint32_t r = rng();
            buf[i] = (char)(r & 1 ? interesting[(r >> 1) % sizeof interesting] : (r >> 8) & 0xff);
        }
        check_one(buf, len);
    }
}

/* The code points JSON output escapes are exactly the ones the sanitizer never lets through
 * raw: DEL, C1, and every bidi control (U+061C included); printable text is left alone. */
static void test_cp_needs_escape(void **state)
{
    (void)state;
    static const uint32_t yes[] = {0x7f,   0x80,   0x85,   0x9b,   0x9f,   0x061c,
                                   0x200e, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069};
    static const uint32_t no[] = {'a',    ' ',    0x7e,   0xa0,   0xe9,
                                  0x4e2d, 0x200d, 0x202f, 0x206a, 0x1f600};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(sanitize_cp_needs_escape(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(sanitize_cp_needs_escape(no[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cp_needs_escape),        cmocka_unit_test(test_hostile_table),
        cmocka_unit_test(test_clean_passes_unchanged), cmocka_unit_test(test_keep_newlines),
        cmocka_unit_test(test_is_clean_agrees),        cmocka_unit_test(test_append_and_dup),
        cmocka_unit_test(test_utf8_invalid_offset),    cmocka_unit_test(test_generated_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
