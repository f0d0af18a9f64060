/* Test certificates made on the spot with the OpenSSL API: keys (EC P-256, RSA, Ed25519),
 * certificates with chosen names, SANs, validity and issuer, and their PEM text (a key
 * optionally encrypted). Header-only so any test program can include it; failures abort the
 * running test through cmocka. */
#ifndef CERTDECK_TESTS_CERTGEN_H
#define CERTDECK_TESTS_CERTGEN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/util.h"

enum cg_key { CG_EC, CG_RSA, CG_ED25519 };

static inline EVP_PKEY *cg_key(enum cg_key type)
{
    EVP_PKEY *k = type == CG_RSA  ? EVP_RSA_gen(2048)
                  : type == CG_EC ? EVP_EC_gen("P-256")
                                  : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(k);
    return k;
}

struct cg_cert_opts {
    const char *cn;
    const char *sans; /* "DNS:a.example.com,DNS:*.example.com"; NULL: none */
    bool ca;
    int64_t from_s;  /* notBefore = now + from_s */
    int64_t until_s; /* notAfter = now + until_s; 0: 365 days */
    /* When non-zero, absolute Unix times instead of from_s and until_s (certificates that come
     * out the same on every run, for golden screens). */
    int64_t not_before_unix, not_after_unix;
    X509 *issuer; /* NULL: self-signed */
    EVP_PKEY *issuer_key;
    long serial;
};

static inline void cg_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    assert_non_null(e);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

static inline X509 *cg_cert(EVP_PKEY *key, const struct cg_cert_opts *o)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), o->serial ? o->serial : 1);
    if (o->not_before_unix)
        ASN1_TIME_set(X509_getm_notBefore(x), (time_t)o->not_before_unix);
    else
        X509_gmtime_adj(X509_getm_notBefore(x), (long)o->from_s);
    if (o->not_after_unix)
        ASN1_TIME_set(X509_getm_notAfter(x), (time_t)o->not_after_unix);
    else
        X509_gmtime_adj(X509_getm_notAfter(x), (long)(o->until_s ? o->until_s : 365L * 86400));
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)o->cn, -1, -1, 0);
    X509 *issuer = o->issuer ? o->issuer : x;
    X509_set_issuer_name(x, X509_get_subject_name(issuer));
    cg_ext(x, issuer, NID_basic_constraints, o->ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (o->ca) cg_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    if (o->sans) cg_ext(x, issuer, NID_subject_alt_name, o->sans);
    EVP_PKEY *signer = o->issuer_key ? o->issuer_key : key;
    const EVP_MD *md = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
    assert_true(X509_sign(x, signer, md) > 0);
    return x;
}

/* The PEM of the n certificates, in the order given (heap). */
static inline char *cg_pem_certs(X509 *const *certs, size_t n)
{
    BIO *b = BIO_new(BIO_s_mem());
    for (size_t i = 0; i < n; i++)
        assert_int_equal(PEM_write_bio_X509(b, certs[i]), 1);
    char *p = NULL;
    long len = BIO_get_mem_data(b, &p);
    char *s = xstrndup(p, (size_t)len);
    BIO_free(b);
    return s;
}

/* The key as PKCS#8 PEM; encrypted with AES-256-CBC under pass when pass is not NULL. */
static inline char *cg_pem_key(EVP_PKEY *k, const char *pass)
{
    BIO *b = BIO_new(BIO_s_mem());
    int ok = pass ? PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), pass, (int)strlen(pass),
                                                  NULL, NULL)
                  : PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    assert_int_equal(ok, 1);
    char *p = NULL;
    long len = BIO_get_mem_data(b, &p);
    char *s = xstrndup(p, (size_t)len);
    BIO_free(b);
    return s;
}

/* A CA root, an intermediate and a leaf for sans, with their keys (all EC unless leaf_type). */
struct cg_chain {
    EVP_PKEY *root_key, *inter_key, *leaf_key;
    X509 *root, *inter, *leaf;
};

static inline void cg_chain_make(struct cg_chain *c, enum cg_key leaf_type, const char *sans,
                                 int64_t leaf_from_s, int64_t leaf_until_s)
{
    c->root_key = cg_key(CG_EC);
    c->inter_key = cg_key(CG_EC);
    c->leaf_key = cg_key(leaf_type);
    struct cg_cert_opts ro = {.cn = "certdeck Test Root", .ca = true, .serial = 1};
    c->root = cg_cert(c->root_key, &ro);
    struct cg_cert_opts io = {.cn = "certdeck Test Intermediate",
                              .ca = true,
                              .issuer = c->root,
                              .issuer_key = c->root_key,
                              .serial = 2};
    c->inter = cg_cert(c->inter_key, &io);
    struct cg_cert_opts lo = {.cn = "www.example.com",
                              .sans = sans,
                              .from_s = leaf_from_s,
                              .until_s = leaf_until_s,
                              .issuer = c->inter,
                              .issuer_key = c->inter_key,
                              .serial = 3};
    c->leaf = cg_cert(c->leaf_key, &lo);
}

static inline void cg_chain_free(struct cg_chain *c)
{
    X509_free(c->root);
    X509_free(c->inter);
    X509_free(c->leaf);
    EVP_PKEY_free(c->root_key);
    EVP_PKEY_free(c->inter_key);
    EVP_PKEY_free(c->leaf_key);
    memset(c, 0, sizeof *c);
}

#endif
