/* The fault injector: which fault the next requests get instead of an answer (emu_set_fault),
 * and what each fault sends. The server decides where in a request each one strikes. */
#ifndef CERTDECK_EMULATOR_FAULTS_H
#define CERTDECK_EMULATOR_FAULTS_H

#include <pthread.h>
#include <stdbool.h>

#include "core/emulator/answer.h"
#include "core/emulator/emulator.h"

struct MHD_Connection;
struct MHD_Response;

/* EMU_FAULT_TIMEOUT holds a request this long (or the latency, if longer): past any client's
 * timeout. */
#define EMU_FAULT_TIMEOUT_HOLD_MS 30000

struct emu_faults {
    pthread_mutex_t lock; /* the two below */
    enum emu_fault fault;
    int left; /* < 0: every request */
};

void emu_faults_init(struct emu_faults *fs);
void emu_faults_destroy(struct emu_faults *fs);
/* The next count requests (count < 0: all; 0: none) get fault. */
void emu_faults_set(struct emu_faults *fs, enum emu_fault fault, int count);
/* The fault for the request now starting, counted off. */
enum emu_fault emu_faults_take(struct emu_faults *fs);

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
