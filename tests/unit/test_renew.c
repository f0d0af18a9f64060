/* The renewal's shared pieces that need no server: the resource type and region lists as
 * `certdeck update --types` and the TUI's types prompt read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/renew.h"
#include "core/util.h"

static void test_split_words(void **state)
{
    (void)state;
    char *w[4];
    size_t n = 99;
    assert_int_equal(renew_split_words("clb,waf", w, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(w[0], "clb");
    assert_string_equal(w[1], "waf");
    free(w[0]);
    free(w[1]);
    /* empty words between commas are skipped */
    assert_int_equal(renew_split_words(",tke,,ap-guangzhou-1,", w, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(w[1], "ap-guangzhou-1");
    free(w[0]);
    free(w[1]);
    /* refused, nothing left allocated (the leak checker of the sanitizer builds would say) */
    static const char *const bad[] = {"",
                                      ",",
                                      "clb,WAF",
                                      "clb waf",
                                      "clb,a/b",
                                      "a,b,c,d,e",
                                      "0123456789012345678901234567890123456789x"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_int_equal(renew_split_words(bad[i], w, 4, &n), -1);
        assert_int_equal(n, 0);
    }
    assert_true(renew_word_ok("cos"));
    assert_false(renew_word_ok("Cos"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
