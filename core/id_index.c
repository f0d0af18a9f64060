/* The Id index: linear probing over a power-of-two table at most half full (contract in
 * id_index.h). */
#include "core/id_index.h"

#include "core/util.h"

void id_index_init(struct id_index *x, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    x->mask = cap - 1;
    x->slots = xcalloc(cap, sizeof(*x->slots));
}

static size_t id_index_hash(uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (size_t)id;
}

size_t id_index_lookup(struct id_index *x, uint64_t id, size_t pos)
{
    for (size_t h = id_index_hash(id) & x->mask;; h = (h + 1) & x->mask) {
        if (x->slots[h].pos1 == 0) {
            if (pos != SIZE_MAX) {
                x->slots[h].id = id;
                x->slots[h].pos1 = pos + 1;
            }
            return 0;
        }
        if (x->slots[h].id == id) return x->slots[h].pos1;
    }
}
