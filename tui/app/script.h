/* The scripted test mode: runs the script named in the app's options (its line language is
 * documented at struct app_options, app.h) on a screen with no terminal behind it. */
#ifndef CERTDECK_APP_SCRIPT_H
#define CERTDECK_APP_SCRIPT_H

#include "tui/session.h"

/* Runs every line, or until one fails (exit code 1, the reason on stderr) or the app quits. */
void script_run(struct app *a);

#endif
