/* libFuzzer entry point for the credentials INI parser (core/creds.c, the SDKs'
 * ~/.tencentcloud/credentials): every input is such a file, read for the profile "default"
 * through TENCENTCLOUD_CREDENTIALS_FILE, and listed by creds_profiles. Whatever it holds: an
 * answer or a one-line error, every string terminated, credentials found only with both an id
 * and a key, and neither the key nor the id in any message. Built by tests/fuzz/CMakeLists.txt. */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/creds.h"

#define TERMINATED(field) (strnlen((field), sizeof(field)) < sizeof(field))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A secret long enough not to turn up by chance in a path or a profile name. */
static void secret_absent(const char *secret, const char *text)
{
    if (strlen(secret) >= 12 && strstr(text, secret)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("credentials", 0);
    if (fd < 0) return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    setenv("TENCENTCLOUD_CREDENTIALS_FILE", path, 1);
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
    /* A named profile skips the environment; a home without ~/.tccli ends the chain here. */
    struct creds_opts opts = {.profile = "default", .home = "/nonexistent-certdeck-fuzz"};

    struct creds c;
    char err[512] = "", warn[512] = "";
    int rc = creds_resolve(&opts, &c, err, sizeof err, warn, sizeof warn);
    if (!TERMINATED(err) || !TERMINATED(warn)) abort();
    if (rc == 0) {
        if (!TERMINATED(c.secret_id) || !TERMINATED(c.secret_key) || !TERMINATED(c.token) ||
            !TERMINATED(c.source))
            abort();
        if (!c.secret_id[0] || !c.secret_key[0]) abort();
        secret_absent(c.secret_key, c.source);
        secret_absent(c.secret_key, warn);
        creds_wipe(&c);
    } else if (!err[0]) {
        abort(); /* a failure always says why */
    }

    struct creds_profile profiles[16];
    size_t n = creds_profiles(&opts, profiles, 16);
    if (n > 16) abort();
    for (size_t i = 0; i < n; i++)
        if (!TERMINATED(profiles[i].name) || !TERMINATED(profiles[i].source)) abort();
    close(fd);
    return 0;
}
