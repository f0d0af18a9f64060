/* The drill-down of one error template: exactly the items that share it, across resource
 * types, from the run the errors screen grouped. Enter opens the instance pane, d its JSON,
 * T retries the one item. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fields.h"
#include "core/query.h"
#include "core/sanitize.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

enum { TC_MARK, TC_ID, TC_TYPE, TC_NAME, TC_REGION, TC_STATUS, TC_ERROR, TC_N };

static const struct table_col tmpl_cols[TC_N] = {
    [TC_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [TC_ID] = {"Id", "id", 2, 12, 3, TABLE_NUMERIC},
    [TC_TYPE] = {"Type", "type", 4, 12, 0, 0},
    [TC_NAME] = {"Instance", "instance", 8, 32, 0, 0},
    [TC_REGION] = {"Region", "region", 6, 16, 2, 0},
    [TC_STATUS] = {"Status", "status", 6, 16, 1, TABLE_TONED},
    [TC_ERROR] = {"Error", "error", 8, 0, 0, TABLE_FLEX},
};

struct tmpl_items {
    uint64_t id;
    size_t run_index;
    int run_number;
    uint64_t *ids; /* ascending */
    size_t n_ids;
    char *text_shown; /* the template, sanitized */
    struct table t;
    size_t found; /* items of ids in the store */
};

static void tmpl_open(struct view *v, const struct view_args *args)
{
    struct tmpl_items *p = xcalloc(1, sizeof *p);
    p->id = args->record_id;
    p->run_index = args->run_index;
    p->run_number = args->run_number;
    p->n_ids = args->n_ids;
    p->ids = xcalloc(p->n_ids + 1, sizeof *p->ids);
    if (p->n_ids) memcpy(p->ids, args->ids, p->n_ids * sizeof *p->ids);
    const char *text = args->text && *args->text ? args->text : "(no message)";
    p->text_shown = sanitize_dup(text);
    table_init(&p->t, tmpl_cols, TC_N);
    p->t.focused = true;
    p->t.copy_col = TC_NAME;
    v->priv = p;
}

static void tmpl_close(struct view *v)
{
    struct tmpl_items *p = v->priv;
    table_free(&p->t);
    free(p->ids);
    free(p->text_shown);
    free(p);
}

