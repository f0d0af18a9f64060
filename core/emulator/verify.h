/* Request verification: checks 3 to 7 of the order in server.c (Authorization, timestamp,
 * SecretId, TC3 signature, session token), against the one key pair the emulator accepts. */
#ifndef CERTDECK_EMULATOR_VERIFY_H
#define CERTDECK_EMULATOR_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/emulator/answer.h"
#include "core/emulator/emulator.h"
#include "core/util.h"

struct MHD_Connection;

/* Heap copies; secret_key and token are wiped by emu_credentials_wipe. */
struct emu_credentials {
    char *secret_id, *secret_key;
    char *token; /* NULL: requests need no X-TC-Token */
};

/* The configured pair, or the demo pair when either half is missing. */
void emu_credentials_init(struct emu_credentials *cred, const struct emu_config *cfg);
void emu_credentials_wipe(struct emu_credentials *cred);

/* True when the request on c, with this body, is signed by cred at a timestamp within 300 s of
 * now (the server clock). Otherwise false, with a filled with the first failed check's error. */
bool emu_verify_request(const struct emu_credentials *cred, struct MHD_Connection *c,
                        const struct buf *body, int64_t now, const char *rid, enum emu_lang l,
                        struct emu_answer *a);

#endif
