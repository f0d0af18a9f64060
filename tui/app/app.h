/* The interactive front end: the render loop (the only ncurses caller), the views and the
 * scripted test mode. main.c builds the api client and calls app_run(). */
#ifndef CERTDECK_APP_H
#define CERTDECK_APP_H

#include <stdbool.h>

#include "core/api.h"
#include "tui/app/options.h"

/* Runs until the user quits. Returns a process exit code (0 normally). Never exits on an API
 * or network error. Restores the terminal on every exit path, on SIGINT/SIGTERM and on a
 * crash signal. */
int app_run(struct api_client *api, const struct app_options *opts);

#endif
