/* The fault injector: the fault plan, the canned and spoiled responses, and the fault names
 * of the --fault flag. */
#include "core/emulator/faults.h"

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/codec.h"
#include "core/emulator/rng.h"
#include "core/util.h"

#define EMU_HUGE_SIZE ((uint64_t)40 * 1024 * 1024)

void emu_faults_init(struct emu_faults *fs)
{
    memset(fs, 0, sizeof *fs);
    pthread_mutex_init(&fs->lock, NULL);
    fs->fault = EMU_FAULT_NONE;
}

void emu_faults_destroy(struct emu_faults *fs)
{
    free(fs->seen_keys);
    free(fs->seen_counts);
    pthread_mutex_destroy(&fs->lock);
}

void emu_faults_set(struct emu_faults *fs, enum emu_fault fault, int count, const char *action)
{
    pthread_mutex_lock(&fs->lock);
    fs->fault = count == 0 ? EMU_FAULT_NONE : fault;
    fs->left = count;
    strlcpy_safe(fs->action, action ? action : "", sizeof fs->action);
    pthread_mutex_unlock(&fs->lock);
}

void emu_faults_set_random(struct emu_faults *fs, double rate, uint64_t seed, unsigned kinds)
{
    pthread_mutex_lock(&fs->lock);
    fs->rate = rate > 0 ? (rate < 1 ? rate : 1) : 0;
    fs->seed = seed;
    fs->kinds = kinds ? kinds : EMU_FAULT_KINDS_ALL;
    pthread_mutex_unlock(&fs->lock);
}

static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001B3ull; /* FNV-1a */
    return rng_hash2(h, n);
}

/* With fs->lock held: how many times key was seen before, counting this one. */
static uint32_t seen_bump(struct emu_faults *fs, uint64_t key)
{
    if ((fs->seen_n + 1) * 2 > fs->seen_cap) {
        size_t cap = fs->seen_cap ? fs->seen_cap * 2 : 1024;
        uint64_t *keys = xcalloc(cap, sizeof *keys);
        uint32_t *counts = xcalloc(cap, sizeof *counts);
        for (size_t i = 0; i < fs->seen_cap; i++) {
            if (!fs->seen_counts[i]) continue;
            size_t j = fs->seen_keys[i] & (cap - 1);
            while (counts[j])
                j = (j + 1) & (cap - 1);
            keys[j] = fs->seen_keys[i];
            counts[j] = fs->seen_counts[i];
        }
        free(fs->seen_keys);
        free(fs->seen_counts);
        fs->seen_keys = keys;
        fs->seen_counts = counts;
        fs->seen_cap = cap;
    }
    size_t j = key & (fs->seen_cap - 1);
    while (fs->seen_counts[j] && fs->seen_keys[j] != key)
        j = (j + 1) & (fs->seen_cap - 1);
    if (!fs->seen_counts[j]) {
        fs->seen_keys[j] = key;
        fs->seen_n++;
    }
    return fs->seen_counts[j]++;
}

/* With fs->lock held: the random fault of this request, or NONE. */
static enum emu_fault draw(struct emu_faults *fs, const char *action, const char *body, size_t len)
{
    uint64_t key = hash_bytes(fs->seed ^ 0xcbf29ce484222325ull, action ? action : "",
                              action ? strlen(action) : 0);
    key = hash_bytes(key, body ? body : "", body ? len : 0);
    uint64_t r = rng_hash2(key, seen_bump(fs, key));
    if ((double)(r >> 11) * 0x1.0p-53 >= fs->rate) return EMU_FAULT_NONE;
    enum emu_fault kinds[32];
    unsigned n = 0;
    for (unsigned f = EMU_FAULT_NONE + 1; f < 32; f++)
        if (fs->kinds & (1u << f)) kinds[n++] = (enum emu_fault)f;
    return n ? kinds[rng_hash2(r, 0x5eed) % n] : EMU_FAULT_NONE;
}

