/* The error value shared by every call, and the one table of Tencent Cloud API error codes
 * (spec/API.md §4.2 common codes, §4.3 ssl action codes): retryable or not, and a one-line
 * hint telling the operator what to do. */
#include "core/apierr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/util.h"

/* Retryable means "the same read may succeed if sent again later": rate limits and server-side
 * trouble. Authentication, parameter and state errors are not: repeating them changes nothing.
 * Family entries ("AuthFailure", "FailedOperation", …) double as the fallback for sub-codes
 * this table does not know. */
static const struct apierr_info apierr_codes[] = {
    /* ---- §4.2 common codes ---- */
    {"ActionOffline", false, "this API action has been taken offline: upgrade certdeck"},
    {"AuthFailure", false, "authentication failed: check the SecretId/SecretKey and the clock"},
    {"AuthFailure.InvalidAuthorization", false,
     "the Authorization header was rejected as malformed: check --endpoint and any proxy "
     "rewriting headers"},
    {"AuthFailure.InvalidSecretId", false,
     "the SecretId is not a Cloud API key: create an API key in the CAM console"},
    {"AuthFailure.MFAFailure", false, "MFA check failed: complete MFA for this account or key"},
    {"AuthFailure.SecretIdNotFound", false,
     "check the SecretId for typos or stray spaces; it may be deleted or disabled"},
    {"AuthFailure.SignatureExpire", false,
     "your clock is off by more than 5 minutes: sync it (timedatectl / ntp)"},
    {"AuthFailure.SignatureFailure", false,
     "the signature does not match: check the SecretKey for typos or stray spaces"},
    {"AuthFailure.TokenFailure", false,
     "the temporary credential token is wrong or expired: fetch new temporary credentials"},
    {"AuthFailure.UnauthorizedOperation", false,
     "the key has no permission for this ssl:<Action>: ask an admin to grant it (CAM)"},
    {"DryRunOperation", false, "dry run only: the request would have succeeded"},
    {"FailedOperation", false, "the operation failed: read the message; retrying will not help"},
    {"InternalError", true,
     "internal error on the server: retrying; report the RequestId if it "
     "persists"},
    {"InvalidAction", false,
     "the endpoint does not know this action: check --endpoint (it must be the ssl service)"},
    {"InvalidParameter", false,
     "a parameter was rejected: check the command's arguments (see the message)"},
    {"InvalidParameterValue", false,
     "a parameter value was rejected: check the command's arguments (see the message)"},
    {"InvalidRequest", false, "the request body was malformed: report it with the RequestId"},
    {"IpInBlacklist", false,
     "your IP address is blacklisted for this account: ask an admin to check the CAM IP rules"},
    {"IpNotInWhitelist", false,
     "your IP address is not in the key's whitelist: ask an admin to allow it (CAM)"},
    {"LimitExceeded", false, "a quota was exceeded: free some resources or ask for a higher quota"},
    {"MissingParameter", false, "a required parameter is missing: check the command's arguments"},
    {"NoSuchProduct", false, "the endpoint does not serve the ssl product: check --endpoint"},
    {"NoSuchVersion", false, "the endpoint does not know API version 2019-12-05: check --endpoint"},
    {"RequestLimitExceeded", true, "too many requests, slowing down"},
    {"RequestLimitExceeded.GlobalRegionUinLimitExceeded", true,
     "too many requests from this account across regions, slowing down"},
    {"RequestLimitExceeded.IPLimitExceeded", true,
     "too many requests from this IP address, slowing down"},
    {"RequestLimitExceeded.UinLimitExceeded", true,
     "too many requests from this account, slowing down"},
    {"RequestSizeLimitExceeded", false, "the request was too large: send fewer items at once"},
    {"ResourceInUse", false, "the resource is in use: wait for the other operation to finish"},
    {"ResourceInsufficient", false, "not enough resources on the server side for this request"},
    {"ResourceNotFound", false,
     "no such resource: check the record or item Id (it may have been deleted)"},
    {"ResourceUnavailable", true, "the resource is temporarily unavailable: retrying"},
    {"ResponseSizeLimitExceeded", false,
     "the response would be too large: ask for a smaller page (--limit)"},
    {"ServiceUnavailable", true, "the service is temporarily unavailable: retrying"},
    {"UnauthorizedOperation", false,
     "the key has no permission for this ssl:<Action>: ask an admin to grant it (CAM)"},
    {"UnknownParameter", false,
     "the endpoint does not know a parameter we sent: check --endpoint and the API version"},
    {"UnsupportedOperation", false, "this operation is not supported for this resource"},
    {"UnsupportedProtocol", false,
     "the endpoint wants HTTPS POST or GET: check the scheme of --endpoint"},
    {"UnsupportedRegion", false, "this API is not offered in that region: drop --region"},

    /* ---- §4.3 ssl codes of the update (certificate ID unchanged) family ---- */
    {"FailedOperation.AuthError", false,
     "the key has no permission for this ssl:<Action>: ask an admin to grant it (CAM)"},
    {"FailedOperation.CertificateDeployDetailRollbackStatusInvalid", false,
     "the record is still running: wait until it has finished, then roll back"},
    {"FailedOperation.CertificateDeployHasPendingRecord", false,
     "a deployment of this certificate is in progress: wait for it to finish and try again"},
    {"FailedOperation.CertificateDeployInstanceEmpty", false,
     "the selected resource types have no instances: nothing to update"},
    {"FailedOperation.CertificateDeployNotExist", false,
     "no such deploy record: check the record Id (refresh the list)"},
    {"FailedOperation.CertificateDeployRetryStatusInvalid", false,
     "only failed records or items can be retried: refresh and check the status"},
    {"FailedOperation.CertificateDeployRollbackStatusInvalid", false,
     "only a successfully deployed record can be rolled back: refresh and check the status"},
    {"FailedOperation.CertificateExists", false,
     "this certificate content already exists: nothing new to upload"},
    {"FailedOperation.CertificateHostDeployCanNotAllow", false,
     "this certificate may not be deployed to these resources: check its domains and type"},
    {"FailedOperation.CertificateHostResourceInnerInterrupt", true,
     "the resource service was interrupted: retry in a moment"},
    {"FailedOperation.CertificateHostResourceInstanceHugeLimit", false,
     "too many instances for one update task: split the update by resource type"},
    {"FailedOperation.CertificateHostResourceTypeInvalid", false,
     "resource type not supported for this update (currently only clb)"},
    {"FailedOperation.CertificateInvalid", false,
     "the certificate is not valid: check the PEM chain (expired or malformed?)"},
    {"FailedOperation.CertificateMatchError", false,
     "the certificate and the private key do not match: check you paired the right files"},
    {"FailedOperation.CertificateNotAvailable", false,
     "the certificate is not available (not issued, expired or revoked): check its status"},
    {"FailedOperation.CertificateNotDeployInstance", false,
     "this certificate cannot be deployed to the chosen instances"},
    {"FailedOperation.CertificateNotFound", false,
     "no such certificate: check the certificate Id (OldCertificateId)"},
    {"FailedOperation.CertificateParseError", false,
     "the certificate could not be parsed: check it is a PEM chain"},
    {"FailedOperation.CertificateWhiteFuncError", false,
     "this feature is whitelist-only: ask Tencent Cloud support to enable it for the account"},
    {"FailedOperation.InvalidParam", false,
     "a parameter was rejected: check the command's arguments (see the message)"},
    {"FailedOperation.NoProjectPermission", false,
     "the key has no permission on the certificate's project: ask an admin to grant it (CAM)"},
    {"FailedOperation.NoRealNameAuth", false,
     "the account has not completed real-name verification: complete it in the console"},
    {"FailedOperation.RoleNotFoundAuthorization", false,
     "the SSL service role is not authorized: grant it once in the SSL console"},
    {"InvalidParameter.WithDetailReason", false,
     "a parameter was rejected: the message says which and why"},
    {"InvalidParameterValue.IntermediateCertNotSame", false,
     "the new chain's intermediate certificate differs from the old one: use the same CA chain"},
    {"LimitExceeded.RateLimitExceeded", true, "too many requests, slowing down"},

    /* ---- not API codes: certdeck's offline source (core/snapshot.h) answers with these ---- */
    {"OfflineSnapshot", false,
     "an offline snapshot answers reads only: run certdeck without --offline for the live API"},
    {"OfflineSnapshot.WritesDisabled", false,
     "a snapshot is a record of the past: run certdeck without --offline to act on the account"},
    {"OfflineSnapshot.NotSaved", false,
     "the snapshot does not hold it: take one with --details all (or open the record before "
     ":save)"},
};

