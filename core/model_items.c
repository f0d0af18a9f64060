/* A resource-type group's items as they are kept (DESIGN.md, "Items are compact"): packed into
 * 48 bytes each, every string a 32-bit handle into the group's arena; the members that repeat
 * across the group (certificate, region, protocol, listener name, status, port, …) form one
 * interned shape that items share, and identical Domains lists are stored once. struct deploy_item
 * is the unpacked view the rest of the program reads (model_group_item), and the form decoded pages
 * and hand-built groups hold until they are merged. Merging pages, refreshing items and the Id
 * index live here too. */
#include "core/model_items.h"

#include <stdlib.h>
#include <string.h>

#include "core/model_arena.h"
#include "core/util.h"

/* The string members of struct deploy_item (Domains apart) whose values differ from instance
 * to instance: each packed item keeps their handles. */
#define ITEM_OWN_STRINGS(X)                                                                        \
    X(instance_id)                                                                                 \
    X(instance_name)                                                                               \
    X(listener_id)                                                                                 \
    X(error_msg)                                                                                   \
    X(create_time)                                                                                 \
    X(update_time)

/* The members that take a handful of values across a group (one certificate, a few regions,
 * protocols, listener names, statuses): together they are the item's shape, one interned
 * record that many items share. */
#define ITEM_SHAPE_STRINGS(X)                                                                      \
    X(old_cert_id)                                                                                 \
    X(listener_name)                                                                               \
    X(protocol)                                                                                    \
    X(bucket)                                                                                      \
    X(namespace_)                                                                                  \
    X(secret_name)                                                                                 \
    X(region)                                                                                      \
    X(ssl_mode)                                                                                    \
    X(resource_type)

#define ITEM_NUMBERS(X)                                                                            \
    X(status)                                                                                      \
    X(sni_switch)                                                                                  \
    X(port)                                                                                        \
    X(forward)

#define COUNT_ONE(m) +1
enum {
    ITEM_N_OWN = 0 ITEM_OWN_STRINGS(COUNT_ONE),
    ITEM_N_SHAPE = 0 ITEM_SHAPE_STRINGS(COUNT_ONE),
};
#undef COUNT_ONE

enum {
    SHAPE_DOMAINS_NULL = 1, /* "Domains": null */
    SHAPE_WIDE = 2,         /* a number passed 32 bits: num[0] is the handle of int64_t[4] */
};

/* Zeroed before it is filled: it is interned by its bytes, padding included. */
struct item_shape {
    uint32_t str[ITEM_N_SHAPE];
    int32_t num[4];
    uint32_t flags;
};

struct item_packed {
    uint64_t id;
    uint32_t str[ITEM_N_OWN];
    uint32_t shape;   /* the handle of a struct item_shape */
    uint32_t domains; /* the handle of char *[n_domains], 0: NULL */
    uint32_t n_domains;
};

/* The arena's field number of a member: its slot in struct deploy_item, as the decoder numbers
 * it (the interning statistics are per field). */
#define FIELD_NO(m) ((unsigned)(offsetof(struct deploy_item, m) / sizeof(char *)))

/* ---- packing ----------------------------------------------------------------------------- */

/* Domains lists already stored are found by a hash of their strings' handles (the arena's
 * list cache): instances of a group often share a handful of lists. */
static uint32_t pack_domains(struct model_arena *a, char *const *v, size_t n)
{
    if (!v || n == 0) return 0;
    uint32_t one[8], *h = n <= ARRAY_LEN(one) ? one : xcalloc(n, sizeof *h);
    uint64_t hash = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++) {
        h[i] = model_arena_putz(a, v[i], FIELD_NO(domains));
        hash = (hash ^ h[i]) * 0x100000001b3ULL;
    }
    size_t slot = (size_t)(hash ^ (hash >> 32)) % MODEL_ARENA_LISTS;
    model_arena_lists(a);
    uint32_t out = 0;
    if (a->lists[slot].n == n && a->lists[slot].h) {
        char **have = (char **)(void *)model_arena_get(a, a->lists[slot].h);
        size_t i = 0;
        while (i < n && have[i] == model_arena_get(a, h[i]))
            i++;
        if (i == n) out = a->lists[slot].h;
    }
    if (!out) {
        void *p;
        out = model_arena_alloc(a, n * sizeof(char *), _Alignof(char *), &p);
        for (size_t i = 0; p && i < n; i++)
            ((char **)p)[i] = model_arena_get(a, h[i]);
        if (out) {
            a->lists[slot].h = out;
            a->lists[slot].n = (uint32_t)n;
        }
    }
    if (h != one) free(h);
    return out;
}

