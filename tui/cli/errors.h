/* Batch incident analysis: `certdeck errors ID` (the failed items of a run grouped by error
 * template, core/errtmpl.h) and `certdeck retry ID --template N` (one retry request per failed
 * item of template N, each sent exactly once). */
#ifndef CERTDECK_CLI_ERRORS_H
#define CERTDECK_CLI_ERRORS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/api.h"
#include "tui/cli/batch.h"

/* Pages every item of record_id (api_detail_all) and prints the templates of run `run` (1-based
 * as `certdeck detail` numbers runs; 0: the latest deploy run), numbered from 1, sorted by
 * count then template text. Returns a process exit code (0, 1 API error or no such run, 3
 * network). */
int batch_errors(struct api_client *api, int64_t record_id, int run, const struct batch_options *o,
                 FILE *out);

/* Retries every failed item of template number `template_n` (as batch_errors numbers them for
 * the same record and run) with UploadUpdateCertificateRecordRetry {DeployRecordDetailId}, one
 * request per item through the client's rate limiter. Without `yes` it asks on the terminal
 * for the item count to be typed (and refuses when stdin is not a terminal). An item whose
 * request may have reached the server without an answer (transport error, HTTP error, bad
 * body) is reported "unknown, check before retrying" and nothing more is sent. Prints one line
 * per item and a summary (sent, accepted, refused by error code, unknown, not sent). Returns 0
 * when every item was accepted, 1 otherwise (2 when the confirmation was refused). */
int batch_retry_template(struct api_client *api, int64_t record_id, int run, int template_n,
                         bool yes, FILE *out);

#endif
