/* The prompt line above the status line: the / filter (applied as typed, Esc restores the
 * old one), the : command line and the question before a write (asked by
 * app_confirm_write: y/N, or the record ID typed for a rollback). It edits the line; what a
 * finished line means is the caller's. */
#include "tui/app/prompt.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/pathcomp.h"
#include "tui/text.h"
#include "tui/ui.h"

/* The path prompt's lead and hint for each thing it asks for, and whether Tab completes files. */
static const struct {
    const char *lead, *hint;
    bool files;
} asks[] = {
    [ASK_EXPORT] = {"export to: ", ".csv or .json  Enter writes  Esc cancels", true},
    [ASK_RENEW_CERT] = {"new certificate chain (PEM file): ", "Tab completes  Esc cancels", true},
    [ASK_RENEW_KEY] = {"its private key (PEM file): ", "Tab completes  Esc cancels", true},
    [ASK_RENEW_TYPES] = {"resource types: ", "e.g. clb,waf  Enter checks  Esc cancels", false},
};

void prompt_open_filter(struct app *a, const char *current)
{
    strlcpy_safe(a->saved_filter, current, sizeof a->saved_filter);
    buf_reset(&a->input);
    buf_puts(&a->input, current);
    history_reset(&a->hist_filter);
    a->prompt = PROMPT_FILTER;
    a->dirty = true;
}

void prompt_open_command(struct app *a)
{
    buf_reset(&a->input);
    history_reset(&a->hist_cmd);
    a->prompt = PROMPT_COMMAND;
    a->dirty = true;
}

void prompt_open_ask(struct app *a, enum prompt_ask ask, const char *proposed)
{
    buf_reset(&a->input);
    buf_puts(&a->input, proposed ? proposed : "");
    a->prompt = PROMPT_PATH;
    a->ask = ask;
    a->dirty = true;
}

void prompt_open_path(struct app *a, const char *proposed)
{
    prompt_open_ask(a, ASK_EXPORT, proposed);
}

void prompt_draw(struct app *a, int y, int w)
{
    ui_fill(y, 0, w, A_NORMAL);
    const char *text = a->input.data ? a->input.data : "";
    if (a->prompt == PROMPT_CONFIRM) {
        /* The question is cut, never the answer it expects (nor what is typed so far). */
        char answer[160];
        if (a->confirm_word[0])
            snprintf(answer, sizeof answer, " Type %s to confirm: %s", a->confirm_word, text);
        else
            snprintf(answer, sizeof answer, " [y/N] ");
        int aw = text_width(answer);
        attr_t qa = ui_attr(THEME_STATUSLINE_INFO);
        int x = ui_put(y, 0, w > aw ? w - aw : 0, a->question, qa);
        x += ui_put(y, x, w - x, answer, qa);
        move(y, x < w ? x : w - 1);
        return;
    }
    const char *lead = a->prompt == PROMPT_FILTER ? "/"
                       : a->prompt == PROMPT_PATH ? asks[a->ask].lead
                                                  : ":";
    const char *hint = a->prompt == PROMPT_FILTER ? "words or field:value  Enter keeps  Esc cancels"
                       : a->prompt == PROMPT_PATH
                           ? asks[a->ask].hint
                           : "record ID  cert ID  filter TEXT  sort COL  log  help  q";
    int x = ui_put(y, 0, w, lead, ui_attr(THEME_FILTER));
    int hw = text_width(hint);
    int room = w - x - 1 - (hw + 2 < w / 2 ? hw + 2 : 0);
    /* Show the end of a long input. */
    const char *shown = text;
    while (text_width(shown) > room && *shown) {
        uint32_t cp;
        shown += text_decode(shown, &cp);
    }
    x += ui_put(y, x, room, shown, ui_attr(THEME_FILTER));
    if (hw + 2 < w / 2) ui_put(y, w - hw - 1, hw, hint, ui_attr(THEME_TABLE_DIM));
    move(y, x < w ? x : w - 1);
}

