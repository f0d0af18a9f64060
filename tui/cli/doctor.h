/* `certdeck doctor`: where the credentials came from (SecretId masked), the endpoint, TLS and
 * proxy settings, the clock, core dumps, the paths certdeck reads, and a one-record probe. */
#ifndef CERTDECK_CLI_DOCTOR_H
#define CERTDECK_CLI_DOCTOR_H

#include "core/api.h"
#include "core/creds.h"
#include "tui/cli/args.h"
#include "tui/config.h"

int cli_doctor(struct api_client *api, const struct cli *c, const struct creds *cr,
               const char *cred_warning, const struct config *cfg);

#endif
