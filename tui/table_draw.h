/* Drawing the table (tui/table_draw.c): column layout, the header and rows, the mouse. */
#ifndef CERTDECK_TABLE_DRAW_H
#define CERTDECK_TABLE_DRAW_H

#include "tui/table_rows.h"

/* How wide each column is drawn in w columns (0: dropped); widths holds n_cols. Columns are
 * dropped (highest `drop` first) until the rest fit, flexible ones at a comfortable width.
 * Among flexible columns `drop` is also their importance: when they must shrink, the least
 * important gives way first (keeping 16 columns, or its content if narrower), and space left
 * over goes to the most important first. Other columns shrink only when that is not enough. */
void table_layout(const struct table *t, int w, int *widths);
/* Draws at (y, x) within h rows and w columns: a header line and the rows. */
void table_draw(struct table *t, int y, int x, int h, int w);
/* Mouse: the visible position at screen row y, or -1. */
long table_hit(const struct table *t, int y, int x);
/* Mouse: a click at screen (y, x) on a row moves the cursor there; returns whether it hit one. */
bool table_click(struct table *t, int y, int x);

#endif
