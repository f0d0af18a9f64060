/* Shared test helpers: see testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

char *tu_mkdtemp(const char *tag)
{
    char *dir = xasprintf("/tmp/certdeck-%s-XXXXXX", tag);
    assert_non_null(mkdtemp(dir));
    return dir;
}

void tu_rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) < 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                char *sub = tu_path(path, e->d_name);
                tu_rm_rf(sub);
                free(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    if (len) *len = b.len;
    return buf_steal(&b);
}

void tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

char *tu_path(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

char *tu_testdata(const char *name)
{
    const char *dir = getenv("CERTDECK_TESTDATA");
    return tu_path(dir ? dir : "tests/data", name);
}
