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
 * that malloc still serves from its heap, so that freeing one never moves its mmap threshold. */
#define BLOCK_FIRST 1024
#define BLOCK_MAX   (64 * 1024)
/* A field whose values repeated in fewer than a quarter of its first tries is not interned. */
#define INTERN_SAMPLE 256

struct model_arena_block {
    struct model_arena_block *next;
    size_t cap, used;
    _Alignas(max_align_t) char data[];
};

static atomic_size_t mem_held, mem_peak, mem_budget;

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
    return b && atomic_load(&mem_held) > b;
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
    for (struct model_arena_block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a->intern);
    id_pos_index_free(&a->index);
    arena_recount(a, 0);
    free(a);
}

/* n bytes aligned to align (a power of two) from the newest block, or a new one. */
static void *arena_alloc(struct model_arena *a, size_t n, size_t align)
{
    struct model_arena_block *b = a->blocks;
    if (b) {
        size_t at = (b->used + align - 1) & ~(align - 1);
        if (at + n <= b->cap) {
            b->used = at + n;
            return b->data + at;
        }
    }
    size_t cap = b ? b->cap * 2 : BLOCK_FIRST;
    if (cap > BLOCK_MAX) cap = BLOCK_MAX;
    if (cap < n) cap = n;
    struct model_arena_block *nb = xmalloc(sizeof *nb + cap);
    nb->cap = cap;
    nb->used = n;
    /* A block bigger than the usual one (a long string) goes behind the newest, so the newest's
     * free space is still used. */
    if (b && cap > BLOCK_MAX && b->cap - b->used > 64) {
        nb->next = b->next;
        b->next = nb;
    } else {
        nb->next = b;
        a->blocks = nb;
    }
    arena_recount(a, a->held + sizeof *nb + cap);
    return nb->data;
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

static char *arena_copy(struct model_arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1, 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static void intern_grow(struct model_arena *a)
{
    size_t cap = a->intern ? (a->intern_mask + 1) * 2 : 64;
    const char **slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; a->intern && i <= a->intern_mask; i++) {
        const char *s = a->intern[i];
        if (!s) continue;
        size_t h = (size_t)str_hash(s, strlen(s)) & (cap - 1);
        while (slots[h])
            h = (h + 1) & (cap - 1);
        slots[h] = s;
    }
    size_t old = a->intern ? (a->intern_mask + 1) * sizeof *slots : 0;
    free(a->intern);
    a->intern = slots;
    a->intern_mask = cap - 1;
    arena_recount(a, a->held - old + cap * sizeof *slots);
}

char *model_arena_str(struct model_arena *a, const char *s, size_t len, unsigned field)
{
    if (len == 0) {
        if (!a->empty) a->empty = arena_copy(a, "", 0);
        return a->empty;
    }
    field %= MODEL_ARENA_FIELDS;
    if (a->field[field].off) return arena_copy(a, s, len);
    if ((a->intern_n + 1) * 2 > (a->intern ? a->intern_mask + 1 : 0)) intern_grow(a);
    size_t h = (size_t)str_hash(s, len) & a->intern_mask;
    char *found = NULL;
    for (; a->intern[h]; h = (h + 1) & a->intern_mask) {
        const char *t = a->intern[h];
        if (strncmp(t, s, len) == 0 && t[len] == '\0') { /* s holds no NUL */
            found = (char *)t;
            break;
        }
    }
    if (found) {
        a->field[field].hits++;
    } else {
        found = arena_copy(a, s, len);
        a->intern[h] = found;
        a->intern_n++;
    }
    if (++a->field[field].tries == INTERN_SAMPLE && a->field[field].hits < INTERN_SAMPLE / 4)
        a->field[field].off = true;
    return found;
}

char *model_arena_strdup(struct model_arena *a, const char *s, unsigned field)
{
    return s ? model_arena_str(a, s, strlen(s), field) : NULL;
}

char **model_arena_strv(struct model_arena *a, size_t n)
{
    if (n == 0) return NULL;
    if (n > SIZE_MAX / sizeof(char *)) abort();
    return arena_alloc(a, n * sizeof(char *), _Alignof(char *));
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
