/* Prompt histories kept in files of the state directory: one line each, oldest first, capped;
 * saved whole (a temporary file renamed over the old) after every line added, so two certdecks
 * never leave a half-written file. Lines read back that hold control characters are skipped:
 * only what the prompt could have typed comes back. */
#include "tui/history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/paths.h"

/* "$XDG_STATE_HOME/certdeck" or "$HOME/.local/state/certdeck"; -1 when no home is known. */
static int state_dir(char *out, size_t n)
{
    return paths_xdg_dir("XDG_STATE_HOME", ".local/state", out, n);
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
    char tmp[1024];
    strlcpy_safe(tmp, path, sizeof tmp);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static bool typable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return *s != '\0';
}

static void push(struct history *h, const char *line)
{
    if (h->n == HISTORY_MAX) {
        free(h->lines[0]);
        memmove(h->lines, h->lines + 1, (HISTORY_MAX - 1) * sizeof *h->lines);
        h->n--;
    }
    if (!h->lines) h->lines = xcalloc(HISTORY_MAX, sizeof *h->lines);
    h->lines[h->n++] = xstrdup(line);
}

void history_open(struct history *h, const char *name)
{
    memset(h, 0, sizeof *h);
    char dir[1024];
    if (state_dir(dir, sizeof dir) != 0) return;
    h->file = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(h->file, "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        bool whole = line[len] == '\n' || feof(f);
        line[len] = '\0';
        if (whole && typable(line)) push(h, line);
        while (!whole && fgets(line, sizeof line, f)) /* too long: skipped */
            whole = strchr(line, '\n') != NULL;
    }
    fclose(f);
    h->pos = h->n;
}

void history_close(struct history *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->lines[i]);
    free(h->lines);
    free(h->file);
    free(h->draft);
    memset(h, 0, sizeof *h);
}

void history_reset(struct history *h)
{
    h->pos = h->n;
    free(h->draft);
    h->draft = NULL;
}

static int save(const struct history *h, char *errbuf, size_t errlen)
{
    char dir[1024];
    strlcpy_safe(dir, h->file, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    char *tmp = xasprintf("%s.%ld.tmp", h->file, (long)getpid());
    FILE *f = NULL;
    if (make_dirs(dir) == 0) f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        for (size_t i = 0; i < h->n; i++)
            fprintf(f, "%s\n", h->lines[i]);
        rc = fclose(f) == 0 && rename(tmp, h->file) == 0 ? 0 : -1;
    }
    if (rc != 0) {
        snprintf(errbuf, errlen, "cannot save the prompt history in %s: %s", h->file,
                 strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

int history_add(struct history *h, const char *line, char *errbuf, size_t errlen)
{
    history_reset(h);
    if (!line || !typable(line) || strspn(line, " ") == strlen(line)) return 0;
    if (h->n && !strcmp(h->lines[h->n - 1], line)) return 0;
    push(h, line);
    h->pos = h->n;
    if (!h->file || save(h, errbuf, errlen) == 0 || h->failed) return 0;
    h->failed = true;
    return -1;
}

bool history_walk(struct history *h, int dir, struct buf *input)
{
    if (dir < 0 && h->pos == 0) return false;
    if (dir > 0 && h->pos >= h->n) return false;
    if (h->pos == h->n) {
        free(h->draft);
        h->draft = xstrdup(input->data ? input->data : "");
    }
    h->pos = dir < 0 ? h->pos - 1 : h->pos + 1;
    buf_reset(input);
    buf_puts(input, h->pos < h->n ? h->lines[h->pos] : (h->draft ? h->draft : ""));
    return true;
}