static void prompt_apply_filter(struct app *a)
{
    struct view *v = app_top(a);
    struct table *t = v->ops->table ? v->ops->table(v) : NULL;
    if (!t) return;
    const char *f = a->input.data ? a->input.data : "";
    table_set_filter(t, f);
    v->ops->on_data(v);
    char field[64];
    if (table_unknown_field(t, f, field, sizeof field)) {
        struct buf names = {0};
        for (size_t c = 0; c < t->n_cols; c++)
            if (t->cols[c].field) buf_printf(&names, " %s", t->cols[c].field);
        app_msg(a, APP_MSG_INFO, "no column '%s' here (columns:%s); it matches as plain text",
                field, names.data ? names.data : "");
        buf_free(&names);
    }
}

/* Removes the last code point of the input. */
static void input_backspace(struct buf *b)
{
    if (!b->len) return;
    size_t i = b->len - 1;
    while (i > 0 && ((unsigned char)b->data[i] & 0xc0) == 0x80)
        i--;
    b->len = i;
    b->data[i] = '\0';
}

/* The typed confirmation: digits edit the answer (Backspace, C-u), Enter answers (yes only when
 * it is the word exactly), Esc or C-c cancels. The typed text stays in a->input for the
 * "cancelled" message. */
static enum prompt_done confirm_word_key(struct app *a, int key)
{
    if (key == KEYMAP_KEY_ENTER || key == KEYMAP_KEY_ESC || key == 3 /* C-c */) {
        a->prompt = PROMPT_NONE;
        if (key != KEYMAP_KEY_ENTER) buf_reset(&a->input);
        bool same =
            key == KEYMAP_KEY_ENTER && a->input.data && !strcmp(a->input.data, a->confirm_word);
        return same ? PROMPT_DONE_YES : PROMPT_DONE_NO;
    }
    if (key == (KEYMAP_KEY_SPECIAL | KEY_BACKSPACE))
        input_backspace(&a->input);
    else if (key == 21 /* C-u */)
        buf_reset(&a->input);
    else if (key >= 0x20 && key < 0x7f && a->input.len < sizeof a->confirm_word)
        buf_putc(&a->input, (char)key);
    return PROMPT_OPEN;
}

/* Enter on : or /: the line goes into that prompt's history (a save that fails is said once,
 * in the event log). */
static void remember(struct app *a, enum prompt_kind kind)
{
    struct history *h = kind == PROMPT_COMMAND ? &a->hist_cmd : &a->hist_filter;
    char err[600];
    if (history_add(h, a->input.data, err, sizeof err) != 0) app_note_add(a, true, err);
}

void prompt_complete(struct app *a, struct buf *names_buf, size_t n)
{
    struct buf names = *names_buf;
    if (n == 1) {
        buf_reset(&a->input);
        buf_puts(&a->input, names.data); /* the name and a space */
    } else if (n > 1) {
        /* The longest prefix every name shares. */
        size_t common = strcspn(names.data, " ");
        for (const char *p = names.data; *p; p += strcspn(p, " ") + 1) {
            size_t k = 0;
            while (k < common && p[k] == names.data[k] && p[k] != ' ')
                k++;
            common = k;
        }
        if (common > a->input.len) {
            buf_reset(&a->input);
            buf_append(&a->input, names.data, common);
        }
        names.data[names.len - 1] = '\0';
        app_msg(a, APP_MSG_INFO, "commands: %s", names.data);
    }
}

