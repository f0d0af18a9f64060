/* The Id index: linear probing over a power-of-two table kept at most half full, doubled when
 * an addition would pass that (contract in id_index.h). */
#include "core/id_index.h"

#include <stdlib.h>

#include "core/util.h"

void id_index_init(struct id_index *x, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    x->mask = cap - 1;
    x->n = 0;
    x->slots = xcalloc(cap, sizeof(*x->slots));
}

static size_t id_index_hash(uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (size_t)id;
}

static void id_index_grow(struct id_index *x)
{
    struct id_index big;
    id_index_init(&big, x->mask + 1);
    for (size_t i = 0; i <= x->mask; i++)
        if (x->slots[i].pos1) id_index_lookup(&big, x->slots[i].id, x->slots[i].pos1 - 1);
    free(x->slots);
    *x = big;
}

size_t id_index_lookup(struct id_index *x, uint64_t id, size_t pos)
{
    for (size_t h = id_index_hash(id) & x->mask;; h = (h + 1) & x->mask) {
        if (x->slots[h].pos1 == 0) {
            if (pos == SIZE_MAX) return 0;
            if ((x->n + 1) * 2 > x->mask + 1) {
                id_index_grow(x);
                return id_index_lookup(x, id, pos);
            }
            x->slots[h].id = id;
            x->slots[h].pos1 = pos + 1;
            x->n++;
            return 0;
        }
        if (x->slots[h].id == id) return x->slots[h].pos1;
    }
}
