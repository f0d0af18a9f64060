/* Keeping secrets out of core dumps. A crash must not write the SecretKey into a core file:
 * the process is made non-dumpable at start (unless CERTDECK_ALLOW_CORE=1, for debugging),
 * and the buffers that hold secrets live on pages of their own marked MADV_DONTDUMP, so even
 * an allowed core leaves them out. */
#ifndef CERTDECK_SECMEM_H
#define CERTDECK_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Call first in main, before any credential is read: no core dump, no ptrace attach by other
 * users' processes (PR_SET_DUMPABLE 0), unless CERTDECK_ALLOW_CORE=1. */
void secmem_no_core_dumps(void);
/* Whether the process may currently write a core dump (PR_GET_DUMPABLE), for doctor. */
bool secmem_core_dumps_allowed(void);

/* n zeroed bytes on pages of their own, left out of core dumps; aborts when memory runs out
 * (as xmalloc does). Free with secmem_free(p, n), which wipes them first. */
void *secmem_alloc(size_t n);
void secmem_free(void *p, size_t n);

#endif
