/* Display text for the TUI: UTF-8 decoding, column widths, fitting, wrapping and the glyph set
 * (Unicode, or ASCII when the locale cannot show it). */
#include "tui/text.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "core/sanitize.h"

static bool utf8_mode;

void text_init(void)
{
    const char *cs = nl_langinfo(CODESET);
    utf8_mode = cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

void text_set_utf8(bool utf8)
{
    utf8_mode = utf8;
}

bool text_is_utf8(void)
{
    return utf8_mode;
}

size_t text_decode(const char *s, uint32_t *cp)
{
    return utf8_next(s, cp);
}

size_t text_encode(uint32_t cp, char *out)
{
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    out[n] = '\0';
    return n;
}

uint32_t text_cp_shown(uint32_t cp)
{
    if (cp >= 0x20 && cp < 0x7f) return cp;
    if (cp < 0x20 || cp == 0x7f) return '?'; /* never reached after the sanitizer */
    if (!utf8_mode) return '?';
    if (wcwidth((wchar_t)cp) < 0) return 0xfffd;
    return cp;
}

int text_cp_width(uint32_t cp)
{
    uint32_t shown = text_cp_shown(cp);
    if (shown < 0x80) return 1;
    int w = wcwidth((wchar_t)shown);
    if (w < 0) return 1;
    return w > 2 ? 2 : w;
}

int text_width(const char *s)
{
    int w = 0;
    uint32_t cp;
    size_t n;
    while (s && (unsigned char)*s - 1u < 0x7fu) { /* ASCII: one column each (controls: '?') */
        w++;
        s++;
    }
    while (s && (n = text_decode(s, &cp)) > 0) {
        w += text_cp_width(cp);
        s += n;
    }
    return w;
}

int text_fit(struct buf *out, const char *s, int width)
{
    if (width <= 0 || !s) return 0;
    int total = text_width(s);
    if (total <= width) {
        buf_puts(out, s);
        return total;
    }
    const struct text_glyphs *g = text_glyphs();
    int limit = width - 1, used = 0;
    uint32_t cp;
    size_t n;
    while ((n = text_decode(s, &cp)) > 0) {
        int cw = text_cp_width(cp);
        if (used + cw > limit) break;
        buf_append(out, s, n);
        used += cw;
        s += n;
    }
    buf_puts(out, g->ellipsis);
    return used + 1;
}

char **text_wrap(const char *s, int width, size_t *n)
{
    size_t cap = 4, cnt = 0;
    char **lines = xcalloc(cap, sizeof *lines);
    if (width < 1) width = 1;
    if (!s) s = "";
    do {
        /* Take characters while they fit; remember the last space to break there. */
        const char *p = s, *brk = NULL;
        int used = 0;
        uint32_t cp;
        size_t len;
        while ((len = text_decode(p, &cp)) > 0) {
            if (cp == '\n') break;
            int cw = text_cp_width(cp);
            if (used + cw > width) break;
            if (cp == ' ') brk = p;
            used += cw;
            p += len;
        }
        const char *end = p, *next = p;
        if (*p == '\n') {
            next = p + 1;
        } else if (*p && brk && brk > s) {
            end = brk;
            next = brk + 1;
        } else if (p == s && *p) { /* one character wider than the width */
            next = end = p + text_decode(p, &cp);
        }
        if (cnt == cap) lines = xgrow(lines, &cap, cnt + 1, sizeof *lines);
        lines[cnt++] = xstrndup(s, (size_t)(end - s));
        s = next;
    } while (*s);
    *n = cnt;
    return lines;
}

void text_free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

const char *text_thousands(int64_t v, char *buf, size_t n)
{
    char digits[32];
    bool neg = v < 0;
    unsigned long long u = neg ? (unsigned long long)(-(v + 1)) + 1 : (unsigned long long)v;
    snprintf(digits, sizeof digits, "%llu", u);
    size_t len = strlen(digits), o = 0;
    char tmp[48];
    if (neg) tmp[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) tmp[o++] = ',';
        tmp[o++] = digits[i];
    }
    tmp[o] = '\0';
    strlcpy_safe(buf, tmp, n);
    return buf;
}

static const struct text_glyphs glyphs_utf8 = {
    .crumb_sep = " \xe2\x80\xba ",
    .ellipsis = "\xe2\x80\xa6",
    .dot = " \xc2\xb7 ",
    .dash = " \xe2\x80\x94 ",
    .mark_failed = "\xe2\x9c\x97",   /* ✗ */
    .mark_rollback = "\xe2\x86\xba", /* ↺ */
    .mark_running = "\xe2\x80\xa2",  /* • */
    .mark_pending = "\xe2\x97\xa6",  /* ◦ */
    .mark_ok = " ",
    .check_ok = "\xe2\x9c\x93", /* ✓ */
    .check_warn = "!",
    .bar_success = "\xe2\x96\x88", /* █ */
    .bar_failed = "\xe2\x96\x88",
    .bar_running = "\xe2\x96\x88",
    .bar_pending = "\xe2\x96\x91", /* ░ */
    .sort_up = "\xe2\x96\xb2",     /* ▲ */
    .sort_down = "\xe2\x96\xbc",   /* ▼ */
    .vline = "\xe2\x94\x82",       /* │ */
    .hline = "\xe2\x94\x80",       /* ─ */
    .spinner = {"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc",
                "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f"},
    .n_spinner = 10,
};

static const struct text_glyphs glyphs_ascii = {
    .crumb_sep = " > ",
    .ellipsis = "~",
    .dot = " - ",
    .dash = " - ",
    .mark_failed = "x",
    .mark_rollback = "R",
    .mark_running = "*",
    .mark_pending = ".",
    .mark_ok = " ",
    .check_ok = "+",
    .check_warn = "!",
    .bar_success = "#",
    .bar_failed = "x",
    .bar_running = ">",
    .bar_pending = ".",
    .sort_up = "^",
    .sort_down = "v",
    .vline = "|",
    .hline = "-",
    .spinner = {"|", "/", "-", "\\"},
    .n_spinner = 4,
};

const struct text_glyphs *text_glyphs(void)
{
    return utf8_mode ? &glyphs_utf8 : &glyphs_ascii;
}
