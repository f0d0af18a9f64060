/* User configuration file: settings, key bindings and where the file lives (XDG). Bad lines
 * become diags; only an explicitly named file that cannot be read is an error. No curses. */
#include "tui/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/timefmt.h"
#include "core/util.h"
#include "tui/paths.h"

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->refresh_s = 30;
    c->mouse = false;
    c->bell = true;
    strlcpy_safe(c->clipboard, "osc52", sizeof c->clipboard);
    const char *nc = getenv("NO_COLOR");
    c->no_color = nc && *nc;
}

int config_user_dir(char *out, size_t outlen)
{
    return paths_xdg_dir("XDG_CONFIG_HOME", ".config", out, outlen);
}

/* ASCII only, whatever the locale (the UI sets one for wide characters). */
static bool is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Named keys in their canonical spelling (matched case-insensitively). The same names as
 * keymap_key_parse, so a line this module accepts is one the key table can read. */
static const char *const key_names[] = {
    "Enter", "Esc",  "Tab",  "BTab", "S-Tab", "Backspace", "Up",    "Down", "Left", "Right",
    "PgUp",  "PgDn", "Home", "End",  "Del",   "Ins",       "Space", "F1",   "F2",   "F3",
    "F4",    "F5",   "F6",   "F7",   "F8",    "F9",        "F10",   "F11",  "F12",
};

/* Length of s when it is exactly one printable character: ASCII 0x21-0x7e (0x20-0x7e when
 * space_ok), or one valid UTF-8 sequence that is not a C1 control or U+FFFD. 0 otherwise. */
static size_t one_char(const char *s, bool space_ok)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) return u[0] && u[1] == 0 && u[0] >= (space_ok ? 0x20 : 0x21) && u[0] < 0x7f;
    size_t n = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 0;
    if (!n || strlen(s) != n || utf8_invalid_offset(s, n) != -1) return 0;
    if (u[0] == 0xc2 && u[1] < 0xa0) return 0;                  /* C1 controls */
    if (u[0] == 0xef && u[1] == 0xbf && u[2] == 0xbd) return 0; /* U+FFFD */
    return n;
}

bool config_key_valid(const char *key, char *canon, size_t canon_len)
{
    char out[32];
    if (!key || !*key || strlen(key) >= sizeof out) return false;
    bool prefix = (key[0] == 'C' || key[0] == 'c' || key[0] == 'M' || key[0] == 'm') &&
                  key[1] == '-' && key[2];
    if (one_char(key, false)) {
        snprintf(out, sizeof out, "%s", key);
    } else if (prefix && (key[0] == 'C' || key[0] == 'c')) {
        if (key[3] || !(is_alpha(key[2]) || strchr("@[\\]^_", key[2]))) return false;
        snprintf(out, sizeof out, "C-%c", key[2] >= 'A' && key[2] <= 'Z' ? key[2] + 32 : key[2]);
    } else if (prefix && one_char(key + 2, true)) {
        snprintf(out, sizeof out, "M-%s", key + 2);
    } else {
        size_t i;
        for (i = 0; i < ARRAY_LEN(key_names); i++)
            if (strcasecmp(key, key_names[i]) == 0) break;
        if (i == ARRAY_LEN(key_names)) return false;
        snprintf(out, sizeof out, "%s", key_names[i]);
    }
    if (canon && canon_len) strlcpy_safe(canon, out, canon_len);
    return true;
}

struct reader {
    struct config *c;
    const char *file;
    size_t total_diags;
    size_t dropped_bindings;
};

static void diag(struct reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Diags quote the file's text, so they go through the sanitizer before being stored. */
static void diag(struct reader *r, long line, const char *fmt, ...)
{
    r->total_diags++;
    if (r->c->n_diags >= CONFIG_MAX_DIAGS) return;
    struct buf raw = {0};
    if (line > 0)
        buf_printf(&raw, "%s:%ld: ", r->file, line);
    else
        buf_printf(&raw, "%s: ", r->file);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&raw, fmt, ap);
    va_end(ap);
    sanitize_copy(r->c->diags[r->c->n_diags++], sizeof r->c->diags[0], raw.data);
    buf_free(&raw);
}

static char *unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        s[n - 1] = '\0';
        return s + 1;
    }
    return s;
}

/* Copies a string setting; false (with a diag) when empty or too long. */
static bool set_string(struct reader *r, long line, const char *name, const char *value, char *dst,
                       size_t dstlen)
{
    if (!*value) {
        diag(r, line, "'%s' needs a value", name);
        return false;
    }
    if (strlen(value) >= dstlen) {
        diag(r, line, "%s is too long (at most %zu characters)", name, dstlen - 1);
        return false;
    }
    strlcpy_safe(dst, value, dstlen);
    return true;
}

static void set_refresh(struct reader *r, long line, const char *value)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!*value || *end || errno || v < 0 || v > CONFIG_MAX_REFRESH || !is_digit(value[0])) {
        diag(r, line, "refresh takes whole seconds from 0 (manual only) to %d, not '%.60s'",
             CONFIG_MAX_REFRESH, value);
        return;
    }
    r->c->refresh_s = (int)v;
}

/* An on|off setting (also yes|no, true|false). */
static void set_switch(struct reader *r, long line, const char *name, const char *value, bool *out)
{
    if (!strcasecmp(value, "on") || !strcasecmp(value, "yes") || !strcasecmp(value, "true"))
        *out = true;
    else if (!strcasecmp(value, "off") || !strcasecmp(value, "no") || !strcasecmp(value, "false"))
        *out = false;
    else
        diag(r, line, "%s takes on or off, not '%.60s'", name, value);
}

