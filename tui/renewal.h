/* A renewal started with U in the TUI, as the checklist screen (tui/views/renew.c) shows it and
 * tui/app/renew.c drives it: the files and types asked for, the pre-flight (core/preflight.h,
 * core/coverage.h), then the one call through the write path and its outcome. Owned by the
 * session; only the UI thread reads or writes it (the network work is core/renew_task.h). */
#ifndef CERTDECK_RENEWAL_H
#define CERTDECK_RENEWAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/coverage.h"
#include "core/preflight.h"
#include "core/renew.h"

#define RENEWAL_MAX_TYPES 32

enum renewal_phase {
    RENEWAL_ASKING,   /* the prompts: chain file, key file, resource types */
    RENEWAL_CHECKING, /* the local checks are done; the coverage read is out */
    RENEWAL_READY,    /* every check is in: the operator goes ahead or leaves */
    RENEWAL_SENDING,  /* the call is out (repeated while the task is being created) */
    RENEWAL_DONE,     /* the call ended: result */
};

struct renew_task;

struct renewal {
    enum renewal_phase phase;
    uint64_t from_record;           /* the record U was pressed on */
    char *old_cert;                 /* as the API gave it (sanitize to show it) */
    char *default_types;            /* that record's types, "clb,waf" */
    char *cert_path, *key_path;     /* as typed (~ not expanded); kept for the next U */
    char *types[RENEWAL_MAX_TYPES]; /* what the types prompt said */
    size_t n_types;
    struct preflight pf;           /* the checklist */
    size_t n_local;                /* its local lines; the coverage line follows */
    bool coverage_in;              /* the coverage read ended */
    struct api_error coverage_err; /* ... and failed (kind APIERR_NONE: it did not) */
    struct coverage_deployed dep;  /* what the last record deployed */
    size_t *uncovered;             /* indexes into dep.domains */
    size_t n_uncovered;
    bool force;                        /* F: uncovered domains are only a warning */
    struct preflight_secret cert, key; /* read once; the key goes to the call, wiped */
    int calls;                         /* SENDING: answers "being created" so far */
    int64_t next_wait_ms;              /* ... and the wait before the next call */
    struct renew_submit_result result; /* DONE */
    struct renew_task *task;
};

#endif
