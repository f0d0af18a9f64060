/* The local pre-flight of a renewal: chain, key, validity, key file (see preflight.h). */
#include "core/preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/sanitize.h"
#include "core/secmem.h"
#include "core/util.h"

/* ---- reading files once -------------------------------------------------------------------- */

int preflight_read_file(const char *path, struct preflight_secret *out, mode_t *mode, char *msg,
                        size_t msg_len)
{
    memset(out, 0, sizeof *out);
    /* Not blocking: a FIFO or a device would hang the open (the TUI's thread, too) before
     * fstat can say it is not a file. A regular file ignores the flag. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(msg, msg_len, "cannot open: %s", strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(msg, msg_len, "not a regular file");
        close(fd);
        return -1;
    }
    if (st.st_size > PREFLIGHT_MAX_FILE) {
        snprintf(msg, msg_len, "larger than %d bytes: not a PEM file", PREFLIGHT_MAX_FILE);
        close(fd);
        return -1;
    }
    if (mode) *mode = st.st_mode & 07777;
    /* One buffer of the final size: nothing is reallocated, so no unwiped copy is left. */
    size_t cap = (size_t)st.st_size + 1;
    char *data = secmem_alloc(cap); /* pages of its own, left out of core dumps */
    size_t len = 0;
    while (len < cap - 1) {
        ssize_t n = read(fd, data + len, cap - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            snprintf(msg, msg_len, "cannot read: %s", strerror(errno));
            secmem_free(data, cap);
            close(fd);
            return -1;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    if (len == 0) {
        snprintf(msg, msg_len, "the file is empty");
        secmem_free(data, cap);
        return -1;
    }
    out->data = data;
    out->len = len;
    out->cap = cap;
    return 0;
}

void preflight_secret_wipe(struct preflight_secret *s)
{
    if (!s || !s->data) return;
    OPENSSL_cleanse(s->data, s->cap);
    secmem_free(s->data, s->cap);
    s->data = NULL;
    s->len = s->cap = 0;
}

/* ---- the checklist ------------------------------------------------------------------------- */

void preflight_add(struct preflight *pf, const char *name, enum preflight_level level,
                   const char *fmt, ...)
{
    pf->checks = xrealloc(pf->checks, (pf->n_checks + 1) * sizeof *pf->checks);
    struct preflight_check *c = &pf->checks[pf->n_checks++];
    strlcpy_safe(c->name, name, sizeof c->name);
    c->level = level;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
}

enum preflight_level preflight_worst(const struct preflight *pf)
{
    enum preflight_level w = PREFLIGHT_OK;
    for (size_t i = 0; i < pf->n_checks; i++)
        if (pf->checks[i].level > w) w = pf->checks[i].level;
    return w;
}

static void leaf_clear(struct preflight_leaf *l)
{
    free(l->subject);
    free(l->chain_expiry_label);
    for (size_t i = 0; i < l->n_sans; i++)
        free(l->sans[i]);
    free(l->sans);
    memset(l, 0, sizeof *l);
}

void preflight_free(struct preflight *pf)
{
    free(pf->checks);
    leaf_clear(&pf->leaf);
    X509_free(pf->leaf_x509);
    memset(pf, 0, sizeof *pf);
}

/* ---- certificates -------------------------------------------------------------------------- */

/* The subject as one sanitized line, shortened for messages. */
static char *cert_subject(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *raw = xstrndup(p ? p : "", n > 0 ? (size_t)n : 0);
    BIO_free(b);
    if (strlen(raw) > 200) raw[200] = '\0';
    char *clean = sanitize_dup(raw[0] ? raw : "(empty subject)");
    free(raw);
    return clean;
}

/* Seconds from the epoch to t, by OpenSSL's own date arithmetic (no timegm in C11). */
static bool asn1_unix(const ASN1_TIME *t, int64_t *out)
{
    int days = 0, secs = 0;
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    bool ok = t && epoch && ASN1_TIME_diff(&days, &secs, epoch, t) == 1;
    ASN1_TIME_free(epoch);
    if (ok) *out = (int64_t)days * 86400 + secs;
    return ok;
}

static void leaf_fill(struct preflight_leaf *l, X509 *x, size_t chain_len)
{
    leaf_clear(l);
    l->subject = cert_subject(x);
    l->chain_len = chain_len;
    asn1_unix(X509_get0_notBefore(x), &l->not_before);
    asn1_unix(X509_get0_notAfter(x), &l->not_after);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1) {
        char tmp[96] = "";
        size_t k = 0;
        for (unsigned int i = 0; i < mdlen && k + 3 < sizeof tmp; i++)
            k += (size_t)snprintf(tmp + k, sizeof tmp - k, "%s%02X", i ? ":" : "", md[i]);
        strlcpy_safe(l->fingerprint, tmp, sizeof l->fingerprint);
    }
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int n = gens ? sk_GENERAL_NAME_num(gens) : 0;
    for (int i = 0; i < n; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type != GEN_DNS) continue;
        const unsigned char *s = ASN1_STRING_get0_data(g->d.dNSName);
        int len = ASN1_STRING_length(g->d.dNSName);
        char *raw = xstrndup((const char *)s, (size_t)(len > 0 ? len : 0));
        l->sans = xrealloc(l->sans, (l->n_sans + 1) * sizeof *l->sans);
        l->sans[l->n_sans++] = sanitize_dup(raw);
        free(raw);
    }
    GENERAL_NAMES_free(gens);
}

