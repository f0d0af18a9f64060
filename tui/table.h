/* The table widget every list screen uses: rows of sanitized cells, an incremental filter
 * (words, or field:value), sorting by any column, a cursor that survives rebuilds (rows are
 * identified by a key), column widths that fit the screen, and drawing. Only the UI thread
 * uses it. */
#ifndef CERTDECK_TABLE_H
#define CERTDECK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

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

struct table_row {
    char **cells; /* n_cols sanitized strings (owned) */
    uint64_t key; /* identity, for keeping the cursor across rebuilds */
    enum model_tone tone;
    int64_t bar[4]; /* success, failed, running, pending (TABLE_BAR) */
    int64_t bar_total;
};

struct table {
    const struct table_col *cols;
    size_t n_cols;
    struct table_row *rows;
    size_t n_rows, cap_rows;
    size_t *vis; /* filtered and sorted row indices */
    size_t n_vis, cap_vis;
    size_t cursor, top; /* positions in vis */
    bool have_cursor_key;
    uint64_t cursor_key;
    int sort_col; /* -1: server order */
    bool sort_rev;
    char filter[256];
    int widths[32];                     /* natural widths, computed when rows change */
    int last_h, last_y, last_x, last_w; /* where it was drawn last (paging, mouse) */
    bool focused;
    size_t copy_col; /* the column y copies (the view's key column); 0: the first titled one */
};

void table_init(struct table *t, const struct table_col *cols, size_t n_cols);
void table_free(struct table *t);

/* Rebuild: begin, add rows, end. end() refilters, resorts and puts the cursor back on the
 * row with the same key (or the nearest position). */
void table_begin(struct table *t);
/* Adds a row; cells are copied and sanitized (NULL cells become ""). Returns the row so the
 * caller can set tone and bar. */
struct table_row *table_add(struct table *t, uint64_t key, const char *const *cells);
void table_end(struct table *t);

/* The row under the cursor, or NULL when nothing is shown. */
const struct table_row *table_selected(const struct table *t);
bool table_select_key(struct table *t, uint64_t key);

/* Filter: whitespace-separated words, all must match (case-insensitive substring); a word
 * field:value matches only that column (e.g. status:failed). */
void table_set_filter(struct table *t, const char *filter);
bool table_row_matches(const struct table *t, const struct table_row *r, const char *filter);
/* The first field:value word of filter naming no column of t (copied to out), or false. */
bool table_unknown_field(const struct table *t, const char *filter, char *out, size_t n);
/* Sorting: by column index (-1: server order); returns false for an unknown field. */
void table_sort_by(struct table *t, int col, bool reverse);
bool table_sort_by_field(struct table *t, const char *field, bool reverse);
void table_sort_step(struct table *t, int dir); /* < and > */

/* Cursor movement; page = rows per page (the drawn height). */
void table_move(struct table *t, long delta);
void table_home(struct table *t);
void table_end_row(struct table *t);
/* Jumps to the next/previous row whose tone is failed; false when there is none. */
bool table_next_tone(struct table *t, int dir);

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

#endif
