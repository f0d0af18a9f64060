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

/* The same over an array whose records carry their own Id (a group's items): a slot is the
 * position + 1 in 32 bits, and the Id is read from the record, so the index costs 4 to 8 bytes
 * a record. Records are stride bytes apart from base, their uint64_t Id at byte id_off. A
 * zeroed struct is an empty index. */
struct id_pos_index {
    uint32_t *slots;
    size_t mask; /* slots - 1, or 0 when there are none */
    size_t n;
};
/* The position of the record with this Id, or SIZE_MAX. */
size_t id_pos_index_find(const struct id_pos_index *x, uint64_t id, const void *base, size_t stride,
                         size_t id_off);
/* Adds the record at pos (its Id must not be indexed yet); the table doubles when it would
 * pass half full, rehashing from base. pos < UINT32_MAX. */
void id_pos_index_add(struct id_pos_index *x, size_t pos, const void *base, size_t stride,
                      size_t id_off);
void id_pos_index_free(struct id_pos_index *x);
/* Bytes of its table. */
size_t id_pos_index_bytes(const struct id_pos_index *x);

#endif
