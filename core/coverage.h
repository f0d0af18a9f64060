/* Coverage of a renewal: which domains the old certificate is deployed on (read from its
 * latest update record through the API) and which of them the new certificate's SANs do not
 * cover, matched by the RFC 6125 rules. Pure functions plus one API reader; no curses. */
#ifndef CERTDECK_COVERAGE_H
#define CERTDECK_COVERAGE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/preflight.h"

/* RFC 6125 §6.4: case-insensitive, a trailing dot ignored; a wildcard only as the whole
 * left-most label of a pattern with at least two more labels ("*.example.com"), matching
 * exactly one non-empty label ("a.example.com", not "example.com" nor "a.b.example.com").
 * A domain that is itself a wildcard is covered only by the same wildcard. */
bool coverage_name_matches(const char *pattern, const char *domain);
/* Whether any of the n patterns covers domain. */
bool coverage_covered(const char *const *patterns, size_t n, const char *domain);

/* What the old certificate's latest record deployed, for the types being updated. */
struct coverage_deployed {
    uint64_t record_id; /* 0: the certificate has no update record */
    size_t n_resources; /* items of that record's latest deploy run, of the given types */
    char **domains;     /* distinct (case-insensitive), as the API sent them */
    size_t n_domains;
};

/* Reads the record list filtered by OldCertificateId, takes the newest record (highest Id)
 * and reads its detail; collects the Domains of every item of its latest deploy run whose
 * ResourceType is one of types (n_types 0: every type). cancel (NULL: never) aborts the
 * reads. Returns 0, or -1 with err. */
int coverage_read_deployed(struct api_client *api, const char *old_cert_id,
                           const char *const *types, size_t n_types, struct coverage_deployed *out,
                           const atomic_int *cancel, struct api_error *err);
/* The same from a detail already at hand (tests, the TUI's store). */
void coverage_from_detail(const struct detail_page *d, const char *const *types, size_t n_types,
                          struct coverage_deployed *out);
void coverage_deployed_free(struct coverage_deployed *d);

/* Indexes into d->domains of the domains no pattern covers; returns how many (*out heap). */
size_t coverage_uncovered(const struct coverage_deployed *d, const char *const *patterns,
                          size_t n_patterns, size_t **out);

/* The pre-flight's coverage line for dep and the new leaf's SANs (pf->leaf): a warning when the
 * certificate has no earlier update record (nothing to compare), ok when the SANs cover every
 * deployed domain, else a failure naming force_name as the way past it ("--force") — a warning
 * when force is set. Nothing is added without a leaf. Returns how many domains are not
 * covered, their indexes into dep->domains in *uncovered (heap, NULL when none). */
size_t coverage_preflight(struct preflight *pf, const struct coverage_deployed *dep, bool force,
                          const char *force_name, size_t **uncovered);

#endif
