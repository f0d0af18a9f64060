/* The `?` overlay: generated from the same key table that dispatches keys (tui/keymap.h),
 * with the user's bindings applied: the keys of the screen it was opened from first, then
 * those of the other screens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keymap.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

struct help_line {
    bool heading;
    char *keys, *action, *text;
};

struct help {
    enum keymap_ctx from;
    struct help_line *lines;
    size_t n, cap;
    size_t top;
};

static void add_line(struct help *p, bool heading, const char *keys, const char *action,
                     const char *text)
{
    p->lines = xgrow(p->lines, &p->cap, p->n + 1, sizeof *p->lines);
    p->lines[p->n++] = (struct help_line){heading, xstrdup(keys), xstrdup(action), xstrdup(text)};
}

static void add_context(struct help *p, const struct keymap *km, enum keymap_ctx c,
                        bool with_global)
{
    char keys[160];
    bool any = false;
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        enum keymap_action act = (enum keymap_action)a;
        if (!keymap_action_applies(act, c)) continue;
        bool global = keymap_action_applies(act, KM_GLOBAL);
        if (global && !with_global) continue;
        keymap_keys_for(km, c, act, keys, sizeof keys);
        if (!keys[0]) continue;
        if (!any) {
            char title[96];
            snprintf(title, sizeof title, "%s", keymap_ctx_title(c));
            add_line(p, true, "", "", title);
            any = true;
        }
        add_line(p, false, keys, keymap_action_name(act), keymap_action_help(act));
    }
}

static void help_open(struct view *v, const struct view_args *args)
{
    struct help *p = xcalloc(1, sizeof *p);
    p->from = args->help_ctx;
    v->priv = p;
    const struct keymap *km = app_keymap(v->app);
    add_context(p, km, p->from, true);
    for (int c = KM_RECORDS; c < KM_CTX_COUNT; c++)
        if (c != (int)p->from && c != KM_HELP) add_context(p, km, (enum keymap_ctx)c, false);
    add_line(p, true, "", "", "Filter and commands");
    add_line(p, false, "/", "", "status:failed type:clb  words match any column; field:value one");
    add_line(p, false, ":record ID", "", "open a record's detail");
    add_line(p, false, ":cert ID", "",
             "list only the records of one old certificate (:cert alone: all)");
    add_line(p, false, ":filter TEXT", "", "set the filter; :sort COLUMN [desc]; :log; :help; :q");
    add_line(p, false, ":save [FILE]", "",
             "write what is loaded to a snapshot file; certdeck --offline FILE reopens it");
}

static void help_close(struct view *v)
{
    struct help *p = v->priv;
    for (size_t i = 0; i < p->n; i++) {
        free(p->lines[i].keys);
        free(p->lines[i].action);
        free(p->lines[i].text);
    }
    free(p->lines);
    free(p);
}

static void help_crumb(struct view *v, struct buf *out)
{
    (void)v;
    buf_puts(out, "Help");
}

static void help_on_data(struct view *v)
{
    v->st.state = STORE_LOADED;
}

static void help_draw(struct view *v, int y, int x, int h, int w)
{
    struct help *p = v->priv;
    for (int r = 0; r < h; r++)
        ui_fill(y + r, x, w, A_NORMAL);
    v->body_rows = h;
    int kw = 0;
    for (size_t i = 0; i < p->n; i++) {
        int tw = text_width(p->lines[i].keys);
        if (!p->lines[i].heading && tw > kw) kw = tw;
    }
    if (kw > 24) kw = 24;
    int aw = 14;
    if (p->top + (size_t)h > p->n) p->top = p->n > (size_t)h ? p->n - (size_t)h : 0;
    for (int r = 0; r < h && p->top + (size_t)r < p->n; r++) {
        const struct help_line *l = &p->lines[p->top + (size_t)r];
        int ry = y + r;
        if (l->heading) {
            ui_put(ry, x + 1, w - 1, l->text, ui_attr(THEME_PANE_TITLE));
            continue;
        }
        int cx = x + 3;
        ui_put_pad(ry, cx, kw, l->keys, ui_attr(THEME_HELP_KEY), false);
        cx += kw + 2;
        if (l->action[0]) {
            ui_put_pad(ry, cx, aw, l->action, ui_attr(THEME_TABLE_DIM), false);
            cx += aw + 1;
        }
        if (cx < x + w) ui_put(ry, cx, x + w - cx, l->text, A_NORMAL);
    }
}

static bool help_key(struct view *v, enum keymap_action act)
{
    struct help *p = v->priv;
    if (act == ACT_HELP) {
        app_pop(v->app);
        return true;
    }
    return view_scroll_key(v, &p->top, p->n, act);
}

const struct view_ops help_view_ops = {
    .name = "help",
    .ctx = KM_HELP,
    .open = help_open,
    .close = help_close,
    .crumb = help_crumb,
    .draw = help_draw,
    .key = help_key,
    .on_data = help_on_data,
};
