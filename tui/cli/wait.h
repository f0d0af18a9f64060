/* `certdeck wait ID`: follows a record until its latest run (deploy or rollback) is no longer
 * waiting or deploying, with progress on stderr and the final status on stdout. */
#ifndef CERTDECK_WAIT_H
#define CERTDECK_WAIT_H

#include <stdio.h>

#include "core/api.h"
#include "tui/cli/batch.h"

/* Exit codes besides 0 (succeeded) and apierr_exit_code's 1/2/3. */
#define WAIT_EXIT_NOT_SUCCEEDED 4 /* finished: failed, rolled back, rollback failed, … */
#define WAIT_EXIT_TIMED_OUT     5

struct wait_options {
    enum batch_format format;
    double timeout_s;  /* 0: no limit */
    double interval_s; /* between polls */
};

/* Polls the record's detail every interval until its latest run finishes or the timeout
 * passes. Transient errors (network, rate limit, 5xx) are reported on err and polled through;
 * others end the wait with their exit code. Progress goes to err: one live line when
 * err_is_tty, else one line per change. Returns the exit code. */
int batch_wait(struct api_client *api, int64_t record_id, const struct wait_options *o, FILE *out,
               FILE *err, bool err_is_tty);

#endif
