/* Opening an API client for a profile and an endpoint: the credential chain, then the client
 * with the command line's transport settings. Used at start and when the TUI switches
 * (:profile, :endpoint). No curses. */
#ifndef CERTDECK_CONNECT_H
#define CERTDECK_CONNECT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "core/creds.h"

struct connect_config {
    const char *language; /* NULL, zh-CN or en-US */
    double timeout_s;     /* per request; <= 0: 30 */
    const char *cacert;
    bool insecure;
    double rate; /* requests per second (api_config.rate) */
};

/* The client settings for endpoint (NULL: API_DEFAULT_ENDPOINT) from cc. */
struct api_config connect_api_config(const struct connect_config *cc, const char *endpoint);
/* Resolves the credentials of profile (NULL or "": the chain's default order) into *cr and
 * builds a client for endpoint (NULL: API_DEFAULT_ENDPOINT). NULL with a one-line err (never a
 * secret) when either fails; a credentials warning goes to warn (warn[0] '\0' for none). *cr
 * is wiped on failure; on success the caller wipes it when done. */
struct api_client *connect_client(const struct connect_config *cc, const char *profile,
                                  const char *endpoint, struct creds *cr, char *warn,
                                  size_t warnlen, char *err, size_t errlen);

/* Plain http:// is for the local emulator. Anywhere else the signed requests (and the data)
 * cross the network unencrypted and anyone on the path can rewrite the answers: -1 (refused,
 * msg says why) unless allow_http, and then 0 with a warning in msg. msg[0] is '\0' when there
 * is nothing to say. */
int connect_http_policy(const char *endpoint, bool allow_http, char *msg, size_t n);
/* The endpoints spec/API.md §1 names: the China site (nearest region), the international
 * site, and region-pinned hosts. */
struct connect_endpoint {
    const char *url;
    const char *what;
};
const struct connect_endpoint *connect_endpoints(size_t *n);
/* An endpoint as typed: a URL (http:// or https://), "default", "intl", or a region
 * ("ap-guangzhou" gives https://ssl.ap-guangzhou.tencentcloudapi.com). False for anything
 * else (a region is lowercase letters, digits and '-'). */
bool connect_endpoint_url(const char *arg, char *out, size_t n);

#endif
