/* The emulator's checks of an uploaded certificate and key (see certcheck.h). */
#include "core/emulator/certcheck.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* An encrypted key cannot be read without its passphrase, and the service has none. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

const char *certcheck_upload(const char *cert_pem, const char *key_pem, const char **note)
{
    const char *code = NULL;
    BIO *b = BIO_new_mem_buf(cert_pem, (int)strlen(cert_pem));
    X509 *leaf = PEM_read_bio_X509(b, NULL, NULL, NULL);
    /* every further block must parse as a certificate too */
    bool chain_ok = leaf != NULL;
    for (X509 *x; chain_ok && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL;)
        X509_free(x);
    unsigned long e = ERR_peek_last_error();
    if (chain_ok && e && ERR_GET_REASON(e) != PEM_R_NO_START_LINE) chain_ok = false;
    ERR_clear_error();
    BIO_free(b);
    if (!chain_ok) {
        *note = "certificate chain does not parse";
        X509_free(leaf);
        return "FailedOperation.CertificateParseError";
    }
    b = BIO_new_mem_buf(key_pem, (int)strlen(key_pem));
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, no_password, NULL);
    BIO_free(b);
    ERR_clear_error();
    if (!k) {
        *note = "private key does not parse";
        code = "FailedOperation.CertificateParseError";
    } else if (EVP_PKEY_eq(X509_get0_pubkey(leaf), k) != 1) {
        *note = "private key does not match the certificate";
        code = "FailedOperation.CertificateMatchError";
    }
    ERR_clear_error();
    EVP_PKEY_free(k);
    X509_free(leaf);
    return code;
}
