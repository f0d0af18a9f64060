/* What the loop does on every wake: take in the store's news and run the timers. */
#ifndef CERTDECK_APP_TICK_H
#define CERTDECK_APP_TICK_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/session.h"

/* New data in the store: the visible view takes a fresh snapshot, a write's answer is
 * reported, the spinner starts or stops. Sets dirty when anything changed. */
void tick_pump(struct app *a);
/* The ordering (filter, sort) under way in the top view's table, if any: one step of it
 * (TICK_WORK_UNITS), or interactively steps for up to TICK_WORK_MS, so keys are read between
 * them. Returns whether more remains (the loop then polls without waiting). */
bool tick_work(struct app *a);
/* Whether the top view's table has an ordering under way. */
bool tick_working(struct app *a);
/* A fetch for the view on top, any worker job, or a table ordering is under way (the spinner
 * turns). */
bool tick_busy(struct app *a);
/* Runs the timers that came due; returns the next deadline in now_ms() time (-1: none). */
int64_t tick_timers(struct app *a);

#endif
