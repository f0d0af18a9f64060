/* The five actions: the action table, the decoding and checking of a request body against an
 * action's parameters (check 10 in server.c), and each action's answer from the dataset. */
#ifndef CERTDECK_EMULATOR_ACTIONS_H
#define CERTDECK_EMULATOR_ACTIONS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/emulator/answer.h"
#include "core/emulator/dataset.h"
#include "core/emulator/emulator.h"
#include "core/util.h"

/* What the actions serve: the dataset behind one lock, moved forward on the server clock. */
struct emu_actions {
    pthread_mutex_t lock; /* ds */
    struct dataset ds;
    enum dataset_paging paging;
    int64_t clock_offset_s;  /* server clock = now + offset */
    int64_t data_clock_unix; /* if set, the dataset's clock (emu_config.data_clock_unix) */
    /* Certificates whose upload task is "being created": the first call answered
     * DeployRecordId 0, the next one creates it (API.md §2.3). Under lock. */
    char **creating;
    size_t n_creating;
};

struct emu_action_def;

/* Loads cfg->dataset_file or generates the dataset. Returns 0, or -1 with err filled (the
 * file's path-precise problem); emu_actions_close is due either way. */
int emu_actions_open(struct emu_actions *s, const struct emu_config *cfg, char *err, size_t errlen);
void emu_actions_close(struct emu_actions *s);
/* The server clock, Unix seconds: signatures are judged by it. */
int64_t emu_actions_now(const struct emu_actions *s);
/* The dataset's clock: tasks progress and writes are stamped by it (the server clock unless
 * pinned by data_clock_unix). */
int64_t emu_actions_data_now(const struct emu_actions *s);

/* The action named by X-TC-Action; NULL when there is none (InvalidAction). */
const struct emu_action_def *emu_actions_find(const char *name);
/* Checks the body, a JSON object, against the action's parameters, then runs it: a is the
 * answer either way. */
void emu_actions_run(struct emu_actions *s, const struct emu_action_def *def,
                     const struct buf *body, const char *rid, enum emu_lang l,
                     struct emu_answer *a);

#endif
