/* The local stand-in for ssl.tencentcloudapi.com: a libmicrohttpd server on loopback that
 * verifies TC3 signatures, routes the five actions, pages, rate-limits, injects faults and
 * serves a generated or loaded dataset. Used in-process by `certdeck --demo` and the tests,
 * and standalone as certdeck-emulator. */
#ifndef CERTDECK_EMULATOR_H
#define CERTDECK_EMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_DEMO_SECRET_ID  "AKIDcertdeckDEMO0000000000000000000"
#define EMU_DEMO_SECRET_KEY "certdeckDemoSecretKey0000000000000"

/* Faults the emulator can inject instead of answering, for testing the client's error paths. */
enum emu_fault {
    EMU_FAULT_NONE = 0,
    EMU_FAULT_HTTP_500,    /* HTTP 500 with an HTML body */
    EMU_FAULT_HTTP_503,    /* HTTP 503 */
    EMU_FAULT_RESET,       /* close the connection without answering */
    EMU_FAULT_TIMEOUT,     /* hold the request for latency (client times out) */
    EMU_FAULT_TRUNCATED,   /* a valid response cut in half */
    EMU_FAULT_GARBAGE,     /* HTTP 200, body not JSON */
    EMU_FAULT_HUGE,        /* HTTP 200, a body of fault_size bytes (default 40 MiB) */
    EMU_FAULT_WRONG_TYPES, /* a response whose Port is a string "x" */
    EMU_FAULT_RATE_LIMIT,  /* RequestLimitExceeded regardless of the rate */
    EMU_FAULT_INTERNAL,    /* InternalError */
};
/* Every fault kind, as a mask of 1u << fault. */
#define EMU_FAULT_KINDS_ALL (((1u << (EMU_FAULT_INTERNAL + 1)) - 1) & ~1u)

/* How Limit/Offset page DescribeHostUploadUpdateRecordDetail, a guess ([G]) in the spec:
 * inside each resource-type group, or over each run's groups concatenated in order. Every
 * group is listed with its full TotalCount either way. */
enum emu_paging {
    EMU_PAGING_GROUP = 0, /* the default */
    EMU_PAGING_FLAT,
};

struct emu_config {
    const char *listen;    /* "127.0.0.1:0" (port 0 picks a free one); NULL: that */
    const char *secret_id; /* the accepted key pair; NULL: EMU_DEMO_SECRET_ID/KEY */
    const char *secret_key;
    const char *token;        /* if set, requests must carry X-TC-Token equal to it */
    double rate;              /* requests/s per action per SecretId; 0: 20; < 0: unlimited */
    int latency_ms;           /* added to every answer */
    uint64_t seed;            /* generator seed; 0: 1 */
    int records;              /* generated records; 0: 40 */
    int max_instances;        /* largest group; 0: 5000 */
    const char *dataset_file; /* load instead of generating */
    bool log_requests;        /* one line per request on stderr */
    int64_t clock_offset_s;   /* server clock = now + offset (tests of SignatureExpire) */
    enum emu_paging paging;   /* detail paging; 0: EMU_PAGING_GROUP */
    int64_t data_clock_unix;  /* if set, the dataset's clock stands still at this time
                                 (generation, progress, writes): two runs of one config
                                 serve the same bytes. Signatures use the real clock. */
};

struct emu;

/* Starts the server thread. Returns NULL with err filled (e.g. port in use, bad dataset with
 * its path-precise reason). */
struct emu *emu_start(const struct emu_config *cfg, char *err, size_t errlen);
int emu_port(const struct emu *e);
/* "http://127.0.0.1:PORT" */
const char *emu_url(const struct emu *e);
/* The next `count` requests (count < 0: all) get this fault instead of an answer. */
void emu_set_fault(struct emu *e, enum emu_fault fault, int count);
/* As emu_set_fault, counting and striking only requests of action. */
void emu_set_fault_for(struct emu *e, const char *action, enum emu_fault fault, int count);
/* Random faults: each request gets a fault drawn from kinds (a mask of 1u << fault; 0: every
 * kind) with probability rate (0: none), reproducibly for a seed whatever the order of
 * concurrent requests (see core/emulator/faults.h). The planned fault, if any, comes first. */
void emu_set_random_faults(struct emu *e, double rate, uint64_t seed, unsigned kinds);
/* Requests served so far (all outcomes), for tests. */
uint64_t emu_request_count(struct emu *e);
/* Requests its rate limit answered RequestLimitExceeded so far (injected rate-limit faults
 * not counted). */
uint64_t emu_rate_limited_count(struct emu *e);
void emu_stop(struct emu *e);

/* Name <-> fault for the --fault flag; -1 / NULL when unknown. */
int emu_fault_from_name(const char *name);
/* "truncated,reset,http-503" into a mask of 1u << fault (--fault-kinds); -1 when a name is
 * unknown or the list is empty. */
int emu_fault_kinds_from_list(const char *list, unsigned *kinds);
const char *emu_fault_name(enum emu_fault f);
/* Name <-> paging for the --paging flag ("group", "flat"); -1 / NULL when unknown. */
int emu_paging_from_name(const char *name);
const char *emu_paging_name(enum emu_paging p);

#endif
