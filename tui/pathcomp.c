/* Tab completion of file paths (see pathcomp.h). */
#include "tui/pathcomp.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/sanitize.h"
#include "core/util.h"

char *pathcomp_expand(const char *typed, const char *home)
{
    if (!home) home = getenv("HOME");
    if (home && *home && typed[0] == '~' && (typed[1] == '\0' || typed[1] == '/')) {
        size_t hl = strlen(home);
        while (hl > 1 && home[hl - 1] == '/') /* "/home/me/" + "/x" */
            hl--;
        return xasprintf("%.*s%s", (int)hl, home, typed + 1);
    }
    return xstrdup(typed);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether dir/name is a directory (following a symbolic link, as opening it would). */
static bool is_dir(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    struct stat st;
    bool d = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return d;
}

/* The bytes every name begins with, never ending inside a UTF-8 sequence. */
static size_t shared_prefix(char *const *names, size_t n)
{
    size_t len = strlen(names[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < len && names[i][k] == names[0][k])
            k++;
        len = k;
    }
    while (len > 0 && ((unsigned char)names[0][len] & 0xc0) == 0x80)
        len--;
    return len;
}

size_t pathcomp_complete(const char *typed, const char *home, struct pathcomp *out)
{
    memset(out, 0, sizeof *out);
    if (!strcmp(typed, "~")) { /* the home directory itself */
        out->line = xstrdup("~/");
        out->names = xcalloc(1, sizeof *out->names);
        out->names[0] = xstrdup("~/");
        return out->n = 1;
    }
    const char *slash = strrchr(typed, '/');
    size_t dir_len = slash ? (size_t)(slash - typed) + 1 : 0;
    const char *base = typed + dir_len;
    size_t base_len = strlen(base);
    char *dir_typed = xstrndup(typed, dir_len);
    char *dir = dir_len ? pathcomp_expand(dir_typed, home) : xstrdup(".");
    DIR *d = opendir(dir);
    size_t cap = 0;
    for (struct dirent *e; d && out->n < PATHCOMP_MAX && (e = readdir(d)) != NULL;) {
        const char *name = e->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
        if (name[0] == '.' && base[0] != '.') continue;
        if (strncmp(name, base, base_len) != 0) continue;
        if (!sanitize_is_clean(name, strlen(name))) continue;
        out->names = xgrow(out->names, &cap, out->n + 1, sizeof *out->names);
        out->names[out->n++] = is_dir(dir, name) ? xasprintf("%s/", name) : xstrdup(name);
    }
    if (d) closedir(d);
    if (out->n > 1) qsort(out->names, out->n, sizeof *out->names, cmp_names);
    if (out->n == 0)
        out->line = xstrdup(typed);
    else
        out->line =
            xasprintf("%s%.*s", dir_typed, (int)shared_prefix(out->names, out->n), out->names[0]);
    free(dir_typed);
    free(dir);
    return out->n;
}

void pathcomp_free(struct pathcomp *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->names[i]);
    free(c->names);
    free(c->line);
    memset(c, 0, sizeof *c);
}
