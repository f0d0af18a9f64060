/* Compact storage for a resource-type group's items (DESIGN.md, "Items are compact"): one arena
 * per group holds every string of its items and their Domains arrays, back to back in a few
 * large blocks, with the strings that repeat (types, regions, old cert Id, protocol, SSL mode,
 * times, error messages) stored once. It also keeps the group's Id index, which grows with the
 * group, and the capacity of its items array, which grows geometrically.
 *
 * Whether a field's values repeat is learnt per field: interning costs a hash probe and a
 * table slot per distinct value, so a field whose values turn out unique (instance Ids) stops
 * being interned after a few hundred values.
 *
 * The bytes every arena holds (blocks, tables, the items arrays they size) are counted in one
 * process-wide figure, checked against a budget (--max-memory). */
#ifndef CERTDECK_MODEL_ARENA_H
#define CERTDECK_MODEL_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/id_index.h"

/* Interning statistics are kept for this many fields (a field number is taken modulo it). */
#define MODEL_ARENA_FIELDS 32

/* An open-addressing set of handles (0: an empty slot), kept at most half full. */
struct model_arena_set {
    uint32_t *slots;
    size_t mask, n;
};

/* Strings and arrays in an arena are also named by a 32-bit handle: block number + 1 in the
 * high 16 bits, offset in the low 16 (blocks of at most 64 KiB; a longer string has a block of
 * its own, at offset 0). 0 names nothing (NULL). An arena holds at most 65,535 blocks (at least
 * 4 GiB); past that it is full: what is stored then is lost, and model_mem_over says so. */
#define MODEL_ARENA_MAX_BLOCKS 65535u

struct model_arena {
    char **block; /* block i's bytes (handles name it i + 1) */
    uint32_t n_blocks, cap_blocks;
    uint32_t cur; /* the block strings are carved from: its number + 1; 0 none */
    size_t cur_used, cur_cap;
    size_t held;                   /* bytes of blocks and tables, counted in the total */
    uint32_t empty;                /* the handle of the one "" */
    bool full;                     /* MODEL_ARENA_MAX_BLOCKS reached: something was not stored */
    struct model_arena_set intern; /* interned strings */
    struct {
        uint32_t tries, hits;
        bool off; /* values of this field did not repeat: copied without a lookup */
    } field[MODEL_ARENA_FIELDS];
    struct model_arena_set recs; /* interned records (model_arena_put_record) */
    size_t rec_size;             /* the bytes of each */
    /* Lists stored lately, for sharing (model_arena_lists): a list's handle and length. */
    struct {
        uint32_t h, n;
    } * lists;
    /* The group's items: their capacity (elements), and the Id index over [0, indexed). */
    size_t items_cap;
    struct id_pos_index index;
    size_t indexed;
};

/* The bytes a handle names (NULL for 0). */
static inline char *model_arena_get(const struct model_arena *a, uint32_t h)
{
    return h ? a->block[(h >> 16) - 1] + (h & 0xffffu) : NULL;
}

/* For tests: arenas made full after n blocks (0: MODEL_ARENA_MAX_BLOCKS again). */
void model_arena_limit_blocks(uint32_t n);

struct model_arena *model_arena_new(void);
/* Frees the arena's blocks and tables (the strings handed out die with it). NULL is a no-op. */
void model_arena_free(struct model_arena *a);

/* A copy of s[0..len) (no NUL inside; NUL-terminated) owned by the arena, by handle; the same
 * handle for the same text of an interned field. field: a small number naming the field, for
 * the statistics. 0 only when the arena is full. */
uint32_t model_arena_put(struct model_arena *a, const char *s, size_t len, unsigned field);
/* model_arena_put of a NUL-terminated string; NULL gives 0. */
uint32_t model_arena_putz(struct model_arena *a, const char *s, unsigned field);
/* n bytes aligned to align (a power of two, at most 16), uninitialised, by handle; *p gets
 * their address. 0 (and *p NULL) for n == 0 or a full arena. */
uint32_t model_arena_alloc(struct model_arena *a, size_t n, size_t align, void **p);

/* A copy of the n-byte record rec, aligned to 8, by handle; the same handle for the same
 * bytes (pad records with zeros). Every record interned in one arena has the same n. 0 only
 * when the arena is full. */
uint32_t model_arena_put_record(struct model_arena *a, const void *rec, size_t n);

/* The same by address: model_arena_get(a, model_arena_put(...)). */
char *model_arena_str(struct model_arena *a, const char *s, size_t len, unsigned field);
/* model_arena_str of a NUL-terminated string; NULL stays NULL. */
char *model_arena_strdup(struct model_arena *a, const char *s, unsigned field);
/* Room for n pointers (aligned), owned by the arena. */
char **model_arena_strv(struct model_arena *a, size_t n);

/* The arena's cache of lists stored lately (MODEL_ARENA_LISTS slots, zeroed), made on the
 * first call; whoever stores lists decides what a slot means. */
#define MODEL_ARENA_LISTS 64
void model_arena_lists(struct model_arena *a);

/* Records that the arena's group now has room for cap items of size bytes (for the count). */
void model_arena_items_cap(struct model_arena *a, size_t cap, size_t size);

/* id_pos_index_add on the arena's index, counted. */
void model_arena_index_add(struct model_arena *a, size_t pos, const void *base, size_t stride,
                           size_t id_off);

/* Empties the arena's index, counted. */
void model_arena_index_reset(struct model_arena *a);

/* The bytes all arenas of the process hold now, and the most they held at once. */
size_t model_mem_held(void);
size_t model_mem_peak(void);
/* The budget for model_mem_over; 0: none. */
void model_mem_set_budget(size_t bytes);
size_t model_mem_budget(void);
/* The default budget: half of the machine's RAM (at least 256 MiB). */
size_t model_mem_default_budget(void);
/* Whether the arenas hold more than the budget, or one of them is full. */
bool model_mem_over(void);
/* How many arenas are full now (each dropped what it could not store). */
size_t model_mem_full(void);

/* "512M", "2G", "1500K", "1073741824" (binary units, K M G T, optional B or iB, case
 * ignored) into bytes; 0 on success, -1 for anything else (zero, overflow, junk). */
int model_mem_parse_size(const char *s, size_t *out);
/* Why model_mem_over holds, into buf: "the N instances <what> take X, more than --max-memory
 * Y allows", or, for a full arena, that one group's text passed what a group holds. */
void model_mem_explain(char *buf, size_t n, size_t items, const char *what);
/* "1.5 GiB", "512 MiB", "900 KiB", "12 B" into buf; returns buf. */
const char *model_mem_format(size_t bytes, char *buf, size_t n);

#endif
