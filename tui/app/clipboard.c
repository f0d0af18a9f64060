/* y and Y: the selected row's key value, or the whole row, to the clipboard. OSC 52 goes to
 * the terminal certdeck draws on, so it crosses SSH and tmux; a command gets the text on its
 * standard input. What is copied is sanitized like everything shown (no control characters
 * or escape sequences reach the clipboard) and capped at CLIPBOARD_MAX bytes. */
#include "tui/app/clipboard.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sanitize.h"

/* The text of the selected row: the key column, or every text column joined by tabs. */
static bool selection_text(struct table *t, bool whole_row, struct buf *out)
{
    const struct table_row *r = table_selected(t);
    if (!r) return false;
    size_t key = t->copy_col;
    for (size_t c = 1; !key && c < t->n_cols; c++)
        if (t->cols[c].title[0] && !(t->cols[c].flags & TABLE_BAR)) key = c;
    for (size_t c = 0; c < t->n_cols; c++) {
        if (!whole_row && c != key) continue;
        if (whole_row && (!t->cols[c].title[0] || (t->cols[c].flags & TABLE_BAR))) continue;
        if (whole_row && out->len) buf_putc(out, '\t');
        const char *cell = table_cell(t, t->vis[t->cursor], c);
        sanitize_append(out, cell, strlen(cell), false);
    }
    return true;
}

static bool send_osc52(FILE *term, const char *text, size_t len)
{
    if (!term) return false;
    unsigned char *b64 = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock(b64, (const unsigned char *)text, (int)len);
    int n = fprintf(term, "\033]52;c;%s\a", (const char *)b64);
    free(b64);
    return n > 0 && fflush(term) == 0;
}

/* Runs `sh -c command` with text on its standard input (its output goes to /dev/null: the
 * screen is ours). Returns its exit status, or -1 when it could not run. */
static int send_command(const char *command, const char *text, size_t len)
{
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(fds[0], STDIN_FILENO);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        close(fds[0]);
        close(fds[1]);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    /* A command that exits without reading must not kill certdeck with SIGPIPE. */
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fds[1], text + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    close(fds[1]);
    sigaction(SIGPIPE, &old, NULL);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void clipboard_copy_selection(struct app *a, bool whole_row)
{
    struct view *v = app_top(a);
    struct table *t = v->ops->table ? v->ops->table(v) : NULL;
    struct buf text = {0};
    const char *how = a->cfg->clipboard[0] ? a->cfg->clipboard : "osc52";
    if (!t || !selection_text(t, whole_row, &text)) {
        app_msg(a, APP_MSG_INFO, "nothing selected to copy");
    } else if (!text.len) {
        app_msg(a, APP_MSG_INFO, "the selected value is empty: nothing copied");
    } else if (text.len > CLIPBOARD_MAX) {
        app_msg(a, APP_MSG_ERROR, "not copied: %zu bytes is over the %d-byte limit", text.len,
                CLIPBOARD_MAX);
    } else if (!strcmp(how, "off")) {
        app_msg(a, APP_MSG_INFO, "copying is off (config: clipboard = off)");
    } else if (!strcmp(how, "osc52")) {
        if (send_osc52(a->term, text.data, text.len))
            app_msg(a, APP_MSG_INFO, "copied %zu bytes", text.len);
        else
            app_msg(a, APP_MSG_ERROR, "not copied: cannot write to the terminal");
    } else {
        int rc = send_command(how, text.data, text.len);
        if (rc == 0)
            app_msg(a, APP_MSG_INFO, "copied %zu bytes", text.len);
        else
            app_msg(a, APP_MSG_ERROR, "not copied: the clipboard command %s %d (config: clipboard)",
                    rc < 0 ? "could not run:" : "exited with", rc);
    }
    buf_free(&text);
}
