/* e: the rows of the current view (filter and sort applied) to a CSV or JSON file, at a path
 * proposed in the prompt line and editable there. */
#ifndef CERTDECK_APP_EXPORT_H
#define CERTDECK_APP_EXPORT_H

#include "tui/session.h"

/* Opens the path prompt (or says why not: no table, only some pages loaded). */
void export_start(struct app *a);
/* Enter on the path prompt: writes the file and reports "wrote N rows to PATH". */
void export_write(struct app *a, const char *path);

#endif
