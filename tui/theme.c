/* Theme table and theme file loader: turns colour names, colorN and #rrggbb into palette
 * numbers the terminal has, and attribute lists into THEME_ATTR_* bits. No curses. */
#include "tui/theme.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/sanitize.h"
#include "core/util.h"
#include "tui/config.h"
#include "tui/paths.h"

struct builtin_style {
    const char *name, *fg, *bg, *attrs, *mono;
};

static const struct builtin_style builtins[THEME_KEY_COUNT] = {
#define THEME_ROW(id, name, fg, bg, attrs, mono) [id] = {name, fg, bg, attrs, mono},
    THEME_KEYS(THEME_ROW)
#undef THEME_ROW
};

/* Index is the colour number; "bright-" + name gives number + 8. */
static const char *const colour_names[8] = {"black", "red",     "green", "yellow",
                                            "blue",  "magenta", "cyan",  "white"};

static const struct {
    const char *name;
    unsigned bit;
} attr_names[] = {
    {"bold", THEME_ATTR_BOLD},           {"dim", THEME_ATTR_DIM},
    {"underline", THEME_ATTR_UNDERLINE}, {"reverse", THEME_ATTR_REVERSE},
    {"standout", THEME_ATTR_STANDOUT},   {"italic", THEME_ATTR_ITALIC},
    {"blink", THEME_ATTR_BLINK},
};

/* xterm's default RGB for the 16 basic colours: the reference for mapping down. */
static const unsigned char basic_rgb[16][3] = {
    {0, 0, 0},     {205, 0, 0},     {0, 205, 0},     {205, 205, 0},   {0, 0, 238}, {205, 0, 205},
    {0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0},     {0, 255, 0}, {255, 255, 0},
    {92, 92, 255}, {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *theme_key_name(enum theme_key k)
{
    if ((int)k < 0 || k >= THEME_KEY_COUNT) return NULL;
    return builtins[k].name;
}

int theme_key_from_name(const char *name)
{
    if (!name) return -1;
    for (int k = 0; k < THEME_KEY_COUNT; k++)
        if (strcmp(builtins[k].name, name) == 0) return k;
    return -1;
}

/* The RGB of an xterm-256 palette entry. */
static void palette_rgb(int n, int rgb[3])
{
    if (n < 16) {
        for (int i = 0; i < 3; i++)
            rgb[i] = basic_rgb[n][i];
    } else if (n < 232) {
        int i = n - 16, lv[3] = {i / 36, (i / 6) % 6, i % 6};
        for (int c = 0; c < 3; c++)
            rgb[c] = lv[c] ? 55 + 40 * lv[c] : 0;
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (n - 232);
    }
}

/* The palette entry in [lo, hi] nearest to rgb (squared RGB distance; first wins a tie). */
static int nearest(const int rgb[3], int lo, int hi)
{
    int best = lo;
    long best_d = -1;
    for (int n = lo; n <= hi; n++) {
        int p[3];
        palette_rgb(n, p);
        long d = 0;
        for (int c = 0; c < 3; c++)
            d += (long)(p[c] - rgb[c]) * (p[c] - rgb[c]);
        if (best_d < 0 || d < best_d) {
            best_d = d;
            best = n;
        }
    }
    return best;
}

static int palette_size(int colors)
{
    return colors >= 256 ? 256 : colors >= 16 ? 16 : 8;
}

/* Maps palette number n (0-255) to one the terminal has. With 8 colours, the 16-colour
 * answer loses its bright bit (bright-red is red): pure RGB distance over 0-7 would turn
 * greys into yellow. */
static int map_down(int n, int colors)
{
    int size = palette_size(colors);
    if (n < size) return n;
    int rgb[3];
    palette_rgb(n, rgb);
    int m = n < 16 ? n : nearest(rgb, 0, 15);
    return size == 8 ? m & 7 : m;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One colour word; -1 with err when unknown. */
static int parse_colour(const char *s, int colors, int *out, char *err, size_t errlen)
{
    if (strcmp(s, "default") == 0) {
        *out = -1;
        return 0;
    }
    const char *base = s;
    int bright = 0;
    if (strncmp(s, "bright-", 7) == 0) {
        base = s + 7;
        bright = 8;
    }
    for (int i = 0; i < 8; i++) {
        if (strcmp(base, colour_names[i]) == 0) {
            *out = map_down(i + bright, colors);
            return 0;
        }
    }
    if (strncmp(s, "color", 5) == 0 && s[5]) {
        int n = 0;
        const char *p = s + 5;
        for (; *p >= '0' && *p <= '9' && n <= 255; p++)
            n = n * 10 + (*p - '0');
        if (*p == '\0' && n <= 255 && p - (s + 5) <= 3) {
            *out = map_down(n, colors);
            return 0;
        }
    }
    if (s[0] == '#' && strlen(s) == 7) {
        int rgb[3], ok = 1;
        for (int c = 0; c < 3; c++) {
            int hi = hexval(s[1 + 2 * c]), lo = hexval(s[2 + 2 * c]);
            if (hi < 0 || lo < 0) ok = 0;
            rgb[c] = hi * 16 + lo;
        }
        if (ok) {
            /* 256 colours: the cube and grey ramp only; 0-15 are the user's to redefine. */
            int m = palette_size(colors) == 256 ? nearest(rgb, 16, 255) : nearest(rgb, 0, 15);
            *out = palette_size(colors) == 8 ? m & 7 : m;
            return 0;
        }
    }
    set_err(err, errlen, "unknown colour '%s'", s);
    return -1;
}

int theme_parse_attrs(const char *s, unsigned *attrs, char *err, size_t errlen)
{
    if (!s) s = "";
    if (strcmp(s, "-") == 0 || strcmp(s, "none") == 0) {
        *attrs = 0;
        return 0;
    }
    unsigned bits = 0;
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0) {
            set_err(err, errlen, "empty attribute in '%s'", s);
            return -1;
        }
        size_t i;
        for (i = 0; i < ARRAY_LEN(attr_names); i++) {
            if (strlen(attr_names[i].name) == n && strncmp(attr_names[i].name, p, n) == 0) break;
        }
        if (i == ARRAY_LEN(attr_names)) {
            char word[64];
            snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), p);
            set_err(err, errlen, "unknown attribute '%s'", word);
            return -1;
        }
        bits |= attr_names[i].bit;
        p += n;
        if (*p == ',') {
            p++;
            if (!*p) {
                set_err(err, errlen, "empty attribute in '%s'", s);
                return -1;
            }
        }
    }
    *attrs = bits;
    return 0;
}

