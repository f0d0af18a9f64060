/* The prompt line's histories: one for the : command line, one for the / filter. Up and Down
 * walk them, Enter adds the line; each is kept (capped at HISTORY_MAX lines) in
 * $XDG_STATE_HOME/certdeck/ (~/.local/state/certdeck/ when unset or relative). */
#ifndef CERTDECK_HISTORY_H
#define CERTDECK_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define HISTORY_MAX 500

struct history {
    char *file;   /* where it is kept; NULL: memory only */
    char **lines; /* oldest first */
    size_t n;
    size_t pos;  /* the line shown while walking; n: the one being typed */
    char *draft; /* what was typed before walking up */
    bool failed; /* saving failed once (said once) */
};

/* Loads the history kept in file name `name` of the state directory (none yet: empty). */
void history_open(struct history *h, const char *name);
void history_close(struct history *h);
/* A prompt opened: walking starts from the line being typed. */
void history_reset(struct history *h);
/* Enter: adds line (not blank, not the same as the last) and saves; returns -1 when saving
 * failed for the first time (errbuf says why), else 0. */
int history_add(struct history *h, const char *line, char *errbuf, size_t errlen);
/* Up (dir -1) or Down (+1): replaces *input with the line there; false at either end. */
bool history_walk(struct history *h, int dir, struct buf *input);

#endif
