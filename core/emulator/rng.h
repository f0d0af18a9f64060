/* The dataset's deterministic random source: splitmix64 streams for the generator, and a hash
 * of two values for schedules and seeds that must not depend on call order. */
#ifndef CERTDECK_EMULATOR_RNG_H
#define CERTDECK_EMULATOR_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s;
};

static inline uint64_t rng_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rng_next(struct rng *r)
{
    return rng_splitmix(&r->s);
}

/* Uniform enough in [0, n); 0 when n is 0. */
static inline unsigned rng_below(struct rng *r, unsigned n)
{
    return n ? (unsigned)(rng_next(r) % n) : 0;
}

static inline uint64_t rng_hash2(uint64_t a, uint64_t b)
{
    uint64_t s = a * 0xD6E8FEB86659FD93ull ^ b;
    rng_splitmix(&s);
    return rng_splitmix(&s);
}

#endif
