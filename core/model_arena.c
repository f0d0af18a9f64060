/* The group arena: blocks carved front to back, an interning set with per-field statistics, and
 * the process-wide count of the bytes arenas hold (contract in model_arena.h). */
#include "core/model_arena.h"

#include <ctype.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

/* Blocks start small (a group of three items costs a few hundred bytes) and double up to a size
 * that malloc still serves from its heap, so that freeing one never moves its mmap threshold.
 * BLOCK_MAX is also the most a handle's 16-bit offset reaches. */
#define BLOCK_FIRST 1024
#define BLOCK_MAX   (64 * 1024)
/* A field whose values repeated in fewer than a quarter of its first tries is not interned. */
#define INTERN_SAMPLE 256

static atomic_size_t mem_held, mem_peak, mem_budget, mem_full;

static void mem_add(size_t n)
{
    size_t now = atomic_fetch_add(&mem_held, n) + n;
    size_t peak = atomic_load(&mem_peak);
    while (now > peak && !atomic_compare_exchange_weak(&mem_peak, &peak, now)) {
    }
}

static void mem_sub(size_t n)
{
    atomic_fetch_sub(&mem_held, n);
}

size_t model_mem_held(void)
{
    return atomic_load(&mem_held);
}

size_t model_mem_peak(void)
{
    return atomic_load(&mem_peak);
}

size_t model_mem_full(void)
{
    return atomic_load(&mem_full);
}

void model_mem_set_budget(size_t bytes)
{
    atomic_store(&mem_budget, bytes);
}

size_t model_mem_budget(void)
{
    return atomic_load(&mem_budget);
}

size_t model_mem_default_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    size_t floor = (size_t)256 << 20;
    if (pages <= 0 || size <= 0) return floor;
    unsigned long long ram = (unsigned long long)pages * (unsigned long long)size;
    if (ram / 2 > SIZE_MAX) return SIZE_MAX;
    size_t half = (size_t)(ram / 2);
    return half > floor ? half : floor;
}

bool model_mem_over(void)
{
    size_t b = atomic_load(&mem_budget);
    return (b && atomic_load(&mem_held) > b) || atomic_load(&mem_full) > 0;
}

/* Moves a's share of the count to its current size. */
static void arena_recount(struct model_arena *a, size_t now)
{
    if (now > a->held)
        mem_add(now - a->held);
    else
        mem_sub(a->held - now);
    a->held = now;
}

struct model_arena *model_arena_new(void)
{
    struct model_arena *a = xcalloc(1, sizeof *a);
    arena_recount(a, sizeof *a);
    return a;
}

void model_arena_free(struct model_arena *a)
{
    if (!a) return;
    for (uint32_t i = 0; i < a->n_blocks; i++)
        free(a->block[i]);
    free(a->block);
    free(a->intern.slots);
    free(a->recs.slots);
    free(a->lists);
    id_pos_index_free(&a->index);
    if (a->full) atomic_fetch_sub(&mem_full, 1);
    arena_recount(a, 0);
    free(a);
}

static uint32_t max_blocks = MODEL_ARENA_MAX_BLOCKS;

void model_arena_limit_blocks(uint32_t n)
{
    max_blocks = n && n < MODEL_ARENA_MAX_BLOCKS ? n : MODEL_ARENA_MAX_BLOCKS;
}

/* A new block of cap bytes; its number + 1, or 0 when the arena is full. */
static uint32_t arena_block(struct model_arena *a, size_t cap)
{
    if (a->n_blocks >= max_blocks) {
        if (!a->full) atomic_fetch_add(&mem_full, 1);
        a->full = true;
        return 0;
    }
    size_t grown = 0;
    if (a->n_blocks == a->cap_blocks) {
        uint32_t c = a->cap_blocks ? a->cap_blocks * 2 : 8;
        if (c > MODEL_ARENA_MAX_BLOCKS) c = MODEL_ARENA_MAX_BLOCKS;
        a->block = xrealloc(a->block, c * sizeof *a->block);
        grown = (c - a->cap_blocks) * sizeof *a->block;
        a->cap_blocks = c;
    }
    a->block[a->n_blocks++] = xmalloc(cap);
    arena_recount(a, a->held + grown + cap);
    return a->n_blocks;
}

