/* Secrets out of core dumps: secmem pages carry MADV_DONTDUMP ("dd" in /proc/self/smaps), and
 * secmem_no_core_dumps makes the process non-dumpable unless CERTDECK_ALLOW_CORE=1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/secmem.h"
#include "core/util.h"

/* The VmFlags line of the mapping that holds p, from /proc/self/smaps ("" if not found). */
static void vm_flags_of(const void *p, char *out, size_t n)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/self/smaps", "r");
    assert_non_null(f);
    char line[512];
    bool in = false;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            continue;
        }
        if (in && strncmp(line, "VmFlags:", 8) == 0) {
            strlcpy_safe(out, line + 8, n);
            break;
        }
    }
    fclose(f);
}

static void test_secret_pages_are_not_dumped(void **state)
{
    (void)state;
    char *key = secmem_alloc(256);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(key[i], 0);
    strcpy(key, "secret");
    char flags[256];
    vm_flags_of(key, flags, sizeof flags);
    assert_non_null(strstr(flags, " dd"));
    secmem_free(key, 256);

    char *plain = malloc(64); /* the contrast: ordinary heap is dumped */
    vm_flags_of(plain, flags, sizeof flags);
    assert_true(flags[0] != '\0');
    assert_null(strstr(flags, " dd"));
    free(plain);
}

static void test_core_dumps_off_unless_allowed(void **state)
{
    (void)state;
    assert_true(secmem_core_dumps_allowed()); /* a test program starts dumpable */
    setenv("CERTDECK_ALLOW_CORE", "1", 1);
    secmem_no_core_dumps();
    assert_true(secmem_core_dumps_allowed());
    setenv("CERTDECK_ALLOW_CORE", "0", 1);
    secmem_no_core_dumps();
    assert_false(secmem_core_dumps_allowed());
    unsetenv("CERTDECK_ALLOW_CORE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_pages_are_not_dumped),
        cmocka_unit_test(test_core_dumps_off_unless_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
