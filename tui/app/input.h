/* Input from the terminal: keys into actions, mouse events and resizes. The scripted test
 * mode feeds its lines through the same calls. */
#ifndef CERTDECK_APP_INPUT_H
#define CERTDECK_APP_INPUT_H

#include <curses.h>

#include "tui/session.h"

/* Reads every key ncurses has buffered and handles each. */
void input_read(struct app *a);
/* One key (a KEYMAP_KEY_* code or a code point): the open prompt takes it, else the key
 * table turns it into an action for the screen on top. */
void input_key(struct app *a, int key);
/* One key for the open prompt; a finished command line runs, a y/N answer goes to the write
 * it asked about. */
void input_prompt_key(struct app *a, int key);
/* One mouse event: the wheel moves three rows, a click selects, a double click opens, a click
 * on a breadcrumb goes back. Ignored with the mouse off, a prompt open or too small a terminal. */
void input_mouse(struct app *a, const MEVENT *ev);
/* The terminal is now cols x lines (0, 0: ncurses already knows). */
void input_resize(struct app *a, int cols, int lines);

#endif
