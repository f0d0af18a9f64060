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
    int64_t last_ms;
};

void emu_throttle_init(struct emu_throttle *t, double rate)
{
    memset(t, 0, sizeof *t);
    t->rate = rate;
    pthread_mutex_init(&t->lock, NULL);
}

void emu_throttle_free(struct emu_throttle *t)
{
    for (size_t i = 0; i < t->n_buckets; i++)
        free(t->buckets[i].key);
    free(t->buckets);
    pthread_mutex_destroy(&t->lock);
}

/* Bursts of `rate`, refilled at `rate` per second. */
bool emu_throttle_allow(struct emu_throttle *t, const char *secret_id, const char *action)
{
    if (t->rate < 0) return true;
    char key[256];
    snprintf(key, sizeof key, "%s\n%s", secret_id, action);
    int64_t now = now_ms();
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
        b->last_ms = now;
    }
    b->tokens += (double)(now - b->last_ms) * t->rate / 1000.0;
    if (b->tokens > cap) b->tokens = cap;
    b->last_ms = now;
    bool ok = b->tokens >= 1.0;
    if (ok) b->tokens -= 1.0;
    pthread_mutex_unlock(&t->lock);
    return ok;
}
