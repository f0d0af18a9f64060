/* Drawing primitives: theme styles as curses attributes, tone markers, text by columns. */
#include "tui/ui.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/text.h"

static attr_t styles[THEME_KEY_COUNT];
static bool mono_mode = true;

static attr_t theme_attrs(unsigned a)
{
    attr_t r = A_NORMAL;
    if (a & THEME_ATTR_BOLD) r |= A_BOLD;
    if (a & THEME_ATTR_DIM) r |= A_DIM;
    if (a & THEME_ATTR_UNDERLINE) r |= A_UNDERLINE;
    if (a & THEME_ATTR_REVERSE) r |= A_REVERSE;
    if (a & THEME_ATTR_STANDOUT) r |= A_STANDOUT;
    if (a & THEME_ATTR_ITALIC) r |= A_ITALIC;
    if (a & THEME_ATTR_BLINK) r |= A_BLINK;
    return r;
}

void ui_styles_init(const struct theme *t, bool mono)
{
    mono_mode = mono || !has_colors() || COLOR_PAIRS <= THEME_KEY_COUNT;
    bool defaults = false;
    if (!mono_mode) defaults = use_default_colors() == OK;
    for (int k = 0; k < THEME_KEY_COUNT; k++) {
        const struct theme_style *st = &t->styles[k];
        if (mono_mode) {
            styles[k] = theme_attrs(st->mono);
            continue;
        }
        int fg = st->fg < COLORS ? st->fg : -1;
        int bg = st->bg < COLORS ? st->bg : -1;
        if (!defaults) {
            if (fg < 0) fg = COLOR_WHITE;
            if (bg < 0) bg = COLOR_BLACK;
        }
        init_pair((short)(k + 1), (short)fg, (short)bg);
        styles[k] = theme_attrs(st->attrs) | COLOR_PAIR(k + 1);
    }
    /* Everything drawn without a style of its own (and every cleared cell) takes "normal". */
    bkgdset((chtype)' ' | styles[THEME_NORMAL]);
}

bool ui_is_mono(void)
{
    return mono_mode;
}

attr_t ui_attr(enum theme_key k)
{
    return (unsigned)k < THEME_KEY_COUNT ? styles[k] : A_NORMAL;
}

enum theme_key ui_tone_key(enum model_tone tone)
{
    switch (tone) {
    case MODEL_TONE_PENDING:
        return THEME_STATUS_PENDING;
    case MODEL_TONE_SUCCESS:
        return THEME_STATUS_SUCCESS;
    case MODEL_TONE_FAILED:
    case MODEL_TONE_ROLLBACK_FAILED:
        return THEME_STATUS_FAILED;
    case MODEL_TONE_RUNNING:
        return THEME_STATUS_RUNNING;
    case MODEL_TONE_ROLLBACK:
        return THEME_STATUS_ROLLBACK;
    default:
        return THEME_STATUS_UNKNOWN;
    }
}

const char *ui_tone_mark(enum model_tone tone)
{
    const struct text_glyphs *g = text_glyphs();
    switch (tone) {
    case MODEL_TONE_FAILED:
    case MODEL_TONE_ROLLBACK_FAILED:
        return g->mark_failed;
    case MODEL_TONE_ROLLBACK:
        return g->mark_rollback;
    case MODEL_TONE_RUNNING:
        return g->mark_running;
    case MODEL_TONE_PENDING:
        return g->mark_pending;
    default:
        return g->mark_ok;
    }
}

const char *ui_tone_word(enum model_tone tone)
{
    switch (tone) {
    case MODEL_TONE_PENDING:
        return "pending";
    case MODEL_TONE_SUCCESS:
        return "success";
    case MODEL_TONE_FAILED:
        return "failed";
    case MODEL_TONE_RUNNING:
        return "running";
    case MODEL_TONE_ROLLBACK:
        return "rolled back";
    case MODEL_TONE_ROLLBACK_FAILED:
        return "rollback failed";
    default:
        return "other";
    }
}

