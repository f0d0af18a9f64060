/* Drawing primitives for the UI thread: theme styles turned into curses attributes and colour
 * pairs, status tones turned into styles and marker glyphs, and text drawn by display columns
 * (wide characters counted twice, truncated with an ellipsis, never split). */
#ifndef CERTDECK_UI_H
#define CERTDECK_UI_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"
#include "tui/theme.h"

/* Builds colour pairs (one per theme key) from t, or monochrome attributes when mono. Call
 * after start_color(). */
void ui_styles_init(const struct theme *t, bool mono);
bool ui_is_mono(void);
attr_t ui_attr(enum theme_key k);

enum theme_key ui_tone_key(enum model_tone tone);
/* The one-column marker of a tone ("✗" failed, "↺" rolled back, …; ASCII fallback). */
const char *ui_tone_mark(enum model_tone tone);
/* A short label of a tone for pane text. */
const char *ui_tone_word(enum model_tone tone);

/* Draws s at (y, x) in at most w columns with attribute a; returns the columns used. */
int ui_put(int y, int x, int w, const char *s, attr_t a);
/* Draws s in exactly w columns (padded with spaces; right-aligned when right). */
void ui_put_pad(int y, int x, int w, const char *s, attr_t a, bool right);
void ui_fill(int y, int x, int w, attr_t a);
/* A progress bar of w columns: success, failed, running, pending segments out of total. */
void ui_bar(int y, int x, int w, const int64_t seg[4], int64_t total, attr_t base);

#endif
