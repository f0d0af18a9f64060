/* The fault injector: which fault the next requests get instead of an answer (emu_set_fault),
 * and what each fault sends. The server decides where in a request each one strikes. */
#ifndef CERTDECK_EMULATOR_FAULTS_H
#define CERTDECK_EMULATOR_FAULTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/emulator/answer.h"
#include "core/emulator/emulator.h"

struct MHD_Connection;
struct MHD_Response;

/* EMU_FAULT_TIMEOUT holds a request this long (or the latency, if longer): past any client's
 * timeout. */
#define EMU_FAULT_TIMEOUT_HOLD_MS 30000

struct emu_faults {
    pthread_mutex_t lock; /* everything below */
    enum emu_fault fault; /* the planned fault (emu_faults_set) */
    int left;             /* < 0: every request */
    char action[96];      /* the plan strikes only this action; "": any */
    /* Random faults (emu_faults_set_random): each request draws its fault with probability
     * rate from kinds, by a hash of (seed, action, body, how often that same request came
     * before) — so a run is the same whatever order concurrent requests arrive in, and a
     * retried request draws anew. */
    double rate;
    uint64_t seed;
    unsigned kinds;      /* bit (1u << fault) per kind */
    uint64_t *seen_keys; /* open addressing: request hash -> times seen */
    uint32_t *seen_counts;
    size_t seen_cap, seen_n;
};

void emu_faults_init(struct emu_faults *fs);
void emu_faults_destroy(struct emu_faults *fs);
/* The next count requests (count < 0: all; 0: none) of action (NULL: any) get fault. */
void emu_faults_set(struct emu_faults *fs, enum emu_fault fault, int count, const char *action);
/* Every request gets a random fault from kinds (0: every kind) with probability rate (0: off). */
void emu_faults_set_random(struct emu_faults *fs, double rate, uint64_t seed, unsigned kinds);
/* The fault for the request now starting (its action header and body), counted off. */
enum emu_fault emu_faults_take(struct emu_faults *fs, const char *action, const char *body,
                               size_t len);

/* The canned response of a fault that replaces the whole answer (HTTP 500/503, garbage, huge),
 * with its status; NULL for any other fault. */
struct MHD_Response *emu_fault_response(enum emu_fault f, const char *rid, unsigned *status);
/* RATE_LIMIT and INTERNAL answer with their API error instead of handling the request: true
 * when f is one of them and a is filled. */
bool emu_fault_answer(enum emu_fault f, const char *rid, struct emu_answer *a);
/* Spoils a computed answer: WRONG_TYPES retypes a success body, TRUNCATED halves any body. */
void emu_fault_spoil(enum emu_fault f, struct emu_answer *a);
/* Makes closing c send a TCP reset rather than a FIN where the OS allows it (RESET). */
void emu_fault_reset_connection(struct MHD_Connection *c);

#endif
