/* The one JSON writer (DESIGN.md, "Writers stream"): values are encoded and written as they
 * come, never as a document tree or a whole-document string, and strings are made inert for a
 * terminal while written. Batch `-o json` (records, detail, errors, radar) and the TUI's `e`
 * export write through it, so they cannot disagree.
 *
 * Layout: cJSON_Print's, byte for byte (tabs, "key":<tab>value, arrays inline with ", "), so
 * output written before the writer streamed is unchanged. Strings: the data's exact text
 * with cJSON's escapes (\" \\ \b \f \n \r \t, other C0 as \u00XX), and also DEL, the C1
 * controls and the bidi controls as \uXXXX (sanitize_cp_needs_escape): the same data,
 * inert on a terminal. */
#ifndef CERTDECK_JSONW_H
#define CERTDECK_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/util.h"

#define JSONW_MAX_DEPTH 64

struct jsonw {
    FILE *out;
    struct buf b; /* pending bytes, written out in large pieces */
    unsigned depth;
    bool obj[JSONW_MAX_DEPTH];   /* the container at each depth is an object */
    bool empty[JSONW_MAX_DEPTH]; /* ... and holds nothing yet */
};

void jsonw_init(struct jsonw *w, FILE *out);
/* Writes what is pending and frees the writer's buffer; 0, or -1 when a write to out failed. */
int jsonw_finish(struct jsonw *w);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* The name of the next member of the object being written. */
void jsonw_key(struct jsonw *w, const char *name);
/* Values. NULL s writes "" (as cJSON does). */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, bool neg, uint64_t magnitude);
void jsonw_null(struct jsonw *w);
void jsonw_bool(struct jsonw *w, bool v);
/* A cJSON value and everything under it, exactly as cJSON_Print lays it out (with the string
 * rule above). */
void jsonw_cjson(struct jsonw *w, const cJSON *item);
/* A raw newline (after a top-level value). */
void jsonw_newline(struct jsonw *w);

/* The string rules on their own, appended to b with the quotes: the data's exact text
 * (jsonw_escape_data), or text as a person reads it: sanitized first (core/sanitize.h), then
 * escaped (jsonw_escape_text; the rows of an export). */
void jsonw_escape_data(struct buf *b, const char *s);
void jsonw_escape_text(struct buf *b, const char *s);

#endif
