/* The bell when a record finishes while you watch it: on the record list, or with its detail
 * open. Rings once (config bell = off keeps it quiet) and says so in the message line and the
 * event log. */
#ifndef CERTDECK_APP_BELL_H
#define CERTDECK_APP_BELL_H

#include "tui/session.h"

/* Looks at the store (after the views took their snapshot): a watched record seen running at
 * the last look and finished now rings. */
void bell_check(struct app *a);

#endif
