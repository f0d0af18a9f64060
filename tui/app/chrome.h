/* The chrome around the screen on top: breadcrumbs on row 0, the status line at the bottom,
 * the prompt above it when one is open, and the notice when the terminal is too small. */
#ifndef CERTDECK_APP_CHROME_H
#define CERTDECK_APP_CHROME_H

#include <stdbool.h>
#include <stdint.h>

#include "tui/session.h"

/* Draws the whole frame (crumbs, the view on top, prompt, status line) and clears dirty. */
void chrome_draw(struct app *a);
/* Below 60x12 only "too small" is drawn and keys other than q do nothing. */
bool chrome_too_small(void);
/* When the age in the status line next changes (-1: never), so an idle screen sleeps. */
int64_t chrome_age_due(struct app *a, int64_t now);
/* What row 0 shows at column x, as last drawn: a breadcrumb (the stack level it goes back to,
 * >= 0), the "? help" hint, or nothing. */
enum { CHROME_NOTHING = -1, CHROME_HELP = -2 };
int chrome_row0_target(const struct app *a, int x);

#endif
