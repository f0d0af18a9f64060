/* The batch commands by name, with their arguments checked, and the confirmation a write asks
 * for on a terminal. */
#include "tui/cli/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "tui/about.h"
#include "tui/cli/batch.h"
#include "tui/cli/config_cmd.h"
#include "tui/cli/doctor.h"
#include "tui/cli/errors.h"
#include "tui/cli/radar.h"
#include "tui/cli/snapshot.h"
#include "tui/cli/update.h"
#include "tui/cli/wait.h"
#include "tui/keymap.h"

/* ---- confirmation for write actions from a shell -------------------------------------------- */

/* y/N; with word (a rollback: the record ID), the answer must be that word. */
static bool confirm(const struct cli *c, const char *question, const char *word)
{
    if (c->yes) return true;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "certdeck: %s — refusing without --yes (stdin is not a terminal)\n",
                question);
        return false;
    }
    if (word)
        fprintf(stderr, "%s Type %s to confirm: ", question, word);
    else
        fprintf(stderr, "%s [y/N] ", question);
    char line[32];
    if (!fgets(line, sizeof line, stdin)) return false;
    line[strcspn(line, "\r\n")] = '\0';
    if (word) return !strcmp(line, word);
    return line[0] == 'y' || line[0] == 'Y';
}

/* ---- commands that need no credentials: themes, config ------------------------------------ */

int cli_local_command(const struct cli *c, char **pos, int npos)
{
    if (!strcmp(pos[0], "themes")) {
        if (npos != 1) return cli_usage_error("themes takes no arguments (got '%s')", pos[1]);
        about_list_themes(stdout);
        return 0;
    }
    if (c->cfg_init + c->cfg_check + c->cfg_example != 1 || npos > 2 ||
        (npos == 2 && !c->cfg_check))
        return cli_usage_error("config takes one of --init, --check [FILE], --example%s", "");
    if (c->cfg_example) {
        config_cmd_example(stdout);
        return 0;
    }
    if (c->cfg_init) return config_cmd_init(c->config);
    return config_cmd_check(npos == 2 ? pos[1] : c->config);
}

/* ---- main ----------------------------------------------------------------------------------- */

int cli_run_command(struct api_client *api, const struct cli *c, char **pos, int npos,
                    const struct creds *cr, const char *warn, const struct config *cfg)
{
    const char *cmd = pos[0];
    struct batch_options bo = {c->format, c->all, c->offset, c->limit, c->old_cert, 4, c->csv_raw};
    int64_t id;
    if (api_client_source(api)) {
        /* Refused before any question is asked; the offline client would refuse them too. */
        if (!strcmp(cmd, "rollback") || !strcmp(cmd, "retry") || !strcmp(cmd, "update")) {
            fprintf(stderr,
                    "certdeck: offline snapshot: writes are disabled (%s refused; run certdeck "
                    "without --offline to act on the account)\n",
                    cmd);
            return CLI_EXIT_USAGE;
        }
        if (!strcmp(cmd, "doctor"))
            return cli_usage_error("doctor checks the live API: there is none under --offline%s",
                                   "");
    }
    if (!strcmp(cmd, "snapshot")) {
        if (npos != 2)
            return cli_usage_error("snapshot takes one file name, e.g. 'certdeck snapshot "
                                   "incident.json'%s",
                                   "");
        return batch_snapshot(api, pos[1], c->details, c->old_cert, stderr, isatty(STDERR_FILENO));
    }
    if (!strcmp(cmd, "records")) {
        if (npos != 1) return cli_usage_error("records takes no arguments (got '%s')", pos[1]);
        return batch_records(api, &bo, stdout);
    }
    if (!strcmp(cmd, "detail")) {
        if (npos != 2 || cli_parse_int(pos[1], 0, INT64_MAX, &id))
            return cli_usage_error("detail takes one record Id, e.g. 'certdeck detail 2'%s", "");
        return batch_detail(api, id, &bo, stdout);
    }
    if (!strcmp(cmd, "doctor")) return cli_doctor(api, c, cr, warn, cfg);
    if (!strcmp(cmd, "wait")) {
        if (npos != 2 || cli_parse_int(pos[1], 0, INT64_MAX, &id))
            return cli_usage_error("wait takes one record Id, e.g. 'certdeck wait 37'%s", "");
        struct wait_options wo = {c->format, c->wait_timeout_s, c->wait_interval_s};
        /* A snapshot never moves: one look, and a record still running is a timeout (5). */
        if (api_client_source(api)) wo.timeout_s = 0.001;
        return batch_wait(api, id, &wo, stdout, stderr, isatty(STDERR_FILENO));
    }
    if (!strcmp(cmd, "errors")) {
        if (npos != 2 || cli_parse_int(pos[1], 0, INT64_MAX, &id))
            return cli_usage_error("errors takes one record Id, e.g. 'certdeck errors 2'%s", "");
        return batch_errors(api, id, (int)c->run, &bo, stdout);
    }
    if (!strcmp(cmd, "radar")) {
        if (npos != 1) return cli_usage_error("radar takes options only (got '%s')", pos[1]);
        return batch_radar(api, c->since, &bo, stdout, stderr, isatty(STDERR_FILENO));
    }
    if (!strcmp(cmd, "retry") && c->template_n > 0) {
        if (c->read_only) return cli_usage_error("%s refused: --read-only is set", cmd);
        if (npos != 2 || cli_parse_int(pos[1], 0, INT64_MAX, &id) || c->item >= 0)
            return cli_usage_error("retry --template N takes one record Id, e.g. 'certdeck retry 7 "
                                   "--template 1'%s",
                                   "");
        return batch_retry_template(api, id, (int)c->run, (int)c->template_n, c->yes, stdout);
    }
    if (!strcmp(cmd, "rollback") || !strcmp(cmd, "retry")) {
        bool rollback = cmd[1] == 'o';
        if (c->read_only) return cli_usage_error("%s refused: --read-only is set", cmd);
        id = -1;
        if (npos == 2 && cli_parse_int(pos[1], 0, INT64_MAX, &id))
            return cli_usage_error("'%s' is not a record Id", pos[1]);
        if (npos > 2 || (rollback && id < 0) || (!rollback && (id < 0) == (c->item <= 0)))
            return cli_usage_error(rollback ? "rollback takes one record Id%s"
                                            : "retry takes a record Id or --item DETAIL_ID%s",
                                   "");
        char q[128];
        if (rollback)
            snprintf(q, sizeof q, "Roll back every resource of record %lld?", (long long)id);
        else if (id >= 0)
            snprintf(q, sizeof q, "Retry every failed item of record %lld?", (long long)id);
        else
            snprintf(q, sizeof q, "Retry item %lld?", (long long)c->item);
        char idw[24];
        snprintf(idw, sizeof idw, "%lld", (long long)id);
        if (!confirm(c, q, rollback ? idw : NULL)) return CLI_EXIT_USAGE;
        return rollback ? batch_rollback(api, id, stdout)
                        : batch_retry(api, id, id >= 0 ? -1 : c->item, stdout);
    }
    if (!strcmp(cmd, "update")) {
        if (npos != 1) return cli_usage_error("update takes options only (got '%s')", pos[1]);
        struct update_options u = c->upd;
        u.old_cert = c->old_cert;
        u.yes = c->yes;
        u.read_only = c->read_only;
        return update_run(api, &u);
    }
    return cli_usage_error("unknown command '%s'", cmd);
}
