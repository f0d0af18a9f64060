/* The chrome around the screen on top: breadcrumbs on row 0, the status line at the bottom,
 * the prompt above it when one is open, and the notice when the terminal is too small. */
#ifndef CERTDECK_APP_CHROME_H
#define CERTDECK_APP_CHROME_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/app/state.h"

/* Draws the whole frame (crumbs, the view on top, prompt, status line) and clears dirty. */
void chrome_draw(struct app *a);
/* Below 60x12 only "too small" is drawn and keys other than q do nothing. */
bool chrome_too_small(void);
/* A fetch for the view on top, or any worker job, is in flight (the spinner turns). */
bool chrome_busy(struct app *a);
/* When the age in the status line next changes (-1: never), so an idle screen sleeps. */
int64_t chrome_age_due(struct app *a, int64_t now);
/* A click on row 0 at column x: a breadcrumb goes back to its screen, "? help" opens help. */
void chrome_click(struct app *a, int x);

#endif