const struct apierr_info *apierr_table(size_t *n)
{
    if (n) *n = ARRAY_LEN(apierr_codes);
    return apierr_codes;
}

static const struct apierr_info *lookup_exact(const char *code, size_t len)
{
    for (size_t i = 0; i < ARRAY_LEN(apierr_codes); i++) {
        const char *c = apierr_codes[i].code;
        if (strncmp(c, code, len) == 0 && c[len] == '\0') return &apierr_codes[i];
    }
    return NULL;
}

const struct apierr_info *apierr_lookup(const char *code)
{
    if (!code || !*code) return NULL;
    const struct apierr_info *info = lookup_exact(code, strlen(code));
    if (info) return info;
    const char *dot = strchr(code, '.');
    return dot && dot != code ? lookup_exact(code, (size_t)(dot - code)) : NULL;
}

void apierr_clear(struct api_error *e)
{
    if (e) memset(e, 0, sizeof *e);
}

/* Sets kind and message only: callers fill code, request_id, http_status or transport before
 * or after, so nothing else is touched. */
void apierr_set(struct api_error *e, enum apierr_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (e) {
        e->kind = kind;
        vsnprintf(e->message, sizeof e->message, fmt, ap);
    }
    va_end(ap);
}

/* The transport reason as given by http (falls back to the message). */
static const char *transport_text(const struct api_error *e)
{
    return e->transport[0] ? e->transport : e->message;
}

