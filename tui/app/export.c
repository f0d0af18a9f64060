/* Export of a table view. Views that show API data (the record list, a drill-down, the errors
 * screen) write the batch CSV's rows for the rows shown, so an export equals `certdeck
 * records|detail|errors -o csv` for the same data; other tables write the columns on screen. CSV
 * unless the path ends in .json. A view holding only some pages is not exported: the operator loads
 * the rest with G first, rather than getting a file that looks complete and is not. */
#include "tui/app/export.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/csvout.h"
#include "core/sanitize.h"
#include "core/timefmt.h"
#include "tui/app/prompt.h"

/* The view's part of the file name: "37-clb", "records", "log": letters, digits, - and _. */
static void name_part(struct view *v, char *out, size_t n)
{
    struct buf crumb = {0};
    uint64_t id = v->ops->record ? v->ops->record(v) : 0;
    if (id) buf_printf(&crumb, "%llu-", (unsigned long long)id);
    if (v->ops == &items_view_ops) {
        struct buf c = {0};
        v->ops->crumb(v, &c); /* "run 2 deploy\tclb" */
        const char *tab = c.data ? strrchr(c.data, '\t') : NULL;
        buf_puts(&crumb, tab ? tab + 1 : v->ops->name);
        buf_free(&c);
    } else {
        buf_puts(&crumb, v->ops->name);
    }
    size_t k = 0;
    for (const char *p = crumb.data; p && *p && k + 1 < n; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        out[k++] = ok ? ch : '_';
    }
    out[k] = '\0';
    buf_free(&crumb);
}

void export_start(struct app *a)
{
    struct view *v = app_top(a);
    struct table *t = v->ops->table ? v->ops->table(v) : NULL;
    if (!t) {
        app_msg(a, APP_MSG_INFO, "nothing to export here");
        return;
    }
    if (v->st.progress[0]) {
        app_msg(a, APP_MSG_INFO, "not exported: %s rows so far; press G to load them all, then e",
                v->st.progress);
        return;
    }
    char part[96], stamp[32], path[256];
    name_part(v, part, sizeof part);
    struct tm tm;
    int offset;
    timefmt_tm(now_unix(), &tm, &offset); /* the clock of the zone times are shown in */
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(path, sizeof path, "certdeck-%s-%s.csv", part, stamp);
    prompt_open_path(a, path);
}

/* The columns on screen, for tables with no batch equivalent. */
static void export_shown(struct table *t, struct rowsink *s, FILE *out, enum rowsink_format f)
{
    const char *headers[32];
    size_t cols[32], n = 0;
    for (size_t c = 0; c < t->n_cols && n < 32; c++) {
        if (!t->cols[c].title[0] || (t->cols[c].flags & TABLE_BAR)) continue;
        headers[n] = t->cols[c].title;
        cols[n++] = c;
    }
    rowsink_begin(s, out, f, headers, n);
    for (size_t i = 0; i < t->n_vis; i++) {
        const char *cells[32];
        for (size_t k = 0; k < n; k++)
            cells[k] = table_cell(t, t->vis[i], cols[k]);
        rowsink_row(s, cells);
    }
}

void export_write(struct app *a, const char *path)
{
    struct view *v = app_top(a);
    struct table *t = v->ops->table ? v->ops->table(v) : NULL;
    if (!t || !path[0]) {
        app_msg(a, APP_MSG_INFO, "not exported: no file name");
        return;
    }
    size_t len = strlen(path);
    enum rowsink_format f =
        len > 5 && !strcasecmp(path + len - 5, ".json") ? ROWSINK_JSON : ROWSINK_CSV;
    char *shown = sanitize_dup(path);
    FILE *out = fopen(path, "wx");
    if (!out && errno == EEXIST) {
        app_msg(a, APP_MSG_ERROR, "not exported: %s exists (pick another name)", shown);
        free(shown);
        return;
    }
    if (!out) {
        app_msg(a, APP_MSG_ERROR, "not exported: cannot create %s: %s", shown, strerror(errno));
        free(shown);
        return;
    }
    struct rowsink s;
    if (v->ops->export_rows)
        v->ops->export_rows(v, &s, out, f);
    else
        export_shown(t, &s, out, f);
    int rc = rowsink_end(&s);
    if (fclose(out) != 0) rc = -1;
    if (rc != 0)
        app_msg(a, APP_MSG_ERROR, "export to %s failed while writing: %s", shown, strerror(errno));
    else
        app_msg(a, APP_MSG_INFO, "wrote %zu row%s to %s", s.rows, s.rows == 1 ? "" : "s", shown);
    free(shown);
}
