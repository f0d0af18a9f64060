/* The emulator's per-caller, per-action token buckets. */
#include "core/emulator/throttle.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct emu_bucket {
    char *key; /* SecretId "\n" Action */
    double tokens;
    int64_t last_ns;
};

void emu_throttle_init(struct emu_throttle *t, double rate)
{
    memset(t, 0, sizeof *t);
    t->rate = rate;
    pthread_mutex_init(&t->lock, NULL);
}

uint64_t emu_throttle_refused(struct emu_throttle *t)
{
    pthread_mutex_lock(&t->lock);
    uint64_t n = t->refused;
    pthread_mutex_unlock(&t->lock);
    return n;
}

void emu_throttle_free(struct emu_throttle *t)
{
    for (size_t i = 0; i < t->n_buckets; i++)
        free(t->buckets[i].key);
    free(t->buckets);
    pthread_mutex_destroy(&t->lock);
}

/* The service's bucket: it holds one second's worth (bursts of `rate`, at least 1), starts
 * full, refills continuously at `rate` per second (in nanoseconds: at 20/s a millisecond clock
 * would round away 2 % of a token), and a refused request takes nothing. A request is counted
 * when it arrived; one that arrived before the last counted (their threads ran in another
 * order) is counted at that one's time. */
bool emu_throttle_allow(struct emu_throttle *t, const char *secret_id, const char *action,
                        int64_t arrived_ns)
{
    if (t->rate < 0) return true;
    char key[256];
    snprintf(key, sizeof key, "%s\n%s", secret_id, action);
    int64_t now = arrived_ns;
    double cap = t->rate < 1 ? 1 : t->rate;
    pthread_mutex_lock(&t->lock);
    struct emu_bucket *b = NULL;
    for (size_t i = 0; i < t->n_buckets; i++)
        if (strcmp(t->buckets[i].key, key) == 0) b = &t->buckets[i];
    if (!b) {
        t->buckets = xgrow(t->buckets, &t->cap_buckets, t->n_buckets + 1, sizeof *t->buckets);
        b = &t->buckets[t->n_buckets++];
        b->key = xstrdup(key);
        b->tokens = cap;
        b->last_ns = now;
    }
    if (now > b->last_ns) {
        b->tokens += (double)(now - b->last_ns) * t->rate / 1e9;
        if (b->tokens > cap) b->tokens = cap;
        b->last_ns = now;
    }
    bool ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else
        t->refused++;
    pthread_mutex_unlock(&t->lock);
    return ok;
}