static uint32_t pack_shape(struct model_arena *a, const struct deploy_item *src)
{
    struct item_shape sh;
    memset(&sh, 0, sizeof sh);
    size_t k = 0;
#define X(m) sh.str[k++] = model_arena_putz(a, src->m, FIELD_NO(m));
    ITEM_SHAPE_STRINGS(X)
#undef X
    const int64_t v[4] = {
#define X(m) src->m,
        ITEM_NUMBERS(X)
#undef X
    };
    bool narrow = true;
    for (size_t i = 0; i < 4; i++)
        narrow = narrow && v[i] >= INT32_MIN && v[i] <= INT32_MAX;
    if (narrow) {
        for (size_t i = 0; i < 4; i++)
            sh.num[i] = (int32_t)v[i];
    } else {
        void *wide;
        uint32_t h = model_arena_alloc(a, sizeof v, _Alignof(int64_t), &wide);
        if (h) { /* else a full arena, which model_mem_over reports */
            memcpy(wide, v, sizeof v);
            sh.num[0] = (int32_t)h;
            sh.flags |= SHAPE_WIDE;
        }
    }
    if (src->domains_null) sh.flags |= SHAPE_DOMAINS_NULL;
    return model_arena_put_record(a, &sh, sizeof sh);
}

/* dst (raw storage) becomes src packed into a. */
static void item_pack(struct model_arena *a, struct item_packed *dst, const struct deploy_item *src)
{
    dst->id = src->id;
    size_t k = 0;
#define X(m) dst->str[k++] = model_arena_putz(a, src->m, FIELD_NO(m));
    ITEM_OWN_STRINGS(X)
#undef X
    dst->shape = pack_shape(a, src);
    dst->domains = pack_domains(a, src->domains, src->n_domains);
    dst->n_domains = dst->domains ? (uint32_t)src->n_domains : 0;
}

static const struct item_shape *shape_of(const struct model_arena *a, const struct item_packed *p)
{
    static const struct item_shape none; /* a full arena dropped it */
    const void *sh = model_arena_get(a, p->shape);
    return sh ? sh : &none;
}

static void shape_numbers(const struct model_arena *a, const struct item_shape *sh, int64_t v[4])
{
    if (sh->flags & SHAPE_WIDE) {
        memcpy(v, model_arena_get(a, (uint32_t)sh->num[0]), 4 * sizeof *v);
        return;
    }
    for (size_t i = 0; i < 4; i++)
        v[i] = sh->num[i];
}

static void item_unpack(const struct model_arena *a, const struct item_packed *p,
                        struct deploy_item *out)
{
    out->id = p->id;
    size_t k = 0;
#define X(m) out->m = model_arena_get(a, p->str[k++]);
    ITEM_OWN_STRINGS(X)
#undef X
    const struct item_shape *sh = shape_of(a, p);
    k = 0;
#define X(m) out->m = model_arena_get(a, sh->str[k++]);
    ITEM_SHAPE_STRINGS(X)
#undef X
    int64_t v[4];
    shape_numbers(a, sh, v);
    k = 0;
#define X(m) out->m = v[k++];
    ITEM_NUMBERS(X)
#undef X
    out->domains = (char **)(void *)model_arena_get(a, p->domains);
    out->n_domains = p->n_domains;
    out->domains_null = (sh->flags & SHAPE_DOMAINS_NULL) != 0;
}

static bool domains_same(const struct deploy_item *a, const struct deploy_item *b)
{
    if (a->n_domains != b->n_domains || !a->domains != !b->domains) return false;
    for (size_t i = 0; i < a->n_domains; i++)
        if (!str_same(a->domains[i], b->domains[i])) return false;
    return true;
}

