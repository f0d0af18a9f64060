/* The prompt line: the / filter, the : command line and the y/N question before a write. While
 * one is open it takes every key; it draws on the row above the status line. */
#ifndef CERTDECK_APP_PROMPT_H
#define CERTDECK_APP_PROMPT_H

#include "tui/app/state.h"

/* Opens the filter prompt on the current filter text (Esc goes back to it). */
void prompt_open_filter(struct app *a, const char *current);
void prompt_open_command(struct app *a);
/* Asks "question [y/N]"; the answer goes to writes_answer. */
void prompt_ask(struct app *a, const char *question);
/* One key while a prompt is open (Ctrl-C, 3, cancels like Esc). */
void prompt_key(struct app *a, int key);
void prompt_draw(struct app *a, int y, int w);

#endif
