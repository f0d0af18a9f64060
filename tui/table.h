/* The table widget every list screen uses: rows of sanitized cells, an incremental filter
 * (words, or field:value), sorting by any column, a cursor that survives rebuilds (rows are
 * identified by a key), column widths that fit the screen, and drawing. Only the UI thread
 * uses it.
 *
 * Rows come one of two ways. Owned rows (table_begin, table_add, table_end) keep a sanitized
 * copy of every cell: the small screens, rebuilt whole on every change. Source rows
 * (table_set_source, then table_append and table_end) keep only a key, a tone and the
 * source's own int per row — 16 bytes, plus 4 in the shown order — and ask the source for a
 * cell whenever one is drawn, filtered, sorted or measured: a drill-down of a million
 * instances. Rows are only ever appended; widths grow with them (equal to measuring every
 * row again; a source table taking in more than TABLE_SYNC_ROWS rows at once measures the
 * rest in steps).
 *
 * Ordering (filter and sort) of a source table of more than TABLE_SYNC_ROWS rows runs in
 * steps, table_work(), that the render loop calls between keys: the rows shown stay as they
 * were (and keys move the cursor over them) until the new order is complete; table_progress()
 * says how far it got. Sort keys are read once per ordering (numbers parsed, text copied), not
 * per comparison. Smaller tables, and owned rows, are ordered at once. */
#ifndef CERTDECK_TABLE_H
#define CERTDECK_TABLE_H

#include "tui/table_draw.h"
#include "tui/table_keys.h"
#include "tui/table_order.h"
#include "tui/table_rows.h"

void table_free(struct table *t);

/* Owned rows are rebuilt whole: table_begin, table_add rows, table_end. table_end refilters,
 * resorts and puts the cursor back on the row with the same key (or the nearest position);
 * for source tables too it takes in what was appended or changed since the last call. */
void table_begin(struct table *t);
void table_end(struct table *t);
/* Source tables: forgets every row (the source's data was replaced); filter, sort and the
 * cursor's key stay. */
void table_reset(struct table *t);

#endif
