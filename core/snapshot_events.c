/* The event log of a snapshot file read back: each call's time (made relative to now, as the
 * store keeps them), action, outcome and error, every string sanitized and cut to its field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/codec.h"
#include "core/sanitize.h"
#include "core/snapshot_parts.h"
#include "core/util.h"

bool snapshot_utc_time(const char *s, int64_t *out)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
    if (!s || strlen(s) != sizeof pattern - 1) return false;
    for (size_t i = 0; pattern[i]; i++)
        if (pattern[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pattern[i]) return false;
    return apitime_unix(s, out);
}

const char *snapshot_json_type(const cJSON *v)
{
    return !v                  ? "nothing"
           : cJSON_IsString(v) ? "a string"
           : cJSON_IsNumber(v) ? "a number"
           : cJSON_IsArray(v)  ? "an array"
           : cJSON_IsObject(v) ? "an object"
           : cJSON_IsBool(v)   ? "a boolean"
           : cJSON_IsNull(v)   ? "null"
                               : "something else";
}

static const char *intern(struct snapshot *s, const char *text)
{
    for (size_t i = 0; i < s->n_strings; i++)
        if (!strcmp(s->strings[i], text)) return s->strings[i];
    s->strings = xrealloc(s->strings, (s->n_strings + 1) * sizeof *s->strings);
    return s->strings[s->n_strings++] = sanitize_dup(text);
}

/* A member that must be a string (absent: ""), copied sanitized into dst[n]. */
static bool ev_str(const cJSON *o, const char *name, char *dst, size_t n, char *why, size_t wn)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (v && !cJSON_IsString(v)) {
        snprintf(why, wn, "%s: expected a string, got %s", name, snapshot_json_type(v));
        return false;
    }
    sanitize_copy(dst, n, v ? v->valuestring : "");
    return true;
}

static bool ev_int(const cJSON *o, const char *name, int64_t *dst, char *why, size_t wn)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *dst = 0;
    if (v && codec_int_value(v, dst) != 0) {
        snprintf(why, wn, "%s: expected an integer, got %s", name, snapshot_json_type(v));
        return false;
    }
    return true;
}

static bool ev_bool(const cJSON *o, const char *name, bool *dst)
{
    *dst = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
    return true;
}

static bool decode_event(struct snapshot *s, const cJSON *o, struct api_trace *t, int64_t now_ms_,
                         int64_t now_unix_, char *why, size_t wn)
{
    memset(t, 0, sizeof *t);
    if (!cJSON_IsObject(o)) {
        snprintf(why, wn, "expected an object, got %s", snapshot_json_type(o));
        return false;
    }
    char when[40], action[80];
    int64_t v, at;
    if (!ev_str(o, "time", when, sizeof when, why, wn)) return false;
    if (!snapshot_utc_time(when, &at)) {
        snprintf(why, wn, "time: expected a UTC time like 2025-12-31T00:00:00Z");
        return false;
    }
    t->started_ms = now_ms_ - (now_unix_ - at) * 1000;
    if (!ev_str(o, "action", action, sizeof action, why, wn)) return false;
    t->action = intern(s, action);
    if (!ev_str(o, "params", t->params, sizeof t->params, why, wn)) return false;
    if (!ev_int(o, "duration_ms", &t->duration_ms, why, wn)) return false;
    if (!ev_int(o, "rate_wait_ms", &t->rate_wait_ms, why, wn)) return false;
    if (!ev_int(o, "attempts", &v, why, wn)) return false;
    t->attempts = v > 0 && v < 1000000 ? (int)v : 0;
    if (!ev_int(o, "rate_limited", &v, why, wn)) return false;
    t->rate_limited = v > 0 && v < 1000000 ? (int)v : 0;
    if (!ev_int(o, "http_status", &v, why, wn)) return false;
    t->http_status = v > 0 && v < 1000 ? (long)v : 0;
    if (!ev_str(o, "request_id", t->request_id, sizeof t->request_id, why, wn)) return false;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (!e || cJSON_IsNull(e)) return true;
    if (!cJSON_IsObject(e)) {
        snprintf(why, wn, "error: expected an object or null, got %s", snapshot_json_type(e));
        return false;
    }
    struct api_error *er = &t->err;
    if (!ev_int(e, "kind", &v, why, wn)) return false;
    er->kind = v > APIERR_NONE && v <= APIERR_USAGE ? (enum apierr_kind)v : APIERR_API;
    if (!ev_str(e, "code", er->code, sizeof er->code, why, wn) ||
        !ev_str(e, "message", er->message, sizeof er->message, why, wn) ||
        !ev_str(e, "request_id", er->request_id, sizeof er->request_id, why, wn) ||
        !ev_str(e, "transport", er->transport, sizeof er->transport, why, wn) ||
        !ev_int(e, "http_status", &v, why, wn))
        return false;
    er->http_status = v > 0 && v < 1000 ? (long)v : 0;
    ev_bool(e, "request_sent", &er->request_sent);
    ev_bool(e, "outcome_unknown", &er->outcome_unknown);
    return true;
}

int snapshot_decode_events(struct snapshot *s, const cJSON *evs, char *why, size_t n)
{
    if (!evs || cJSON_IsNull(evs)) return 0;
    if (!cJSON_IsArray(evs)) {
        snprintf(why, n, "events: expected an array, got %s", snapshot_json_type(evs));
        return -1;
    }
    size_t count = (size_t)cJSON_GetArraySize(evs);
    s->events = xcalloc(count ? count : 1, sizeof *s->events);
    int64_t nm = now_ms(), nu = now_unix();
    for (const cJSON *e = evs->child; e; e = e->next) {
        char one[200];
        if (!decode_event(s, e, &s->events[s->n_events], nm, nu, one, sizeof one)) {
            snprintf(why, n, "events[%zu]: %s", s->n_events, one);
            return -1;
        }
        s->n_events++;
    }
    return 0;
}
