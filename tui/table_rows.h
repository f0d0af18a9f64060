/* The table widget's rows and what reads them (tui/table_rows.c): the types every part of the
 * widget shares, adding rows (owned or a source's), a cell's sanitized text, the selected row,
 * column widths and the cursor. Views include tui/table.h, which holds the whole widget. */
#ifndef CERTDECK_TABLE_ROWS_H
#define CERTDECK_TABLE_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/util.h"

enum table_col_flags {
    TABLE_NUMERIC = 1 << 0, /* right-aligned, sorts by value */
    TABLE_TONED = 1 << 1,   /* drawn in the row's status colour */
    TABLE_BAR = 1 << 2,     /* the row's progress bar, not text */
    TABLE_FLEX = 1 << 3,    /* shrinks first, takes the space left over (table_layout) */
    TABLE_NOSORT = 1 << 4,
};

struct table_col {
    const char *title; /* header text */
    const char *field; /* name for filters and :sort ("status", "type"); NULL: none */
    int min, max;      /* width in columns; max 0: as wide as its content */
    int drop;          /* 0 never dropped; higher numbers are dropped first when narrow */
    unsigned flags;
};

#define TABLE_MAX_COLS 32
/* Source tables with more rows than this are ordered in steps (table_work). */
#define TABLE_SYNC_ROWS 10000

struct table_row {
    uint64_t key; /* identity, for keeping the cursor across rebuilds */
    int32_t aux;  /* the source's own value (the drill-down: the item's Status) */
    uint8_t tone; /* enum model_tone */
    uint8_t flags;
};

/* A progress bar's segments (TABLE_BAR): success, failed, running, pending out of total. */
struct table_bar {
    int64_t seg[4];
    int64_t total;
};

/* Where a source table's cells come from. begin() is called before a batch of cell() calls
 * and end() after it (the drill-down holds the store's lock in between); begin() returning
 * false means the data is gone, and cells read "". cell() returns the raw text of column col
 * of row `row` (the table sanitizes it), written into out (emptied first) or any string that
 * stays valid until the next call. */
struct table_source {
    bool (*begin)(void *ctx);
    void (*end)(void *ctx);
    const char *(*cell)(void *ctx, size_t row, size_t col, struct buf *out);
};

struct table_job; /* ordering under way (table_order.c) */

struct table {
    const struct table_col *cols;
    size_t n_cols;
    struct table_row *rows;
    size_t n_rows, cap_rows;
    char **cells; /* owned rows: n_rows * n_cols sanitized strings */
    size_t cap_cells;
    struct table_bar *bars; /* owned rows of a table with a TABLE_BAR column */
    size_t cap_bars;
    const struct table_source *src; /* NULL: owned rows */
    void *src_ctx;
    uint32_t *vis; /* the rows shown, filtered and sorted: indices into rows */
    size_t n_vis, cap_vis;
    size_t cursor, top; /* positions in vis */
    bool have_cursor_key;
    uint64_t cursor_key;
    int sort_col; /* -1: server order */
    bool sort_rev;
    char filter[256];
    int widths[TABLE_MAX_COLS]; /* natural widths: the widest cell (or title), within min..max */
    /* Rows [0, n_measured) are in widths; [0, n_ordered) were ordered into vis (those the
     * filter lets through); the others wait for table_end or the next ordering. */
    size_t n_measured, n_ordered;
    /* Source tables: more rows are on their way (sorted rows then wait to be ordered in
     * batches: re-sorting on every page would be quadratic). */
    bool more_coming;
    bool reorder; /* the order must be made again from scratch (filter, sort, rows changed) */
    char ordered_filter[256]; /* the filter vis was last ordered with, */
    int ordered_col;          /* ... and the sort */
    bool ordered_rev;
    uint32_t *changed; /* rows table_changed since they were last placed */
    size_t n_changed, cap_changed;
    struct table_job *job;
    struct table_cells *scratch; /* source tables: one buffer per column for table_cell */
    int access;                  /* depth of source begin/end */
    bool access_ok;
    int last_h, last_y, last_x, last_w; /* where it was drawn last (paging, mouse) */
    bool focused;
    size_t copy_col; /* the column y copies (the view's key column); 0: the first titled one */
};

void table_init(struct table *t, const struct table_col *cols, size_t n_cols);

/* ---- owned rows (between table_begin and table_end) ----------------------------------------- */

/* Adds a row; cells are copied and sanitized (NULL cells become ""). Returns the row so the
 * caller can set its tone (valid until the next add). */
struct table_row *table_add(struct table *t, uint64_t key, const char *const *cells);
/* The progress bar of the row just added. */
void table_set_bar(struct table *t, const int64_t seg[4], int64_t total);

/* ---- source rows ---------------------------------------------------------------------------- */

/* Makes t a source table (before any row). */
void table_set_source(struct table *t, const struct table_source *src, void *ctx);
/* Row n_rows: its cells are the source's for that index. */
void table_append(struct table *t, uint64_t key, enum model_tone tone, int32_t aux);
/* Row `row`'s data changed in the source (its tone and aux as now): table_end re-measures it
 * and puts it where the filter and sort now place it. */
void table_changed(struct table *t, size_t row, enum model_tone tone, int32_t aux);

/* ---- reading -------------------------------------------------------------------------------- */

/* The sanitized text of a cell. For a source table the string is valid until the next call
 * for the same column. */
const char *table_cell(struct table *t, size_t row, size_t col);
/* The row under the cursor, or NULL when nothing is shown; and its index in rows. */
const struct table_row *table_selected(const struct table *t);
size_t table_selected_index(const struct table *t);
/* A cell of the selected row ("" when nothing is selected). */
const char *table_selected_cell(struct table *t, size_t col);
bool table_select_key(struct table *t, uint64_t key);

/* ---- cursor --------------------------------------------------------------------------------- */

/* Cursor movement; page = rows per page (the drawn height). */
void table_move(struct table *t, long delta);
void table_home(struct table *t);
void table_end_row(struct table *t);
/* Jumps to the next/previous row whose tone is failed; false when there is none. */
bool table_next_tone(struct table *t, int dir);

/* ---- inside the widget (tui/table*.c) ------------------------------------------------------ */

enum { TABLE_ROW_CHANGED = 1 };

/* Source tables: the buffers table_cell writes a column's text into (raw from the source, and
 * sanitized when the raw text needed it). */
struct table_cells {
    struct buf raw[TABLE_MAX_COLS];
    struct buf clean[TABLE_MAX_COLS];
};

/* Source begin/end around a batch of table_cell calls (nested calls count). */
void table_access_begin(struct table *t);
void table_access_end(struct table *t);

/* Widths: the changed rows and up to max_rows of [n_measured, n_rows) into widths (only ever
 * grows them); true when every row is in. One row. */
bool table_measure_new(struct table *t, size_t max_rows);
void table_measure_row(struct table *t, size_t row);

/* The cursor back on cursor_key after vis was rebuilt (or the nearest position); the key of
 * the row under the cursor remembered; the widths back to the titles' (table_rows.c). */
void table_cursor_restore(struct table *t);
void table_cursor_remember(struct table *t);
void table_widths_reset(struct table *t);

#endif
