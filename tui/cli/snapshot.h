/* `certdeck snapshot FILE [--details failed|all|none]`: the record list and the chosen details,
 * fetched and written to a snapshot file (core/snapshot.h) as they arrive. No curses. */
#ifndef CERTDECK_CLI_SNAPSHOT_H
#define CERTDECK_CLI_SNAPSHOT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/api.h"

/* Which records get their detail: those whose status is failed, rolled back or rollback failed
 * (the default: what `errors` and `radar` read), every record, or none. */
enum snapshot_details { SNAPSHOT_DETAILS_FAILED = 0, SNAPSHOT_DETAILS_ALL, SNAPSHOT_DETAILS_NONE };

/* "failed", "all", "none": 0 with *out, else -1. */
int snapshot_details_parse(const char *s, enum snapshot_details *out);

/* Fetches (old_cert: the list's OldCertificateId filter, NULL for all) and writes path,
 * replacing it atomically; reports what it wrote on err (progress too when err_is_tty).
 * Returns the exit code: 0, an API error's (1/2/3; no file is written then), or
 * OUTPUT_EXIT_CODE when the file cannot be written. */
int batch_snapshot(struct api_client *api, const char *path, enum snapshot_details details,
                   const char *old_cert, FILE *err, bool err_is_tty);

#endif
