/* The HTTP server of the emulator: libmicrohttpd, one thread per connection (a held or slow
 * request never blocks the others), and the order in which a request is checked and routed.
 *
 * The order of checks on a request, and the error each one gives (HTTP 200 with the
 * Response.Error envelope unless noted):
 *   1. method not POST, path not "/", Content-Type not application/json → UnsupportedProtocol
 *      (the emulator implements only the TC3 POST/JSON style); body > 10 MiB →
 *      RequestSizeLimitExceeded
 *   2. X-TC-Action / X-TC-Version missing → MissingParameter
 *   3. Authorization missing or malformed, or not signing both content-type and host →
 *      AuthFailure.InvalidAuthorization
 *   4. X-TC-Timestamp missing → MissingParameter; not an integer → InvalidParameter;
 *      |server now − timestamp| > 300 s → AuthFailure.SignatureExpire
 *   5. unknown SecretId → AuthFailure.SecretIdNotFound
 *   6. a signed header absent from the request, a credential date that is not the UTC date of
 *      the timestamp, or a wrong signature → AuthFailure.SignatureFailure. The service comes
 *      from the credential scope; the host is tried as received, then without its port.
 *   7. token configured and X-TC-Token missing or different → AuthFailure.TokenFailure
 *   8. unknown action → InvalidAction; version other than 2019-12-05 → NoSuchVersion
 *   9. over the rate, as of the request's arrival (before any --latency-ms) →
 *      RequestLimitExceeded
 *  10. body not a JSON object → InvalidParameter; unknown key → UnknownParameter (the name
 *      quoted sanitized, at most 64 bytes); wrong type → InvalidParameter ("Parameter `Limit`
 *      type error."); a string that is not valid UTF-8 → InvalidParameter; required key
 *      missing → MissingParameter. Integers may be sent as numeric strings ("15"); a null
 *      value counts as absent.
 *  11. the action (actions.c, which also holds the paging rules).
 * Checks 3 to 7 are verify.c's, 9 is throttle.c's, 10 and 11 are actions.c's. A fault
 * (faults.c) strikes before any check. Messages follow X-TC-Language: zh-CN gives Chinese,
 * anything else English. */
#include "core/emulator/emulator.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/emulator/actions.h"
#include "core/emulator/answer.h"
#include "core/emulator/decimal.h"
#include "core/emulator/faults.h"
#include "core/emulator/throttle.h"
#include "core/emulator/verify.h"
#include "core/sanitize.h"
#include "core/threads.h"
#include "core/util.h"

#define EMU_VERSION  "2019-12-05"
#define EMU_MAX_BODY ((size_t)10 * 1024 * 1024)

struct emu {
    struct MHD_Daemon *daemon;
    int port;
    char url[192];
    int latency_ms;
    bool log;
    struct emu_credentials cred;
    struct emu_actions actions;
    struct emu_throttle throttle;
    struct emu_faults faults;

    pthread_mutex_t lock; /* stopping */
    pthread_cond_t wake;  /* signalled by emu_stop: ends held and delayed requests */
    bool stopping;

    _Atomic uint64_t requests;
};

/* One request's state across MHD's calls: the body as it arrives. */
struct req {
    struct buf body;
    bool too_big;
};

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static bool content_type_json(const char *ct)
{
    if (!ct) return false;
    static const char want[] = "application/json";
    if (strncasecmp(ct, want, sizeof want - 1) != 0) return false;
    char next = ct[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ';
}

/* Everything but faults: computes the answer to one complete request. */
static void handle(struct emu *e, struct MHD_Connection *c, const char *url, const char *method,
                   const struct req *rq, int64_t arrived_ns, const char *rid, struct emu_answer *a,
                   const char **action_out)
{
    const char *lang_h = header(c, "X-TC-Language");
    enum emu_lang l = lang_h && strcasecmp(lang_h, "zh-CN") == 0 ? EMU_LANG_ZH : EMU_LANG_EN;
    const char *action = header(c, "X-TC-Action");
    *action_out = action;

    if (strcmp(method, "POST") != 0) {
        emu_answer_std(a, rid, l, "UnsupportedProtocol", "method is not POST");
        return;
    }
    if (strcmp(url, "/") != 0) {
        emu_answer_std(a, rid, l, "UnsupportedProtocol", "path is not /");
        return;
    }
    if (rq->too_big) {
        emu_answer_std(a, rid, l, "RequestSizeLimitExceeded", NULL);
        return;
    }
    if (!content_type_json(header(c, "Content-Type"))) {
        emu_answer_std(a, rid, l, "UnsupportedProtocol", "Content-Type is not application/json");
        return;
    }
    if (!action || !*action) {
        emu_answer_param(a, rid, l, EMU_PARAM_MISSING, "Action", NULL);
        return;
    }
    const char *version = header(c, "X-TC-Version");
    if (!version || !*version) {
        emu_answer_param(a, rid, l, EMU_PARAM_MISSING, "Version", NULL);
        return;
    }

    if (!emu_verify_request(&e->cred, c, &rq->body, emu_actions_now(&e->actions), rid, l, a))
        return;

    const struct emu_action_def *def = emu_actions_find(action);
    if (!def) {
        emu_answer_std(a, rid, l, "InvalidAction", NULL);
        return;
    }
    if (strcmp(version, EMU_VERSION) != 0) {
        emu_answer_std(a, rid, l, "NoSuchVersion", NULL);
        return;
    }
    /* verified: the SecretId is ours, and the action's name is the header's */
    /* The service counts a request when it arrives, not when --latency-ms has passed. */
    if (!emu_throttle_allow(&e->throttle, e->cred.secret_id, action, arrived_ns)) {
        emu_answer_std(a, rid, l, "RequestLimitExceeded", NULL);
        return;
    }
    emu_actions_run(&e->actions, def, &rq->body, rid, l, a);
}

/* Sleeps ms, or less if the emulator stops. Returns false when it is stopping. */
static bool emu_sleep(struct emu *e, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->lock);
    while (!e->stopping) {
        if (pthread_cond_timedwait(&e->wake, &e->lock, &until) == ETIMEDOUT) break;
    }
    bool stopping = e->stopping;
    pthread_mutex_unlock(&e->lock);
    return !stopping;
}

