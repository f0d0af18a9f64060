/* Switching the session to another profile or endpoint: the new client is opened first, so a
 * profile that cannot be used leaves the session as it was; then the old worker is stopped
 * (its transfers aborted), the store dropped, and the record list opened on the new account. */
#include "tui/app/switch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app/options.h"
#include "tui/app/renew.h"

void switch_apply(struct app *a)
{
    if (!a->switch_req.active) return;
    a->switch_req.active = false;
    if (renew_flow_sending(a)) {
        app_msg(a, APP_MSG_ERROR, "a renewal is being sent: switch once its answer is in");
        return;
    }
    const char *profile = a->switch_req.profile_set ? a->switch_req.profile : a->profile;
    const char *endpoint = a->switch_req.endpoint_set ? a->switch_req.endpoint : a->endpoint;
    if (!a->opts->connect) {
        app_msg(a, APP_MSG_ERROR,
                "the demo's emulator knows one account: run certdeck without "
                "--demo to switch profiles or endpoints");
        return;
    }
    char err[1200];
    struct api_client *api = a->opts->connect(a->opts->connect_ctx, profile[0] ? profile : NULL,
                                              endpoint[0] ? endpoint : NULL, err, sizeof err);
    if (!api) {
        app_msg(a, APP_MSG_ERROR, "cannot switch: %s", err);
        return;
    }
    while (a->depth > 0) {
        struct view *v = a->stack[--a->depth];
        v->ops->close(v);
        free(v);
    }
    renew_flow_free(a);
    worker_free(a->worker);
    store_free(a->store);
    api_client_free(a->own_api);
    a->api = a->own_api = api;
    a->store = store_new();
    a->worker = worker_new(api, a->store, 4);
    a->seen_gen = 0;
    a->view_gen = 0;
    free(a->cert_filter);
    a->cert_filter = NULL;

    char label[300];
    strlcpy_safe(label, profile, sizeof label); /* profile may point into a->profile */
    strlcpy_safe(a->profile, label, sizeof a->profile);
    strlcpy_safe(a->profile_label, label[0] ? label : "default", sizeof a->profile_label);
    strlcpy_safe(label, api_client_endpoint(api), sizeof label);
    strlcpy_safe(a->endpoint, label, sizeof a->endpoint);
    strlcpy_safe(a->endpoint_label, label, sizeof a->endpoint_label);
    app_push(a, &records_view_ops, NULL);
    char line[600];
    snprintf(line, sizeof line, "switched to profile %s at %s", a->profile_label,
             a->endpoint_label);
    app_note_add(a, false, line);
    app_msg(a, APP_MSG_INFO, "%s", line);
}