/* Does `issuer` issue `subject`: names, key usage, and the signature itself. */
static bool cert_issued_by(X509 *subject, X509 *issuer)
{
    if (X509_check_issued(issuer, subject) != X509_V_OK) return false;
    EVP_PKEY *pk = X509_get0_pubkey(issuer);
    bool ok = pk && X509_verify(subject, pk) == 1;
    ERR_clear_error();
    return ok;
}

struct chain {
    X509 **certs;
    size_t n;
};

static void chain_free(struct chain *c)
{
    for (size_t i = 0; i < c->n; i++)
        X509_free(c->certs[i]);
    free(c->certs);
}

/* Every PEM block; -1 with a check line on a block that is not a certificate or does not
 * parse. */
static int chain_parse(struct preflight *pf, const char *pem, size_t len, struct chain *out)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    int rc = 0;
    for (size_t block = 1;; block++) {
        char *name = NULL, *header = NULL;
        unsigned char *data = NULL;
        long dlen = 0;
        if (PEM_read_bio(b, &name, &header, &data, &dlen) != 1) {
            unsigned long e = ERR_peek_last_error();
            ERR_clear_error();
            if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE && block > 1) break;
            preflight_add(pf, "chain", PREFLIGHT_FAIL,
                          block == 1 ? "no PEM certificate found: the file must hold "
                                       "-----BEGIN CERTIFICATE----- blocks"
                                     : "PEM block %zu is malformed (bad base64 or a missing END "
                                       "line)",
                          block);
            rc = -1;
            break;
        }
        bool is_cert = strcmp(name, "CERTIFICATE") == 0;
        bool is_key = strstr(name, "PRIVATE KEY") != NULL;
        X509 *x = NULL;
        if (is_cert) {
            const unsigned char *p = data;
            x = d2i_X509(NULL, &p, dlen);
        }
        if (is_key) OPENSSL_cleanse(data, (size_t)dlen);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        if (is_key) {
            preflight_add(pf, "chain", PREFLIGHT_FAIL,
                          "PEM block %zu of the certificate file is a private key: keep the key "
                          "in its own file (--key) and remove it from --cert",
                          block);
            rc = -1;
            break;
        }
        if (!is_cert || !x) {
            ERR_clear_error();
            preflight_add(pf, "chain", PREFLIGHT_FAIL,
                          is_cert ? "certificate %zu does not parse as X.509"
                                  : "PEM block %zu is not a CERTIFICATE: remove it",
                          block);
            rc = -1;
            break;
        }
        out->certs = xrealloc(out->certs, (out->n + 1) * sizeof *out->certs);
        out->certs[out->n++] = x;
    }
    BIO_free(b);
    return rc;
}

/* "#2 CN=Intermediate" */
static void cert_label(struct buf *b, const struct chain *c, size_t i)
{
    char *s = cert_subject(c->certs[i]);
    buf_printf(b, "#%zu %s", i + 1, s);
    free(s);
}

enum preflight_level preflight_chain(struct preflight *pf, const char *pem, size_t len)
{
    struct chain c = {0};
    if (chain_parse(pf, pem, len, &c) != 0 || c.n == 0) {
        if (c.n == 0 && preflight_worst(pf) < PREFLIGHT_FAIL)
            preflight_add(pf, "chain", PREFLIGHT_FAIL, "no certificate in the file");
        chain_free(&c);
        return PREFLIGHT_FAIL;
    }
    enum preflight_level level = PREFLIGHT_OK;
    struct buf msg = {0};