/* Splits s on blanks into at most max words (copied into fixed buffers); returns the word
 * count, or max + 1 when there are more words (the extra one is in *extra). */
static int split_words(const char *s, char words[][64], int max, char *extra, size_t extra_len)
{
    int n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s) break;
        size_t len = strcspn(s, " \t");
        if (n == max) {
            snprintf(extra, extra_len, "%.*s", (int)(len < extra_len ? len : extra_len - 1), s);
            return max + 1;
        }
        snprintf(words[n], 64, "%.*s", (int)(len < 63 ? len : 63), s);
        n++;
        s += len;
    }
    return n;
}

int theme_parse_value(const char *value, int colors, struct theme_style *st, char *err,
                      size_t errlen)
{
    char words[3][64], extra[64];
    int n = split_words(value ? value : "", words, 3, extra, sizeof extra);
    if (n == 0) {
        set_err(err, errlen, "empty value (want: fg [bg [attrs]])");
        return -1;
    }
    if (n > 3) {
        const char *fmt = "unexpected '%s' after the attributes (attributes are comma-separated)";
        set_err(err, errlen, fmt, extra);
        return -1;
    }
    int fg, bg = -1;
    unsigned attrs = 0;
    if (parse_colour(words[0], colors, &fg, err, errlen) < 0) return -1;
    if (n > 1 && parse_colour(words[1], colors, &bg, err, errlen) < 0) return -1;
    if (n > 2 && theme_parse_attrs(words[2], &attrs, err, errlen) < 0) return -1;
    st->fg = fg;
    st->bg = bg;
    st->attrs = attrs;
    return 0;
}

void theme_builtin(struct theme *t)
{
    memset(t, 0, sizeof *t);
    strlcpy_safe(t->name, "default", sizeof t->name);
    for (int k = 0; k < THEME_KEY_COUNT; k++) {
        const struct builtin_style *b = &builtins[k];
        struct theme_style *st = &t->styles[k];
        /* The table uses basic names only, so 8 colours is exact; a bad entry (caught by the
         * tests) degrades to the terminal default instead of failing. */
        if (parse_colour(b->fg, 8, &st->fg, NULL, 0) < 0) st->fg = -1;
        if (parse_colour(b->bg, 8, &st->bg, NULL, 0) < 0) st->bg = -1;
        if (theme_parse_attrs(b->attrs, &st->attrs, NULL, 0) < 0) st->attrs = 0;
        if (theme_parse_attrs(b->mono, &st->mono, NULL, 0) < 0) st->mono = 0;
    }
}

struct diag_sink {
    struct theme *t;
    size_t total;
};

/* Diags quote the file's text, so they go through the sanitizer before being stored. */
static void diag(struct diag_sink *d, const char *file, long line, const char *msg)
{
    d->total++;
    if (d->t->n_diags >= THEME_MAX_DIAGS) return;
    struct buf raw = {0};
    if (line > 0)
        buf_printf(&raw, "%s:%ld: %s", file, line, msg);
    else
        buf_printf(&raw, "%s: %s", file, msg);
    sanitize_copy(d->t->diags[d->t->n_diags++], sizeof d->t->diags[0], raw.data);
    buf_free(&raw);
}

