/* Input from the terminal: keys (wide characters, special keys, Alt as Esc+key) through the
 * key table into actions, mouse events (wheel, click, double click) and resizes. */
#include "tui/app/input.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/app/options.h"
#include "tui/app/bulk.h"
#include "tui/app/chrome.h"
#include "tui/app/commands.h"
#include "tui/app/export.h"
#include "tui/app/prompt.h"
#include "tui/app/renew.h"
#include "tui/app/writes.h"

void input_prompt_key(struct app *a, int key)
{
    char *command = NULL;
    enum prompt_kind kind = a->prompt;
    enum prompt_ask ask = a->ask;
    enum prompt_done done = prompt_key(a, key, &command);
    switch (done) {
    case PROMPT_DONE_COMMAND:
        commands_run(a, command);
        free(command);
        break;
    case PROMPT_DONE_PATH:
        if (ask == ASK_EXPORT)
            export_write(a, command);
        else
            renew_flow_answer(a, ask, command);
        free(command);
        break;
    case PROMPT_DONE_CLOSED:
        if (kind == PROMPT_PATH && ask != ASK_EXPORT) renew_flow_abandon(a);
        break;
    case PROMPT_COMPLETE_PATH:
        prompt_complete_path(a);
        break;
    case PROMPT_DONE_YES:
    case PROMPT_DONE_NO:
        writes_answer(a, done == PROMPT_DONE_YES);
        break;
    case PROMPT_COMPLETE: {
        struct buf names = {0};
        size_t n = commands_complete(a->input.data ? a->input.data : "", &names);
        prompt_complete(a, &names, n);
        buf_free(&names);
        break;
    }
    default:
        break;
    }
}

/* Whether key is an Esc+key pair that nothing binds here: then it is two keys. Over SSH (or any
 * terminal slower than ESCDELAY's guess) Esc and the next key arrive in one read, so ncurses
 * hands them over as Meta-key; a prompt never takes Meta keys. */
static bool meta_unbound(struct app *a, int key)
{
    if (!(key & KEYMAP_KEY_META)) return false;
    if (a->prompt != PROMPT_NONE || chrome_too_small()) return true;
    return keymap_lookup(a->km, app_top(a)->ops->ctx, key) == ACT_NONE;
}

void input_key(struct app *a, int key)
{
    if (meta_unbound(a, key)) {
        input_key(a, KEYMAP_KEY_ESC);
        if (!a->quit) input_key(a, key & ~KEYMAP_KEY_META);
        return;
    }
    a->msg[0] = '\0'; /* a key clears the last message */
    /* Too small, the screen says only "q quits": keys must not go, unseen, into a prompt (q
     * would type into the filter, y would answer a hidden question). The prompt stays open
     * for when the terminal is big enough again. */
    if (chrome_too_small()) {
        if (key == 'q' || key == 'Q') a->quit = true;
        return;
    }
    if (a->prompt != PROMPT_NONE) {
        input_prompt_key(a, key);
        return;
    }
    struct view *v = app_top(a);
    enum keymap_action act = keymap_lookup(a->km, v->ops->ctx, key);
    if (act == ACT_NONE) {
        char name[32];
        app_msg(a, APP_MSG_INFO, "%s does nothing here (? lists the keys)",
                keymap_key_name(key, name, sizeof name));
        return;
    }
    if (act == ACT_BACK && bulk_running(a)) { /* Esc stops a bulk retry first */
        bulk_cancel(a);
        return;
    }
    commands_dispatch(a, act);
}

void input_resize(struct app *a, int cols, int lines)
{
    if (cols > 0 && lines > 0) resizeterm(lines, cols);
    clearok(curscr, TRUE);
    a->dirty = true;
}

/* A click on row 0: a breadcrumb goes back to its screen, "? help" opens the help. */
static void row0_click(struct app *a, int x)
{
    int target = chrome_row0_target(a, x);
    if (target == CHROME_HELP && app_top(a)->ops != &help_view_ops) commands_dispatch(a, ACT_HELP);
    while (target >= 0 && a->depth - 1 > target && a->depth > 1)
        app_pop(a);
}

/* One mouse event, from the terminal (KEY_MOUSE) or from a script's click and wheel lines:
 * the wheel moves the selection three rows, a click selects, a double click opens, a click
 * on a breadcrumb goes back to that screen. Nothing happens while a prompt waits for its
 * answer (a click must not change what y would confirm) or the terminal is too small, nor
 * when the mouse is off. */
void input_mouse(struct app *a, const MEVENT *ev)
{
    if (!a->opts->mouse || a->prompt != PROMPT_NONE || chrome_too_small()) return;
    struct view *v = app_top(a);
    if (ev->bstate & BUTTON4_PRESSED) {
        for (int i = 0; i < 3; i++)
            commands_dispatch(a, ACT_MOVE_UP);
    } else if (ev->bstate & BUTTON5_PRESSED) {
        for (int i = 0; i < 3; i++)
            commands_dispatch(a, ACT_MOVE_DOWN);
    } else if (ev->bstate & (BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED)) {
        a->msg[0] = '\0'; /* like a key */
        if (ev->y == 0)
            row0_click(a, ev->x);
        else if (v->ops->click)
            v->ops->click(v, ev->y, ev->x, (ev->bstate & BUTTON1_DOUBLE_CLICKED) != 0);
    }
    a->dirty = true;
}

static void handle_mouse(struct app *a)
{
    MEVENT ev;
    if (getmouse(&ev) == OK) input_mouse(a, &ev);
}

/* Reads every key ncurses has (it may have buffered several) and handles them. */
void input_read(struct app *a)
{
    wint_t wch;
    int r;
    while (!a->quit && (r = wget_wch(stdscr, &wch)) != ERR) {
        int key;
        if (r == KEY_CODE_YES) {
            if (wch == KEY_RESIZE) {
                input_resize(a, 0, 0);
                continue;
            }
            if (wch == KEY_MOUSE) {
                handle_mouse(a);
                continue;
            }
            if (wch == KEY_ENTER)
                key = KEYMAP_KEY_ENTER;
            else
                key = KEYMAP_KEY_SPECIAL | (int)wch;
        } else {
            key = (int)wch;
            if (key == '\r') key = KEYMAP_KEY_ENTER;
            if (key == 127 || key == 8) key = KEYMAP_KEY_SPECIAL | KEY_BACKSPACE;
            if (key == KEYMAP_KEY_ESC) {
                /* Esc then a character at once: Alt/Meta (input_key splits it again when
                 * Meta+key is not bound). */
                wint_t next;
                int r2 = wget_wch(stdscr, &next);
                if (r2 == OK && next >= 0x20 && next != 0x7f)
                    key = KEYMAP_KEY_META | (int)next;
                else if (r2 == OK)
                    unget_wch((wchar_t)next);
                else if (r2 == KEY_CODE_YES)
                    ungetch((int)next); /* a function key: pushed back as a key code */
            }
        }
        input_key(a, key);
    }
}
