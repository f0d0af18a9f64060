/* The : commands and what every action does when the screen leaves it alone: one table of
 * commands, one switch of actions, shared by keys, mouse, the command line and scripts. */
#include "tui/app/commands.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app/clipboard.h"
#include "tui/app/export.h"
#include "tui/app/prompt.h"
#include "tui/app/save.h"
#include "tui/connect.h"

static void set_cert_filter(struct app *a, const char *cert)
{
    free(a->cert_filter);
    a->cert_filter = cert && *cert ? xstrdup(cert) : NULL;
    app_pop_to_root(a);
    struct view *r = app_top(a);
    table_home(r->ops->table(r));
    app_bump_generation(a);
    r->ops->on_data(r);
    a->dirty = true;
}

static bool parse_id(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s) return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || *s == '-') return false;
    *out = v;
    return true;
}

/* What a command handler gets: the command as typed (for messages), its argument (trimmed),
 * the screen on top and its table (NULL when it has none). */
struct command_call {
    const char *name;
    const char *arg;
    struct view *v;
    struct table *t;
};

static void cmd_quit(struct app *a, const struct command_call *c)
{
    (void)c;
    a->quit = true;
}

static void cmd_record(struct app *a, const struct command_call *c)
{
    uint64_t id;
    if (!parse_id(c->arg, &id)) {
        app_msg(a, APP_MSG_ERROR, ":%s takes a record Id, e.g. :record 2", c->name);
        return;
    }
    app_pop_to_root(a);
    struct view_args args = {.record_id = id};
    app_push(a, &detail_view_ops, &args);
}

static void cmd_cert(struct app *a, const struct command_call *c)
{
    set_cert_filter(a, c->arg);
    if (c->arg[0])
        app_msg(a, APP_MSG_INFO, "records of certificate %s (:cert alone lists all)", c->arg);
    else
        app_msg(a, APP_MSG_INFO, "all records");
}

static void cmd_filter(struct app *a, const struct command_call *c)
{
    if (!c->t) {
        app_msg(a, APP_MSG_INFO, "nothing to filter here");
        return;
    }
    table_set_filter(c->t, c->arg);
    c->v->ops->on_data(c->v);
}

static void cmd_sort(struct app *a, const struct command_call *c)
{
    struct table *t = c->t;
    if (!t) {
        app_msg(a, APP_MSG_INFO, "nothing to sort here");
        return;
    }
    char field[64] = "", dir[16] = "";
    sscanf(c->arg, "%63s %15s", field, dir);
    bool rev = !strcmp(dir, "desc") || !strcmp(dir, "reverse");
    if (!field[0] || !strcmp(field, "none")) {
        table_sort_by(t, -1, false);
    } else if (!table_sort_by_field(t, field, rev)) {
        struct buf names = {0};
        for (size_t i = 0; i < t->n_cols; i++)
            if (t->cols[i].field && !(t->cols[i].flags & TABLE_NOSORT))
                buf_printf(&names, " %s", t->cols[i].field);
        app_msg(a, APP_MSG_ERROR, "no column '%s' here; columns:%s", field,
                names.data ? names.data : "");
        buf_free(&names);
        return;
    }
    c->v->ops->on_data(c->v);
}

/* :profile alone lists the profiles; :profile NAME switches ("env": the environment). */
static void cmd_profile(struct app *a, const struct command_call *c)
{
    if (!c->arg[0]) {
        struct view_args args = {.pick = PICK_PROFILE};
        app_push(a, &picker_view_ops, &args);
        return;
    }
    app_request_switch(a, strcmp(c->arg, "env") ? c->arg : "", NULL);
}

/* :endpoint alone lists the endpoints; :endpoint URL|REGION|intl|default switches. */
static void cmd_endpoint(struct app *a, const struct command_call *c)
{
    if (!c->arg[0]) {
        struct view_args args = {.pick = PICK_ENDPOINT};
        app_push(a, &picker_view_ops, &args);
        return;
    }
    char url[300];
    if (!connect_endpoint_url(c->arg, url, sizeof url)) {
        app_msg(a, APP_MSG_ERROR,
                ":endpoint takes a URL, a region (ap-guangzhou), intl or default, not '%s'",
                c->arg);
        return;
    }
    app_request_switch(a, NULL, url);
}

static void cmd_records(struct app *a, const struct command_call *c)
{
    (void)c;
    app_pop_to_root(a);
}

static void cmd_radar(struct app *a, const struct command_call *c)
{
    (void)c;
    app_pop_to_root(a);
    app_push(a, &radar_view_ops, NULL);
}

static void cmd_save(struct app *a, const struct command_call *c)
{
    save_command(a, c->arg);
}

/* The commands. A command that is an action (act != ACT_NONE) runs it through
 * commands_dispatch, exactly as its key would. Names are separated by '|'. */
