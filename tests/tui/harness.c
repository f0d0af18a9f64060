/* Shared scripted-TUI harness: see harness.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/timefmt.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/app/app.h"
#include "tui/config.h"
#include "tui/harness.h"

void th_init(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8"))
        setlocale(LC_ALL, "en_US.UTF-8");
    unsetenv("NO_COLOR");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("XDG_DATA_HOME");
    /* Times on screen in one fixed zone, so goldens are the same on every machine. */
    char err[256];
    assert_int_equal(timefmt_set_zone("utc", err, sizeof err), 0);
    tu_loopback_init();
}

/* ---- running ----------------------------------------------------------------------------- */

void th_env_start(struct th_env *v, const struct th_scenario *s)
{
    /* The prompt histories go to the test's temp dir, never the user's. */
    char *state = xasprintf("%s/state", tu_tmp);
    setenv("XDG_STATE_HOME", state, 1);
    free(state);
    v->dataset = s->dataset && s->dataset[0] == '/'
                     ? xstrdup(s->dataset)
                     : tu_testdata(s->dataset ? s->dataset : "dataset_small.json");
    int64_t offset = TH_PINNED_UNIX - now_unix();
    struct emu_config ec = {.dataset_file = v->dataset,
                            .clock_offset_s = offset,
                            .rate = s->emu_rate,
                            .latency_ms = s->latency_ms,
                            .paging = s->paging};
    v->emu = tu_emu_start(&ec);
    if (s->fault) emu_set_fault_for(v->emu, s->fault_action, s->fault, s->fault_count);
    if (s->fault_rate > 0)
        emu_set_random_faults(v->emu, s->fault_rate, s->fault_seed, s->fault_kinds);
    struct api_config ac = {.http = {.timeout_ms = s->timeout_ms},
                            .rate = s->rate ? s->rate : 100,
                            .max_retries = s->max_retries,
                            .backoff_base_ms = 50,
                            .clock_skew_s = offset};
    v->api = tu_emu_client(v->emu, &ac, NULL);
}

void th_env_stop(struct th_env *v)
{
    api_client_free(v->api);
    emu_stop(v->emu);
    free(v->dataset);
}

char *th_expand(const char *script)
{
    struct buf b = {0};
    for (const char *p = script; *p; p++) {
        if (*p == '@')
            buf_puts(&b, tu_tmp);
        else
            buf_putc(&b, *p);
    }
    return buf_steal(&b);
}

int th_app_run(struct api_client *api, const struct th_scenario *s, const char *script_path)
{
    struct config cfg;
    config_defaults(&cfg);
    cfg.no_color = s->no_color;
    if (s->config_text) {
        char *cp = tu_path(tu_tmp, "config");
        tu_write_file(cp, s->config_text);
        char cerr[256];
        assert_int_equal(config_load(&cfg, cp, cerr, sizeof cerr), 0);
        free(cp);
    }
    struct app_options ao = {
        .endpoint_label = "emulator",
        .profile_label = "test",
        .config = &cfg,
        .read_only = s->read_only,
        .mouse = s->mouse,
        .script = script_path,
        .clock_offset_s = TH_PINNED_UNIX - now_unix(), /* the emulator's clock */
        .script_cols = s->cols ? s->cols : 80,
        .script_lines = s->lines ? s->lines : 24,
    };
    if (!s->ascii) return app_run(api, &ao);
    char *saved_locale = xstrdup(setlocale(LC_CTYPE, NULL));
    setlocale(LC_CTYPE, "C");
    int rc = app_run(api, &ao);
    setlocale(LC_CTYPE, saved_locale);
    free(saved_locale);
    return rc;
}

int th_run(const struct th_scenario *s)
{
    struct th_env v;
    th_env_start(&v, s);
    char *text = th_expand(s->script);
    char *sp = tu_path(tu_tmp, "script");
    tu_write_file(sp, text);
    free(text);
    int rc = th_app_run(v.api, s, sp);
    th_env_stop(&v);
    free(sp);
    return rc;
}

/* ---- saved displays ---------------------------------------------------------------------- */

char *th_saved_path(const char *name)
{
    return xasprintf("%s/%s.txt", tu_tmp, name);
}

char *th_display(const char *name)
{
    char *path = th_saved_path(name);
    char *text = tu_read_file(path, NULL);
    if (!text) fprintf(stderr, "the script did not save %s\n", path);
    assert_non_null(text);
    free(path);
    return text;
}

char *th_rename_saved(const char *name, const char *suffix)
{
    char *to_name = xasprintf("%s_%s", name, suffix);
    char *from = th_saved_path(name), *to = th_saved_path(to_name);
    assert_int_equal(rename(from, to), 0);
    free(from);
    free(to);
    return to_name;
}

