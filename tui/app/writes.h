/* The write actions (rollback, retry). app_confirm_write (tui/views/view.h) asks; the answer
 * comes here; the outcome is read from the event log when the call ends. */
#ifndef CERTDECK_APP_WRITES_H
#define CERTDECK_APP_WRITES_H

#include <stdbool.h>

#include "tui/session.h"

/* The answer to the question app_confirm_write asked (y, or the record ID typed for a
 * rollback): yes sends the write, once. */
void writes_answer(struct app *a, bool yes);
/* A write was sent and the event log now holds its call: say how it went (message line and
 * the event log's notes). Called whenever the store changes. */
void writes_check_pending(struct app *a);

#endif
