/* The emulator's RequestLimitExceeded (check 9 in server.c): a token bucket per (SecretId,
 * Action), as the real service limits each caller per action. Not core/ratelimit, which is the
 * client's own limiter. */
#ifndef CERTDECK_EMULATOR_THROTTLE_H
#define CERTDECK_EMULATOR_THROTTLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_bucket;

struct emu_throttle {
    double rate;          /* requests/s, also the burst (at least 1); < 0: unlimited */
    pthread_mutex_t lock; /* the buckets */
    struct emu_bucket *buckets;
    size_t n_buckets, cap_buckets;
    uint64_t refused; /* requests refused so far */
};

void emu_throttle_init(struct emu_throttle *t, double rate);
void emu_throttle_free(struct emu_throttle *t);
/* Takes a token from the caller's bucket for action, as of arrived_ns (now_ns() when the
 * request came in): false when there is none. */
bool emu_throttle_allow(struct emu_throttle *t, const char *secret_id, const char *action,
                        int64_t arrived_ns);
/* Requests emu_throttle_allow refused so far. */
uint64_t emu_throttle_refused(struct emu_throttle *t);

#endif