static void log_line(struct emu *e, const char *method, const char *action, const char *outcome,
                     const char *note, int64_t ms)
{
    if (!e->log) return;
    char *a = sanitize_dup(action ? action : "-");
    char *m = sanitize_dup(method);
    char *n = sanitize_dup(note);
    fprintf(stderr, "certdeck-emulator: %s %s -> %s%s%s (%" PRId64 " ms)\n", m, a, outcome,
            *n ? ": " : "", n, ms);
    free(a);
    free(m);
    free(n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct emu *e = cls;
    struct req *rq = *con_cls;
    if (!rq) {
        rq = xcalloc(1, sizeof *rq);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (rq->body.len + *upload_data_size > EMU_MAX_BODY)
            rq->too_big = true;
        else
            buf_append(&rq->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    /* the whole request is in */
    int64_t t0 = now_ms(), arrived_ns = now_ns();
    atomic_fetch_add(&e->requests, 1);
    enum emu_fault f =
        emu_faults_take(&e->faults, header(c, "X-TC-Action"), rq->body.data, rq->body.len);
    if (f == EMU_FAULT_TIMEOUT) {
        int64_t hold =
            e->latency_ms > EMU_FAULT_TIMEOUT_HOLD_MS ? e->latency_ms : EMU_FAULT_TIMEOUT_HOLD_MS;
        log_line(e, method, header(c, "X-TC-Action"), "fault timeout", NULL, 0);
        emu_sleep(e, hold);
        return MHD_NO;
    }
    if (e->latency_ms > 0 && !emu_sleep(e, e->latency_ms)) return MHD_NO;
    if (f == EMU_FAULT_RESET) {
        log_line(e, method, header(c, "X-TC-Action"), "fault reset", NULL, now_ms() - t0);
        emu_fault_reset_connection(c);
        return MHD_NO;
    }

    char rid[37];
    emu_request_id(rid);
    unsigned status = MHD_HTTP_OK;
    struct MHD_Response *resp = emu_fault_response(f, rid, &status);
    const char *action = NULL;
    if (resp) {
        log_line(e, method, header(c, "X-TC-Action"), "fault", emu_fault_name(f), now_ms() - t0);
    } else {
        struct emu_answer a;
        memset(&a, 0, sizeof a);
        if (emu_fault_answer(f, rid, &a))
            action = header(c, "X-TC-Action");
        else
            handle(e, c, url, method, rq, arrived_ns, rid, &a, &action);
        if (!a.body)
            emu_answer_std(&a, rid, EMU_LANG_EN, "InternalError", "no answer"); /* defensive */
        emu_fault_spoil(f, &a);
        log_line(e, method, action, a.code ? a.code : "OK", a.note, now_ms() - t0);
        status = a.status;
        resp = MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(a.body);
            return MHD_NO;
        }
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a.content_type);
    }
    if (!resp) return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct req *rq = *con_cls;
    if (!rq) return;
    /* An upload's body holds a private key. */
    if (rq->body.data) secure_zero(rq->body.data, rq->body.len);
    buf_free(&rq->body);
    free(rq);
    *con_cls = NULL;
}

/* ---- start and stop ------------------------------------------------------------------------ */

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" into a bound, listening socket. */
static int open_listener(const char *listen_addr, int *port_out, char *url, size_t url_len,
                         bool *v6_out, char *err, size_t errlen)
{
    char host[128];
    const char *port_s;
    if (listen_addr[0] == '[') {
        const char *end = strchr(listen_addr, ']');
        if (!end || end[1] != ':' || (size_t)(end - listen_addr - 1) >= sizeof host) goto bad;
        memcpy(host, listen_addr + 1, (size_t)(end - listen_addr - 1));
        host[end - listen_addr - 1] = '\0';
        port_s = end + 2;
    } else {
        const char *colon = strrchr(listen_addr, ':');
        if (!colon || (size_t)(colon - listen_addr) >= sizeof host) goto bad;
        memcpy(host, listen_addr, (size_t)(colon - listen_addr));
        host[colon - listen_addr] = '\0';
        port_s = colon + 1;
    }
    if (!*host) strlcpy_safe(host, "127.0.0.1", sizeof host);
    if (strcmp(host, "localhost") == 0) strlcpy_safe(host, "127.0.0.1", sizeof host);
    int64_t port;
    if (!decimal_parse_i64(port_s, &port) || port < 0 || port > 65535) goto bad;

    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    bool v6 = false;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        sl = sizeof *s6;
        v6 = true;
    } else {
        goto bad;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 128) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", listen_addr, strerror(errno));
        close(fd);
        return -1;
    }
    sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port_out = ntohs(v6 ? s6->sin6_port : s4->sin_port);
    *v6_out = v6;
    snprintf(url, url_len, v6 ? "http://[%s]:%d" : "http://%s:%d", host, *port_out);
    return fd;
