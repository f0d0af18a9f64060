/* Error templates, one message at a time: cut a message into pieces (words, values, spaces,
 * CJK text), mask the values by their own shape, and write the template. See errtmpl.h for
 * the rules and how they relate to Drain. The grouping of many items is errtmpl_set.c. */
#include "core/errtmpl.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

enum piece_kind { P_LIT, P_SPACE, P_VAR };

struct piece {
    enum piece_kind kind;
    size_t off, len; /* P_LIT: bytes of the message */
};

struct pieces {
    struct piece *v;
    size_t n, cap;
};

static void push(struct pieces *p, enum piece_kind kind, size_t off, size_t len)
{
    if (kind == P_LIT && len == 0) return;
    /* one space piece per run, and literal bytes that follow each other stay one piece */
    if (p->n && kind == P_SPACE && p->v[p->n - 1].kind == P_SPACE) return;
    if (p->n && kind == P_LIT && p->v[p->n - 1].kind == P_LIT &&
        p->v[p->n - 1].off + p->v[p->n - 1].len == off) {
        p->v[p->n - 1].len += len;
        return;
    }
    p->v = xgrow(p->v, &p->cap, p->n + 1, sizeof *p->v);
    p->v[p->n++] = (struct piece){kind, off, len};
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}
static bool is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}
static bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}
static bool is_alnum(unsigned char c)
{
    return is_digit(c) || is_lower(c) || is_upper(c);
}

/* ASCII bytes that may be part of a value token: IDs, domains, addresses, paths, numbers. */
static bool is_value_char(unsigned char c)
{
    return is_alnum(c) || (c && strchr("._-:/@*%+~#[]", c) != NULL);
}

/* Length of the UTF-8 sequence starting with lead byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
    return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* ---- what a value looks like ------------------------------------------------------------ */

/* Prefixes of Tencent Cloud resource IDs (lb-…, lbl-…, ins-…): a token "prefix-tail" with one
 * of these is an ID even when its random tail happens to hold no digit. */
static const char *const id_prefixes[] = {
    "lb",   "lbl",  "ins",    "cls",      "zone",   "gateway", "service",   "waf",     "bgpip",
    "eip",  "vpc",  "subnet", "sg",       "disk",   "cdb",     "np",        "lhins",   "cert",
    "env",  "prod", "test",   "dev",      "bucket", "ssl",     "lbr",       "eni",     "nat",
    "ccn",  "cvm",  "img",    "snap",     "tke",    "ap",      "apigw",     "tcb",     "tse",
    "ddos", "cdn",  "vod",    "live",     "teo",    "ingress", "ngw",       "ckafka",  "crs",
    "cmq",  "tdmq", "es",     "postgres", "redis",  "mongodb", "sqlserver", "mariadb", "dcdb",
};

static bool has_digit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_digit((unsigned char)s[i])) return true;
    return false;
}

static bool is_consonant(unsigned char c)
{
    return is_lower(c) && !strchr("aeiou", c);
}

/* "lb-8ausljxl", "zone-2qxbnkzeyvuj", "waf_abcdefghijklmnop": a known prefix and a tail of
 * four or more, or any prefix and a long tail that reads as random (four consonants running). */
static bool looks_like_id(const char *s, size_t n)
{
    size_t p = 0;
    while (p < n && is_lower((unsigned char)s[p]))
        p++;
    if (p == 0 || p >= n || (s[p] != '-' && s[p] != '_')) return false;
    const char *tail = s + p + 1;
    size_t tn = n - p - 1;
    for (size_t i = 0; i < tn; i++)
        if (!is_alnum((unsigned char)tail[i]) && tail[i] != '-' && tail[i] != '_') return false;
    for (size_t i = 0; i < ARRAY_LEN(id_prefixes); i++)
        if (strlen(id_prefixes[i]) == p && memcmp(s, id_prefixes[i], p) == 0 && tn >= 4)
            return true;
    if (tn < 8) return false;
    size_t run = 0;
    for (size_t i = 0; i < tn; i++) {
        run = is_consonant((unsigned char)tail[i]) ? run + 1 : 0;
        if (run >= 4) return true;
    }
    return false;
}

/* "www.example.com", "*.example.cn", "xn--fiqs8s.cn": two or more labels, the last of two or
 * more lowercase letters (or a punycode label). */
