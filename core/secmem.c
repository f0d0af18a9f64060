/* Keeping secrets out of core dumps (see secmem.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_DONTDUMP */
#include "core/secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "core/util.h"

void secmem_no_core_dumps(void)
{
    const char *allow = getenv("CERTDECK_ALLOW_CORE");
    if (allow && strcmp(allow, "1") == 0) return;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

bool secmem_core_dumps_allowed(void)
{
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
}

static size_t secmem_span(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (n + page - 1) / page * page;
}

void *secmem_alloc(size_t n)
{
    size_t span = secmem_span(n ? n : 1);
    void *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "certdeck: out of memory (%zu bytes for secrets)\n", span);
        abort();
    }
    madvise(p, span, MADV_DONTDUMP);
    return p;
}

void secmem_free(void *p, size_t n)
{
    if (!p) return;
    size_t span = secmem_span(n ? n : 1);
    secure_zero(p, span);
    munmap(p, span);
}
