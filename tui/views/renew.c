/* The renewal checklist (U on a record): one line per pre-flight check — passed, warned or
 * failed, the uncovered domains listed under the coverage line — then the plan, and at the
 * bottom what happens next: the call's progress or outcome and the keys that go on. It draws
 * struct renewal (tui/renewal.h); tui/app/renew.c drives it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sanitize.h"
#include "tui/renewal.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

#define CHECK_LABEL_W 10 /* "key file" and a space */
#define PLAN_LABEL_W  13 /* "last update" and a space */

struct renew_screen {
    size_t top;     /* first row of the scrolling part shown */
    size_t n_lines; /* rows of the scrolling part at the last draw */
};

/* One row on screen: at column x a mark (or nothing) and a space, a label padded to label_w,
 * then text. Continuation rows of a wrapped text have neither mark nor label. */
struct row {
    int x;
    const char *mark;
    attr_t mark_attr;
    const char *label;
    int label_w;
    char *text;
    attr_t attr;
};

struct rows {
    struct row *v;
    size_t n, cap;
    int width; /* of the screen, for wrapping */
};

static void rows_free(struct rows *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->v[i].text);
    free(rs->v);
    memset(rs, 0, sizeof *rs);
}

/* Appends text (sanitized here) wrapped to the room right of its mark and label. */
static void add(struct rows *rs, int x, const char *mark, attr_t mark_attr, const char *label,
                int label_w, const char *text, attr_t attr)
{
    char *clean = sanitize_dup(text);
    int lead = x + (mark ? 2 : 0) + label_w;
    int room = rs->width - lead - 1;
    size_t n;
    char **lines = text_wrap(clean, room > 10 ? room : 10, &n);
    for (size_t i = 0; i < n; i++) {
        rs->v = xgrow(rs->v, &rs->cap, rs->n + 1, sizeof *rs->v);
        rs->v[rs->n++] = (struct row){
            x, i ? (mark ? "" : NULL) : mark, mark_attr, i ? NULL : label, label_w, lines[i], attr};
    }
    free(lines); /* the strings now belong to the rows */
    free(clean);
}

static void draw_row(const struct row *r, int y, int x0, int w)
{
    int x = x0 + r->x;
    if (r->mark) {
        if (r->mark[0]) ui_put(y, x, 1, r->mark, r->mark_attr);
        x += 2;
    }
    if (r->label) ui_put(y, x, r->label_w - 1, r->label, ui_attr(THEME_LABEL));
    x += r->label_w;
    if (x < x0 + w) ui_put(y, x, x0 + w - x, r->text, r->attr);
}

static const char *level_mark(enum preflight_level l, attr_t *attr)
{
    const struct text_glyphs *g = text_glyphs();
    *attr = ui_attr(l == PREFLIGHT_OK     ? THEME_STATUS_SUCCESS
                    : l == PREFLIGHT_WARN ? THEME_STATUS_RUNNING
                                          : THEME_STATUS_FAILED);
    return l == PREFLIGHT_OK ? g->check_ok : l == PREFLIGHT_WARN ? g->check_warn : g->mark_failed;
}

