/* The table widget's face: what starts, ends and frees a table's rows, where the rows
 * (table_rows.c) meet their ordering (table_order.c). */
#include "tui/table.h"

#include <stdlib.h>
#include <string.h>

#include "tui/table_int.h"

static void clear_cells(struct table *t)
{
    if (t->cells)
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
            free(t->cells[i]);
}

void table_free(struct table *t)
{
    table_job_free(t);
    clear_cells(t);
    free(t->cells);
    free(t->bars);
    free(t->rows);
    free(t->vis);
    free(t->changed);
    if (t->scratch) {
        for (size_t c = 0; c < TABLE_MAX_COLS; c++) {
            buf_free(&t->scratch->raw[c]);
            buf_free(&t->scratch->clean[c]);
        }
        free(t->scratch);
    }
    memset(t, 0, sizeof *t);
}

/* Every row gone: the order is made again from the rows that come next. */
static void forget_rows(struct table *t)
{
    table_cursor_remember(t);
    table_job_free(t);
    clear_cells(t);
    t->n_rows = t->n_vis = t->n_ordered = t->n_changed = 0;
    t->ordered_col = t->sort_col; /* an empty vis is in any order */
    t->ordered_rev = t->sort_rev;
    table_widths_reset(t);
    t->reorder = true;
}

void table_begin(struct table *t)
{
    forget_rows(t);
}

void table_end(struct table *t)
{
    /* A source table that takes in many rows at once (a drill-down opened on a group loaded
     * before) measures the rest in steps (table_work). */
    table_measure_new(t, t->src ? TABLE_SYNC_ROWS : SIZE_MAX);
    table_order_update(t);
}

void table_reset(struct table *t)
{
    forget_rows(t);
}
