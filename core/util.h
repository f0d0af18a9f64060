/* Small shared helpers: the one allocation family (aborts on failure), a growable byte
 * buffer, time, and wiping secrets. Everything in core/ and tui/ uses these. */
#ifndef CERTDECK_UTIL_H
#define CERTDECK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation never returns NULL: on failure it prints one line and aborts. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows an array to hold at least `need` elements of `size` bytes (doubling). */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s); /* xstrdup(NULL) == NULL */
char *xstrndup(const char *s, size_t n);
/* A copy of an array of n strings (NULL elements stay NULL); NULL for none. */
char **strv_dup(char *const *v, size_t n);
/* Frees the n strings of v and v; NULL is a no-op. */
void strv_free(char **v, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated byte buffer. A zeroed struct is an empty buffer. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* Returns the heap string and leaves the buffer empty. Never NULL. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy_safe(char *dst, const char *src, size_t size);

/* Strips leading spaces/tabs and trailing spaces, tabs, CR and LF in place; returns the first
 * kept character (inside s). */
char *str_trim(char *s);
/* Whether two strings, either of which may be NULL, are equal (NULL equals only NULL). */
bool str_same(const char *a, const char *b);

/* Overwrites memory in a way the compiler cannot drop (for secrets). */
void secure_zero(void *p, size_t n);

/* Monotonic milliseconds (for durations and deadlines), the same clock in nanoseconds (token
 * buckets), and wall-clock Unix seconds. */
int64_t now_ms(void);
int64_t now_ns(void);
int64_t now_unix(void);
/* Sleeps ms milliseconds (restarting on EINTR). */
void sleep_ms(int64_t ms);

#endif