enum emu_fault emu_faults_take(struct emu_faults *fs, const char *action, const char *body,
                               size_t len)
{
    pthread_mutex_lock(&fs->lock);
    enum emu_fault f = fs->fault;
    if (f != EMU_FAULT_NONE && fs->action[0] && (!action || strcmp(action, fs->action) != 0))
        f = EMU_FAULT_NONE; /* planned for another action */
    if (f != EMU_FAULT_NONE && fs->left > 0 && --fs->left == 0) fs->fault = EMU_FAULT_NONE;
    if (f == EMU_FAULT_NONE && fs->rate > 0) f = draw(fs, action, body, len);
    pthread_mutex_unlock(&fs->lock);
    return f;
}

/* Replaces integers of a success body with wrongly typed values: every item's Port becomes
 * "x" (and so on for the other actions), as a broken backend might send. */
static void wrong_types(struct emu_answer *a)
{
    struct api_error perr;
    cJSON *root = codec_parse(a->body, a->len, NULL, &perr);
    cJSON *resp = cJSON_GetObjectItemCaseSensitive(root, "Response");
    if (!cJSON_IsObject(resp)) {
        cJSON_Delete(root);
        return;
    }
    bool done = false;
    cJSON *runs = cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordDetail");
    cJSON *run;
    cJSON_ArrayForEach(run, runs)
    {
        cJSON *group;
        cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(run, "RecordDetailList"))
        {
            cJSON *item;
            cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(group, "List"))
            {
                cJSON_ReplaceItemInObjectCaseSensitive(item, "Port", cJSON_CreateString("x"));
                done = true;
            }
        }
        if (!done) {
            cJSON_ReplaceItemInObjectCaseSensitive(run, "TotalCount", cJSON_CreateString("x"));
            done = true;
        }
    }
    static const char *const ints[] = {"DeployRecordDetail", "TotalCount", "DeployStatus"};
    for (size_t i = 0; !done && i < ARRAY_LEN(ints); i++)
        if (cJSON_GetObjectItemCaseSensitive(resp, ints[i])) {
            cJSON_ReplaceItemInObjectCaseSensitive(resp, ints[i], cJSON_CreateString("x"));
            done = true;
        }
    if (!done) cJSON_ReplaceItemInObjectCaseSensitive(resp, "RequestId", cJSON_CreateNumber(42));
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!s) return;
    free(a->body);
    a->body = xstrdup(s);
    a->len = strlen(a->body);
    cJSON_free(s);
}

struct huge_body {
    char head[128];
    size_t head_len;
    uint64_t total;
};

/* Streams {"Response":{"RequestId":"…","Padding":"xxxx…"}} of exactly total bytes. */
static ssize_t huge_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    const struct huge_body *h = cls;
    if (pos >= h->total) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = 0;
    static const char tail[] = "\"}}";
    while (n < max && pos < h->total) {
        char ch;
        if (pos < h->head_len)
            ch = h->head[pos];
        else if (pos >= h->total - (sizeof tail - 1))
            ch = tail[pos - (h->total - (sizeof tail - 1))];
        else
            ch = 'x';
        buf[n++] = ch;
        pos++;
    }
    return (ssize_t)n;
}

struct MHD_Response *emu_fault_response(enum emu_fault f, const char *rid, unsigned *status)
{
    static const char html500[] =
        "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center>"
        "<h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
        "</html>\r\n";
    static const char html503[] =
        "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
        "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx"
        "</center>\r\n</body>\r\n</html>\r\n";
    static const char garbage[] = "\x1f\x8b\x08\x00<html><body>upstream sent an invalid "
                                  "response</body></html>\xff\xfe";
    struct MHD_Response *r = NULL;
    const char *ct = "text/html";
    switch (f) {
    case EMU_FAULT_HTTP_500:
        *status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        r = MHD_create_response_from_buffer(sizeof html500 - 1, (void *)html500,
                                            MHD_RESPMEM_PERSISTENT);
        break;
    case EMU_FAULT_HTTP_503:
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        r = MHD_create_response_from_buffer(sizeof html503 - 1, (void *)html503,
                                            MHD_RESPMEM_PERSISTENT);
        break;
    case EMU_FAULT_GARBAGE:
        *status = MHD_HTTP_OK;
        ct = "application/json";
        r = MHD_create_response_from_buffer(sizeof garbage - 1, (void *)garbage,
                                            MHD_RESPMEM_PERSISTENT);
        break;
    case EMU_FAULT_HUGE: {
        *status = MHD_HTTP_OK;
        ct = "application/json";
        struct huge_body *h = xcalloc(1, sizeof *h);
        h->head_len = (size_t)snprintf(h->head, sizeof h->head,
                                       "{\"Response\":{\"RequestId\":\"%s\",\"Padding\":\"", rid);
        h->total = EMU_HUGE_SIZE;
        r = MHD_create_response_from_callback(h->total, (size_t)64 * 1024, huge_reader, h, free);
        break;
    }
    default:
        break;
    }
    if (r) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
    return r;
}

