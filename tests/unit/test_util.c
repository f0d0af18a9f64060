/* core/util: the growable buffer, xgrow, the string helpers and secure_zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util.h"

/* The invariants every buffer keeps after any operation. */
static void assert_buf_ok(const struct buf *b)
{
    if (!b->data) {
        assert_int_equal(b->len, 0);
        return;
    }
    assert_true(b->cap >= b->len + 1);
    assert_int_equal(b->data[b->len], '\0');
}

static void test_buf_appends(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "");
    assert_buf_ok(&b);
    assert_int_equal(b.len, 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");

    buf_puts(&b, "ab");
    buf_putc(&b, 'c');
    buf_append(&b, "defXX", 3);
    assert_buf_ok(&b);
    assert_int_equal(b.len, 6);
    assert_string_equal(b.data, "abcdef");

    /* Embedded NULs are data, and the buffer stays terminated after them. */
    buf_append(&b, "\0z", 2);
    assert_buf_ok(&b);
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.data, "abcdef\0z", 8);

    /* Many small appends across several reallocations keep every byte. */
    buf_reset(&b);
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    assert_buf_ok(&b);
    assert_int_equal(b.len, 5000);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(b.data[i], 'a' + i % 26);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    buf_free(&b); /* idempotent */
}

static void test_buf_printf_growth(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_printf(&b, "%d", 7);
    assert_string_equal(b.data, "7");
    size_t first_cap = b.cap;

    /* One printf far larger than the current capacity. */
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "[%s]%05d", big, 42);
    assert_buf_ok(&b);
    assert_true(b.cap > first_cap);
    assert_int_equal(b.len, 1 + 1 + 2999 + 1 + 5);
    assert_int_equal(b.data[0], '7');
    assert_int_equal(b.data[1], '[');
    assert_int_equal(b.data[2 + 2999], ']');
    assert_string_equal(b.data + b.len - 5, "00042");
    assert_int_equal(strspn(b.data + 2, "x"), 2999);

    /* Output exactly filling the space left. */
    buf_reset(&b);
    size_t cap = b.cap;
    char exact[8192];
    size_t fill = cap - 1;
    assert_true(fill < sizeof exact);
    memset(exact, 'y', fill);
    exact[fill] = '\0';
    buf_printf(&b, "%s", exact);
    assert_buf_ok(&b);
    assert_int_equal(b.len, fill);
    assert_int_equal(b.cap, cap);
    buf_printf(&b, "%s", "z");
    assert_buf_ok(&b);
    assert_int_equal(b.len, fill + 1);
    assert_int_equal(b.data[fill], 'z');

    /* An empty format on an empty buffer still yields a terminated string. */
    struct buf e = {0};
    buf_printf(&e, "%s", "");
    assert_non_null(e.data);
    assert_string_equal(e.data, "");
    assert_int_equal(e.len, 0);
    buf_free(&e);
    buf_free(&b);
}

static void test_buf_reset_and_steal(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "hello world");
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap); /* memory is kept for reuse */
    assert_string_equal(b.data, "");
    buf_puts(&b, "again");

    char *s = buf_steal(&b);
    assert_string_equal(s, "again");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* The emptied buffer is usable and independent of the stolen string. */
    buf_puts(&b, "new");
    assert_string_equal(s, "again");
    assert_string_equal(b.data, "new");
    free(s);
    buf_free(&b);

    /* Stealing from a never-used buffer gives "" (never NULL). */
    struct buf z = {0};
    s = buf_steal(&z);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    buf_reset(&z); /* reset of an empty buffer is harmless */
    assert_null(z.data);
}

static void test_xgrow(void **state)
{
    (void)state;
    size_t cap = 0;
    int *a = xgrow(NULL, &cap, 1, sizeof *a);
    assert_non_null(a);
    assert_true(cap >= 1);
    size_t cap1 = cap;

    /* No growth when the need is met: same pointer, same capacity. */
    int *same = xgrow(a, &cap, cap1, sizeof *a);
    assert_ptr_equal(same, a);
    assert_int_equal(cap, cap1);

    /* Grow one element at a time, as callers do, and keep the contents. */
    for (size_t i = 0; i < 1000; i++) {
        a = xgrow(a, &cap, i + 1, sizeof *a);
        assert_true(cap >= i + 1);
        a[i] = (int)i * 3;
    }
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(a[i], (int)i * 3);
    /* Doubling: capacity stays within a factor of two of what was needed. */
    assert_true(cap < 2 * 1000);

    /* A big jump lands directly at or above the need. */
    size_t before = cap;
    a = xgrow(a, &cap, 100000, sizeof *a);
    assert_true(cap >= 100000);
    assert_true(cap > before);
    a[99999] = 1;
    assert_int_equal(a[999], 999 * 3);
    free(a);

    /* Larger elements. */
    struct big {
        char bytes[100];
    };
    size_t bcap = 0;
    struct big *bs = xgrow(NULL, &bcap, 3, sizeof *bs);
    assert_true(bcap >= 3);
    memset(bs, 1, bcap * sizeof *bs);
    free(bs);
}

