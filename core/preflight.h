/* The local pre-flight of a certificate renewal (UploadUpdateCertificateInstance), run with
 * OpenSSL before any write request: the PEM chain (leaf first, each certificate signed by the
 * next, nothing stray or repeated), the private key (RSA or ECDSA, not encrypted, matching the
 * leaf), validity, the key file's permissions, and what the operator sees in the plan
 * (subject, SANs, not-after, SHA-256 fingerprint). Coverage of the deployed domains is
 * core/coverage.h.
 *
 * Secrets: the private key is read once into a preflight_secret (never through stdio, whose
 * buffers are freed unwiped; on pages core dumps leave out), parsed from that buffer, and
 * wiped with OPENSSL_cleanse by preflight_secret_wipe. No message this module writes ever
 * contains key bytes. */
#ifndef CERTDECK_PREFLIGHT_H
#define CERTDECK_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Fewer days left than this draws a warning; a certificate or key file larger than
 * PREFLIGHT_MAX_FILE bytes is refused. */
#define PREFLIGHT_WARN_DAYS 30
#define PREFLIGHT_MAX_FILE  (1024 * 1024)

enum preflight_level { PREFLIGHT_OK = 0, PREFLIGHT_WARN, PREFLIGHT_FAIL };

/* One line of the checklist: "chain", "key", "validity", "key file", "coverage". The message is
 * sanitized text (subjects from the file pass through core/sanitize). */
struct preflight_check {
    char name[16];
    enum preflight_level level;
    char message[768];
};

/* What the plan shows about the new leaf certificate. Strings sanitized, owned. */
struct preflight_leaf {
    char *subject; /* RFC 2253 one line */
    char **sans;   /* DNS names of subjectAltName, as written (lowercase compare elsewhere) */
    size_t n_sans;
    int64_t not_before, not_after; /* Unix seconds */
    char fingerprint[96];          /* SHA-256 of the DER, "AB:CD:…" */
    size_t chain_len;              /* certificates in the file */
    int64_t chain_not_after;       /* the earliest expiry of the other certificates */
    char *chain_expiry_label;      /* which one ("#2 CN=…"); NULL for a lone leaf */
};

struct preflight {
    struct preflight_check *checks;
    size_t n_checks;
    struct preflight_leaf leaf;
    bool have_leaf;
    void *leaf_x509; /* X509 *, for the key check; internal */
};

/* A secret read from a file: data is NUL-terminated, len bytes, on pages of its own that core
 * dumps leave out (core/secmem.h), cap bytes in all. */
struct preflight_secret {
    char *data;
    size_t len, cap;
};

/* Reads path once (open/fstat/read into one buffer). Returns 0, or -1 with msg filled (no
 * content in it). *mode gets the file's permission bits when not NULL. */
int preflight_read_file(const char *path, struct preflight_secret *out, mode_t *mode, char *msg,
                        size_t msg_len);
/* OPENSSL_cleanse, then give the pages back; safe on a zeroed struct and twice. */
void preflight_secret_wipe(struct preflight_secret *s);

/* Each check appends one line (or more) to pf and returns its level. */
/* The PEM chain: parses every block; only CERTIFICATE blocks are allowed; no duplicates; the
 * leaf (the one certificate that signs no other) first, then each certificate's issuer.
 * A wrong order is named with the order that would be right; a certificate outside the
 * leaf's chain is named as stray. Fills pf->leaf on any parse that found certificates. */
enum preflight_level preflight_chain(struct preflight *pf, const char *pem, size_t len);
/* The private key: PEM, not encrypted ("decrypt it first"), RSA or EC, matching the leaf's
 * public key. Needs preflight_chain first (fails without a leaf). */
enum preflight_level preflight_key(struct preflight *pf, const char *pem, size_t len);
/* The leaf (and every certificate of the chain) valid at now: refuses not yet valid or
 * expired, warns when the leaf has less than PREFLIGHT_WARN_DAYS days left. */
enum preflight_level preflight_validity(struct preflight *pf, int64_t now_unix);
/* Warns when group or other may read the key file (mode from preflight_read_file). */
enum preflight_level preflight_key_mode(struct preflight *pf, mode_t mode);

/* Appends a check line of any level (coverage and callers' own lines use it). */
void preflight_add(struct preflight *pf, const char *name, enum preflight_level level,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The worst level of all lines. */
enum preflight_level preflight_worst(const struct preflight *pf);
void preflight_free(struct preflight *pf);

#endif
