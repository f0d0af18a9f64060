/* `certdeck update`: push a renewed certificate to the resources of an existing certificate
 * ID (UploadUpdateCertificateInstance) after a local pre-flight, then follow the task it
 * created. The plan and the final record go to stdout; questions, progress and errors to
 * stderr. */
#ifndef CERTDECK_CLI_UPDATE_H
#define CERTDECK_CLI_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"

#define UPDATE_MAX_REGION_ARGS 32

/* Exit codes beyond the batch CLI's 1 (API), 2 (usage), 3 (network). */
enum { UPDATE_EXIT_NOT_SUCCEEDED = 4 };

struct update_options {
    const char *old_cert;
    const char *cert_file;
    const char *key_file;
    const char *types;                           /* "clb,waf" */
    const char *regions[UPDATE_MAX_REGION_ARGS]; /* each "TYPE:REGION[,REGION…]" */
    size_t n_regions;
    bool yes, no_wait, force, check, read_only;
    long follow_interval_ms; /* 0: 2000 (tests use less) */
};

/* Adds one --regions argument; -1 when there are too many. */
int update_add_regions(struct update_options *o, const char *arg);
/* Runs the command; returns the process exit code (0, 1, 2, 3 or 4). */
int update_run(struct api_client *api, const struct update_options *o);

#endif
