/* libFuzzer entry point for the config file parser, config_load (tui/config.c): every input is a
 * config file. Whatever it holds, the parser must end with every string terminated inside its
 * buffer, the counts within their caps, refresh within its range, and every binding's key in the
 * canonical spelling that config_key_valid accepts. Built by tests/fuzz/CMakeLists.txt. */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tui/config.h"

#define TERMINATED(field) (strnlen((field), sizeof(field)) < sizeof(field))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("config", 0); /* a regular file, like the user's */
    if (fd < 0) return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    struct config c;
    config_defaults(&c);
    char err[256] = "";
    int rc = config_load(&c, path, err, sizeof err);
    close(fd);
    if (rc != 0) return 0; /* a file that cannot be read at all: err says why */

    if (!TERMINATED(c.theme) || !TERMINATED(c.profile) || !TERMINATED(c.endpoint) ||
        !TERMINATED(c.clipboard) || !TERMINATED(c.path))
        abort();
    if (c.refresh_s < 0 || c.refresh_s > CONFIG_MAX_REFRESH) abort();
    if (c.n_bindings > CONFIG_MAX_BINDINGS || c.n_diags > CONFIG_MAX_DIAGS) abort();
    for (size_t i = 0; i < c.n_diags; i++)
        if (!TERMINATED(c.diags[i]) || !c.diags[i][0]) abort();
    for (size_t i = 0; i < c.n_bindings; i++) {
        const struct config_binding *b = &c.bindings[i];
        if (!TERMINATED(b->context) || !TERMINATED(b->key) || !TERMINATED(b->action)) abort();
        char canon[32];
        /* A stored key is valid and already canonical. */
        if (!config_key_valid(b->key, canon, sizeof canon) || strcmp(canon, b->key) != 0) abort();
    }
    return 0;
}