static const struct command {
    const char *names;
    void (*run)(struct app *a, const struct command_call *c);
    enum keymap_action act;
} commands[] = {
    {"q|quit|q!|qa", cmd_quit, ACT_NONE},
    {"record|detail", cmd_record, ACT_NONE},
    {"cert", cmd_cert, ACT_NONE},
    {"filter", cmd_filter, ACT_NONE},
    {"sort", cmd_sort, ACT_NONE},
    {"log", NULL, ACT_EVENT_LOG},
    {"help", NULL, ACT_HELP},
    {"refresh", NULL, ACT_REFRESH},
    {"json", NULL, ACT_RAW_JSON},
    {"records|top", cmd_records, ACT_NONE},
    {"profile", cmd_profile, ACT_NONE},
    {"endpoint", cmd_endpoint, ACT_NONE},
    {"radar", cmd_radar, ACT_NONE},
    {"save", cmd_save, ACT_NONE},
};

static bool names_match(const char *names, const char *cmd)
{
    size_t n = strlen(cmd);
    for (const char *p = names; *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && !strncmp(p, cmd, n)) return true;
        p += len + (p[len] == '|');
    }
    return false;
}

size_t commands_complete(const char *prefix, struct buf *out)
{
    size_t n = 0, plen = strlen(prefix);
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        for (const char *p = commands[i].names; *p;) {
            size_t len = strcspn(p, "|");
            if (len >= plen && !strncmp(p, prefix, plen)) {
                buf_append(out, p, len);
                buf_putc(out, ' ');
                n++;
            }
            p += len + (p[len] == '|');
        }
    }
    return n;
}

void commands_run(struct app *a, const char *line)
{
    char cmd[64] = "";
    while (*line == ' ' || *line == ':')
        line++;
    size_t n = strcspn(line, " ");
    if (n >= sizeof cmd) n = sizeof cmd - 1;
    memcpy(cmd, line, n);
    cmd[n] = '\0';
    const char *arg = line + strcspn(line, " ");
    while (*arg == ' ')
        arg++;
    char argbuf[256];
    strlcpy_safe(argbuf, arg, sizeof argbuf);
    for (size_t k = strlen(argbuf); k > 0 && argbuf[k - 1] == ' '; k--)
        argbuf[k - 1] = '\0';
    if (!cmd[0]) return;
    struct view *v = app_top(a);
    struct command_call call = {cmd, argbuf, v, v && v->ops->table ? v->ops->table(v) : NULL};
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        if (!names_match(commands[i].names, cmd)) continue;
        if (commands[i].run)
            commands[i].run(a, &call);
        else
            commands_dispatch(a, commands[i].act);
        a->dirty = true;
        return;
    }
    app_msg(a, APP_MSG_ERROR, "unknown command :%s (try :help)", cmd);
}

void commands_dispatch(struct app *a, enum keymap_action act)
{
    struct view *v = app_top(a);
    a->dirty = true;
    if (v->ops->key && v->ops->key(v, act)) return;
    struct table *t = v->ops->table ? v->ops->table(v) : NULL;
    switch (act) {
    case ACT_BACK:
        if (a->depth > 1)
            app_pop(a);
        else if (t && t->filter[0]) {
            table_set_filter(t, "");
            v->ops->on_data(v);
        } else
            app_msg(a, APP_MSG_INFO, "this is the first screen: q quits");
        break;
    case ACT_CLOSE:
        if (a->depth > 1)
            app_pop(a);
        else
            a->quit = true;
        break;
    case ACT_QUIT:
        a->quit = true;
        break;
    case ACT_HELP: {
        struct view_args args = {.help_ctx = v->ops->ctx};
        app_push(a, &help_view_ops, &args);
        break;
    }
    case ACT_EVENT_LOG:
        if (v->ops == &log_view_ops)
            app_pop(a);
        else
            app_push(a, &log_view_ops, NULL);
        break;
    case ACT_FILTER:
        if (!t) {
            app_msg(a, APP_MSG_INFO, "nothing to filter here");
            break;
        }
        prompt_open_filter(a, t->filter);
        break;
    case ACT_COMMAND:
        prompt_open_command(a);
        break;
    case ACT_SORT_PREV:
    case ACT_SORT_NEXT:
        if (!t) break;
        table_sort_step(t, act == ACT_SORT_NEXT ? 1 : -1);
        v->ops->on_data(v); /* sorting needs every row: views load the rest */
        break;
    case ACT_SORT_REVERSE:
        if (!t) break;
        table_sort_by(t, t->sort_col, !t->sort_rev);
        v->ops->on_data(v);
        break;
    case ACT_REFRESH:
        if (v->ops->reload) v->ops->reload(v);
        a->last_auto_ms = now_ms();
        if (v->ops->on_data) v->ops->on_data(v);
        break;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        break;
    case ACT_COPY:
    case ACT_COPY_ROW:
        clipboard_copy_selection(a, act == ACT_COPY_ROW);
        break;
    case ACT_EXPORT:
        export_start(a);
        break;
    case ACT_OPEN:
    case ACT_RAW_JSON:
    case ACT_ROLLBACK:
    case ACT_RETRY:
    case ACT_PANE_NEXT:
        app_msg(a, APP_MSG_INFO, "%s does nothing on this screen", keymap_action_name(act));
        break;
    default:
        break;
    }
}
