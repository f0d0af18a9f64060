/* Finding where JSON values begin and end without building them, so a large document (a
 * snapshot file) can be parsed one member at a time and never as one tree. Structure only:
 * strings and their escapes, brackets, and the characters literals and numbers may hold; each
 * piece's own parse (core/codec.h) checks the rest. */
#ifndef CERTDECK_JSONSCAN_H
#define CERTDECK_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>

enum jsonscan_result {
    JSONSCAN_OK = 0,
    JSONSCAN_END,       /* the object (array) has no more members (elements) */
    JSONSCAN_TRUNCATED, /* the text stops before the value does */
    JSONSCAN_INVALID,   /* not JSON at *pos */
};

/* The value at s[*pos] (whitespace before it skipped): [*start, *end), and *pos after it. */
enum jsonscan_result jsonscan_value(const char *s, size_t len, size_t *pos, size_t *start,
                                    size_t *end);
/* Enters the object at s[*pos]: *pos after its '{'. */
enum jsonscan_result jsonscan_object_open(const char *s, size_t len, size_t *pos);
/* The next member of an object entered with jsonscan_object_open: its key (a JSON string,
 * quotes included) [*kstart, *kend) and value [*vstart, *vend); JSONSCAN_END after the closing
 * '}' (then *pos is past it). */
enum jsonscan_result jsonscan_member(const char *s, size_t len, size_t *pos, size_t *kstart,
                                     size_t *kend, size_t *vstart, size_t *vend);
/* Enters the array at s[*pos]: *pos after its '['. */
enum jsonscan_result jsonscan_array_open(const char *s, size_t len, size_t *pos);
/* The next element of an array entered with jsonscan_array_open: [*vstart, *vend);
 * JSONSCAN_END after the closing ']' (then *pos is past it). */
enum jsonscan_result jsonscan_element(const char *s, size_t len, size_t *pos, size_t *vstart,
                                      size_t *vend);
/* Whether only whitespace follows s[pos]. */
bool jsonscan_only_space(const char *s, size_t len, size_t pos);

#endif