static bool looks_like_domain(const char *s, size_t n)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            unsigned char c = (unsigned char)s[i];
            if (!is_alnum(c) && c != '-' && c != '_' && c != '*') return false;
            continue;
        }
        if (i == start) return false; /* an empty label */
        labels++;
        if (i == n) {
            const char *last = s + start;
            size_t ln = i - start;
            if (ln >= 4 && memcmp(last, "xn--", 4) == 0) break;
            if (ln < 2) return false;
            for (size_t k = 0; k < ln; k++)
                if (!is_lower((unsigned char)last[k])) return false;
        }
        start = i + 1;
    }
    return labels >= 2;
}

/* "OMhKAc35"-like IDs without a digit: letters only, both cases, and two capitals in a row
 * followed later by a small letter (which CamelCase words rarely have). */
static bool looks_like_mixed_id(const char *s, size_t n)
{
    if (n < 6) return false;
    bool lower = false, upper_pair = false, lower_after_pair = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_alnum(c)) return false;
        if (is_lower(c)) {
            lower = true;
            if (upper_pair) lower_after_pair = true;
        }
        if (i + 1 < n && is_upper(c) && is_upper((unsigned char)s[i + 1])) upper_pair = true;
    }
    return lower && lower_after_pair;
}

static bool looks_like_value(const char *s, size_t n)
{
    if (n == 0) return false;
    if (has_digit(s, n)) return true;
    const void *at = memchr(s, '@', n);
    if (at && at != s && (const char *)at != s + n - 1) return true;
    const char *slash = memchr(s, '/', n);
    if (slash && n > 1 && (slash == s || slash != s + n - 1)) return true;
    return looks_like_domain(s, n) || looks_like_id(s, n) || looks_like_mixed_id(s, n);
}

/* An ASCII token [off, off+n): addresses and times (hex digits, dots, colons, brackets) are one
 * value;
 * other tokens holding ':' are cut there ("error:lb-xxx" keeps "error"). */
static void add_token(struct pieces *p, const char *msg, size_t off, size_t n)
{
    const char *s = msg + off;
    bool addr = has_digit(s, n);
    for (size_t i = 0; i < n && addr; i++) {
        unsigned char c = (unsigned char)s[i];
        addr = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
               c == ':' || c == '[' || c == ']';
    }
    bool url = false;
    for (size_t i = 0; i + 3 <= n && !url; i++)
        url = memcmp(s + i, "://", 3) == 0;
    if (!addr && !url && memchr(s, ':', n)) {
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && s[i] != ':') continue;
            if (i > start) {
                size_t len = i - start;
                push(p, looks_like_value(s + start, len) ? P_VAR : P_LIT, off + start, len);
            }
            if (i < n) push(p, P_LIT, off + i, 1);
            start = i + 1;
        }
        return;
    }
    push(p, addr || url || looks_like_value(s, n) ? P_VAR : P_LIT, off, n);
}

/* ---- quotes ------------------------------------------------------------------------------ */

#define QUOTE_MAX 256 /* longer "quoted" spans are prose, not a value */

struct quote {
    const char *open, *close;
};
static const struct quote quotes[] = {
    {"\"", "\""},
    {"`", "`"},
    {"\xe2\x80\x9c", "\xe2\x80\x9d"}, /* “ ” */
    {"\xe2\x80\x98", "\xe2\x80\x99"}, /* ‘ ’ */
    {"\xe3\x80\x8c", "\xe3\x80\x8d"}, /* 「 」 */
    {"\xe3\x80\x8e", "\xe3\x80\x8f"}, /* 『 』 */
    {"'", "'"},
};

/* If a quote opens at msg[i] and closes within QUOTE_MAX bytes, pushes open, value, close and
 * returns the index after the closing quote; otherwise returns i. An apostrophe counts only
 * outside words ("doesn't" is no quote). */
static size_t try_quote(struct pieces *p, const char *msg, size_t len, size_t i)
{
    for (size_t q = 0; q < ARRAY_LEN(quotes); q++) {
        size_t ol = strlen(quotes[q].open), cl = strlen(quotes[q].close);
        if (i + ol > len || memcmp(msg + i, quotes[q].open, ol) != 0) continue;
        bool apos = quotes[q].open[0] == '\'';
        if (apos && i > 0 && is_alnum((unsigned char)msg[i - 1])) return i;
        size_t from = i + ol, end = from + QUOTE_MAX < len ? from + QUOTE_MAX : len;
        for (size_t k = from; k + cl <= end; k++) {
            if (msg[k] == '\n') break;
            if (memcmp(msg + k, quotes[q].close, cl) != 0) continue;
            if (apos && k + cl < len && is_alnum((unsigned char)msg[k + cl])) continue;
            if (k == from) break; /* empty quotes: text */
            push(p, P_LIT, i, ol);
            push(p, P_VAR, 0, 0);
            push(p, P_LIT, k, cl);
            return k + cl;
        }
        return i;
    }
    return i;
}

