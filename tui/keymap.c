/* The action table and key map: parses key names, resolves a key in a context (user bindings
 * first), validates config `bind` lines, and prints the table for the README. */
#include "tui/keymap.h"

#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "tui/text.h"

struct action_def {
    const char *name;
    const char *keys;
    unsigned ctx;
    const char *help;
};

static const struct action_def actions[ACT_COUNT] = {[ACT_NONE] = {"none", "", 0, ""},
#define KM_ACT_DEF(id, name, keys, ctx, help) [id] = {name, keys, ctx, help},
                                                     KEYMAP_ACTIONS(KM_ACT_DEF)
#undef KM_ACT_DEF
};

static const char *const ctx_names[KM_CTX_COUNT][2] = {
#define KM_CTX_DEF(id, name, title) [id] = {name, title},
    KEYMAP_CONTEXTS(KM_CTX_DEF)
#undef KM_CTX_DEF
};

static const struct {
    int code;
    const char *name;
} named_keys[] = {
    {KEYMAP_KEY_ENTER, "Enter"},
    {KEYMAP_KEY_ESC, "Esc"},
    {KEYMAP_KEY_TAB, "Tab"},
    {' ', "Space"},
    {KEYMAP_KEY_SPECIAL | KEY_BACKSPACE, "Backspace"},
    {KEYMAP_KEY_SPECIAL | KEY_BTAB, "BTab"},
    {KEYMAP_KEY_SPECIAL | KEY_BTAB, "S-Tab"},
    {KEYMAP_KEY_SPECIAL | KEY_UP, "Up"},
    {KEYMAP_KEY_SPECIAL | KEY_DOWN, "Down"},
    {KEYMAP_KEY_SPECIAL | KEY_LEFT, "Left"},
    {KEYMAP_KEY_SPECIAL | KEY_RIGHT, "Right"},
    {KEYMAP_KEY_SPECIAL | KEY_PPAGE, "PgUp"},
    {KEYMAP_KEY_SPECIAL | KEY_NPAGE, "PgDn"},
    {KEYMAP_KEY_SPECIAL | KEY_HOME, "Home"},
    {KEYMAP_KEY_SPECIAL | KEY_END, "End"},
    {KEYMAP_KEY_SPECIAL | KEY_DC, "Del"},
    {KEYMAP_KEY_SPECIAL | KEY_IC, "Ins"},
};

int keymap_key_parse(const char *name)
{
    if (!name || !*name) return -1;
    for (size_t i = 0; i < ARRAY_LEN(named_keys); i++)
        if (!strcasecmp(name, named_keys[i].name)) return named_keys[i].code;
    if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12) return KEYMAP_KEY_SPECIAL | KEY_F(n);
    }
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) {
        char c = name[2];
        if (c >= 'a' && c <= 'z') return c - 'a' + 1;
        if (c >= 'A' && c <= 'Z') return c - 'A' + 1;
        if (strchr("@[\\]^_", c)) return (c - '@') & 0x1f;
        return -1;
    }
    if ((name[0] == 'M' || name[0] == 'm') && name[1] == '-' && name[2]) {
        uint32_t cp;
        size_t n = text_decode(name + 2, &cp);
        if (n && !name[2 + n] && cp >= 0x20 && cp != 0x7f && cp != 0xfffd)
            return KEYMAP_KEY_META | (int)cp;
        return -1;
    }
    uint32_t cp;
    size_t n = text_decode(name, &cp);
    if (n && !name[n] && cp > 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) && cp != 0xfffd)
        return (int)cp;
    return -1;
}

