/* Copying to the clipboard: y copies the key value of the selected row, Y the whole row
 * (tab-separated), through OSC 52 (works over SSH and in tmux with set-clipboard on), a
 * command (config `clipboard`), or not at all. */
#ifndef CERTDECK_APP_CLIPBOARD_H
#define CERTDECK_APP_CLIPBOARD_H

#include <stdbool.h>

#include "tui/session.h"

/* At most this many bytes are copied (before base64): a clipboard is for IDs and rows. */
#define CLIPBOARD_MAX 16384

/* Copies the selected row of the top screen's table (whole_row: every text column joined by
 * tabs; else its key column), sanitized, and says "copied N bytes" (or why not) in the
 * message line. */
void clipboard_copy_selection(struct app *a, bool whole_row);

#endif
