/* Helpers shared by the test programs: temporary directories, whole-file reads and writes,
 * test data paths, and starting the emulator with a client pointed at it. Linked into every
 * tests/<kind>/test_*.c program. Failures abort the test through cmocka's assertions. */
#ifndef CERTDECK_TESTUTIL_H
#define CERTDECK_TESTUTIL_H

#include <stddef.h>

/* Creates a fresh directory /tmp/certdeck-<tag>-XXXXXX; returns its heap path. */
char *tu_mkdtemp(const char *tag);
/* Removes path recursively (files and directories); missing paths are fine. */
void tu_rm_rf(const char *path);
/* The whole file as a NUL-terminated heap string (len, if not NULL, gets the byte count), or
 * NULL when it cannot be read. */
char *tu_read_file(const char *path, size_t *len);
/* Writes text to path (creating or truncating), asserting success. */
void tu_write_file(const char *path, const char *text);
/* "<dir>/<name>" as a heap string. */
char *tu_path(const char *dir, const char *name);
/* A file in tests/data ($CERTDECK_TESTDATA), as a heap path. */
char *tu_testdata(const char *name);

#endif