static void fmt_utc(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void add_checks(struct rows *rs, const struct renewal *r)
{
    for (size_t i = 0; i < r->pf.n_checks; i++) {
        const struct preflight_check *c = &r->pf.checks[i];
        attr_t ma;
        const char *mark = level_mark(c->level, &ma);
        add(rs, 2, mark, ma, c->name, CHECK_LABEL_W, c->message, A_NORMAL);
        if (strcmp(c->name, "coverage") != 0) continue;
        for (size_t k = 0; k < r->n_uncovered; k++) {
            char line[600];
            snprintf(line, sizeof line, "not covered: %s", r->dep.domains[r->uncovered[k]]);
            add(rs, 2, "", 0, "", CHECK_LABEL_W, line, ma);
        }
    }
    if (r->phase == RENEWAL_CHECKING) {
        const struct text_glyphs *g = text_glyphs();
        char line[160];
        snprintf(line, sizeof line, "reading the certificate's last update record%s", g->ellipsis);
        add(rs, 2, g->mark_pending, ui_attr(THEME_STATUS_PENDING), "coverage", CHECK_LABEL_W, line,
            ui_attr(THEME_TABLE_DIM));
    }
}

/* "AB:CD:…" broken after a colon, never inside a byte, when it does not fit. */
static void add_fingerprint(struct rows *rs, const char *fp)
{
    int room = rs->width - 2 - PLAN_LABEL_W - 1;
    size_t per = room >= 2 ? (size_t)(room + 1) / 3 * 3 : 3; /* "AB:" a byte */
    size_t len = strlen(fp);
    for (size_t at = 0; at < len; at += per) {
        char piece[128];
        size_t n = len - at < per ? len - at : per;
        if (n >= sizeof piece) n = sizeof piece - 1;
        memcpy(piece, fp + at, n);
        piece[n] = '\0';
        add(rs, 2, NULL, 0, at ? NULL : "SHA-256", PLAN_LABEL_W, piece, A_NORMAL);
    }
}

static void add_plan(struct rows *rs, const struct renewal *r)
{
    struct buf b = {0};
    char when[64];
    add(rs, 2, NULL, 0, "old cert", PLAN_LABEL_W, r->old_cert, A_NORMAL);
    if (r->pf.have_leaf) {
        const struct preflight_leaf *l = &r->pf.leaf;
        add(rs, 2, NULL, 0, "subject", PLAN_LABEL_W, l->subject, A_NORMAL);
        for (size_t i = 0; i < l->n_sans; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", l->sans[i]);
        add(rs, 2, NULL, 0, "SANs", PLAN_LABEL_W, l->n_sans ? b.data : "(none)", A_NORMAL);
        fmt_utc(l->not_after, when, sizeof when);
        add(rs, 2, NULL, 0, "not after", PLAN_LABEL_W, when, A_NORMAL);
        add_fingerprint(rs, l->fingerprint);
    }
    buf_reset(&b);
    for (size_t i = 0; i < r->n_types; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", r->types[i]);
    add(rs, 2, NULL, 0, "types", PLAN_LABEL_W, b.data ? b.data : "", A_NORMAL);
    add(rs, 2, NULL, 0, "regions", PLAN_LABEL_W, "not restricted (every region)", A_NORMAL);
    buf_reset(&b);
    if (!r->coverage_in)
        buf_puts(&b, "(reading)");
    else if (r->coverage_err.kind != APIERR_NONE)
        buf_puts(&b, "(could not be read)");
    else if (!r->dep.record_id)
        buf_puts(&b, "none: this certificate has no update record");
    else
        buf_printf(&b, "record %llu touched %zu resource%s of these types (%zu domain%s)",
                   (unsigned long long)r->dep.record_id, r->dep.n_resources,
                   r->dep.n_resources == 1 ? "" : "s", r->dep.n_domains,
                   r->dep.n_domains == 1 ? "" : "s");
    add(rs, 2, NULL, 0, "last update", PLAN_LABEL_W, b.data, A_NORMAL);
    buf_free(&b);
}

/* Whether a line of the local checks (or the coverage read) failed. */
static bool hard_failure(const struct renewal *r)
{
    if (r->coverage_err.kind != APIERR_NONE) return true;
    for (size_t i = 0; i < r->n_local && i < r->pf.n_checks; i++)
        if (r->pf.checks[i].level == PREFLIGHT_FAIL) return true;
    return false;
}

/* What happens next, pinned at the bottom: the state in words, then the keys. */
static void add_next(struct view *v, struct rows *rs, const struct renewal *r)
{
    const struct text_glyphs *g = text_glyphs();
    char go[32], force[32], open[32], line[1600];
    keymap_first_key(app_keymap(v->app), KM_RENEW, ACT_RENEW, go, sizeof go);
    keymap_first_key(app_keymap(v->app), KM_RENEW, ACT_RENEW_FORCE, force, sizeof force);
    keymap_first_key(app_keymap(v->app), KM_RENEW, ACT_OPEN, open, sizeof open);
    attr_t fa = ui_attr(THEME_STATUS_FAILED), dim = ui_attr(THEME_TABLE_DIM);
    const char *keys = "r checks again  Esc leaves";
    char keybuf[160];
    switch (r->phase) {
    case RENEWAL_ASKING:
    case RENEWAL_CHECKING:
        add(rs, 1, NULL, 0, NULL, 0, "Checking: nothing has been sent.", dim);
        keys = "Esc leaves";
        break;
    case RENEWAL_READY:
        if (hard_failure(r)) {
            snprintf(line, sizeof line,
                     "%s The pre-flight failed: nothing will be sent. Fix the files, then r "
                     "checks again.",
                     g->mark_failed);
            add(rs, 1, NULL, 0, NULL, 0, line, fa);
        } else if (r->n_uncovered && !r->force) {
            snprintf(line, sizeof line,
                     "%s The new certificate leaves %zu deployed domain%s uncovered: %s goes "
                     "ahead anyway (as update --force).",
                     g->mark_failed, r->n_uncovered, r->n_uncovered == 1 ? "" : "s", force);
            add(rs, 1, NULL, 0, NULL, 0, line, fa);
            snprintf(keybuf, sizeof keybuf, "%s push anyway  r checks again  Esc leaves", force);
            keys = keybuf;
        } else {
            char *cert = sanitize_dup(r->old_cert);
            snprintf(line, sizeof line,
                     "%s: %s pushes the new certificate; you type %s to confirm.",
                     preflight_worst(&r->pf) == PREFLIGHT_OK ? "Every check passed"
                                                             : "Read the warnings",
                     go, cert);
            free(cert);
            add(rs, 1, NULL, 0, NULL, 0, line, A_NORMAL);
            snprintf(keybuf, sizeof keybuf, "%s push  r checks again  Esc leaves", go);
            keys = keybuf;
        }
        break;
    case RENEWAL_SENDING:
        if (r->calls > 0 && r->next_wait_ms >= 0)
            snprintf(line, sizeof line,
                     "Sent. The task is being created (answer %d: DeployRecordId 0); asking "
                     "again in %.0f s.",
                     r->calls, (double)r->next_wait_ms / 1000.0);
        else
            snprintf(line, sizeof line, "Sending UploadUpdateCertificateInstance%s", g->ellipsis);
        add(rs, 1, NULL, 0, NULL, 0, line, ui_attr(THEME_STATUS_RUNNING));
        keys = "its answer shows here";
        break;
    case RENEWAL_DONE: {
        const struct renew_submit_result *res = &r->result;
        char *cert = sanitize_dup(r->old_cert);
        char e[1200];
        apierr_format(&res->err, e, sizeof e);
        unsigned long long id = (unsigned long long)res->record_id;
        switch (res->outcome) {
        case RENEW_CREATED:
            snprintf(line, sizeof line, "Record #%llu was created.", id);
            add(rs, 1, NULL, 0, NULL, 0, line, ui_attr(THEME_STATUS_SUCCESS));
            snprintf(keybuf, sizeof keybuf, "%s opens it  Esc leaves", open);
            keys = keybuf;
            break;
        case RENEW_RUNNING:
            snprintf(line, sizeof line,
                     "%s A task for certificate %s is already running: record #%llu. Nothing "
                     "new was created.",
                     g->mark_failed, cert, id);
            add(rs, 1, NULL, 0, NULL, 0, line, fa);
            snprintf(keybuf, sizeof keybuf, "%s opens record #%llu  r checks again  Esc leaves",
                     open, id);
            keys = keybuf;
            break;
        case RENEW_STILL_CREATING:
            snprintf(line, sizeof line,
                     "%s The task was still being created after %d calls: the request may have "
                     "been applied. :cert %s lists the certificate's records.",
                     g->check_warn, res->calls, cert);
            add(rs, 1, NULL, 0, NULL, 0, line, fa);
            keys = "Esc leaves";
            break;
        case RENEW_REFUSED:
            snprintf(line, sizeof line, "%s Refused: %s. Nothing was applied.", g->mark_failed, e);
            add(rs, 1, NULL, 0, NULL, 0, line, fa);
            break;
        case RENEW_UNKNOWN:
            snprintf(line, sizeof line,
                     "%s The request may have been applied (%s). It is not sent again: :cert %s "
                     "shows what happened.",
                     g->check_warn, e, cert);
            add(rs, 1, NULL, 0, NULL, 0, line, fa);
            keys = "Esc leaves";
            break;
        }
        free(cert);
        break;
    }
    }
    add(rs, 1, NULL, 0, NULL, 0, keys, dim);
}

/* The view's status from the renewal: busy while its thread reads or sends. */
static void renew_sync(struct view *v)
{
    const struct renewal *r = app_renewal(v->app);
    v->st.state = STORE_LOADED;
    v->st.busy = r && (r->phase == RENEWAL_CHECKING || r->phase == RENEWAL_SENDING);
    snprintf(v->st.progress, sizeof v->st.progress, "%s",
             !v->st.busy                    ? ""
             : r->phase == RENEWAL_CHECKING ? "reading the last update record"
                                            : "sending the renewal");
}

static void renew_open(struct view *v, const struct view_args *args)
{
    (void)args;
    v->priv = xcalloc(1, sizeof(struct renew_screen));
}

static void renew_close(struct view *v)
{
    app_renew_closed(v->app);
    free(v->priv);
}

static void renew_crumb(struct view *v, struct buf *out)
{
    const struct renewal *r = app_renewal(v->app);
    char *cert = sanitize_dup(r ? r->old_cert : "");
    buf_printf(out, "renew %s", cert);
    free(cert);
}

static void renew_draw(struct view *v, int y, int x, int h, int w)
{
    struct renew_screen *p = v->priv;
    const struct renewal *r = app_renewal(v->app);
    renew_sync(v);
    for (int i = 0; i < h; i++)
        ui_fill(y + i, x, w, A_NORMAL);
    if (!r) return;
    struct rows body = {.width = w}, next = {.width = w};
    char *cert = sanitize_dup(r->old_cert);
    char title[300];
    snprintf(title, sizeof title, "Renewal of certificate %s (from record #%llu): pre-flight", cert,
             (unsigned long long)r->from_record);
    free(cert);
    add(&body, 1, NULL, 0, NULL, 0, title, ui_attr(THEME_PANE_TITLE));
    add_checks(&body, r);
    add(&body, 1, NULL, 0, NULL, 0, "Plan", ui_attr(THEME_PANE_TITLE));
    add_plan(&body, r);
    add_next(v, &next, r);
    /* The bottom part stays; the rest scrolls above it (a blank row between). */
    int bottom = (int)next.n < h ? (int)next.n : h;
    int room = h - bottom - 1;
    if (room < 1) room = h - bottom;
    v->body_rows = room > 0 ? room : 1;
    p->n_lines = body.n;
    size_t max_top = body.n > (size_t)v->body_rows ? body.n - (size_t)v->body_rows : 0;
    if (p->top > max_top) p->top = max_top;
    for (int i = 0; i < room && p->top + (size_t)i < body.n; i++)
        draw_row(&body.v[p->top + (size_t)i], y + i, x, w);
    for (int i = 0; i < bottom; i++)
        draw_row(&next.v[i], y + h - bottom + i, x, w);
    rows_free(&body);
    rows_free(&next);
}

static bool renew_key(struct view *v, enum keymap_action act)
{
    struct renew_screen *p = v->priv;
    switch (act) {
    case ACT_RENEW:
    case ACT_RENEW_FORCE:
        app_renew_go(v->app, act == ACT_RENEW_FORCE);
        return true;
    case ACT_OPEN:
        app_renew_open_record(v->app);
        return true;
    case ACT_REFRESH:
        app_renew_recheck(v->app);
        return true;
    default:
        return view_scroll_key(v, &p->top, p->n_lines, act);
    }
}

const struct view_ops renew_view_ops = {
    .name = "renew",
    .ctx = KM_RENEW,
    .open = renew_open,
    .close = renew_close,
    .crumb = renew_crumb,
    .draw = renew_draw,
    .key = renew_key,
    .on_data = renew_sync,
};