const char *keymap_key_name(int key, char *buf, size_t n)
{
    for (size_t i = 0; i < ARRAY_LEN(named_keys); i++) {
        if (named_keys[i].code == key) {
            strlcpy_safe(buf, named_keys[i].name, n);
            return buf;
        }
    }
    if (key & KEYMAP_KEY_SPECIAL) {
        int k = key & ~KEYMAP_KEY_SPECIAL;
        if (k >= KEY_F(1) && k <= KEY_F(12))
            snprintf(buf, n, "F%d", k - KEY_F0);
        else
            snprintf(buf, n, "key%d", k);
        return buf;
    }
    char tmp[8];
    if (key & KEYMAP_KEY_META) {
        text_encode((uint32_t)(key & ~KEYMAP_KEY_META), tmp);
        snprintf(buf, n, "M-%s", tmp);
        return buf;
    }
    if (key >= 0 && key < 0x20) {
        snprintf(buf, n, "C-%c", key >= 1 && key <= 26 ? 'a' + key - 1 : '@' + key);
        return buf;
    }
    if (key < 0 || key > 0x10ffff) {
        snprintf(buf, n, "key%d", key);
        return buf;
    }
    text_encode((uint32_t)key, tmp);
    strlcpy_safe(buf, tmp, n);
    return buf;
}

const char *keymap_action_name(enum keymap_action a)
{
    return (a > ACT_NONE && a < ACT_COUNT) ? actions[a].name : "none";
}

const char *keymap_action_help(enum keymap_action a)
{
    return (a > ACT_NONE && a < ACT_COUNT) ? actions[a].help : "";
}

enum keymap_action keymap_action_from_name(const char *name)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
        if (name && !strcmp(actions[a].name, name)) return (enum keymap_action)a;
    return ACT_NONE;
}

const char *keymap_ctx_name(enum keymap_ctx c)
{
    return (unsigned)c < KM_CTX_COUNT ? ctx_names[c][0] : "?";
}

const char *keymap_ctx_title(enum keymap_ctx c)
{
    return (unsigned)c < KM_CTX_COUNT ? ctx_names[c][1] : "?";
}

int keymap_ctx_from_name(const char *name)
{
    for (int c = 0; c < KM_CTX_COUNT; c++)
        if (name && !strcmp(ctx_names[c][0], name)) return c;
    return -1;
}

bool keymap_action_applies(enum keymap_action a, enum keymap_ctx c)
{
    if (a <= ACT_NONE || a >= ACT_COUNT) return false;
    unsigned m = actions[a].ctx;
    if (m & KMC(KM_GLOBAL)) return true;
    if (c == KM_GLOBAL) return false;
    return (m & KMC(c)) != 0;
}

/* ---- the map ---------------------------------------------------------------------------- */

struct binding {
    int ctx;
    int key;
    enum keymap_action action;
};

struct keymap {
    struct binding *defaults;
    size_t n_defaults, cap_defaults;
    struct binding *user;
    size_t n_user, cap_user;
};

static void add_binding(struct binding **v, size_t *n, size_t *cap, int ctx, int key,
                        enum keymap_action a)
{
    *v = xgrow(*v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = (struct binding){ctx, key, a};
}

/* Calls fn for every key named in a default key string. */
static void each_default_key(const char *keys, void (*fn)(void *, int), void *ctx)
{
    char word[32];
    const char *p = keys;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (!len) break;
        if (len < sizeof word) {
            memcpy(word, p, len);
            word[len] = '\0';
            int k = keymap_key_parse(word);
            if (k >= 0) fn(ctx, k);
        }
        p += len;
    }
}

struct add_ctx {
    struct keymap *km;
    enum keymap_action a;
};

static void add_default_key(void *vctx, int key)
{
    struct add_ctx *c = vctx;
    unsigned m = actions[c->a].ctx;
    for (int ctx = 0; ctx < KM_CTX_COUNT; ctx++)
        if (m & KMC(ctx))
            add_binding(&c->km->defaults, &c->km->n_defaults, &c->km->cap_defaults, ctx, key, c->a);
}

struct keymap *keymap_new(void)
{
    struct keymap *km = xcalloc(1, sizeof *km);
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        struct add_ctx c = {km, (enum keymap_action)a};
        each_default_key(actions[a].keys, add_default_key, &c);
    }
    return km;
}

void keymap_free(struct keymap *km)
{
    if (!km) return;
    free(km->defaults);
    free(km->user);
    free(km);
}

static enum keymap_action find(const struct binding *v, size_t n, int ctx, int key,
                               enum keymap_ctx applies_in)
{
    /* The last binding wins (later config lines override earlier ones). */
    for (size_t i = n; i-- > 0;)
        if (v[i].ctx == ctx && v[i].key == key && keymap_action_applies(v[i].action, applies_in))
            return v[i].action;
    return ACT_NONE;
}

