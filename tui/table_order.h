/* The table's order (tui/table_order.c): the filter and the sort, made at once for small and
 * owned tables and in steps for large source tables. */
#ifndef CERTDECK_TABLE_ORDER_H
#define CERTDECK_TABLE_ORDER_H

#include "tui/table_rows.h"

/* The filter (table_row_matches says what it lets through); the rows shown follow. */
void table_set_filter(struct table *t, const char *filter);
/* Sorting: by column index (-1: server order); returns false for an unknown field. Numbers
 * sort before text in a numeric column; equal keys keep server order. */
void table_sort_by(struct table *t, int col, bool reverse);
bool table_sort_by_field(struct table *t, const char *field, bool reverse);
void table_sort_step(struct table *t, int dir); /* < and > */

/* ---- ordering in steps ---------------------------------------------------------------------- */

/* Whether an ordering is under way, or rows taken in at once (more than TABLE_SYNC_ROWS) are
 * still being measured for the column widths: table_work has something to do. */
bool table_busy(const struct table *t);
/* Does about `budget` units of that work (a unit: one cell read, or a few comparisons) and
 * returns table_busy(). When an ordering completes, the new order is shown with the cursor on
 * the same row. */
bool table_work(struct table *t, size_t budget);
/* What the table is doing, for the status line: "sorting 42%", "filtering 7%", "measuring
 * columns 30%", or rows waiting for the next sort while pages stream in ("sorted 800,000 of
 * 1,000,000"); false when nothing. */
bool table_progress(const struct table *t, char *out, size_t n);

#endif