uint32_t model_arena_alloc(struct model_arena *a, size_t n, size_t align, void **p)
{
    *p = NULL;
    if (n == 0) return 0;
    if (a->cur) {
        size_t at = (a->cur_used + align - 1) & ~(align - 1);
        if (at + n <= a->cur_cap) {
            a->cur_used = at + n;
            *p = a->block[a->cur - 1] + at;
            return a->cur << 16 | (uint32_t)at;
        }
    }
    if (n > BLOCK_MAX / 2) {
        /* A long string: a block of its own (offset 0); the current block keeps its room. */
        uint32_t b = arena_block(a, n);
        if (!b) return 0;
        *p = a->block[b - 1];
        return b << 16;
    }
    size_t cap = a->cur ? a->cur_cap * 2 : BLOCK_FIRST;
    if (cap > BLOCK_MAX) cap = BLOCK_MAX;
    uint32_t b = arena_block(a, cap);
    if (!b) return 0;
    a->cur = b;
    a->cur_cap = cap;
    a->cur_used = n;
    *p = a->block[b - 1];
    return b << 16;
}

static uint64_t str_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

static uint32_t arena_copy(struct model_arena *a, const char *s, size_t len)
{
    void *p;
    uint32_t h = model_arena_alloc(a, len + 1, 1, &p);
    if (!h) return 0;
    memcpy(p, s, len);
    ((char *)p)[len] = '\0';
    return h;
}

/* The hash of what handle h names: a string (rec_size 0) or a record of rec_size bytes. */
static uint64_t set_hash(const struct model_arena *a, uint32_t h, size_t rec_size)
{
    const char *p = model_arena_get(a, h);
    return str_hash(p, rec_size ? rec_size : strlen(p));
}

/* Makes room in set for one more handle: doubles it when it would pass half full. */
static void set_reserve(struct model_arena *a, struct model_arena_set *set, size_t rec_size)
{
    size_t old_cap = set->slots ? set->mask + 1 : 0;
    if ((set->n + 1) * 2 <= old_cap) return;
    size_t cap = old_cap ? old_cap * 2 : 64;
    uint32_t *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < old_cap; i++) {
        if (!set->slots[i]) continue;
        size_t at = (size_t)set_hash(a, set->slots[i], rec_size) & (cap - 1);
        while (slots[at])
            at = (at + 1) & (cap - 1);
        slots[at] = set->slots[i];
    }
    free(set->slots);
    set->slots = slots;
    set->mask = cap - 1;
    arena_recount(a, a->held - old_cap * sizeof *slots + cap * sizeof *slots);
}

uint32_t model_arena_put(struct model_arena *a, const char *s, size_t len, unsigned field)
{
    if (len == 0) {
        if (!a->empty) a->empty = arena_copy(a, "", 0);
        return a->empty;
    }
    field %= MODEL_ARENA_FIELDS;
    if (a->field[field].off) return arena_copy(a, s, len);
    struct model_arena_set *set = &a->intern;
    set_reserve(a, set, 0);
    size_t h = (size_t)str_hash(s, len) & set->mask;
    uint32_t found = 0;
    for (; set->slots[h]; h = (h + 1) & set->mask) {
        const char *t = model_arena_get(a, set->slots[h]);
        if (strncmp(t, s, len) == 0 && t[len] == '\0') { /* s holds no NUL */
            found = set->slots[h];
            break;
        }
    }
    if (found) {
        a->field[field].hits++;
    } else {
        found = arena_copy(a, s, len);
        if (!found) return 0;
        set->slots[h] = found;
        set->n++;
    }
    if (++a->field[field].tries == INTERN_SAMPLE && a->field[field].hits < INTERN_SAMPLE / 4)
        a->field[field].off = true;
    return found;
}

