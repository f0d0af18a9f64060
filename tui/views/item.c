/* The instance pane: every field of one DeployRecordItem, labelled, long values wrapped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/fields.h"
#include "core/query.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

struct item_pane {
    struct view_args args;
    bool found;
    enum model_tone tone;
    char *values[F_COUNT]; /* sanitized */
    size_t top;
    size_t n_lines; /* at the last draw */
};

static void clear_values(struct item_pane *p)
{
    for (int f = 0; f < F_COUNT; f++) {
        free(p->values[f]);
        p->values[f] = NULL;
    }
}

static void item_open(struct view *v, const struct view_args *args)
{
    struct item_pane *p = xcalloc(1, sizeof *p);
    p->args = *args;
    v->priv = p;
}

static void item_close(struct view *v)
{
    struct item_pane *p = v->priv;
    clear_values(p);
    free(p);
}

static void item_crumb(struct view *v, struct buf *out)
{
    struct item_pane *p = v->priv;
    buf_printf(out, "item %llu", (unsigned long long)p->args.item_id);
}

static void item_on_data(struct view *v)
{
    struct item_pane *p = v->priv;
    struct store *s = app_store(v->app);
    clear_values(p);
    store_lock(s);
    const struct store_detail *sd = store_detail(s, p->args.record_id);
    struct deploy_item scratch;
    const struct deploy_item *it =
        query_item(query_group(query_run(sd, p->args.run_index), p->args.resource_type),
                   p->args.item_id, &scratch);
    p->found = it != NULL;
    if (it) {
        p->tone = model_status_tone(it->status);
        for (int f = 0; f < F_COUNT; f++) {
            char *raw = field_value(it, (enum item_field)f);
            struct buf b = {0};
            sanitize_append(&b, raw, strlen(raw), false);
            p->values[f] = buf_steal(&b);
            free(raw);
        }
    }
    v->st.state = sd ? sd->meta.state : STORE_IDLE;
    if (sd) {
        v->st.err = sd->meta.last_error;
        v->st.fetched_ms = sd->meta.fetched_ms;
        v->st.busy = sd->meta.inflight > 0;
    }
    store_unlock(s);
}

static void item_refresh(struct view *v)
{
    struct item_pane *p = v->priv;
    worker_want_detail(app_worker(v->app), p->args.record_id, 0, true);
}

static void item_draw(struct view *v, int y, int x, int h, int w)
{
    struct item_pane *p = v->priv;
    for (int r = 0; r < h; r++)
        ui_fill(y + r, x, w, A_NORMAL);
    v->body_rows = h;
    if (!p->found) {
        view_draw_state(v, y, x, h, w, "the instance");
        return;
    }
    int label_w = 0;
    for (int f = 0; f < F_COUNT; f++) {
        int lw = text_width(field_label((enum item_field)f));
        if (lw > label_w) label_w = lw;
    }
    label_w += 2;
    int value_w = w - label_w - 2;
    if (value_w < 10) value_w = 10;
    /* Lay out every line first (values wrap), then show the window from top. */
    size_t n = 0, row = 0;
    for (int pass = 0; pass < 2; pass++) {
        n = 0;
        for (int f = 0; f < F_COUNT; f++) {
            size_t nl;
            char **lines = text_wrap(p->values[f][0] ? p->values[f] : "-", value_w, &nl);
            for (size_t i = 0; i < nl; i++, n++) {
                if (pass == 0 || n < p->top || n >= p->top + (size_t)h) continue;
                row = n - p->top;
                if (i == 0)
                    ui_put((int)(y + (int)row), x + 1, label_w, field_label((enum item_field)f),
                           ui_attr(THEME_LABEL));
                attr_t a = A_NORMAL;
                if (f == F_STATUS) a = ui_attr(ui_tone_key(p->tone));
                if (f == F_ERROR && p->values[f][0]) a = ui_attr(THEME_STATUS_FAILED);
                if (!p->values[f][0]) a = ui_attr(THEME_TABLE_DIM);
                ui_put(y + (int)row, x + 1 + label_w, value_w, lines[i], a);
            }
            text_free_lines(lines, nl);
        }
        p->n_lines = n;
        if (pass == 0 && p->top + (size_t)h > n) p->top = n > (size_t)h ? n - (size_t)h : 0;
    }
}

static bool item_key(struct view *v, enum keymap_action act)
{
    struct item_pane *p = v->priv;
    switch (act) {
    case ACT_RAW_JSON: {
        struct view_args args = p->args;
        args.json = JSON_ITEM;
        app_push(v->app, &json_view_ops, &args);
        return true;
    }
    case ACT_RETRY: {
        if (!p->found) return true;
        if (p->tone != MODEL_TONE_FAILED && p->tone != MODEL_TONE_ROLLBACK_FAILED) {
            app_msg(v->app, APP_MSG_INFO, "item %llu has not failed: nothing to retry",
                    (unsigned long long)p->args.item_id);
            return true;
        }
        char q[160];
        snprintf(q, sizeof q, "Retry item %llu?", (unsigned long long)p->args.item_id);
        app_confirm_write(v->app, APP_WRITE_RETRY, p->args.record_id, (int64_t)p->args.item_id, q);
        return true;
    }
    default:
        return view_scroll_key(v, &p->top, p->n_lines, act);
    }
}

const struct view_ops item_view_ops = {
    .name = "item",
    .ctx = KM_ITEM,
    .open = item_open,
    .close = item_close,
    .crumb = item_crumb,
    .draw = item_draw,
    .key = item_key,
    .on_data = item_on_data,
    .reload = item_refresh,
};