bad:
    snprintf(err, errlen, "bad listen address \"%s\" (expected HOST:PORT, e.g. 127.0.0.1:0)",
             listen_addr);
    return -1;
}

static void emu_free(struct emu *e)
{
    emu_actions_close(&e->actions);
    emu_throttle_free(&e->throttle);
    emu_faults_destroy(&e->faults);
    emu_credentials_wipe(&e->cred);
    pthread_cond_destroy(&e->wake);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

struct emu *emu_start(const struct emu_config *cfg, char *err, size_t errlen)
{
    static const struct emu_config defaults = {0};
    if (!cfg) cfg = &defaults;
    char dummy[8];
    if (!err) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';

    struct emu *e = xcalloc(1, sizeof *e);
    pthread_mutex_init(&e->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->wake, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&e->requests, 0);
    emu_credentials_init(&e->cred, cfg);
    emu_throttle_init(&e->throttle, cfg->rate == 0 ? 20 : cfg->rate);
    emu_faults_init(&e->faults);
    e->latency_ms = cfg->latency_ms > 0 ? cfg->latency_ms : 0;
    e->log = cfg->log_requests;
    if (emu_actions_open(&e->actions, cfg, err, errlen) != 0) {
        emu_free(e);
        return NULL;
    }

    bool v6 = false;
    int fd = open_listener(cfg->listen ? cfg->listen : "127.0.0.1:0", &e->port, e->url,
                           sizeof e->url, &v6, err, errlen);
    if (fd < 0) {
        emu_free(e);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_AUTO | (v6 ? MHD_USE_IPv6 : 0);
    /* The server's threads (and each connection's) inherit the mask of this call. */
    sigset_t old_mask;
    threads_quiet(&old_mask);
    e->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, e, MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, e,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512, MHD_OPTION_END);
    threads_unquiet(&old_mask);
    if (!e->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server on %s", e->url);
        close(fd);
        emu_free(e);
        return NULL;
    }
    return e;
}

int emu_port(const struct emu *e)
{
    return e ? e->port : 0;
}

const char *emu_url(const struct emu *e)
{
    return e ? e->url : "";
}

void emu_set_fault(struct emu *e, enum emu_fault fault, int count)
{
    if (e) emu_faults_set(&e->faults, fault, count, NULL);
}

void emu_set_fault_for(struct emu *e, const char *action, enum emu_fault fault, int count)
{
    if (e) emu_faults_set(&e->faults, fault, count, action);
}

void emu_set_random_faults(struct emu *e, double rate, uint64_t seed, unsigned kinds)
{
    if (e) emu_faults_set_random(&e->faults, rate, seed, kinds);
}

uint64_t emu_request_count(struct emu *e)
{
    return e ? atomic_load(&e->requests) : 0;
}

uint64_t emu_rate_limited_count(struct emu *e)
{
    return e ? emu_throttle_refused(&e->throttle) : 0;
}

void emu_stop(struct emu *e)
{
    if (!e) return;
    /* wake held (TIMEOUT) and delayed requests first: MHD joins their threads */
    pthread_mutex_lock(&e->lock);
    e->stopping = true;
    pthread_cond_broadcast(&e->wake);
    pthread_mutex_unlock(&e->lock);
    MHD_stop_daemon(e->daemon);
    emu_free(e);
}
