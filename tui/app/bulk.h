/* The bulk retry of one error template's items (the errors screen's T): the question with the
 * count to type, then one UploadUpdateCertificateRecordRetry per item through the worker, one
 * at a time, each item sent at most once, progress and the summary in the message line and the
 * event log. Esc stops sending; an outcome that cannot be known (a timeout or reset after the
 * request went out) stops it too, and the item is reported "unknown, check before retrying". */
#ifndef CERTDECK_APP_BULK_H
#define CERTDECK_APP_BULK_H

#include <stdbool.h>

#include "tui/session.h"

/* The answer to the typed-count question: yes starts sending. */
void bulk_answer(struct app *a, bool yes);
/* Called whenever the store changes: the answer to the item in flight, then the next item. */
void bulk_check(struct app *a);
/* A bulk retry is sending (or waiting for its last answer). */
bool bulk_running(const struct app *a);
/* Esc while it runs: nothing more is sent; the item in flight still gets its answer. */
void bulk_cancel(struct app *a);
void bulk_free(struct app *a);

#endif