void emu_fault_reset_connection(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return;
    struct linger lg = {1, 0};
    setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static const struct {
    enum emu_fault f;
    const char *name;
} fault_names[] = {
    /* The first entry for each fault is its canonical name; "500" and "503" are aliases. */
    {EMU_FAULT_NONE, "none"},
    {EMU_FAULT_HTTP_500, "http-500"},
    {EMU_FAULT_HTTP_503, "http-503"},
    {EMU_FAULT_RESET, "reset"},
    {EMU_FAULT_TIMEOUT, "timeout"},
    {EMU_FAULT_TRUNCATED, "truncated"},
    {EMU_FAULT_GARBAGE, "garbage"},
    {EMU_FAULT_HUGE, "huge"},
    {EMU_FAULT_WRONG_TYPES, "wrong-types"},
    {EMU_FAULT_RATE_LIMIT, "rate-limit"},
    {EMU_FAULT_INTERNAL, "internal"},
    {EMU_FAULT_HTTP_500, "500"},
    {EMU_FAULT_HTTP_503, "503"},
};

/* Lowercase, without '-' and '_': "Wrong_Types" and "wrong-types" compare equal. Returns
 * false when the name does not fit. */
static bool fault_name_norm(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (const char *p = name; *p; p++) {
        if (*p == '-' || *p == '_') continue;
        if (k + 1 >= n) return false;
        out[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    }
    out[k] = '\0';
    return true;
}

/* Lookups ignore case, '-' and '_', and also take "500" and "503". */
int emu_fault_from_name(const char *name)
{
    char want[32], have[32];
    if (!name || !fault_name_norm(name, want, sizeof want)) return -1;
    for (size_t i = 0; i < ARRAY_LEN(fault_names); i++)
        if (fault_name_norm(fault_names[i].name, have, sizeof have) && strcmp(have, want) == 0)
            return (int)fault_names[i].f;
    return -1;
}

int emu_fault_kinds_from_list(const char *list, unsigned *kinds)
{
    *kinds = 0;
    char name[32];
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof name) return -1;
        memcpy(name, p, n);
        name[n] = '\0';
        int f = emu_fault_from_name(name);
        if (f <= EMU_FAULT_NONE) return -1;
        *kinds |= 1u << f;
        p += n;
        if (*p == ',') p++;
    }
    return *kinds ? 0 : -1;
}

const char *emu_fault_name(enum emu_fault f)
{
    for (size_t i = 0; i < ARRAY_LEN(fault_names); i++)
        if (fault_names[i].f == f) return fault_names[i].name;
    return NULL;
}

bool emu_fault_answer(enum emu_fault f, const char *rid, struct emu_answer *a)
{
    if (f != EMU_FAULT_RATE_LIMIT && f != EMU_FAULT_INTERNAL) return false;
    emu_answer_std(a, rid, EMU_LANG_EN,
                   f == EMU_FAULT_RATE_LIMIT ? "RequestLimitExceeded" : "InternalError", "fault");
    return true;
}

void emu_fault_spoil(enum emu_fault f, struct emu_answer *a)
{
    if (f == EMU_FAULT_WRONG_TYPES && !a->code) wrong_types(a);
    if (f == EMU_FAULT_TRUNCATED) a->len /= 2;
}