static void test_str_trim(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"  \tabc", "abc"},
        {"abc \t\r\n", "abc"},
        {" a b \r\n", "a b"},
        {" \t \r\n", ""},
        {"\nabc", "\nabc"}, /* only spaces and tabs are leading blanks */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *copy = xstrdup(cases[i].in);
        char *got = str_trim(copy);
        assert_string_equal(got, cases[i].out);
        assert_true(got >= copy && got <= copy + strlen(cases[i].in));
        free(copy);
    }
}

static void test_strlcpy_safe(void **state)
{
    (void)state;
    char dst[8];
    memset(dst, '#', sizeof dst);
    assert_int_equal(strlcpy_safe(dst, "hello", sizeof dst), 5);
    assert_string_equal(dst, "hello");

    memset(dst, '#', sizeof dst);
    assert_int_equal(strlcpy_safe(dst, "truncated!", 4), 10);
    assert_string_equal(dst, "tru");
    assert_int_equal(dst[4], '#'); /* nothing written past size */

    /* Exactly size-1 fits; exactly size does not. */
    assert_int_equal(strlcpy_safe(dst, "1234567", sizeof dst), 7);
    assert_string_equal(dst, "1234567");
    assert_int_equal(strlcpy_safe(dst, "12345678", sizeof dst), 8);
    assert_string_equal(dst, "1234567");

    memset(dst, '#', sizeof dst);
    assert_int_equal(strlcpy_safe(dst, "abc", 1), 3);
    assert_int_equal(dst[0], '\0');
    assert_int_equal(dst[1], '#');

    /* size 0 writes nothing at all. */
    memset(dst, '#', sizeof dst);
    assert_int_equal(strlcpy_safe(dst, "abc", 0), 3);
    assert_int_equal(dst[0], '#');

    assert_int_equal(strlcpy_safe(dst, "", sizeof dst), 0);
    assert_string_equal(dst, "");
}

static void test_xasprintf_and_strdup(void **state)
{
    (void)state;
    char *s = xasprintf("%d-%s-%c", 42, "x", 'y');
    assert_string_equal(s, "42-x-y");
    free(s);
    s = xasprintf("%s", "");
    assert_string_equal(s, "");
    free(s);
    char *long_s = xasprintf("%0*d", 5000, 1);
    assert_int_equal(strlen(long_s), 5000);
    assert_int_equal(long_s[4999], '1');
    assert_int_equal(strspn(long_s, "0"), 4999);
    free(long_s);

    assert_null(xstrdup(NULL));
    s = xstrdup("dup");
    assert_string_equal(s, "dup");
    free(s);
    /* xstrndup copies exactly n bytes and terminates, even without a NUL in the source. */
    const char raw[3] = {'a', 'b', 'c'};
    s = xstrndup(raw, 2);
    assert_string_equal(s, "ab");
    free(s);
    s = xstrndup(raw, 0);
    assert_string_equal(s, "");
    free(s);

    /* Zero-size allocations still return usable pointers; calloc zeroes. */
    void *p = xmalloc(0);
    assert_non_null(p);
    free(p);
    unsigned char *z = xcalloc(64, 4);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(z[i], 0);
    z = xrealloc(z, 512);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(z[i], 0); /* realloc kept the old bytes */
    free(z);
}

static void test_secure_zero_and_clocks(void **state)
{
    (void)state;
    char secret[32];
    memset(secret, 'k', sizeof secret);
    secure_zero(secret, sizeof secret);
    for (size_t i = 0; i < sizeof secret; i++)
        assert_int_equal(secret[i], 0);
    secure_zero(secret, 0); /* no-op */

    int64_t a = now_ms(), b = now_ms();
    assert_true(b >= a);                  /* monotonic */
    assert_true(now_unix() > 1500000000); /* wall clock, in seconds, after 2017 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_trim),
        cmocka_unit_test(test_buf_appends),
        cmocka_unit_test(test_buf_printf_growth),
        cmocka_unit_test(test_buf_reset_and_steal),
        cmocka_unit_test(test_xgrow),
        cmocka_unit_test(test_strlcpy_safe),
        cmocka_unit_test(test_xasprintf_and_strdup),
        cmocka_unit_test(test_secure_zero_and_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
