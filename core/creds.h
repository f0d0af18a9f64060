/* The credential chain of the official SDKs and tccli (spec/API.md §6). Secrets are held only
 * in struct creds, never formatted into any message, and wiped with creds_wipe(). */
#ifndef CERTDECK_CREDS_H
#define CERTDECK_CREDS_H

#include <stdbool.h>
#include <stddef.h>

struct creds {
    char secret_id[256];
    char secret_key[256];
    char token[8192]; /* temporary credentials only; "" otherwise */
    char source[512]; /* where they came from, e.g. "environment (TENCENTCLOUD_SECRET_ID)" or
                         "/home/u/.tencentcloud/credentials [default]"; never a secret */
};

struct creds_opts {
    const char *profile; /* NULL: $TCCLI_PROFILE for tccli files, else "default" */
    const char *home;    /* NULL: $HOME */
};

/* Order: environment (TENCENTCLOUD_SECRET_ID/_SECRET_KEY, token from _SESSION_TOKEN or
 * tccli's TENCENTCLOUD_TOKEN) unless a profile was named explicitly; then the INI file named by
 * TENCENTCLOUD_CREDENTIALS_FILE or ~/.tencentcloud/credentials, section [profile]; then tccli's
 * ~/.tccli/<profile>.credential (JSON secretId/secretKey/token). Returns 0 and fills *out, or
 * -1 with a one-line err saying what was looked at and how to provide credentials. A warning
 * (e.g. "~/.tencentcloud/credentials is readable by group or others: chmod 600 it") is written
 * to warn, or warn[0] is set to '\0'. */
int creds_resolve(const struct creds_opts *opts, struct creds *out, char *err, size_t errlen,
                  char *warn, size_t warnlen);
/* One profile the chain could use, for a picker: its name ("" for the environment) and where
 * it is defined. Never a secret: only section and file names are read out. */
struct creds_profile {
    char name[128];
    char source[600];
};

/* The profiles found, in the chain's order: the environment (when both TENCENTCLOUD_SECRET_ID
 * and _SECRET_KEY are set), each [section] of the SDKs' INI file, each ~/.tccli/NAME.credential
 * (a name already listed is not repeated). Fills and returns at most cap entries. An
 * unreadable or malformed file lists what it can; the file's buffer is wiped after. */
size_t creds_profiles(const struct creds_opts *opts, struct creds_profile *out, size_t cap);
/* The SecretId masked to its last 4 characters: "****MPLE". */
void creds_mask_id(const char *secret_id, char *out, size_t n);
bool creds_has_token(const struct creds *c);
void creds_wipe(struct creds *c);

#endif