enum keymap_action keymap_lookup(const struct keymap *km, enum keymap_ctx c, int key)
{
    enum keymap_action a;
    if ((a = find(km->user, km->n_user, c, key, c))) return a;
    if (c != KM_GLOBAL && (a = find(km->user, km->n_user, KM_GLOBAL, key, c))) return a;
    if ((a = find(km->defaults, km->n_defaults, c, key, c))) return a;
    if (c != KM_GLOBAL && (a = find(km->defaults, km->n_defaults, KM_GLOBAL, key, c))) return a;
    return ACT_NONE;
}

void keymap_keys_for(const struct keymap *km, enum keymap_ctx c, enum keymap_action a, char *out,
                     size_t n)
{
    int seen[32];
    size_t n_seen = 0;
    struct buf b = {0};
    const struct binding *lists[2] = {km->user, km->defaults};
    size_t lens[2] = {km->n_user, km->n_defaults};
    for (int l = 1; l >= 0; l--) { /* defaults first: they read in table order */
        for (size_t i = 0; i < lens[l]; i++) {
            const struct binding *bd = &lists[l][i];
            if (bd->action != a || (bd->ctx != (int)c && bd->ctx != KM_GLOBAL)) continue;
            if (keymap_lookup(km, c, bd->key) != a) continue;
            bool dup = false;
            for (size_t j = 0; j < n_seen; j++)
                dup |= seen[j] == bd->key;
            if (dup || n_seen == ARRAY_LEN(seen)) continue;
            seen[n_seen++] = bd->key;
            char name[32];
            if (b.len) buf_puts(&b, ", ");
            buf_puts(&b, keymap_key_name(bd->key, name, sizeof name));
        }
    }
    strlcpy_safe(out, b.data ? b.data : "", n);
    buf_free(&b);
}

void keymap_first_key(const struct keymap *km, enum keymap_ctx c, enum keymap_action a, char *out,
                      size_t n)
{
    keymap_keys_for(km, c, a, out, n);
    out[strcspn(out, ",")] = '\0';
    if (!out[0]) strlcpy_safe(out, keymap_action_name(a), n);
}

int keymap_apply_config(struct keymap *km, const struct config *cfg,
                        void (*diag)(void *ctx, const char *line), void *dctx)
{
    int bad = 0;
    char msg[1200];
    const char *file = cfg->path[0] ? cfg->path : "config";
    for (size_t i = 0; i < cfg->n_bindings; i++) {
        const struct config_binding *b = &cfg->bindings[i];
        int ctx = keymap_ctx_from_name(b->context);
        int key = keymap_key_parse(b->key);
        enum keymap_action a = keymap_action_from_name(b->action);
        const char *problem = NULL;
        char detail[256] = "";
        if (ctx < 0) {
            problem = "unknown context";
            struct buf names = {0};
            for (int c = 0; c < KM_CTX_COUNT; c++)
                buf_printf(&names, "%s%s", c ? " " : "", ctx_names[c][0]);
            snprintf(detail, sizeof detail, "'%s' (one of %s)", b->context, names.data);
            buf_free(&names);
        } else if (key < 0) {
            problem = "unknown key";
            snprintf(detail, sizeof detail, "'%s'", b->key);
        } else if (a == ACT_NONE) {
            problem = "unknown action";
            snprintf(detail, sizeof detail, "'%s' (see `certdeck keys`)", b->action);
        } else if (!keymap_action_applies(a, (enum keymap_ctx)ctx) && ctx != KM_GLOBAL) {
            problem = "action does not apply here";
            snprintf(detail, sizeof detail, "'%s' in context '%s'", b->action, b->context);
        }
        if (problem) {
            snprintf(msg, sizeof msg, "%s:%d: bind: %s %s; line ignored", file, b->line, problem,
                     detail);
            if (diag) diag(dctx, msg);
            bad++;
            continue;
        }
        /* Conflicts: the same key bound earlier in the file, or a default it replaces. */
        for (size_t j = 0; j < km->n_user; j++) {
            if (km->user[j].ctx == ctx && km->user[j].key == key && km->user[j].action != a) {
                snprintf(msg, sizeof msg,
                         "%s:%d: bind: %s %s was bound to %s earlier in the file; now %s", file,
                         b->line, b->context, b->key, keymap_action_name(km->user[j].action),
                         b->action);
                if (diag) diag(dctx, msg);
            }
        }
        enum keymap_action old = find(km->defaults, km->n_defaults, ctx, key, (enum keymap_ctx)ctx);
        if (old == ACT_NONE && ctx != KM_GLOBAL)
            old = find(km->defaults, km->n_defaults, KM_GLOBAL, key, (enum keymap_ctx)ctx);
        if (old != ACT_NONE && old != a) {
            snprintf(msg, sizeof msg, "%s:%d: bind: %s %s replaces its default (%s) with %s", file,
                     b->line, b->context, b->key, keymap_action_name(old), b->action);
            if (diag) diag(dctx, msg);
        }
        add_binding(&km->user, &km->n_user, &km->cap_user, ctx, key, a);
    }
    return bad;
}

