/* :save [FILE]: what the store holds now (the record list, every detail loaded, the event log)
 * as a snapshot file (core/snapshot.h), copied at once and written by a thread of its own, so
 * the screen never waits for the disk. Reopen it with certdeck --offline FILE. */
#ifndef CERTDECK_APP_SAVE_H
#define CERTDECK_APP_SAVE_H

#include "tui/session.h"

/* :save FILE starts writing FILE (an existing file is never replaced); :save alone puts
 * "save certdeck-snapshot-<yyyymmdd-hhmmss>.json" on the command line to edit and confirm. */
void save_command(struct app *a, const char *arg);
/* On every wake: a save that finished is reported in the message line (path and size) and
 * noted in the event log. */
void save_check(struct app *a);
/* At exit: waits for a save still writing, so no file is left half-written. */
void save_finish(struct app *a);

#endif