/* dst (an item of a's group) takes src's values; unchanged strings keep their storage. */
static void item_repack(struct model_arena *a, struct item_packed *dst,
                        const struct deploy_item *src)
{
    struct deploy_item old;
    item_unpack(a, dst, &old);
    size_t k = 0;
#define X(m)                                                                                       \
    if (!str_same(old.m, src->m)) dst->str[k] = model_arena_putz(a, src->m, FIELD_NO(m));          \
    k++;
    ITEM_OWN_STRINGS(X)
#undef X
    dst->shape = pack_shape(a, src);
    if (!domains_same(&old, src)) {
        dst->domains = pack_domains(a, src->domains, src->n_domains);
        dst->n_domains = dst->domains ? (uint32_t)src->n_domains : 0;
    }
}

/* ---- items and groups that own their strings --------------------------------------------- */

/* Copy functions treat dst as raw storage: it is overwritten, not freed first. */
void model_item_copy(struct deploy_item *dst, const struct deploy_item *src)
{
    *dst = *src; /* scalars; every pointer is replaced below */
#define X(m) dst->m = xstrdup(src->m);
    ITEM_OWN_STRINGS(X)
    ITEM_SHAPE_STRINGS(X)
#undef X
    dst->domains = strv_dup(src->domains, src->n_domains);
    dst->n_domains = dst->domains ? src->n_domains : 0;
}

void model_item_clear(struct deploy_item *it)
{
    if (!it) return;
#define X(m) free(it->m);
    ITEM_OWN_STRINGS(X)
    ITEM_SHAPE_STRINGS(X)
#undef X
    strv_free(it->domains, it->n_domains);
    memset(it, 0, sizeof *it);
}

void model_group_clear(struct resource_group *g)
{
    if (!g) return;
    free(g->resource_type);
    if (!g->arena)
        for (size_t i = 0; g->items && i < g->n_items; i++)
            model_item_clear(&g->items[i]);
    model_arena_free(g->arena);
    free(g->items);
    free(g->packed);
    memset(g, 0, sizeof *g);
}

/* ---- reading ------------------------------------------------------------------------------ */

const struct deploy_item *model_group_item(const struct resource_group *g, size_t i,
                                           struct deploy_item *scratch)
{
    if (g->items) return &g->items[i];
    item_unpack(g->arena, &g->packed[i], scratch);
    return scratch;
}

uint64_t model_group_item_id(const struct resource_group *g, size_t i)
{
    return g->items ? g->items[i].id : g->packed[i].id;
}

int64_t model_group_item_status(const struct resource_group *g, size_t i)
{
    if (g->items) return g->items[i].status;
    const struct item_shape *sh = shape_of(g->arena, &g->packed[i]);
    if (!(sh->flags & SHAPE_WIDE)) return sh->num[0];
    int64_t v[4];
    shape_numbers(g->arena, sh, v);
    return v[0];
}

/* ---- growing a group ---------------------------------------------------------------------- */

/* Room for need packed items, growing by half again (never to the exact size each page). */
static void group_reserve(struct resource_group *g, size_t need)
{
    struct model_arena *a = g->arena;
    if (need <= a->items_cap) return;
    size_t cap = a->items_cap < 16 ? 16 : a->items_cap + a->items_cap / 2;
    if (cap < need) cap = need;
    if (cap > SIZE_MAX / sizeof *g->packed) abort();
    g->packed = xrealloc(g->packed, cap * sizeof *g->packed);
    model_arena_items_cap(a, cap, sizeof *g->packed);
}

/* Packs g's items (a decoded page's, or a group built by hand) into a new arena of their own;
 * a packed group is left alone. */
static void group_pack(struct resource_group *g)
{
    if (!g->items && g->arena) return;
    struct model_arena *old = g->arena;
    struct deploy_item *items = g->items;
    size_t n = items ? g->n_items : 0;
    g->arena = model_arena_new();
    g->items = NULL;
    g->packed = NULL;
    g->n_items = 0;
    if (n) group_reserve(g, n);
    for (size_t i = 0; i < n; i++)
        item_pack(g->arena, &g->packed[i], &items[i]);
    g->n_items = n;
    if (!old)
        for (size_t i = 0; i < n; i++)
            model_item_clear(&items[i]);
    free(items);
    model_arena_free(old);
}

