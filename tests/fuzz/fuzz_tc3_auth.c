/* libFuzzer entry point for the emulator's Authorization parser, tc3_parse_authorization, and
 * what follows it on the server side: a header that parses must hold fields that fit their
 * buffers and match the grammar, must re-print to a header that parses to the same fields, and
 * must verify (or not) without trouble. Built by tests/fuzz/CMakeLists.txt (make check runs it
 * short, make fuzz long) over tests/fuzz/corpus/tc3_auth/, which starts from the official
 * example header (spec/API.md §5).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tc3.h"
#include "core/util.h"

static void check_field(const char *f, size_t cap)
{
    size_t n = strnlen(f, cap);
    if (n == 0 || n >= cap) abort(); /* empty, or not terminated inside its buffer */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *header = xstrndup((const char *)data, size); /* the header as MHD hands it over */
    struct tc3_auth a;
    int rc = tc3_parse_authorization(header, &a);
    if (rc != 0) {
        /* A rejected header leaves nothing behind. */
        const unsigned char *p = (const unsigned char *)&a;
        for (size_t i = 0; i < sizeof a; i++)
            if (p[i]) abort();
        free(header);
        return 0;
    }
    check_field(a.secret_id, sizeof a.secret_id);
    check_field(a.date, sizeof a.date);
    check_field(a.service, sizeof a.service);
    check_field(a.signed_headers, sizeof a.signed_headers);
    if (strlen(a.date) != 10 || strlen(a.signature) != TC3_HEX_LEN) abort();
    for (const char *s = a.signature; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) abort();

    /* Printed again in the canonical form, it parses to the same fields. */
    char *again = xasprintf(TC3_ALGORITHM " Credential=%s/%s/%s/tc3_request, SignedHeaders=%s, "
                                          "Signature=%s",
                            a.secret_id, a.date, a.service, a.signed_headers, a.signature);
    struct tc3_auth b;
    if (tc3_parse_authorization(again, &b) != 0 || memcmp(&a, &b, sizeof a) != 0) abort();
    free(again);

    /* Verification over the headers it names (values made up) runs to an answer. */
    struct tc3_header hs[32];
    char names[sizeof a.signed_headers];
    memcpy(names, a.signed_headers, sizeof names);
    size_t n = 0;
    for (char *tok = strtok(names, ";"); tok && n < 32; tok = strtok(NULL, ";")) {
        hs[n].name = tok;
        hs[n].value = "v";
        n++;
    }
    struct tc3_request req = {.method = "POST",
                              .uri = "/",
                              .query = "",
                              .headers = hs,
                              .n_headers = n,
                              .payload = header,
                              .payload_len = size};
    (void)tc3_verify(&req, &a, 1700000000, "fuzz-secret-key");
    free(header);
    return 0;
}
