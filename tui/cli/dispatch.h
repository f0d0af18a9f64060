/* The batch commands by name: the ones that need no client (keys, themes, config) and the
 * ones that call the API, each checking its arguments and returning a process exit code. */
#ifndef CERTDECK_CLI_DISPATCH_H
#define CERTDECK_CLI_DISPATCH_H

#include "core/api.h"
#include "core/creds.h"
#include "tui/cli/args.h"
#include "tui/config.h"

/* themes and config, which need no client: run and return an exit code. */
int cli_local_command(const struct cli *c, char **pos, int npos);
/* Every command that calls the API (records, detail, rollback, retry, errors, radar, wait,
 * update, doctor). */
int cli_run_command(struct api_client *api, const struct cli *c, char **pos, int npos,
                    const struct creds *cr, const char *warn, const struct config *cfg);

#endif
