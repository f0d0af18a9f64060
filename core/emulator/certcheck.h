/* What the real service checks in an uploaded certificate before it creates a task: the PEM
 * chain parses (FailedOperation.CertificateParseError) and the private key parses and belongs
 * to the first certificate (FailedOperation.CertificateMatchError). Deliberately independent
 * of the client's pre-flight (core/preflight), so the tests of one do not lean on the other. */
#ifndef CERTDECK_EMULATOR_CERTCHECK_H
#define CERTDECK_EMULATOR_CERTCHECK_H

/* NULL when the pair is acceptable, else the error code; *note gets a short reason for the
 * request log (never key material). */
const char *certcheck_upload(const char *cert_pem, const char *key_pem, const char **note);

#endif
