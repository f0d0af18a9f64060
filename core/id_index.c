/* The Id index: linear probing over a power-of-two table kept at most half full, doubled when
 * an addition would pass that (contract in id_index.h). */
#include "core/id_index.h"

#include <stdlib.h>
#include <string.h>

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

/* ---- the positional index ----------------------------------------------------------------- */

static uint64_t id_pos_record_id(const void *base, size_t stride, size_t id_off, size_t pos)
{
    uint64_t id;
    memcpy(&id, (const char *)base + pos * stride + id_off, sizeof id);
    return id;
}

size_t id_pos_index_find(const struct id_pos_index *x, uint64_t id, const void *base, size_t stride,
                         size_t id_off)
{
    if (!x->slots) return SIZE_MAX;
    for (size_t h = id_index_hash(id) & x->mask;; h = (h + 1) & x->mask) {
        uint32_t s = x->slots[h];
        if (s == 0) return SIZE_MAX;
        if (id_pos_record_id(base, stride, id_off, s - 1) == id) return s - 1;
    }
}

static void id_pos_index_put(struct id_pos_index *x, uint64_t id, size_t pos)
{
    size_t h = id_index_hash(id) & x->mask;
    while (x->slots[h] != 0)
        h = (h + 1) & x->mask;
    x->slots[h] = (uint32_t)(pos + 1);
    x->n++;
}

void id_pos_index_add(struct id_pos_index *x, size_t pos, const void *base, size_t stride,
                      size_t id_off)
{
    if (!x->slots || (x->n + 1) * 2 > x->mask + 1) {
        size_t cap = x->slots ? (x->mask + 1) * 2 : 16;
        uint32_t *old = x->slots;
        size_t old_cap = x->slots ? x->mask + 1 : 0;
        x->slots = xcalloc(cap, sizeof *x->slots);
        x->mask = cap - 1;
        x->n = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i])
                id_pos_index_put(x, id_pos_record_id(base, stride, id_off, old[i] - 1), old[i] - 1);
        free(old);
    }
    id_pos_index_put(x, id_pos_record_id(base, stride, id_off, pos), pos);
}

void id_pos_index_free(struct id_pos_index *x)
{
    free(x->slots);
    memset(x, 0, sizeof *x);
}

size_t id_pos_index_bytes(const struct id_pos_index *x)
{
    return x->slots ? (x->mask + 1) * sizeof *x->slots : 0;
}
