/* Display text for the TUI: UTF-8 decoding, terminal column widths (CJK counts 2), fitting
 * text into a number of columns, word wrapping, and the glyph set (Unicode or the ASCII
 * fallback when the locale is not UTF-8). Input is text that already went through
 * core/sanitize.h; nothing here draws. */
#ifndef CERTDECK_TEXT_H
#define CERTDECK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"

/* Reads the locale (LC_CTYPE must be set already): UTF-8 or not. */
void text_init(void);
/* Forces the mode (tests). */
void text_set_utf8(bool utf8);
bool text_is_utf8(void);

/* Decodes one code point at s (NUL-terminated); returns the bytes used (>= 1 unless *s is
 * NUL). An invalid byte decodes as U+FFFD and uses 1 byte. */
size_t text_decode(const char *s, uint32_t *cp);
/* Encodes cp as UTF-8 into out (>= 5 bytes, NUL-terminated); returns the length. */
size_t text_encode(uint32_t cp, char *out);

/* Columns one code point takes on screen: 0 for combining marks, 2 for wide characters, 1
 * otherwise. Outside a UTF-8 locale every non-ASCII code point shows as one '?'. */
int text_cp_width(uint32_t cp);
/* The code point actually drawn for cp (cp itself, '?' outside UTF-8, U+FFFD for code points
 * the terminal cannot show). */
uint32_t text_cp_shown(uint32_t cp);
int text_width(const char *s);

/* Appends to out the longest prefix of s that fits in width columns; when s does not fit, the
 * prefix fits width-1 columns and an ellipsis glyph ends it. Returns the columns used. */
int text_fit(struct buf *out, const char *s, int width);
/* Splits s into lines of at most width columns (breaking at spaces when it can). Returns a
 * heap array of heap strings; *n receives the count (at least 1). */
char **text_wrap(const char *s, int width, size_t *n);
void text_free_lines(char **lines, size_t n);

/* "1,234" */
const char *text_thousands(int64_t v, char *buf, size_t n);

/* The glyphs, Unicode or ASCII. */
struct text_glyphs {
    const char *crumb_sep; /* " › " */
    const char *ellipsis;  /* "…" */
    const char *dot;       /* " · " between parts of a line */
    const char *dash;      /* " — " before what a sentence goes on to list */
    const char *mark_failed, *mark_rollback, *mark_running, *mark_pending, *mark_ok;
    const char *check_ok, *check_warn; /* a checklist's passed and warned lines ("✓", "!") */
    const char *bar_success, *bar_failed, *bar_running, *bar_pending;
    const char *sort_up, *sort_down;
    const char *vline, *hline;
    const char *spinner[10];
    int n_spinner;
};
const struct text_glyphs *text_glyphs(void);

#endif