/* Brings the Id index up to the items (it covers [0, indexed); a group whose items were cut
 * is indexed again). The first item of an Id is the one indexed. */
static void group_index(struct resource_group *g)
{
    struct model_arena *a = g->arena;
    if (a->indexed > g->n_items) {
        model_arena_index_reset(a);
        a->indexed = 0;
    }
    for (; a->indexed < g->n_items; a->indexed++) {
        uint64_t id = g->packed[a->indexed].id;
        if (id_pos_index_find(&a->index, id, g->packed, sizeof *g->packed,
                              offsetof(struct item_packed, id)) == SIZE_MAX)
            model_arena_index_add(a, a->indexed, g->packed, sizeof *g->packed,
                                  offsetof(struct item_packed, id));
    }
}

void model_group_copy(struct resource_group *dst, const struct resource_group *src)
{
    *dst = *src;
    dst->resource_type = xstrdup(src->resource_type);
    dst->items = NULL;
    dst->packed = NULL;
    dst->n_items = 0;
    dst->arena = model_arena_new();
    if (!src->n_items) return;
    group_reserve(dst, src->n_items);
    for (size_t i = 0; i < src->n_items; i++) {
        struct deploy_item scratch;
        item_pack(dst->arena, &dst->packed[i], model_group_item(src, i, &scratch));
    }
    dst->n_items = src->n_items;
}

void model_group_append(struct resource_group *g, const struct deploy_item *it)
{
    group_pack(g);
    group_reserve(g, g->n_items + 1);
    item_pack(g->arena, &g->packed[g->n_items], it);
    g->n_items++;
    g->list_null = false;
}

static size_t group_merge(struct resource_group *dst, const struct resource_group *src,
                          bool replace)
{
    if (!dst || !src || src->n_items == 0) return 0;
    group_pack(dst);
    group_index(dst);
    struct model_arena *a = dst->arena;
    size_t added = 0;
    for (size_t i = 0; i < src->n_items; i++) {
        struct deploy_item scratch;
        const struct deploy_item *it = model_group_item(src, i, &scratch);
        size_t at = id_pos_index_find(&a->index, it->id, dst->packed, sizeof *dst->packed,
                                      offsetof(struct item_packed, id));
        if (at != SIZE_MAX) {
            if (replace) item_repack(a, &dst->packed[at], it);
            continue;
        }
        group_reserve(dst, dst->n_items + 1);
        item_pack(a, &dst->packed[dst->n_items], it);
        model_arena_index_add(a, dst->n_items, dst->packed, sizeof *dst->packed,
                              offsetof(struct item_packed, id));
        a->indexed = ++dst->n_items;
        added++;
    }
    if (dst->n_items) dst->list_null = false;
    return added;
}

size_t model_group_merge(struct resource_group *dst, const struct resource_group *src)
{
    return group_merge(dst, src, false);
}

size_t model_group_upsert(struct resource_group *dst, const struct resource_group *src)
{
    return group_merge(dst, src, true);
}

const struct deploy_item *model_group_find(struct resource_group *g, uint64_t id,
                                           struct deploy_item *scratch)
{
    if (!g) return NULL;
    group_pack(g);
    group_index(g);
    size_t at = id_pos_index_find(&g->arena->index, id, g->packed, sizeof *g->packed,
                                  offsetof(struct item_packed, id));
    return at == SIZE_MAX ? NULL : model_group_item(g, at, scratch);
}

size_t model_group_position(const struct resource_group *g, uint64_t id)
{
    if (!g) return SIZE_MAX;
    if (!g->items && g->arena && g->arena->indexed == g->n_items)
        return id_pos_index_find(&g->arena->index, id, g->packed, sizeof *g->packed,
                                 offsetof(struct item_packed, id));
    for (size_t i = 0; i < g->n_items; i++)
        if (model_group_item_id(g, i) == id) return i;
    return SIZE_MAX;
}

size_t model_item_packed_size(void)
{
    return sizeof(struct item_packed);
}
