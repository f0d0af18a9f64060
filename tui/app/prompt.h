/* The prompt line: the / filter, the : command line and the y/N question before a write. While
 * one is open it takes every key; it draws on the row above the status line. */
#ifndef CERTDECK_APP_PROMPT_H
#define CERTDECK_APP_PROMPT_H

#include "tui/session.h"

/* What a key did to the open prompt. */
enum prompt_done {
    PROMPT_OPEN,          /* still open (the filter is applied as typed) */
    PROMPT_COMPLETE,      /* Tab in the command line's first word: complete it (prompt_complete) */
    PROMPT_DONE_CLOSED,   /* closed with nothing to do (Enter on a filter, Esc, Ctrl-C) */
    PROMPT_DONE_COMMAND,  /* Enter on the command line: *command is the line (heap) */
    PROMPT_DONE_YES,      /* the y/N question answered y */
    PROMPT_DONE_NO,       /* … answered anything else */
    PROMPT_DONE_PATH,     /* Enter on the path prompt: *command is the path (heap) */
    PROMPT_COMPLETE_PATH, /* Tab on a file path: complete it (prompt_complete_path) */
};

/* Opens the filter prompt on the current filter text (Esc goes back to it). */
void prompt_open_filter(struct app *a, const char *current);
void prompt_open_command(struct app *a);
/* Opens the path prompt of an export on a proposed path, editable. */
void prompt_open_path(struct app *a, const char *proposed);
/* Opens the path prompt for ask (a renewal's files or types) on a proposed text, editable. */
void prompt_open_ask(struct app *a, enum prompt_ask ask, const char *proposed);
/* One key while a prompt is open (Ctrl-C, 3, cancels like Esc). */
enum prompt_done prompt_key(struct app *a, int key, char **command);
void prompt_draw(struct app *a, int y, int w);
/* Tab's answer: the n names that fit what was typed, each followed by a space, in names. One
 * fills the command line; several extend it to what they share and are listed in the message
 * line. */
void prompt_complete(struct app *a, struct buf *names, size_t n);
/* Tab on a file path: the input becomes what every file that fits shares (tui/pathcomp.h); when
 * several fit they are listed in the message line, when none does that is said. */
void prompt_complete_path(struct app *a);

#endif