static void set_endpoint(struct reader *r, long line, const char *value)
{
    if (*value && strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) {
        diag(r, line, "endpoint must start with http:// or https://, not '%.60s'", value);
        return;
    }
    set_string(r, line, "endpoint", value, r->c->endpoint, sizeof r->c->endpoint);
}

/* Kept even when it names no zone, so startup can refuse it rather than show times in a zone
 * the operator did not ask for. */
static void set_timezone(struct reader *r, long line, const char *value)
{
    char err[256];
    if (!*value) {
        diag(r, line, "'timezone' needs a value (utc, local or a name such as Europe/Berlin)");
        return;
    }
    /* A name too long to keep is cut, and no zone has such a name: startup refuses it. */
    strlcpy_safe(r->c->timezone, value, sizeof r->c->timezone);
    r->c->timezone_line = (int)line;
    if (!timefmt_zone_check(r->c->timezone, err, sizeof err)) diag(r, line, "timezone: %s", err);
}

/* A context or action word: letters, digits, '_', '-', '.'; starts with a letter. */
static bool word_ok(const char *s, size_t max)
{
    if (!is_alpha(s[0]) || strlen(s) >= max) return false;
    for (; *s; s++)
        if (!is_alpha(*s) && !is_digit(*s) && !strchr("_-.", *s)) return false;
    return true;
}

static void add_binding(struct reader *r, long line, char *value)
{
    char *words[4];
    int n = 0;
    for (char *save = NULL, *w = strtok_r(value, " \t", &save); w;
         w = strtok_r(NULL, " \t", &save)) {
        if (n == 4) break;
        words[n++] = w;
    }
    if (n != 3) {
        diag(r, line, "bind needs CONTEXT KEY ACTION, e.g. 'bind records J next'");
        return;
    }
    struct config_binding b = {.line = (int)line};
    if (!word_ok(words[0], sizeof b.context)) {
        diag(r, line, "invalid context '%.40s'", words[0]);
        return;
    }
    if (!config_key_valid(words[1], b.key, sizeof b.key)) {
        diag(r, line,
             "invalid key name '%.40s' (use a character, C-x, M-x or a key name like PgDn)",
             words[1]);
        return;
    }
    if (!word_ok(words[2], sizeof b.action)) {
        diag(r, line, "invalid action name '%.40s'", words[2]);
        return;
    }
    if (r->c->n_bindings >= CONFIG_MAX_BINDINGS) {
        r->dropped_bindings++;
        return;
    }
    strlcpy_safe(b.context, words[0], sizeof b.context);
    strlcpy_safe(b.action, words[2], sizeof b.action);
    r->c->bindings[r->c->n_bindings++] = b;
}

static void apply_line(struct reader *r, long lineno, char *line)
{
    if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0) line += 3; /* UTF-8 BOM */
    char *s = str_trim(line), *start = s;
    if (!*s || *s == '#') return;
    size_t n = strcspn(s, " \t=");
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), s);
    s += n;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '=') s++;
    char *value = str_trim(s);
    struct config *c = r->c;

    if (!strcmp(name, "bind")) {
        add_binding(r, lineno, value);
        return;
    }
    value = unquote(value);
    if (!strcmp(name, "theme"))
        set_string(r, lineno, "theme", value, c->theme, sizeof c->theme);
    else if (!strcmp(name, "profile"))
        set_string(r, lineno, "profile", value, c->profile, sizeof c->profile);
    else if (!strcmp(name, "endpoint"))
        set_endpoint(r, lineno, value);
    else if (!strcmp(name, "refresh"))
        set_refresh(r, lineno, value);
    else if (!strcmp(name, "mouse"))
        set_switch(r, lineno, "mouse", value, &c->mouse);
    else if (!strcmp(name, "bell"))
        set_switch(r, lineno, "bell", value, &c->bell);
    else if (!strcmp(name, "timezone"))
        set_timezone(r, lineno, value);
    else if (!strcmp(name, "clipboard"))
        set_string(r, lineno, "clipboard", value, c->clipboard, sizeof c->clipboard);
    else
        diag(r, lineno, "unknown setting '%.*s'", (int)(n < 60 ? n : 60), start);
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    char def[512];
    bool explicit = path != NULL;
    if (!explicit) {
        char dir[480];
        if (config_user_dir(dir, sizeof dir) < 0) return 0;
        snprintf(def, sizeof def, "%s/config", dir);
        path = def;
    }
    struct reader r = {.c = c, .file = path};
    FILE *f = fopen(path, "r");
    struct stat sb;
    if (f && (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode))) {
        fclose(f);
        f = NULL;
        errno = EISDIR;
    }
    if (!f) {
        if (explicit) {
            if (err && errlen)
                snprintf(err, errlen, "cannot read config file '%s': %s", path, strerror(errno));
            return -1;
        }
        if (errno != ENOENT && errno != ENOTDIR) diag(&r, 0, "cannot read: %s", strerror(errno));
        return 0;
    }
    strlcpy_safe(c->path, path, sizeof c->path);
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    while (getline(&line, &cap, f) >= 0)
        apply_line(&r, ++lineno, line);
    if (ferror(f)) diag(&r, lineno + 1, "read error: %s", strerror(errno));
    free(line);
    fclose(f);
    if (r.dropped_bindings)
        diag(&r, 0, "%zu more bindings ignored (at most %d)", r.dropped_bindings,
             CONFIG_MAX_BINDINGS);
    if (r.total_diags > CONFIG_MAX_DIAGS) {
        r.c->n_diags = CONFIG_MAX_DIAGS - 1;
        diag(&r, 0, "%zu more problems not shown", r.total_diags - (CONFIG_MAX_DIAGS - 1));
    }
    return 0;
}
