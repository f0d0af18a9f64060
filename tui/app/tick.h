/* What the loop does on every wake: take in the store's news and run the timers. */
#ifndef CERTDECK_APP_TICK_H
#define CERTDECK_APP_TICK_H

#include <stdint.h>

#include "tui/session.h"

/* New data in the store: the visible view takes a fresh snapshot, a write's answer is
 * reported, the spinner starts or stops. Sets dirty when anything changed. */
void tick_pump(struct app *a);
/* Runs the timers that came due; returns the next deadline in now_ms() time (-1: none). */
int64_t tick_timers(struct app *a);

#endif
