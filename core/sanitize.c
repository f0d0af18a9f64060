/* The one sanitizer for untrusted text on its way to a terminal or a text file: controls,
 * escape sequences, bidi controls and invalid UTF-8 become visible, inert text. */
#include "core/sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Length (1..4) of the well-formed UTF-8 sequence at s[0..len), storing its code point, or 0
 * if the bytes there do not start one (Unicode Table 3-7: no overlongs, no surrogates,
 * nothing above U+10FFFF, no truncation). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    uint32_t v;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        v = c & 0x0f;
        if (c == 0xe0) lo = 0xa0; /* overlong */
        if (c == 0xed) hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        v = c & 0x07;
        if (c == 0xf0) lo = 0x90; /* overlong */
        if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (len < n) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    v = (v << 6) | (s[1] & 0x3f);
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return n;
}

/* The Unicode Bidi_Control set: marks, embeddings, overrides and isolates, which can make a
 * terminal show text in an order other than the bytes' (U+061C included for completeness). */
static bool is_bidi_control(uint32_t cp)
{
    return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Code points >= 0x80 shown as "\uXXXX" text instead of themselves. */
static bool needs_u_escape(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp);
}

bool sanitize_cp_needs_escape(uint32_t cp)
{
    return cp == 0x7f || needs_u_escape(cp);
}

static bool ascii_printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7f;
}

void sanitize_append(struct buf *out, const char *s, size_t len, bool keep_newlines)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (ascii_printable(c)) {
            size_t start = i;
            while (i < len && ascii_printable(u[i]))
                i++;
            buf_append(out, s + start, i - start);
            continue;
        }
        if (c == '\n' || c == '\t') {
            buf_putc(out, (char)(keep_newlines ? c : ' '));
            i++;
        } else if (c < 0x20) {
            buf_putc(out, '^');
            buf_putc(out, (char)(c + 0x40));
            i++;
        } else if (c == 0x7f) {
            buf_puts(out, "^?");
            i++;
        } else {
            uint32_t cp;
            size_t n = utf8_decode(u + i, len - i, &cp);
            if (n == 0) {
                buf_puts(out, REPLACEMENT);
                i++;
            } else if (needs_u_escape(cp)) {
                buf_printf(out, "\\u%04x", (unsigned)cp);
                i += n;
            } else {
                buf_append(out, s + i, n);
                i += n;
            }
        }
    }
    if (!out->data) buf_append(out, "", 0);
}

char *sanitize_dup(const char *s)
{
    struct buf b = {0};
    if (s) sanitize_append(&b, s, strlen(s), false);
    return buf_steal(&b);
}

void sanitize_copy(char *dst, size_t n, const char *src)
{
    if (!dst || n == 0) return;
    struct buf b = {0};
    /* Every character (at most 4 bytes) gives at least one byte of output, so 4n bytes of
     * input always fill dst: a megabyte-long message is not sanitized whole to keep 1 KiB. */
    size_t cap = n > SIZE_MAX / 4 ? SIZE_MAX : n * 4;
    if (src) sanitize_append(&b, src, strnlen(src, cap), false);
    size_t len = b.len;
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)b.data[len] & 0xC0) == 0x80)
            len--;
    }
    if (len) memcpy(dst, b.data, len);
    dst[len] = '\0';
    buf_free(&b);
}

/* Clean means sanitize_append would copy s unchanged even with keep_newlines false, so
 * newlines and tabs make a string unclean (the caller then takes the slow path). */
bool sanitize_is_clean(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (ascii_printable(u[i])) {
            i++;
            continue;
        }
        if (u[i] < 0x80) return false; /* C0 (tab and newline included) or DEL */
        uint32_t cp;
        size_t n = utf8_decode(u + i, len - i, &cp);
        if (n == 0 || needs_u_escape(cp)) return false;
        i += n;
    }
    return true;
}

long utf8_invalid_offset(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(u + i, len - i, &cp);
        if (n == 0) return (long)i;
        i += n;
    }
    return -1;
}

size_t utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return u[0] ? 1 : 0;
    }
    size_t n = utf8_decode(u, strnlen(s, 4), cp);
    if (n) return n;
    *cp = 0xfffd;
    return 1;
}