/* ---- the README table ------------------------------------------------------------------- */

static void print_key(void *vout, int key)
{
    struct buf *b = vout;
    char name[32];
    keymap_key_name(key, name, sizeof name);
    if (b->len) buf_puts(b, " ");
    buf_printf(b, "`%s`", strcmp(name, "`") ? name : "\\`");
}

/* "everywhere", or the contexts an action applies in: "records, detail". */
static void where_text(unsigned m, struct buf *where)
{
    if (m & KMC(KM_GLOBAL)) {
        buf_puts(where, "everywhere");
        return;
    }
    for (int c = 1; c < KM_CTX_COUNT; c++) {
        if (!(m & KMC(c))) continue;
        if (where->len) buf_puts(where, ", ");
        buf_puts(where, ctx_names[c][0]);
    }
}

void keymap_print(FILE *out)
{
    fprintf(out, "| Keys | Action | Where | What it does |\n");
    fprintf(out, "|---|---|---|---|\n");
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        struct buf keys = {0}, where = {0};
        each_default_key(actions[a].keys, print_key, &keys);
        where_text(actions[a].ctx, &where);
        fprintf(out, "| %s | `%s` | %s | %s |\n", keys.data ? keys.data : "", actions[a].name,
                where.data, actions[a].help);
        buf_free(&keys);
        buf_free(&where);
    }
    fprintf(out, "\nRebind any of them in the config file: `bind <context> <key> <action>`, where "
                 "context is one of:");
    for (int c = 0; c < KM_CTX_COUNT; c++)
        fprintf(out, " `%s`", ctx_names[c][0]);
    fprintf(out, ".\n");
}

/* roff text: a backslash is \e, a leading dot or quote is guarded by \&. */
static void roff_puts(struct buf *b, const char *s)
{
    if (*s == '.' || *s == '\'') buf_puts(b, "\\&");
    for (; *s; s++)
        if (*s == '\\')
            buf_puts(b, "\\e");
        else
            buf_putc(b, *s);
}

static void print_key_roff(void *vout, int key)
{
    struct buf *b = vout;
    char name[32];
    keymap_key_name(key, name, sizeof name);
    if (b->len) buf_puts(b, ", ");
    buf_puts(b, "\\fB");
    roff_puts(b, name);
    buf_puts(b, "\\fR");
}

void keymap_print_man(FILE *out)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        struct buf keys = {0}, where = {0}, help = {0};
        each_default_key(actions[a].keys, print_key_roff, &keys);
        where_text(actions[a].ctx, &where);
        roff_puts(&help, actions[a].help);
        fprintf(out, ".TP\n%s\n\\fI%s\\fR (%s): %s\n", keys.data ? keys.data : "", actions[a].name,
                where.data, help.data);
        buf_free(&keys);
        buf_free(&where);
        buf_free(&help);
    }
    fprintf(out,
            ".PP\nRebind any of them in the configuration file with \\fBbind\\fR \\fIcontext key "
            "action\\fR, where \\fIcontext\\fR is one of:");
    for (int c = 0; c < KM_CTX_COUNT; c++)
        fprintf(out, " \\fB%s\\fR", ctx_names[c][0]);
    fprintf(out, ".\n");
}
