/* The raw JSON of the selection (a record, a run, or one instance), encoded by core/codec with
 * the API's own field names, pretty-printed, sanitized line by line and lightly coloured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/codec.h"
#include "core/sanitize.h"
#include "core/query.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

struct json_view {
    struct view_args args;
    char **lines;
    size_t n_lines;
    size_t top;
    bool found;
};

static void free_lines(struct json_view *p)
{
    for (size_t i = 0; i < p->n_lines; i++)
        free(p->lines[i]);
    free(p->lines);
    p->lines = NULL;
    p->n_lines = 0;
}

static void json_open(struct view *v, const struct view_args *args)
{
    struct json_view *p = xcalloc(1, sizeof *p);
    p->args = *args;
    v->priv = p;
}

static void json_close(struct view *v)
{
    struct json_view *p = v->priv;
    free_lines(p);
    free(p);
}

static void json_crumb(struct view *v, struct buf *out)
{
    struct json_view *p = v->priv;
    if (p->args.json == JSON_RUN) buf_printf(out, "run %d\t", p->args.run_number);
    buf_puts(out, "JSON");
}

/* Splits the printed JSON into sanitized lines (tabs become two spaces). */
static void set_text(struct json_view *p, const char *text)
{
    free_lines(p);
    struct buf clean = {0};
    sanitize_append(&clean, text, strlen(text), true);
    size_t cap = 0;
    const char *s = clean.data ? clean.data : "";
    while (*s) {
        size_t len = strcspn(s, "\n");
        struct buf line = {0};
        bool lead = true;
        for (size_t i = 0; i < len; i++) {
            if (s[i] != '\t') lead = false;
            if (s[i] == '\t')
                buf_puts(&line, lead ? "  " : " ");
            else if (s[i] != '\r')
                buf_putc(&line, s[i]);
        }
        p->lines = xgrow(p->lines, &cap, p->n_lines + 1, sizeof *p->lines);
        p->lines[p->n_lines++] = buf_steal(&line);
        s += len;
        if (*s == '\n') s++;
    }
    buf_free(&clean);
}

static void json_on_data(struct view *v)
{
    struct json_view *p = v->priv;
    struct store *s = app_store(v->app);
    cJSON *obj = NULL;
    store_lock(s);
    const struct store_detail *sd = NULL;
    switch (p->args.json) {
    case JSON_RECORD: {
        const struct update_record *r = query_record(store_records(s), p->args.record_id);
        if (r) obj = codec_encode_update_record(r);
        v->st.state = store_records(s)->meta.state;
        break;
    }
    case JSON_RUN: {
        sd = store_detail(s, p->args.record_id);
        const struct deploy_run *run = query_run(sd, p->args.run_index);
        if (run) obj = codec_encode_deploy_run(run);
        break;
    }
    case JSON_ITEM: {
        sd = store_detail(s, p->args.record_id);
        struct deploy_item scratch;
        const struct deploy_item *it =
            query_item(query_group(query_run(sd, p->args.run_index), p->args.resource_type),
                       p->args.item_id, &scratch);
        if (it) obj = codec_encode_deploy_item(it);
        break;
    }
    }
    if (sd) {
        v->st.state = sd->meta.state;
        v->st.err = sd->meta.last_error;
        v->st.fetched_ms = sd->meta.fetched_ms;
    }
    store_unlock(s);
    p->found = obj != NULL;
    if (obj) {
        char *text = cJSON_Print(obj);
        set_text(p, text ? text : "");
        cJSON_free(text);
        cJSON_Delete(obj);
    } else {
        free_lines(p);
    }
}

static void json_refresh(struct view *v)
{
    struct json_view *p = v->priv;
    if (p->args.json == JSON_RECORD)
        worker_want_records(app_worker(v->app), app_cert_filter(v->app), 1, true);
    else
        worker_want_detail(app_worker(v->app), p->args.record_id, 0, true);
}

/* Draws one line: keys, strings and numbers in their theme colours. */
static void draw_line(int y, int x, int w, const char *line)
{
    int cx = x, end = x + w;
    const char *s = line;
    while (*s && cx < end) {
        const char *start = s;
        enum theme_key k = THEME_NORMAL;
        if (*s == '"') {
            s++;
            while (*s && *s != '"') {
                if (*s == '\\' && s[1]) s++;
                s++;
            }
            if (*s == '"') s++;
            const char *after = s;
            while (*after == ' ')
                after++;
            k = *after == ':' ? THEME_JSON_KEY : THEME_JSON_STRING;
        } else if ((*s >= '0' && *s <= '9') || *s == '-') {
            while ((*s >= '0' && *s <= '9') || (*s && strchr("-+.eE", *s)))
                s++;
            k = THEME_JSON_NUMBER;
        } else if (!strncmp(s, "true", 4) || !strncmp(s, "null", 4)) {
            s += 4;
            k = THEME_JSON_NUMBER;
        } else if (!strncmp(s, "false", 5)) {
            s += 5;
            k = THEME_JSON_NUMBER;
        } else {
            while (*s && *s != '"' && !(*s >= '0' && *s <= '9') && *s != '-' && *s != 't' &&
                   *s != 'f' && *s != 'n')
                s++;
            if (s == start) s++;
        }
        char *tok = xstrndup(start, (size_t)(s - start));
        cx += ui_put(y, cx, end - cx, tok, ui_attr(k));
        free(tok);
    }
}

static void json_draw(struct view *v, int y, int x, int h, int w)
{
    struct json_view *p = v->priv;
    for (int r = 0; r < h; r++)
        ui_fill(y + r, x, w, A_NORMAL);
    v->body_rows = h;
    if (!p->found) {
        view_draw_state(v, y, x, h, w, "the JSON");
        return;
    }
    if (p->top + (size_t)h > p->n_lines)
        p->top = p->n_lines > (size_t)h ? p->n_lines - (size_t)h : 0;
    for (int r = 0; r < h && p->top + (size_t)r < p->n_lines; r++)
        draw_line(y + r, x + 1, w - 1, p->lines[p->top + (size_t)r]);
}

static bool json_key(struct view *v, enum keymap_action act)
{
    struct json_view *p = v->priv;
    return view_scroll_key(v, &p->top, p->n_lines, act);
}

const struct view_ops json_view_ops = {
    .name = "json",
    .ctx = KM_JSON,
    .open = json_open,
    .close = json_close,
    .crumb = json_crumb,
    .draw = json_draw,
    .key = json_key,
    .on_data = json_on_data,
    .reload = json_refresh,
};