/* ---- non-ASCII domains ------------------------------------------------------------------- */

/* CJK and fullwidth punctuation, which a domain label never holds. */
static bool is_wide_punct(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == 0xe3 && u[1] == 0x80 && u[2] < 0xc0) return true;    /* U+3000..U+303F */
    if (u[0] == 0xef && (u[1] == 0xbc || u[1] == 0xbd)) return true; /* fullwidth forms */
    if (u[0] == 0xe2 && u[1] == 0x80) return true;                   /* U+2000..U+203F */
    return false;
}

/* CJK ideographs, kana and hangul (U+2E80..U+9FFF, U+AC00..U+D7AF, U+F900..U+FAFF). */
static bool is_cjk(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if ((u[0] & 0xf0) != 0xe0 || !u[1] || !u[2]) return false;
    uint32_t cp = ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
    return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
           (cp >= 0xf900 && cp <= 0xfaff);
}

/* In a Chinese sentence an ASCII word in lower case next to the CJK text (glued to it, or with
 * CJK on both sides across a space) is a value — a namespace, an environment, a bucket prefix:
 * "命名空间staging不存在". Product names there are written in capitals ("未开启HTTPS", "EdgeOne
 * 站点") and stay. */
static bool cjk_neighbour_word(const char *msg, size_t i, size_t end)
{
    bool lower = false;
    for (size_t k = i; k < end; k++) {
        unsigned char c = (unsigned char)msg[k];
        if (is_upper(c)) return false;
        lower |= is_lower(c);
    }
    if (!lower) return false;
    /* glued on one side, or CJK on both sides across a space */
    bool before = false, before_glued = false, after = false, after_glued = false;
    size_t b = i;
    if (b > 0 && msg[b - 1] == ' ') b--;
    if (b >= 3) {
        size_t k = b - 1;
        while (k > 0 && ((unsigned char)msg[k] & 0xc0) == 0x80)
            k--;
        before = is_cjk(msg + k);
        before_glued = before && b == i;
    }
    size_t e = msg[end] == ' ' ? end + 1 : end;
    after = is_cjk(msg + e);
    after_glued = after && e == end;
    return before_glued || after_glued || (before && after);
}

/* A whitespace-delimited field [i, end) that is a domain with non-ASCII labels ("例子.中国",
 * "bücher.de"), trailing punctuation aside: returns the end of the domain, or i. A label that
 * mixes CJK with ASCII letters is sentence text glued to an ASCII domain
 * ("域名a.example.com已下线"), which the ASCII rules cut out instead. */
static size_t idn_field(const char *msg, size_t i, size_t end)
{
    while (end > i && strchr(".,;:!?)", msg[end - 1]) && msg[end - 1])
        end--;
    bool wide = false, dot = false, cjk = false, ascii = false;
    size_t label = 0, last_label = 0;
    for (size_t k = i; k < end;) {
        unsigned char c = (unsigned char)msg[k];
        size_t n = utf8_len(c);
        if (k + n > end) return i;
        if (c == '.') {
            if (label == 0) return i;
            dot = true;
            label = 0;
            cjk = ascii = false;
            k++;
            continue;
        }
        if (c >= 0x80) {
            if (n < 2 || is_wide_punct(msg + k)) return i;
            wide = true;
            cjk |= n == 3 && is_cjk(msg + k);
        } else if (!is_alnum(c) && c != '-' && c != '*') {
            return i;
        } else {
            ascii |= is_alnum(c);
        }
        if (cjk && ascii) return i;
        label++;
        last_label = label;
        k += n;
    }
    return wide && dot && label >= 2 && last_label >= 2 ? end : i;
}

/* ---- writing the template ---------------------------------------------------------------- */