uint32_t model_arena_put_record(struct model_arena *a, const void *rec, size_t n)
{
    if (!a->rec_size) a->rec_size = n;
    if (n != a->rec_size) abort(); /* one size per arena: a programming error */
    struct model_arena_set *set = &a->recs;
    set_reserve(a, set, n);
    size_t h = (size_t)str_hash(rec, n) & set->mask;
    for (; set->slots[h]; h = (h + 1) & set->mask)
        if (memcmp(model_arena_get(a, set->slots[h]), rec, n) == 0) return set->slots[h];
    void *p;
    uint32_t got = model_arena_alloc(a, n, 8, &p);
    if (!got) return 0;
    memcpy(p, rec, n);
    set->slots[h] = got;
    set->n++;
    return got;
}

uint32_t model_arena_putz(struct model_arena *a, const char *s, unsigned field)
{
    return s ? model_arena_put(a, s, strlen(s), field) : 0;
}

char *model_arena_str(struct model_arena *a, const char *s, size_t len, unsigned field)
{
    return model_arena_get(a, model_arena_put(a, s, len, field));
}

char *model_arena_strdup(struct model_arena *a, const char *s, unsigned field)
{
    return s ? model_arena_str(a, s, strlen(s), field) : NULL;
}

char **model_arena_strv(struct model_arena *a, size_t n)
{
    if (n == 0) return NULL;
    if (n > SIZE_MAX / sizeof(char *)) abort();
    void *p;
    model_arena_alloc(a, n * sizeof(char *), _Alignof(char *), &p);
    return p;
}

void model_arena_lists(struct model_arena *a)
{
    if (a->lists) return;
    a->lists = xcalloc(MODEL_ARENA_LISTS, sizeof *a->lists);
    arena_recount(a, a->held + MODEL_ARENA_LISTS * sizeof *a->lists);
}

void model_arena_items_cap(struct model_arena *a, size_t cap, size_t size)
{
    size_t old = a->items_cap * size;
    a->items_cap = cap;
    arena_recount(a, a->held - old + cap * size);
}

void model_arena_index_add(struct model_arena *a, size_t pos, const void *base, size_t stride,
                           size_t id_off)
{
    size_t before = id_pos_index_bytes(&a->index);
    id_pos_index_add(&a->index, pos, base, stride, id_off);
    size_t after = id_pos_index_bytes(&a->index);
    if (after != before) arena_recount(a, a->held - before + after);
}

void model_arena_index_reset(struct model_arena *a)
{
    size_t before = id_pos_index_bytes(&a->index);
    id_pos_index_free(&a->index);
    arena_recount(a, a->held - before);
}

/* ---- sizes ------------------------------------------------------------------------------ */

int model_mem_parse_size(const char *s, size_t *out)
{
    if (!s || !isdigit((unsigned char)*s)) return -1;
    unsigned long long v = 0;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (ULLONG_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    unsigned shift = 0;
    switch (tolower((unsigned char)*s)) {
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    case 't':
        shift = 40;
        break;
    default:
        break;
    }
    if (shift) {
        s++;
        if (tolower((unsigned char)*s) == 'i') s++;
    }
    if (tolower((unsigned char)*s) == 'b') s++;
    if (*s || v == 0) return -1;
    if (shift && v > (SIZE_MAX >> shift)) return -1;
    if (v > SIZE_MAX) return -1;
    *out = (size_t)v << shift;
    return 0;
}

void model_mem_explain(char *buf, size_t n, size_t items, const char *what)
{
    char held[32], budget[32];
    if (atomic_load(&mem_full))
        snprintf(buf, n,
                 "the %zu instances %s hold a resource-type group whose text passed the 4 GiB "
                 "one group can hold; fetch fewer instances",
                 items, what);
    else
        snprintf(buf, n, "the %zu instances %s take %s, more than --max-memory %s allows", items,
                 what, model_mem_format(model_mem_held(), held, sizeof held),
                 model_mem_format(model_mem_budget(), budget, sizeof budget));
}

const char *model_mem_format(size_t bytes, char *buf, size_t n)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024 && u + 1 < ARRAY_LEN(units)) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, n, "%zu B", bytes);
    else if (v == (double)(uint64_t)v)
        snprintf(buf, n, "%.0f %s", v, units[u]);
    else
        snprintf(buf, n, "%.1f %s", v, units[u]);
    return buf;
}
