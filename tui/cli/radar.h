/* `certdeck radar`: the rollback radar in batch form (core/radar.h) — every record paged, the
 * details of failed and rolled-back records only, at the client's rate limit. */
#ifndef CERTDECK_CLI_RADAR_H
#define CERTDECK_CLI_RADAR_H

#include <stdbool.h>
#include <stdio.h>

#include "core/api.h"
#include "core/radar.h"
#include "tui/cli/batch.h"

/* Pages the record list (api_records_all), then the detail of every record passing `since`
 * (NULL: all; YYYY-MM-DD) that radar_wants_detail (api_detail_all, one record at a time), and
 * prints the radar: a table (certificates, then repeat-offender instances), JSON (an object
 * {Certificates, Instances, Details}) or CSV (the certificates with their header, a blank
 * line, the instances with theirs). With progress, "radar: 12 of 30 details" is kept current
 * on err. Returns a process exit code (0, 1 API error, 3 network). */
int batch_radar(struct api_client *api, const char *since, const struct batch_options *o, FILE *out,
                FILE *err, bool progress);

#endif
