/* A record's runs kept consistent while the dataset changes: a run's counts and status always
 * follow from its items, and the record row mirrors its latest run. Shared by the generator,
 * the clock-driven progress and the write actions. */
#ifndef CERTDECK_EMULATOR_RUNS_H
#define CERTDECK_EMULATOR_RUNS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/emulator/dataset.h"

/* Recomputes a run's counts and status from its items (the counts always equal the sums). */
void runs_recount(struct deploy_run *r);
/* Waiting or deploying. */
bool runs_active(const struct deploy_run *r);
bool runs_any_active(const struct dataset_record *rec);
/* The record's status becomes its latest run's; its UpdateTime moves forward to when. */
void runs_sync_record(struct dataset_record *rec, int64_t when);
/* Appends a zeroed run to rec; pointers into rec->runs are invalid after. */
struct deploy_run *runs_add(struct dataset_record *rec);
/* Fills dst, a new rollback run, with copies of the items that src deployed successfully,
 * numbered from *next_id on. */
void runs_copy_for_rollback(struct deploy_run *dst, const struct deploy_run *src,
                            uint64_t *next_id);

/* An item's end at when: success, or failure with its service's text (h picks it). */
void runs_finish_item(struct deploy_item *it, bool fails, bool rollback, int64_t when, uint64_t h);
/* Back to waiting at now, its error cleared (a retry, or a fresh task). */
void runs_requeue_item(struct deploy_item *it, int64_t now);

#endif
