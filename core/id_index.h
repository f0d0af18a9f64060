/* A small open-addressing index from a 64-bit Id to a position, so merging a page into a list
 * costs O(n + m) and not O(n * m) on groups of tens of thousands of items; also a set of Ids
 * (the position unused), to keep paged lists free of duplicates. */
#ifndef CERTDECK_ID_INDEX_H
#define CERTDECK_ID_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct id_slot {
    uint64_t id;
    size_t pos1; /* position + 1; 0: empty */
};

struct id_index {
    size_t mask;
    size_t n; /* Ids held */
    struct id_slot *slots;
};

/* Room for n Ids before the table grows; the caller frees x->slots. */
void id_index_init(struct id_index *x, size_t n);
/* The position stored for id + 1, or 0 when absent (then id is added at pos, unless pos is
 * SIZE_MAX). */
size_t id_index_lookup(struct id_index *x, uint64_t id, size_t pos);

#endif
