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
void table_free(struct table *t);

/* ---- owned rows ----------------------------------------------------------------------------- */

/* Rebuild: begin, add rows, end. end() refilters, resorts and puts the cursor back on the
 * row with the same key (or the nearest position). */
void table_begin(struct table *t);
/* Adds a row; cells are copied and sanitized (NULL cells become ""). Returns the row so the
 * caller can set its tone (valid until the next add). */
struct table_row *table_add(struct table *t, uint64_t key, const char *const *cells);
/* The progress bar of the row just added. */
void table_set_bar(struct table *t, const int64_t seg[4], int64_t total);
/* Source tables too: takes in what was appended or changed since the last call. */
void table_end(struct table *t);

/* ---- source rows ---------------------------------------------------------------------------- */

/* Makes t a source table (before any row). */
void table_set_source(struct table *t, const struct table_source *src, void *ctx);
/* Forgets every row (the source's data was replaced); filter, sort and the cursor's key
 * stay. */
void table_reset(struct table *t);
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

/* ---- filter and sort ------------------------------------------------------------------------ */

/* Filter: whitespace-separated words, all must match (case-insensitive substring); a word
 * field:value matches only that column (e.g. status:failed). */
void table_set_filter(struct table *t, const char *filter);
bool table_row_matches(struct table *t, size_t row, const char *filter);
/* The first field:value word of filter naming no column of t (copied to out), or false. */
bool table_unknown_field(const struct table *t, const char *filter, char *out, size_t n);
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

/* ---- cursor --------------------------------------------------------------------------------- */

/* Cursor movement; page = rows per page (the drawn height). */
void table_move(struct table *t, long delta);
void table_home(struct table *t);
void table_end_row(struct table *t);
/* Jumps to the next/previous row whose tone is failed; false when there is none. */
bool table_next_tone(struct table *t, int dir);

/* ---- drawing (table_draw.c) ----------------------------------------------------------------- */

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