void prompt_complete_path(struct app *a)
{
    struct pathcomp pc;
    size_t n = pathcomp_complete(a->input.data ? a->input.data : "", NULL, &pc);
    buf_reset(&a->input);
    buf_puts(&a->input, pc.line);
    if (n == 0) {
        size_t len = a->input.len;
        bool dir = len == 0 || a->input.data[len - 1] == '/';
        app_msg(a, APP_MSG_INFO, "%s",
                dir ? "no file there (hidden files show after a '.')"
                    : "no file name begins with that");
    } else if (n > 1) {
        /* The message line shows what fits; the count says how many there are. */
        struct buf list = {0};
        for (size_t i = 0; i < n && list.len < 400; i++)
            buf_printf(&list, "%s%s", i ? "  " : "", pc.names[i]);
        app_msg(a, APP_MSG_INFO, "%zu%s files: %s", n, n == PATHCOMP_MAX ? "+" : "", list.data);
        buf_free(&list);
    }
    pathcomp_free(&pc);
    a->dirty = true;
}

enum prompt_done prompt_key(struct app *a, int key, char **command)
{
    enum prompt_kind kind = a->prompt;
    a->dirty = true;
    if (kind == PROMPT_CONFIRM && !a->confirm_word[0]) {
        a->prompt = PROMPT_NONE;
        return key == 'y' || key == 'Y' ? PROMPT_DONE_YES : PROMPT_DONE_NO;
    }
    if (kind == PROMPT_CONFIRM) return confirm_word_key(a, key);
    if (key == KEYMAP_KEY_ENTER) {
        a->prompt = PROMPT_NONE;
        if (kind == PROMPT_COMMAND || kind == PROMPT_FILTER) remember(a, kind);
        if (kind != PROMPT_COMMAND && kind != PROMPT_PATH) return PROMPT_DONE_CLOSED;
        *command = buf_steal(&a->input);
        return kind == PROMPT_PATH ? PROMPT_DONE_PATH : PROMPT_DONE_COMMAND;
    }
    if (key == KEYMAP_KEY_ESC || key == 3 /* C-c */) {
        a->prompt = PROMPT_NONE;
        if (kind == PROMPT_FILTER) {
            buf_reset(&a->input);
            buf_puts(&a->input, a->saved_filter);
            prompt_apply_filter(a);
        }
        return PROMPT_DONE_CLOSED;
    }
    if (key == (KEYMAP_KEY_SPECIAL | KEY_BACKSPACE)) {
        if (!a->input.len) {
            a->prompt = PROMPT_NONE;
            return PROMPT_DONE_CLOSED;
        }
        input_backspace(&a->input);
    } else if (key == 21 /* C-u */) {
        buf_reset(&a->input);
    } else if ((key == (KEYMAP_KEY_SPECIAL | KEY_UP) || key == (KEYMAP_KEY_SPECIAL | KEY_DOWN)) &&
               kind != PROMPT_PATH) {
        struct history *h = kind == PROMPT_COMMAND ? &a->hist_cmd : &a->hist_filter;
        if (!history_walk(h, key == (KEYMAP_KEY_SPECIAL | KEY_UP) ? -1 : 1, &a->input))
            return PROMPT_OPEN;
    } else if (key == KEYMAP_KEY_TAB && kind == PROMPT_COMMAND) {
        /* In the first word only: the caller completes command names (prompt_complete). */
        return a->input.data && strchr(a->input.data, ' ') ? PROMPT_OPEN : PROMPT_COMPLETE;
    } else if (key == KEYMAP_KEY_TAB && kind == PROMPT_PATH) {
        return asks[a->ask].files ? PROMPT_COMPLETE_PATH : PROMPT_OPEN;
    } else if (key == 23 /* C-w */) {
        while (a->input.len && a->input.data[a->input.len - 1] == ' ')
            input_backspace(&a->input);
        while (a->input.len && a->input.data[a->input.len - 1] != ' ')
            input_backspace(&a->input);
    } else if (key >= 0x20 && key <= 0x10ffff && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
        char enc[8];
        if (a->input.len < 240) buf_puts(&a->input, (text_encode((uint32_t)key, enc), enc));
    } else {
        return PROMPT_OPEN;
    }
    if (kind == PROMPT_FILTER) prompt_apply_filter(a);
    return PROMPT_OPEN;
}
