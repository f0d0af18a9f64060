/* Switching the session to another profile or endpoint (:profile, :endpoint): a new client,
 * store and worker, every screen closed, the record list opened again. */
#ifndef CERTDECK_APP_SWITCH_H
#define CERTDECK_APP_SWITCH_H

#include "tui/session.h"

/* Carries out a switch app_request_switch asked for, if any. On failure the session stays as
 * it was and the message line says why. */
void switch_apply(struct app *a);

#endif