static bool contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* A TLS/certificate failure is fixed by configuration, not by retrying. http.c words every
 * such reason "TLS …"; matching only that prefix keeps host names such as
 * ssl.tencentcloudapi.com in other reasons from being mistaken for one. */
static bool transport_is_tls(const struct api_error *e)
{
    return strncmp(transport_text(e), "TLS", 3) == 0;
}

bool apierr_write_may_have_applied(const struct api_error *e)
{
    if (!e) return false;
    switch (e->kind) {
    case APIERR_TRANSPORT:
        return e->request_sent && !transport_is_tls(e);
    case APIERR_HTTP:
        return e->http_status == 502 || e->http_status == 504;
    case APIERR_DECODE:
        return true;
    default:
        return false;
    }
}

const char *apierr_hint(const struct api_error *e)
{
    if (!e) return "";
    if (e->outcome_unknown)
        return "the request reached the server but no clear answer came back: it may have been "
               "applied; look at the record before sending it again";
    switch (e->kind) {
    case APIERR_NONE:
        return "";
    case APIERR_API: {
        const struct apierr_info *info = apierr_lookup(e->code);
        return info ? info->hint
                    : "unrecognised API error: read the message; report it with the RequestId";
    }
    case APIERR_HTTP:
        if (e->http_status >= 500) return "the service is having trouble; retry in a moment";
        if (e->http_status == 429) return "too many requests, slowing down";
        if (e->http_status == 407)
            return "the proxy wants authentication: check https_proxy (user:password@host)";
        return "unexpected HTTP status: check --endpoint and proxy settings (https_proxy)";
    case APIERR_TRANSPORT:
        if (transport_is_tls(e))
            return "--cacert FILE, or --insecure to skip verification (unsafe)";
        if (contains(transport_text(e), "larger than"))
            return "the response exceeded the size cap: ask for smaller pages (--limit)";
        return "check the network, proxy settings (https_proxy) and --endpoint";
    case APIERR_DECODE:
        return "the response was not what the API documents; report it with the RequestId";
    case APIERR_CANCELLED:
        return "cancelled before it finished; nothing was changed by certdeck";
    case APIERR_USAGE:
        return "check the command line (certdeck --help) and the credentials";
    case APIERR_MEMORY:
        return "raise --max-memory SIZE (e.g. --max-memory 8G), or fetch fewer instances at "
               "a time (--offset N --limit N)";
    }
    return "";
}

