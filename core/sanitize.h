/* The one sanitizer for untrusted text (API names, domains, error messages) on its way to a
 * terminal or a text file: C0 controls, DEL, C1 controls, escape sequences, bidi overrides and
 * invalid UTF-8 never pass. Valid printable UTF-8 (CJK included) passes unchanged. */
#ifndef CERTDECK_SANITIZE_H
#define CERTDECK_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* Appends the sanitized form of s[0..len) to out: each control character becomes a visible
 * escape ("\x1b" shown as "^[", CR as "^M", C1 as "\u009b"), bidi controls (U+200E/F,
 * U+202A–U+202E, U+2066–U+2069) become "\u202e"-style text, and each invalid UTF-8 byte
 * becomes U+FFFD. Newlines and tabs become a space unless keep_newlines. */
void sanitize_append(struct buf *out, const char *s, size_t len, bool keep_newlines);
/* The sanitized form of src (NULL: "") into the fixed buffer dst[n], cut at a character
 * boundary when it does not fit; dst is always terminated (n > 0). For error fields and other
 * bounded text taken from the network. */
void sanitize_copy(char *dst, size_t n, const char *src);
/* True for the code points above the C0 range that must never reach a terminal raw: DEL, the
 * C1 controls and the bidi controls. For sinks with an escape syntax of their own (JSON). */
bool sanitize_cp_needs_escape(uint32_t cp);
/* Heap copy of the sanitized string; sanitize_dup(NULL) returns "". */
char *sanitize_dup(const char *s);
/* True when s needs no change (fast path). */
bool sanitize_is_clean(const char *s, size_t len);
/* Decodes one code point at s (NUL-terminated) as every text sink reads it (the TUI's widths,
 * JSON's escapes): returns the bytes used (>= 1 unless *s is NUL); a byte that does not start
 * a well-formed sequence decodes as U+FFFD and uses 1 byte. */
size_t utf8_next(const char *s, uint32_t *cp);
/* Validates UTF-8; returns the byte offset of the first invalid sequence, or -1 if valid. */
long utf8_invalid_offset(const char *s, size_t len);

#endif