static void apply_line(struct diag_sink *d, const char *file, long lineno, char *line, int colors)
{
    char msg[200];
    if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0) line += 3; /* UTF-8 BOM */
    char *s = str_trim(line);
    if (!*s || *s == '#') return;
    char *eq = strchr(s, '=');
    if (!eq) {
        snprintf(msg, sizeof msg, "expected 'key = value', got '%.80s'", s);
        diag(d, file, lineno, msg);
        return;
    }
    *eq = '\0';
    char *key = str_trim(s), *value = str_trim(eq + 1);
    struct theme *t = d->t;

    if (strcmp(key, "monochrome") == 0) {
        if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
            t->monochrome = true;
        else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
            t->monochrome = false;
        else {
            snprintf(msg, sizeof msg, "monochrome takes yes or no, not '%.80s'", value);
            diag(d, file, lineno, msg);
        }
        return;
    }
    bool mono = strncmp(key, "mono.", 5) == 0;
    int k = theme_key_from_name(mono ? key + 5 : key);
    if (k < 0) {
        snprintf(msg, sizeof msg, "unknown key '%.80s'", key);
        diag(d, file, lineno, msg);
        return;
    }
    if (mono) {
        if (theme_parse_attrs(value, &t->styles[k].mono, msg, sizeof msg) < 0)
            diag(d, file, lineno, msg);
    } else if (theme_parse_value(value, colors, &t->styles[k], msg, sizeof msg) < 0) {
        diag(d, file, lineno, msg);
    }
}

/* Opens path as a regular file; NULL with errno set otherwise. */
static FILE *open_regular(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    struct stat sb;
    if (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        errno = EISDIR;
        return NULL;
    }
    return f;
}

/* The theme's display name: the file name without its directory and ".theme". */
static void set_name(struct theme *t, const char *arg)
{
    const char *base = strrchr(arg, '/');
    base = base ? base + 1 : arg;
    size_t n = strlen(base);
    if (n > 6 && strcmp(base + n - 6, ".theme") == 0) n -= 6;
    snprintf(t->name, sizeof t->name, "%.*s", (int)(n < sizeof t->name ? n : sizeof t->name - 1),
             base);
}

int theme_load(struct theme *t, const char *name_or_path, int colors, char *err, size_t errlen)
{
    theme_builtin(t);
    if (!name_or_path || !*name_or_path) return 0;

    FILE *f = NULL;
    char *path = NULL;
    if (strchr(name_or_path, '/')) {
        path = xstrdup(name_or_path);
        f = open_regular(path);
        if (!f) {
            if (err && errlen)
                snprintf(err, errlen, "cannot read theme file '%s': %s", path, strerror(errno));
            free(path);
            return -1;
        }
    } else {
        char dirs[PATHS_MAX_THEME_DIRS][PATHS_DIR_LEN];
        char *cands[PATHS_MAX_THEME_DIRS];
        size_t nc = paths_theme_dirs(dirs);
        for (size_t i = 0; i < nc; i++)
            cands[i] = xasprintf("%s/%s.theme", dirs[i], name_or_path);
        struct buf looked = {0};
        for (size_t i = 0; i < nc; i++) {
            if (!f) f = open_regular(cands[i]);
            if (f && !path) {
                path = cands[i];
                cands[i] = NULL;
            } else if (!f) {
                buf_printf(&looked, "%s%s", looked.len ? ", " : "", cands[i]);
            }
            free(cands[i]);
        }
        if (!f) {
            size_t n = strlen(name_or_path);
            bool file_like = n > 6 && strcmp(name_or_path + n - 6, ".theme") == 0;
            if (err && errlen)
                snprintf(err, errlen, "theme '%s' not found (looked in %s)%s%s", name_or_path,
                         looked.data, file_like ? "; for a file here, write ./" : "",
                         file_like ? name_or_path : "");
            buf_free(&looked);
            return -1;
        }
        buf_free(&looked);
    }

    set_name(t, name_or_path);
    strlcpy_safe(t->path, path, sizeof t->path);
    struct diag_sink d = {t, 0};
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    while (getline(&line, &cap, f) >= 0)
        apply_line(&d, path, ++lineno, line, colors);
    if (ferror(f)) {
        char msg[200];
        snprintf(msg, sizeof msg, "read error: %s", strerror(errno));
        diag(&d, path, lineno + 1, msg);
    }
    free(line);
    fclose(f);
    if (d.total > THEME_MAX_DIAGS) {
        char msg[64];
        snprintf(msg, sizeof msg, "%zu more problems not shown", d.total - (THEME_MAX_DIAGS - 1));
        t->n_diags = THEME_MAX_DIAGS - 1;
        diag(&d, path, 0, msg);
    }
    free(path);
    return 0;
}