/* Bytes that may join two values into one: ASCII , ; : | / and space, and 、，；： */
static size_t separator_len(const char *s)
{
    if (*s && strchr(" ,;:|/", *s)) return 1;
    static const char *const wide[] = {"\xe3\x80\x81", "\xef\xbc\x8c", "\xef\xbc\x9b",
                                       "\xef\xbc\x9a"};
    for (size_t i = 0; i < ARRAY_LEN(wide); i++)
        if (strncmp(s, wide[i], 3) == 0) return 3;
    return 0;
}

static bool only_separators(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = separator_len(s + i);
        if (k == 0) return false;
        i += k;
    }
    return true;
}

static bool lit_edge_wide(const char *msg, const struct piece *pc, bool at_end)
{
    if (pc->kind != P_LIT || pc->len == 0) return false;
    if (!at_end) return (unsigned char)msg[pc->off] >= 0x80;
    /* the last character's lead byte */
    size_t k = pc->off + pc->len - 1;
    while (k > pc->off && ((unsigned char)msg[k] & 0xc0) == 0x80)
        k--;
    return (unsigned char)msg[k] >= 0x80;
}

static char *render(const char *msg, const struct pieces *p)
{
    struct buf out = {0};
    size_t var_end = SIZE_MAX; /* where the last <*> written ends */
    for (size_t i = 0; i < p->n; i++) {
        const struct piece *pc = &p->v[i];
        if (pc->kind == P_SPACE) {
            if (i == 0 || i + 1 == p->n) continue;
            /* "实例 lb-x 状态异常" reads as "实例lb-x状态异常": no space between CJK and a value */
            const struct piece *a = &p->v[i - 1], *b = &p->v[i + 1];
            if ((a->kind == P_VAR && lit_edge_wide(msg, b, false)) ||
                (b->kind == P_VAR && lit_edge_wide(msg, a, true)))
                continue;
            buf_putc(&out, ' ');
        } else if (pc->kind == P_LIT) {
            buf_append(&out, msg + pc->off, pc->len);
        } else {
            if (var_end != SIZE_MAX && only_separators(out.data + var_end, out.len - var_end)) {
                out.len = var_end; /* "<*>, <*>" is one value list */
                out.data[out.len] = '\0';
            } else {
                buf_puts(&out, ERRTMPL_VAR);
            }
            var_end = out.len;
        }
    }
    if (!out.data) return xstrdup("");
    return buf_steal(&out);
}

char *errtmpl_of(const char *msg)
{
    if (!msg || !*msg) return xstrdup("");
    size_t len = strlen(msg);
    struct pieces p = {0};
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)msg[i];
        if (is_space(c)) {
            while (i < len && is_space((unsigned char)msg[i]))
                i++;
            push(&p, P_SPACE, 0, 0);
            continue;
        }
        if (i == 0 || is_space((unsigned char)msg[i - 1])) {
            size_t end = i;
            while (end < len && !is_space((unsigned char)msg[end]))
                end++;
            size_t d = idn_field(msg, i, end);
            if (d > i) {
                push(&p, P_VAR, 0, 0);
                i = d;
                continue;
            }
        }
        size_t q = try_quote(&p, msg, len, i);
        if (q > i) {
            i = q;
            continue;
        }
        if (is_value_char(c)) {
            size_t end = i;
            while (end < len && is_value_char((unsigned char)msg[end]))
                end++;
            /* a URL goes on through its query: "https://h/p?id=7&x=y" */
            bool url = false;
            for (size_t k = i; k + 3 <= end && !url; k++)
                url = memcmp(msg + k, "://", 3) == 0;
            while (url && end < len &&
                   (is_value_char((unsigned char)msg[end]) || strchr("?=&", msg[end])) && msg[end])
                end++;
            size_t tok_end = end;
            /* sentence punctuation after a value stays text: "lbl-xxx." "error:" */
            while (tok_end > i && strchr(".:-", msg[tok_end - 1]))
                tok_end--;
            if (tok_end > i && cjk_neighbour_word(msg, i, tok_end))
                push(&p, P_VAR, 0, 0);
            else if (tok_end > i)
                add_token(&p, msg, i, tok_end - i);
            push(&p, P_LIT, tok_end, end - tok_end);
            i = end;
            continue;
        }
        size_t n = utf8_len(c);
        if (i + n > len) n = len - i;
        push(&p, P_LIT, i, n);
        i += n;
    }
    char *t = render(msg, &p);
    free(p.v);
    return t;
}