    /* Duplicates. */
    for (size_t i = 1; i < c.n && level == PREFLIGHT_OK; i++)
        for (size_t j = 0; j < i; j++)
            if (X509_cmp(c.certs[i], c.certs[j]) == 0) {
                buf_reset(&msg);
                cert_label(&msg, &c, i);
                preflight_add(pf, "chain", PREFLIGHT_FAIL,
                              "certificate %s is a duplicate of #%zu: remove it", msg.data, j + 1);
                level = PREFLIGHT_FAIL;
                break;
            }

    /* issuer[i]: the certificate of the file that signed certificate i (or none). */
    size_t *issuer = xcalloc(c.n, sizeof *issuer);
    bool *signs_other = xcalloc(c.n, sizeof *signs_other);
    for (size_t i = 0; i < c.n; i++) {
        issuer[i] = SIZE_MAX;
        for (size_t j = 0; j < c.n; j++)
            if (j != i && cert_issued_by(c.certs[i], c.certs[j])) {
                issuer[i] = j;
                signs_other[j] = true;
                break;
            }
    }
    /* The leaf: the first certificate that signs no other one of the file. */
    size_t leaf = 0;
    for (size_t i = 0; i < c.n; i++)
        if (!signs_other[i]) {
            leaf = i;
            break;
        }
    size_t *order = xcalloc(c.n, sizeof *order);
    bool *in_chain = xcalloc(c.n, sizeof *in_chain);
    size_t n_order = 0;
    for (size_t k = leaf; k != SIZE_MAX && !in_chain[k]; k = issuer[k]) {
        in_chain[k] = true;
        order[n_order++] = k;
    }

    if (level == PREFLIGHT_OK) {
        for (size_t i = 0; i < c.n; i++) {
            if (in_chain[i]) continue;
            buf_reset(&msg);
            cert_label(&msg, &c, i);
            buf_puts(&msg, " is not part of the chain of the leaf (");
            cert_label(&msg, &c, leaf);
            buf_puts(&msg, "): it does not sign any certificate of the chain; remove it");
            preflight_add(pf, "chain", PREFLIGHT_FAIL, "stray certificate %s", msg.data);
            level = PREFLIGHT_FAIL;
        }
    }
    if (level == PREFLIGHT_OK) {
        bool in_order = true;
        for (size_t i = 0; i < n_order; i++)
            if (order[i] != i) in_order = false;
        if (!in_order) {
            buf_reset(&msg);
            /* Name the first position that is wrong, then the order that is right. */
            size_t bad = 0;
            while (bad < n_order && order[bad] == bad)
                bad++;
            if (bad == 0) {
                buf_puts(&msg, "the leaf must come first, but certificate ");
                cert_label(&msg, &c, 0);
                buf_puts(&msg, " signs another one of the file");
            } else {
                buf_puts(&msg, "certificate ");
                cert_label(&msg, &c, bad - 1);
                buf_puts(&msg, " is not signed by the next one");
            }
            buf_puts(&msg, "; put them in this order (leaf first, each followed by its issuer):");
            for (size_t i = 0; i < n_order; i++)
                buf_printf(&msg, " %s#%zu", i ? "-> " : "", order[i] + 1);
            preflight_add(pf, "chain", PREFLIGHT_FAIL, "wrong order: %s", msg.data);
            level = PREFLIGHT_FAIL;
        }
    }
    leaf_fill(&pf->leaf, c.certs[leaf], c.n);
    pf->have_leaf = true;
    X509_free(pf->leaf_x509);
    X509_up_ref(c.certs[leaf]);
    pf->leaf_x509 = c.certs[leaf];
    if (level == PREFLIGHT_OK)
        preflight_add(pf, "chain", PREFLIGHT_OK,
                      "%zu certificate%s, leaf first, each signed by the next", c.n,
                      c.n == 1 ? "" : "s");
    free(issuer);
    free(signs_other);
    free(order);
    free(in_chain);
    buf_free(&msg);
    /* The earliest expiry among the other certificates, for preflight_validity. */
    for (size_t i = 0; i < c.n; i++) {
        int64_t na = 0;
        if (i == leaf || !asn1_unix(X509_get0_notAfter(c.certs[i]), &na)) continue;
        if (!pf->leaf.chain_expiry_label || na < pf->leaf.chain_not_after) {
            struct buf b = {0};
            cert_label(&b, &c, i);
            free(pf->leaf.chain_expiry_label);
            pf->leaf.chain_expiry_label = buf_steal(&b);
            pf->leaf.chain_not_after = na;
        }
    }
    chain_free(&c);
    return level;
}

