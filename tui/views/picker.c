/* The picker of :profile and :endpoint: the profiles the credential chain can use (where each
 * is defined, never a secret) or the known endpoints, the current one marked; Enter switches
 * the session to the selection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/creds.h"
#include "tui/connect.h"
#include "tui/ui.h"
#include "tui/view.h"

#define MAX_PROFILES 64

enum { PC_MARK, PC_NAME, PC_WHERE, PC_N };

static const struct table_col profile_cols[PC_N] = {
    [PC_MARK] = {"", NULL, 1, 1, 0, TABLE_NOSORT},
    [PC_NAME] = {"Profile", "name", 7, 32, 0, 0},
    [PC_WHERE] = {"Defined in", "where", 10, 0, 0, TABLE_FLEX},
};

static const struct table_col endpoint_cols[PC_N] = {
    [PC_MARK] = {"", NULL, 1, 1, 0, TABLE_NOSORT},
    [PC_NAME] = {"Endpoint", "url", 8, 50, 0, 0},
    [PC_WHERE] = {"What", "what", 4, 0, 0, TABLE_FLEX},
};

struct picker {
    enum pick_kind kind;
    struct table t;
    /* The value Enter switches to, per row key (the row's position). */
    char **values;
    size_t n_values;
};

static void picker_open(struct view *v, const struct view_args *args)
{
    struct picker *p = xcalloc(1, sizeof *p);
    p->kind = args->pick;
    table_init(&p->t, p->kind == PICK_PROFILE ? profile_cols : endpoint_cols, PC_N);
    p->t.copy_col = PC_NAME;
    p->t.focused = true;
    v->priv = p;
}

static void picker_free_values(struct picker *p)
{
    for (size_t i = 0; i < p->n_values; i++)
        free(p->values[i]);
    free(p->values);
    p->values = NULL;
    p->n_values = 0;
}

static void picker_close(struct view *v)
{
    struct picker *p = v->priv;
    picker_free_values(p);
    table_free(&p->t);
    free(p);
}

static void picker_crumb(struct view *v, struct buf *out)
{
    struct picker *p = v->priv;
    buf_puts(out, p->kind == PICK_PROFILE ? "Profiles" : "Endpoints");
}

static void picker_add(struct picker *p, const char *value, const char *name, const char *where,
                       bool current)
{
    p->values = xrealloc(p->values, (p->n_values + 1) * sizeof *p->values);
    p->values[p->n_values] = xstrdup(value);
    const char *cells[PC_N] = {current ? "*" : "", name, where};
    table_add(&p->t, p->n_values, cells);
    p->n_values++;
}

/* Local files and a fixed list: no network, so it is read again on every visit. */
static void picker_on_data(struct view *v)
{
    struct picker *p = v->priv;
    picker_free_values(p);
    table_begin(&p->t);
    if (p->kind == PICK_PROFILE) {
        struct creds_profile *found = xcalloc(MAX_PROFILES, sizeof *found);
        size_t n = creds_profiles(NULL, found, MAX_PROFILES);
        /* No profile named: the chain's order picks the environment, else [default]. */
        const char *cur = app_profile(v->app);
        if (!cur[0] && !(n && !found[0].name[0])) cur = "default";
        for (size_t i = 0; i < n; i++)
            picker_add(p, found[i].name, found[i].name[0] ? found[i].name : "(environment)",
                       found[i].source, !strcmp(found[i].name, cur));
        free(found);
    } else {
        size_t n;
        const struct connect_endpoint *e = connect_endpoints(&n);
        const char *cur = app_endpoint(v->app);
        bool listed = false;
        for (size_t i = 0; i < n; i++) {
            bool is_cur = !strcmp(e[i].url, cur) || (!cur[0] && i == 0);
            listed |= is_cur;
            picker_add(p, e[i].url, e[i].url, e[i].what, is_cur);
        }
        if (!listed) picker_add(p, cur, cur, "current (--endpoint or config)", true);
    }
    table_end(&p->t);
    v->st.state = STORE_LOADED;
}

static void picker_draw(struct view *v, int y, int x, int h, int w)
{
    struct picker *p = v->priv;
    ui_fill(y, x, w, A_NORMAL);
    ui_put(y, x, w,
           p->kind == PICK_PROFILE ? "Enter switches to the profile; * marks the current one"
                                   : "Enter switches to the endpoint; * marks the current one",
           ui_attr(THEME_LABEL));
    v->body_rows = h - 1;
    if (!p->t.n_vis) {
        for (int r = 1; r < h; r++)
            ui_fill(y + r, x, w, A_NORMAL);
        ui_put(y + 2, x + 2, w - 4,
               p->kind == PICK_PROFILE
                   ? "No profile found: set TENCENTCLOUD_SECRET_ID/_SECRET_KEY, or write "
                     "~/.tencentcloud/credentials"
                   : "Nothing here.",
               A_NORMAL);
        return;
    }
    table_draw(&p->t, y + 1, x, h - 1, w);
}

static bool picker_key(struct view *v, enum keymap_action act)
{
    struct picker *p = v->priv;
    if (act != ACT_OPEN) return view_table_key(v, &p->t, act);
    const struct table_row *r = table_selected(&p->t);
    if (!r || r->key >= p->n_values) return true;
    if (p->kind == PICK_PROFILE)
        app_request_switch(v->app, p->values[r->key], NULL);
    else
        app_request_switch(v->app, NULL, p->values[r->key]);
    return true;
}

static void picker_click(struct view *v, int y, int x, bool dbl)
{
    struct picker *p = v->priv;
    if (table_click(&p->t, y, x) && dbl) picker_key(v, ACT_OPEN);
}

static struct table *picker_table(struct view *v)
{
    return &((struct picker *)v->priv)->t;
}

const struct view_ops picker_view_ops = {
    .name = "picker",
    .ctx = KM_PICK,
    .open = picker_open,
    .close = picker_close,
    .crumb = picker_crumb,
    .draw = picker_draw,
    .key = picker_key,
    .on_data = picker_on_data,
    .reload = picker_on_data,
    .table = picker_table,
    .click = picker_click,
};
