/* The table's filter words (tui/table_keys.c, which also makes the sort keys). */
#ifndef CERTDECK_TABLE_KEYS_H
#define CERTDECK_TABLE_KEYS_H

#include "tui/table_rows.h"

/* Whether row matches filter: whitespace-separated words, all must match (case-insensitive
 * substring); a word field:value matches only that column (e.g. status:failed). */
bool table_row_matches(struct table *t, size_t row, const char *filter);
/* The first field:value word of filter naming no column of t (copied to out), or false. */
bool table_unknown_field(const struct table *t, const char *filter, char *out, size_t n);

#endif
