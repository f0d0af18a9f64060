/* The JSON scanner: the extent of a value, found with one pass and a depth counter. */
#include "core/jsonscan.h"

#include <string.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(const char *s, size_t len, size_t *pos)
{
    while (*pos < len && is_space(s[*pos]))
        (*pos)++;
}

bool jsonscan_only_space(const char *s, size_t len, size_t pos)
{
    skip_space(s, len, &pos);
    return pos == len;
}

/* A string starting at s[*pos] == '"': *pos after its closing quote. */
static enum jsonscan_result scan_string(const char *s, size_t len, size_t *pos)
{
    for (size_t i = *pos + 1; i < len; i++) {
        if (s[i] == '\\') {
            i++;
            continue;
        }
        if ((unsigned char)s[i] < 0x20) {
            *pos = i;
            return JSONSCAN_INVALID;
        }
        if (s[i] == '"') {
            *pos = i + 1;
            return JSONSCAN_OK;
        }
    }
    *pos = len;
    return JSONSCAN_TRUNCATED;
}

/* A number or a literal (true, false, null): the run of characters they may hold. */
static enum jsonscan_result scan_atom(const char *s, size_t len, size_t *pos)
{
    size_t i = *pos;
    while (i < len && (strchr("+-.0123456789eE", s[i]) || (s[i] >= 'a' && s[i] <= 'z')))
        i++;
    if (i == *pos) return JSONSCAN_INVALID;
    *pos = i;
    return i == len ? JSONSCAN_TRUNCATED : JSONSCAN_OK; /* a document never ends in an atom */
}

enum jsonscan_result jsonscan_value(const char *s, size_t len, size_t *pos, size_t *start,
                                    size_t *end)
{
    skip_space(s, len, pos);
    if (*pos >= len) return JSONSCAN_TRUNCATED;
    *start = *pos;
    char c = s[*pos];
    if (c == '"') {
        enum jsonscan_result r = scan_string(s, len, pos);
        *end = *pos;
        return r;
    }
    if (c != '{' && c != '[') {
        enum jsonscan_result r = scan_atom(s, len, pos);
        *end = *pos;
        return r == JSONSCAN_TRUNCATED ? JSONSCAN_OK : r; /* the caller judges what follows */
    }
    size_t depth = 0;
    for (size_t i = *pos; i < len; i++) {
        char ch = s[i];
        if (ch == '"') {
            size_t p = i;
            enum jsonscan_result r = scan_string(s, len, &p);
            if (r != JSONSCAN_OK) {
                *pos = p;
                return r;
            }
            i = p - 1;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (--depth == 0) {
                *pos = *end = i + 1;
                return JSONSCAN_OK;
            }
        }
    }
    *pos = len;
    return JSONSCAN_TRUNCATED;
}

/* Past the opening bracket at s[*pos] (whitespace before it skipped). */
static enum jsonscan_result open_bracket(const char *s, size_t len, size_t *pos, char open)
{
    skip_space(s, len, pos);
    if (*pos >= len) return JSONSCAN_TRUNCATED;
    if (s[*pos] != open) return JSONSCAN_INVALID;
    (*pos)++;
    return JSONSCAN_OK;
}

enum jsonscan_result jsonscan_object_open(const char *s, size_t len, size_t *pos)
{
    return open_bracket(s, len, pos, '{');
}

enum jsonscan_result jsonscan_array_open(const char *s, size_t len, size_t *pos)
{
    return open_bracket(s, len, pos, '[');
}

/* Past the comma between two entries of an object or array, or at the closing bracket
 * (JSONSCAN_END, *pos past it). open: the opening bracket, for "[," and "{,". */
static enum jsonscan_result entry_next(const char *s, size_t len, size_t *pos, char open,
                                       char close)
{
    skip_space(s, len, pos);
    if (*pos >= len) return JSONSCAN_TRUNCATED;
    if (s[*pos] == close) {
        (*pos)++;
        return JSONSCAN_END;
    }
    if (s[*pos] == ',') {
        size_t back = *pos;
        while (back > 0 && is_space(s[back - 1]))
            back--;
        if (back == 0 || s[back - 1] == open) return JSONSCAN_INVALID; /* "[," */
        (*pos)++;
        skip_space(s, len, pos);
        if (*pos >= len) return JSONSCAN_TRUNCATED;
    }
    return JSONSCAN_OK;
}

/* What follows an entry: a comma or the closing bracket. */
static enum jsonscan_result entry_after(const char *s, size_t len, size_t *pos, char close)
{
    size_t after = *pos;
    skip_space(s, len, &after);
    if (after >= len) return JSONSCAN_TRUNCATED;
    if (s[after] != ',' && s[after] != close) {
        *pos = after;
        return JSONSCAN_INVALID;
    }
    return JSONSCAN_OK;
}

enum jsonscan_result jsonscan_element(const char *s, size_t len, size_t *pos, size_t *vstart,
                                      size_t *vend)
{
    enum jsonscan_result r = entry_next(s, len, pos, '[', ']');
    if (r != JSONSCAN_OK) return r;
    if (s[*pos] == ']' || s[*pos] == ',') return JSONSCAN_INVALID; /* "[1,]", "[1,,2]" */
    r = jsonscan_value(s, len, pos, vstart, vend);
    if (r != JSONSCAN_OK) return r;
    return entry_after(s, len, pos, ']');
}

enum jsonscan_result jsonscan_member(const char *s, size_t len, size_t *pos, size_t *kstart,
                                     size_t *kend, size_t *vstart, size_t *vend)
{
    enum jsonscan_result next = entry_next(s, len, pos, '{', '}');
    if (next != JSONSCAN_OK) return next;
    if (s[*pos] != '"') return JSONSCAN_INVALID;
    *kstart = *pos;
    enum jsonscan_result r = scan_string(s, len, pos);
    if (r != JSONSCAN_OK) return r;
    *kend = *pos;
    skip_space(s, len, pos);
    if (*pos >= len) return JSONSCAN_TRUNCATED;
    if (s[*pos] != ':') return JSONSCAN_INVALID;
    (*pos)++;
    r = jsonscan_value(s, len, pos, vstart, vend);
    if (r != JSONSCAN_OK) return r;
    return entry_after(s, len, pos, '}'); /* a comma or the end of the object */
}
