/* Questions about the model as the store holds it: find a record, run, group or item; the
 * runs of a record in time order; whether a run still moves; how long after its deploy a
 * rollback came. Pure functions with no screen knowledge; returned strings are raw API text. */
#ifndef CERTDECK_QUERY_H
#define CERTDECK_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/store.h"

const struct update_record *query_record(const struct store_records *sr, uint64_t id);
/* Fills order[] with indices into p->runs sorted by CreateTime (server order breaks ties, and
 * a run whose time cannot be read keeps its place). Returns the count (at most cap). */
size_t query_run_order(const struct detail_page *p, size_t *order, size_t cap);
/* 1-based position of run_index in time order (0 when absent). */
int query_run_number(const struct detail_page *p, size_t run_index);
/* The latest run of the detail in time order (the latest deploy run with deploy_only); NULL
 * when the detail is not in yet or lists none. */
const struct deploy_run *query_latest_run(const struct store_detail *sd, bool deploy_only);
const struct deploy_run *query_run(const struct store_detail *d, size_t run_index);
const struct resource_group *query_group(const struct deploy_run *r, const char *type);
/* The item with this Id, as model_group_item (scratch may receive it), or NULL. */
const struct deploy_item *query_item(const struct resource_group *g, uint64_t id,
                                     struct deploy_item *scratch);
/* A run is still moving (waiting/deploying, or items running or pending). */
bool query_run_in_progress(const struct deploy_run *r);
/* How long after the latest earlier deploy of p a rollback run came ("+15m41s"); "" for a
 * deploy or when the times cannot be read. */
void query_rollback_delay(const struct detail_page *p, size_t run_index, char *buf, size_t n);
/* The same delay in seconds; false for a deploy or when the times cannot be read. */
bool query_rollback_delay_secs(const struct detail_page *p, size_t run_index, int64_t *secs);

#endif
