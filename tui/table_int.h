/* Inside the table widget (tui/table.c, table_rows.c, table_keys.c, table_order.c,
 * table_draw.c); views use table.h. */
#ifndef CERTDECK_TABLE_INT_H
#define CERTDECK_TABLE_INT_H

#include "tui/table_rows.h"

/* Ordering (table_order.c). table_order_update brings vis up to date after rows, filter or
 * sort changed: at once for small and owned tables, else by starting (or leaving to) a job
 * that table_work steps. */
void table_order_update(struct table *t);
void table_job_free(struct table *t);
bool table_is_sorted(const struct table *t);

/* Work units, in sixteenths of a cell read (a cell read costs ~16 comparisons). */
enum { TABLE_U_CELL = 16, TABLE_U_ROW = 1, TABLE_RUN = 16 };

/* ---- the filter's words (table_keys.c) ---- */

struct fword {
    int col; /* the column of a field:value word; -1: any column */
    size_t len;
    char text[256];
};
/* The column a filter or :sort field names, or -1. */
int table_col_by_field(const struct table *t, const char *field, size_t len);
/* The words of filter (at most 128: it holds 255 bytes), as a heap array; *n its length. */
struct fword *table_filter_compile(const struct table *t, const char *filter, size_t *n);
/* Whether row matches every word; *cost grows by the cells read (TABLE_U_CELL each). */
bool table_words_match(struct table *t, size_t row, const struct fword *w, size_t n, size_t *cost);
/* Whether every row matching `narrow` matches `wide` too, as far as their text tells. */
bool table_filter_narrows(const char *wide, const char *narrow);

/* ---- sort keys and the merge sort (table_keys.c) ---- */

struct sort_ent {
    uint64_t k;   /* numbers: their order as bits (text after them: all ones); text: its
                     first 8 bytes folded, big-endian; bars: the failed share */
    uint32_t row; /* ties keep server order */
    uint32_t off; /* text: the whole (sanitized) cell in the job's arena */
};

struct order {
    int col;
    bool rev;       /* descending by key (equal keys still in server order) */
    bool rows_desc; /* no column, reversed: newest last */
    bool text;
};

/* The order t's sort asks for. */
void table_order_init(const struct table *t, struct order *o);
/* Row's key into e; its text (o->text) appended to arena (which starts with a NUL). */
void table_make_key(struct table *t, const struct order *o, size_t row, struct sort_ent *e,
                    struct buf *arena);
/* a before b (< 0), after (> 0); never equal for two rows. sa, sb: their text. */
int table_key_cmp(const struct sort_ent *a, const char *sa, const struct sort_ent *b,
                  const char *sb, const struct order *o);

struct msort {
    struct sort_ent *a, *b; /* the data (sorted in a at the end) and scratch */
    size_t n, width, at;    /* width 0: sorting runs of RUN by insertion first */
};
/* Advances the sort of m by about *budget units (spent from it); true when m->a is sorted. */
bool table_msort_step(struct msort *m, const struct order *o, const char *arena, size_t *budget);

#endif
