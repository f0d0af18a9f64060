/* U's renewal, the app's side: the prompts' answers, the pre-flight, the coverage read and the
 * call on a thread of their own (core/renew_task.h), and the outcome. The question before the
 * call and the call itself go through the one write path (tui/app/writes.c); the checklist
 * screen reads struct renewal (tui/renewal.h). */
#ifndef CERTDECK_APP_RENEW_H
#define CERTDECK_APP_RENEW_H

#include <stdbool.h>

#include "tui/session.h"

/* Enter on one of the renewal's prompts (the chain file, the key file, the types). */
void renew_flow_answer(struct app *a, enum prompt_ask ask, const char *text);
/* Esc on one of them: the renewal is cancelled, nothing was sent. */
void renew_flow_abandon(struct app *a);
/* The store changed (the task's thread touches it): take the coverage read's result. */
void renew_flow_check(struct app *a);
/* writes.c, on the typed certificate ID: sends the call, once. False when there is nothing to
 * send (then nothing was). */
bool renew_flow_send(struct app *a);
/* writes.c, while the call is pending: its news; true once it ended (said, the record opened). */
bool renew_flow_outcome(struct app *a);
/* Whether the renewal's thread is reading or sending (the scripted tests' wait-idle). */
bool renew_flow_busy(struct app *a);
/* Whether the call is out (a profile switch waits for its answer). */
bool renew_flow_sending(struct app *a);
/* Ends the renewal: its thread joined, the files' contents wiped (exit, profile switch). */
void renew_flow_free(struct app *a);

#endif