static void tmpl_crumb(struct view *v, struct buf *out)
{
    struct tmpl_items *p = v->priv;
    struct buf cut = {0};
    text_fit(&cut, p->text_shown, 24);
    buf_puts(out, cut.data ? cut.data : "");
    buf_free(&cut);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* What names an item: its instance, bucket, namespace or domains, whichever it has. */
static char *item_name(const struct deploy_item *it)
{
    static const enum item_field names[] = {F_INSTANCE, F_BUCKET, F_NAMESPACE, F_DOMAINS};
    for (size_t k = 0; k < ARRAY_LEN(names); k++) {
        char *s = field_value(it, names[k]);
        if (*s) return s;
        free(s);
    }
    return xstrdup("");
}

static void tmpl_on_data(struct view *v)
{
    struct tmpl_items *p = v->priv;
    struct store *s = app_store(v->app);
    table_begin(&p->t);
    p->found = 0;
    store_lock(s);
    const struct store_detail *sd = store_detail(s, p->id);
    const struct deploy_run *run = query_run(sd, p->run_index);
    v->st.state = sd ? sd->meta.state : STORE_IDLE;
    if (sd) {
        v->st.err = sd->meta.last_error;
        v->st.fetched_ms = sd->meta.fetched_ms;
        v->st.busy = sd->meta.inflight > 0 || sd->meta.state == STORE_LOADING ||
                     sd->meta.state == STORE_STALE;
    }
    for (size_t gi = 0; run && gi < run->n_groups; gi++) {
        const struct resource_group *g = &run->groups[gi];
        for (size_t k = 0; k < g->n_items; k++) {
            uint64_t item_id = model_group_item_id(g, k);
            if (!bsearch(&item_id, p->ids, p->n_ids, sizeof *p->ids, cmp_u64)) continue;
            struct deploy_item scratch;
            const struct deploy_item *it = model_group_item(g, k, &scratch);
            char id[24], status[32];
            snprintf(id, sizeof id, "%llu", (unsigned long long)it->id);
            char *name = item_name(it);
            const char *type =
                it->resource_type && *it->resource_type ? it->resource_type : g->resource_type;
            const char *cells[TC_N] = {ui_tone_mark(model_status_tone(it->status)),
                                       id,
                                       type,
                                       name,
                                       it->region,
                                       model_status_label(it->status, status, sizeof status),
                                       it->error_msg};
            struct table_row *row = table_add(&p->t, it->id, cells);
            row->tone = model_status_tone(it->status);
            free(name);
            p->found++;
        }
    }
    store_unlock(s);
    table_end(&p->t);
}

static void tmpl_refresh(struct view *v)
{
    struct tmpl_items *p = v->priv;
    worker_want_group(app_worker(v->app), p->id, p->run_index, NULL, API_DETAIL_MAX_ITEMS, true);
}

static void tmpl_draw(struct view *v, int y, int x, int h, int w)
{
    struct tmpl_items *p = v->priv;
    char line[512], a[32];
    const char *dot = text_glyphs()->dot;
    ui_fill(y, x, w, A_NORMAL);
    snprintf(line, sizeof line, "%s item%s of ", text_thousands((int64_t)p->n_ids, a, sizeof a),
             p->n_ids == 1 ? "" : "s");
    int cx = x + ui_put(y, x, w, line, ui_attr(THEME_LABEL));
    cx += ui_put(y, cx, x + w - cx, p->text_shown, ui_attr(THEME_STATUS_FAILED));
    snprintf(line, sizeof line, "%srecord #%llu", dot, (unsigned long long)p->id);
    cx += ui_put(y, cx, x + w - cx, line, A_NORMAL);
    view_filter_note(&p->t, y, cx, x + w - cx);
    v->body_rows = h - 2;
    if (p->t.n_vis == 0) {
        for (int r = 1; r < h; r++)
            ui_fill(y + r, x, w, A_NORMAL);
        if (p->found && p->t.filter[0]) {
            ui_put(y + 2, x + 2, w - 4, "No item matches the filter (/ to change it).", A_NORMAL);
            return;
        }
        view_draw_state(v, y + 1, x, h - 1, w, "the template's items");
        return;
    }
    table_draw(&p->t, y + 1, x, h - 1, w);
}

/* The raw resource type of item id's group in the store, for the item and JSON views. */
static void item_group(struct view *v, uint64_t id, char *out, size_t n)
{
    struct tmpl_items *p = v->priv;
    struct store *s = app_store(v->app);
    out[0] = '\0';
    store_lock(s);
    const struct deploy_run *run = query_run(store_detail(s, p->id), p->run_index);
    for (size_t gi = 0; run && gi < run->n_groups && !out[0]; gi++)
        if (model_group_position(&run->groups[gi], id) != SIZE_MAX && run->groups[gi].resource_type)
            strlcpy_safe(out, run->groups[gi].resource_type, n);
    store_unlock(s);
}

static bool tmpl_key(struct view *v, enum keymap_action act)
{
    struct tmpl_items *p = v->priv;
    const struct table_row *sel = table_selected(&p->t);
    struct view_args args = {0};
    args.record_id = p->id;
    args.run_index = p->run_index;
    args.run_number = p->run_number;
    switch (act) {
    case ACT_OPEN:
    case ACT_RAW_JSON:
        if (!sel) return true;
        args.item_id = sel->key;
        item_group(v, sel->key, args.resource_type, sizeof args.resource_type);
        if (act == ACT_RAW_JSON) args.json = JSON_ITEM;
        app_push(v->app, act == ACT_OPEN ? &item_view_ops : &json_view_ops, &args);
        return true;
    case ACT_RETRY: {
        if (!sel) return true;
        if (sel->tone != MODEL_TONE_FAILED && sel->tone != MODEL_TONE_ROLLBACK_FAILED) {
            app_msg(v->app, APP_MSG_INFO, "item %llu has not failed: nothing to retry",
                    (unsigned long long)sel->key);
            return true;
        }
        char q[160];
        snprintf(q, sizeof q, "Retry item %llu (%s)?", (unsigned long long)sel->key,
                 table_selected_cell(&p->t, TC_NAME));
        app_confirm_write(v->app, APP_WRITE_RETRY, p->id, (int64_t)sel->key, q);
        return true;
    }
    default:
        break;
    }
    return view_table_key(v, &p->t, act);
}

static struct table *tmpl_table(struct view *v)
{
    return &((struct tmpl_items *)v->priv)->t;
}

static void tmpl_click(struct view *v, int y, int x, bool dbl)
{
    struct tmpl_items *p = v->priv;
    if (table_click(&p->t, y, x) && dbl) tmpl_key(v, ACT_OPEN);
}

const struct view_ops tmpl_items_view_ops = {
    .name = "template items",
    .ctx = KM_ITEMS,
    .open = tmpl_open,
    .close = tmpl_close,
    .crumb = tmpl_crumb,
    .draw = tmpl_draw,
    .key = tmpl_key,
    .on_data = tmpl_on_data,
    .reload = tmpl_refresh,
    .table = tmpl_table,
    .click = tmpl_click,
};