bool apierr_retryable(const struct api_error *e)
{
    if (!e) return false;
    switch (e->kind) {
    case APIERR_API: {
        const struct apierr_info *info = apierr_lookup(e->code);
        return info && info->retryable;
    }
    case APIERR_HTTP:
        return e->http_status >= 500 || e->http_status == 429;
    case APIERR_TRANSPORT:
        return !transport_is_tls(e) && !contains(transport_text(e), "larger than");
    case APIERR_DECODE:
        /* A truncated, garbled or undecodable body is as transient as a 503: a proxy or a cut
         * connection sent it, and a read asked again gets the real answer. */
        return true;
    default:
        return false;
    }
}

/* Copies src into buf[n], cutting at a UTF-8 character boundary when it does not fit. */
static void copy_utf8_bounded(char *buf, size_t n, const char *src, size_t len)
{
    if (n == 0) return;
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(buf, src, len);
    buf[len] = '\0';
}

const char *apierr_format(const struct api_error *e, char *buf, size_t n)
{
    if (!buf || n == 0) return buf;
    struct buf raw = {0};
    if (!e) {
        buf_puts(&raw, "no error");
    } else {
        switch (e->kind) {
        case APIERR_NONE:
            buf_puts(&raw, "no error");
            break;
        case APIERR_API:
            buf_puts(&raw, e->code[0] ? e->code : "API error");
            if (e->message[0]) buf_printf(&raw, ": %s", e->message);
            break;
        case APIERR_HTTP:
            buf_printf(&raw, "HTTP %ld", e->http_status);
            if (e->message[0]) buf_printf(&raw, ": %s", e->message);
            break;
        case APIERR_TRANSPORT:
            buf_printf(&raw, "network: %s", transport_text(e)[0] ? transport_text(e) : "error");
            break;
        case APIERR_DECODE:
            /* Envelope messages already start with "response …". */
            if (strncmp(e->message, "response", 8) != 0) buf_puts(&raw, "bad response: ");
            buf_puts(&raw, e->message);
            break;
        case APIERR_CANCELLED:
            buf_puts(&raw, e->message[0] ? e->message : "cancelled");
            break;
        case APIERR_USAGE:
            buf_puts(&raw, e->message[0] ? e->message : "usage error");
            break;
        case APIERR_MEMORY:
            buf_puts(&raw, e->message[0] ? e->message : "over the memory budget (--max-memory)");
            break;
        }
        if (e->kind != APIERR_NONE && e->request_id[0])
            buf_printf(&raw, " (RequestId %s)", e->request_id);
    }
    struct buf clean = {0};
    sanitize_append(&clean, raw.data ? raw.data : "", raw.len, false);
    copy_utf8_bounded(buf, n, clean.data ? clean.data : "", clean.len);
    buf_free(&raw);
    buf_free(&clean);
    return buf;
}

int apierr_exit_code(const struct api_error *e)
{
    if (!e) return 0;
    if (e->outcome_unknown) return APIERR_EXIT_OUTCOME_UNKNOWN;
    switch (e->kind) {
    case APIERR_NONE:
        return 0;
    case APIERR_API:
    case APIERR_HTTP:
    case APIERR_DECODE:
    case APIERR_MEMORY:
        return 1;
    case APIERR_USAGE:
        return 2;
    case APIERR_TRANSPORT:
    case APIERR_CANCELLED:
        return 3;
    }
    return 1;
}