/* Converts the part of s that fits in w columns to wide characters (with an ellipsis when it
 * is cut). Returns the count; *cols receives the columns. */
static size_t to_wide(const char *s, int w, wchar_t *out, size_t cap, int *cols)
{
    size_t n = 0;
    int used = 0;
    int total = text_width(s);
    int limit = total <= w ? w : w - 1;
    uint32_t cp;
    size_t len;
    while (n + 2 < cap && (len = text_decode(s, &cp)) > 0) {
        int cw = text_cp_width(cp);
        if (used + cw > limit) break;
        if (cw == 0 && n == 0) { /* a combining mark with nothing to combine with */
            s += len;
            continue;
        }
        out[n++] = (wchar_t)text_cp_shown(cp);
        used += cw;
        s += len;
    }
    if (total > w && w > 0) {
        uint32_t e;
        text_decode(text_glyphs()->ellipsis, &e);
        out[n++] = (wchar_t)e;
        used++;
    }
    out[n] = L'\0';
    *cols = used;
    return n;
}

int ui_put(int y, int x, int w, const char *s, attr_t a)
{
    if (w <= 0 || !s || !*s) return 0;
    wchar_t stackbuf[512];
    size_t cap = ARRAY_LEN(stackbuf);
    wchar_t *wb = stackbuf;
    size_t need = strlen(s) + 4;
    if (need > cap) {
        cap = need;
        wb = xmalloc(cap * sizeof *wb);
    }
    int cols;
    size_t n = to_wide(s, w, wb, cap, &cols);
    attrset(a);
    if (n) mvaddnwstr(y, x, wb, (int)n);
    attrset(A_NORMAL);
    if (wb != stackbuf) free(wb);
    return cols;
}

void ui_fill(int y, int x, int w, attr_t a)
{
    if (w <= 0) return;
    attrset(a);
    mvhline(y, x, ' ', w);
    attrset(A_NORMAL);
}

void ui_put_pad(int y, int x, int w, const char *s, attr_t a, bool right)
{
    if (w <= 0) return;
    int tw = text_width(s ? s : "");
    if (right && tw < w) {
        ui_fill(y, x, w - tw, a);
        ui_put(y, x + w - tw, tw, s, a);
        return;
    }
    int used = ui_put(y, x, w, s, a);
    if (used < w) ui_fill(y, x + used, w - used, a);
}

void ui_bar(int y, int x, int w, const int64_t seg[4], int64_t total, attr_t base)
{
    if (w <= 0) return;
    const struct text_glyphs *g = text_glyphs();
    static const enum theme_key keys[4] = {THEME_BAR_SUCCESS, THEME_BAR_FAILED, THEME_BAR_RUNNING,
                                           THEME_BAR_PENDING};
    const char *glyph[4] = {g->bar_success, g->bar_failed, g->bar_running, g->bar_pending};
    if (mono_mode && text_is_utf8()) {
        /* Without colour the segments must differ by shape. */
        glyph[1] = g->mark_failed;
        glyph[2] = "\xe2\x96\xb8"; /* ▸ */
        glyph[3] = g->mark_pending;
    } else if (mono_mode) {
        glyph[3] = ".";
    }
    int cells[4] = {0, 0, 0, 0};
    int used = 0;
    if (total > 0) {
        for (int i = 0; i < 3; i++) {
            int64_t v = seg[i] < 0 ? 0 : seg[i];
            cells[i] = (int)((v * w + total / 2) / total);
            if (v > 0 && cells[i] == 0) cells[i] = 1; /* a failure never rounds away */
            if (used + cells[i] > w) cells[i] = w - used;
            used += cells[i];
        }
    }
    cells[3] = w - used;
    int cx = x;
    for (int i = 0; i < 4; i++) {
        attr_t a = ui_attr(keys[i]);
        if (mono_mode) a |= base;
        for (int c = 0; c < cells[i]; c++)
            ui_put(y, cx++, 1, glyph[i], a);
    }
}