char *th_row(const char *text, int y)
{
    const char *p = text;
    for (int i = 0; i < y && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    assert_non_null(p);
    return xstrndup(p, strcspn(p, "\n"));
}

char *th_saved_row(const char *name, int y)
{
    char *t = th_display(name);
    char *row = th_row(t, y);
    free(t);
    return row;
}

char *th_status_line(const char *text)
{
    const char *end = text + strlen(text);
    while (end > text && end[-1] == '\n')
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    return xstrndup(start, (size_t)(end - start));
}

#define ATTRS_MARK "-- attributes --\n"

char *th_attrs_row(const char *text, int y)
{
    const char *attrs = strstr(text, ATTRS_MARK);
    if (!attrs) return NULL;
    char tag[16];
    snprintf(tag, sizeof tag, "\n%2d:", y);
    const char *line = strstr(attrs + strlen(ATTRS_MARK) - 1, tag);
    if (!line) return NULL;
    line++;
    return xstrndup(line, strcspn(line, "\n"));
}

bool th_is_cursor_row(const char *attrs_line)
{
    return strstr(attrs_line, "bg=cyan") && !strstr(attrs_line, "bg=default");
}

int th_cursor_rows(const char *text, int *first)
{
    const char *attrs = strstr(text, ATTRS_MARK);
    assert_non_null(attrs);
    int n = 0;
    *first = -1;
    for (const char *p = attrs; (p = strchr(p, '\n')) != NULL;) {
        p++;
        int y;
        if (sscanf(p, "%d:", &y) != 1) continue;
        char *line = xstrndup(p, strcspn(p, "\n"));
        if (th_is_cursor_row(line) && n++ == 0) *first = y;
        free(line);
    }
    return n;
}

/* ---- assertions -------------------------------------------------------------------------- */

void th_assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, hay);
    assert_non_null(strstr(hay, needle));
}

void th_assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle)) fprintf(stderr, "did not expect \"%s\" in:\n%s\n", needle, hay);
    assert_null(strstr(hay, needle));
}

void th_check_displays(const struct th_expect *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *t = th_display(e[i].display);
        const char *part = e[i].from ? strstr(t, e[i].from) : t;
        assert_non_null(part);
        for (size_t k = 0; k < ARRAY_LEN(e[i].has) && e[i].has[k]; k++)
            th_assert_contains(part, e[i].has[k]);
        for (size_t k = 0; k < ARRAY_LEN(e[i].lacks) && e[i].lacks[k]; k++)
            assert_null(strstr(part, e[i].lacks[k]));
        free(t);
    }
}

/* ---- goldens ---------------------------------------------------------------------------- */

/* Masks what changes from run to run: the age in the status line and request ids. Lengths are
 * kept so the layout stays comparable. */
static void mask(char *text)
{
    for (char *p = text; (p = strstr(p, "updated ")) != NULL;) {
        char *q = p + 8, *start = q;
        while (*q >= '0' && *q <= '9')
            q++;
        const char *units[] = {" s ago", " min ago", " h ago"};
        size_t ul = 0;
        for (size_t i = 0; i < 3 && q > start; i++)
            if (!strncmp(q, units[i], strlen(units[i]))) ul = strlen(units[i]);
        if (ul) {
            size_t len = (size_t)(q - p) + ul; /* "updated 12 s ago" */
            char repl[64];
            snprintf(repl, sizeof repl, "%-*s", (int)len, "updated N s ago");
            memcpy(p, repl, len);
        }
        p += 8;
    }
    for (char *p = text; (p = strstr(p, "RequestId")) != NULL;) {
        p += 9;
        while (*p == ' ' || *p == ':' || *p == '\n')
            p++;
        while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == '-') {
            if (*p != '-') *p = 'x';
            p++;
        }
    }
}

static void show_diff(const char *name, const char *want, const char *got)
{
    fprintf(stderr, "golden %s differs (expected -, actual +):\n", name);
    const char *a = want, *b = got;
    int line = 1, shown = 0;
    while ((*a || *b) && shown < 40) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || strncmp(a, b, la)) {
            fprintf(stderr, "%3d -|%.*s|\n%3d +|%.*s|\n", line, (int)la, a, line, (int)lb, b);
            shown++;
        }
        a += la + (a[la] ? 1 : 0);
        b += lb + (b[lb] ? 1 : 0);
        line++;
    }
    fprintf(stderr, "(regenerate with CERTDECK_UPDATE_GOLDEN=1 if the change is intended)\n");
}

void th_check_golden(const char *name)
{
    char *got = th_display(name);
    mask(got);
    const char *src = getenv("CERTDECK_SOURCE_DIR");
    char *gpath = xasprintf("%s/tests/tui/golden/%s.txt", src ? src : ".", name);
    const char *update = getenv("CERTDECK_UPDATE_GOLDEN");
    if (update && !strcmp(update, "1")) {
        tu_write_file(gpath, got);
    } else {
        char *want = tu_read_file(gpath, NULL);
        if (!want) fprintf(stderr, "missing golden %s: run with CERTDECK_UPDATE_GOLDEN=1\n", gpath);
        assert_non_null(want);
        if (strcmp(want, got)) show_diff(name, want, got);
        assert_string_equal(want, got);
        free(want);
    }
    free(gpath);
    free(got);
}

void th_check_goldens(const char *const *names)
{
    for (; *names; names++)
        th_check_golden(*names);
}