/* ---- the private key ----------------------------------------------------------------------- */

/* Never gives a passphrase: an encrypted key is refused with its own message. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(bool *)u = true;
    return -1;
}

enum preflight_level preflight_key(struct preflight *pf, const char *pem, size_t len)
{
    bool asked = false;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, no_password, &asked);
    BIO_free(b);
    ERR_clear_error();
    enum preflight_level level = PREFLIGHT_FAIL;
    if (!k) {
        if (asked || strstr(pem, "ENCRYPTED"))
            preflight_add(pf, "key", PREFLIGHT_FAIL,
                          "the private key is encrypted: decrypt it first (e.g. openssl pkey -in "
                          "key.pem -out key-plain.pem) and keep the plain copy private");
        else
            preflight_add(pf, "key", PREFLIGHT_FAIL,
                          "the key file holds no PEM private key that parses");
        return level;
    }
    int id = EVP_PKEY_get_base_id(k);
    const char *kind = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "ECDSA" : NULL;
    if (!kind) {
        preflight_add(pf, "key", PREFLIGHT_FAIL,
                      "the private key is %s: only RSA and ECDSA keys can be deployed",
                      OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "of an unknown type");
    } else if (!pf->leaf_x509) {
        preflight_add(pf, "key", PREFLIGHT_FAIL, "no leaf certificate to match the key against");
    } else if (EVP_PKEY_eq(X509_get0_pubkey(pf->leaf_x509), k) != 1) {
        preflight_add(pf, "key", PREFLIGHT_FAIL,
                      "the %s private key does not belong to the leaf certificate (%s): use the "
                      "key the certificate was issued for",
                      kind, pf->leaf.subject ? pf->leaf.subject : "");
    } else {
        preflight_add(pf, "key", PREFLIGHT_OK, "%s %d-bit key matches the leaf", kind,
                      EVP_PKEY_get_bits(k));
        level = PREFLIGHT_OK;
    }
    ERR_clear_error();
    EVP_PKEY_free(k);
    return level;
}

/* ---- validity and the key file ------------------------------------------------------------- */

static void fmt_utc(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

enum preflight_level preflight_validity(struct preflight *pf, int64_t now)
{
    if (!pf->have_leaf) return PREFLIGHT_FAIL;
    char when[64];
    const struct preflight_leaf *l = &pf->leaf;
    if (now < l->not_before) {
        fmt_utc(l->not_before, when, sizeof when);
        preflight_add(pf, "validity", PREFLIGHT_FAIL, "the certificate is not valid until %s",
                      when);
        return PREFLIGHT_FAIL;
    }
    if (now >= l->not_after) {
        fmt_utc(l->not_after, when, sizeof when);
        preflight_add(pf, "validity", PREFLIGHT_FAIL, "the certificate expired on %s", when);
        return PREFLIGHT_FAIL;
    }
    if (l->chain_expiry_label && now >= l->chain_not_after) {
        fmt_utc(l->chain_not_after, when, sizeof when);
        preflight_add(pf, "validity", PREFLIGHT_FAIL,
                      "chain certificate %s expired on %s: get the current intermediate from "
                      "your CA",
                      l->chain_expiry_label, when);
        return PREFLIGHT_FAIL;
    }
    int64_t days = (l->not_after - now) / 86400;
    fmt_utc(l->not_after, when, sizeof when);
    if (days < PREFLIGHT_WARN_DAYS) {
        preflight_add(pf, "validity", PREFLIGHT_WARN,
                      "the certificate expires in %lld day%s (%s): is this the renewed one?",
                      (long long)days, days == 1 ? "" : "s", when);
        return PREFLIGHT_WARN;
    }
    preflight_add(pf, "validity", PREFLIGHT_OK, "valid until %s (%lld days)", when,
                  (long long)days);
    return PREFLIGHT_OK;
}

enum preflight_level preflight_key_mode(struct preflight *pf, mode_t mode)
{
    if (mode & (S_IRWXG | S_IRWXO)) {
        preflight_add(pf, "key file", PREFLIGHT_WARN,
                      "the key file is readable by group or others (mode %04o): chmod 600 it",
                      (unsigned)(mode & 07777));
        return PREFLIGHT_WARN;
    }
    preflight_add(pf, "key file", PREFLIGHT_OK, "readable by its owner only (mode %04o)",
                  (unsigned)(mode & 07777));
    return PREFLIGHT_OK;
}
