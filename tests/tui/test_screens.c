/* The TUI in scripted mode against the real emulator over loopback: every screen, the help
 * overlay, filter, sort, errors, the too-small guard, resizes, paging of a large group, write
 * actions, key bindings and a hostile dataset, compared with golden screens in
 * tests/tui/golden/ (80x24, 120x40, NO_COLOR and LC_ALL=C variants). A golden file is written
 * only when CERTDECK_UPDATE_GOLDEN=1; otherwise any difference fails with a diff. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/api.h"
#include "core/creds.h"
#include "core/emulator/emulator.h"
#include "core/http.h"
#include "core/util.h"
#include "tui/app.h"
#include "tui/config.h"

/* The emulator's clock is pinned before every time in the datasets, so tasks that are
 * "running" there stay exactly as written while a test runs (the client signs with the same
 * offset). */
#define PINNED_UNIX 1767139200 /* 2025-12-31 00:00:00 UTC */

static char tmp[256];

struct scenario {
    const char *dataset; /* a file in CERTDECK_TESTDATA, or an absolute path */
    int cols, lines;
    bool no_color, read_only, ascii;
    enum emu_fault fault;
    int fault_count;
    int latency_ms;          /* the emulator answers this much later */
    const char *config_text; /* a config file to load first, or NULL */
    const char *script;      /* '@' stands for the temp dir */
};

/* ---- files ------------------------------------------------------------------------------ */

static void rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) < 0) return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
                char *sub = xasprintf("%s/%s", path, e->d_name);
                rm_rf(sub);
                free(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    struct buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return buf_steal(&b);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static char *tmp_path(const char *name)
{
    return xasprintf("%s/%s", tmp, name);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/certdeck-tui-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rm_rf(tmp);
    return 0;
}

/* ---- running a script ------------------------------------------------------------------- */

static char *dataset_path(const char *name)
{
    if (name[0] == '/') return xstrdup(name);
    const char *dir = getenv("CERTDECK_TESTDATA");
    return xasprintf("%s/%s", dir ? dir : "tests/data", name);
}

static int run(const struct scenario *s)
{
    char *ds = dataset_path(s->dataset ? s->dataset : "dataset_small.json");
    char err[512];
    struct emu_config ec = {.dataset_file = ds,
                            .clock_offset_s = PINNED_UNIX - now_unix(),
                            .latency_ms = s->latency_ms};
    struct emu *e = emu_start(&ec, err, sizeof err);
    if (!e) fprintf(stderr, "emu_start: %s\n", err);
    assert_non_null(e);
    if (s->fault) emu_set_fault(e, s->fault, s->fault_count);

    struct creds cr;
    memset(&cr, 0, sizeof cr);
    strlcpy_safe(cr.secret_id, EMU_DEMO_SECRET_ID, sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, EMU_DEMO_SECRET_KEY, sizeof cr.secret_key);
    struct api_config ac = {
        .endpoint = emu_url(e),
        .rate = 100,
        .max_retries = s->fault ? -1 : 0, /* an injected fault shows at once */
        .backoff_base_ms = 50,
        .clock_skew_s = PINNED_UNIX - now_unix(),
    };
    struct api_error aerr;
    struct api_client *api = api_client_new(&ac, &cr, &aerr);
    assert_non_null(api);

    struct config cfg;
    config_defaults(&cfg);
    cfg.no_color = s->no_color;
    if (s->config_text) {
        char *cp = tmp_path("config");
        write_text(cp, s->config_text);
        char cerr[256];
        assert_int_equal(config_load(&cfg, cp, cerr, sizeof cerr), 0);
        free(cp);
    }

    /* '@' in the script is the temp dir. */
    struct buf script = {0};
    for (const char *p = s->script; *p; p++) {
        if (*p == '@')
            buf_puts(&script, tmp);
        else
            buf_putc(&script, *p);
    }
    char *sp = tmp_path("script");
    write_text(sp, script.data);
    buf_free(&script);

    struct app_options ao = {
        .endpoint_label = "emulator",
        .profile_label = "test",
        .config = &cfg,
        .read_only = s->read_only,
        .script = sp,
        .script_cols = s->cols ? s->cols : 80,
        .script_lines = s->lines ? s->lines : 24,
    };
    char *saved_locale = xstrdup(setlocale(LC_CTYPE, NULL));
    if (s->ascii) setlocale(LC_CTYPE, "C");
    int rc = app_run(api, &ao);
    setlocale(LC_CTYPE, saved_locale);
    free(saved_locale);

    api_client_free(api);
    emu_stop(e);
    free(sp);
    free(ds);
    return rc;
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

/* Compares the saved display tmp/<name>.txt with tests/tui/golden/<name>.txt. */
static void check_golden(const char *name)
{
    char *path = xasprintf("%s/%s.txt", tmp, name);
    char *got = read_text(path);
    if (!got) fprintf(stderr, "the script did not save %s\n", path);
    assert_non_null(got);
    mask(got);
    const char *src = getenv("CERTDECK_SOURCE_DIR");
    char *gpath = xasprintf("%s/tests/tui/golden/%s.txt", src ? src : ".", name);
    const char *update = getenv("CERTDECK_UPDATE_GOLDEN");
    if (update && !strcmp(update, "1")) {
        write_text(gpath, got);
    } else {
        char *want = read_text(gpath);
        if (!want) fprintf(stderr, "missing golden %s: run with CERTDECK_UPDATE_GOLDEN=1\n", gpath);
        assert_non_null(want);
        if (strcmp(want, got)) show_diff(name, want, got);
        assert_string_equal(want, got);
        free(want);
    }
    free(gpath);
    free(got);
    free(path);
}

/* The saved display as text (for assertions that are not goldens). */
static char *display(const char *name)
{
    char *path = xasprintf("%s/%s.txt", tmp, name);
    char *got = read_text(path);
    if (!got) fprintf(stderr, "the script did not save %s\n", path);
    assert_non_null(got);
    free(path);
    return got;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, hay);
    assert_non_null(strstr(hay, needle));
}

/* ---- the walk: records -> detail -> rollback run -> group -> instance -> JSON and back ---- */

/* Dataset order (newest first): 104 running, 103 failed, 102 rolled back, 101 success. */
static const char walk_script[] = "wait-idle\n"
                                  "save-display @/records.txt\n"
                                  "key j\n"
                                  "key j\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/detail.txt\n"
                                  "key j\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/groups.txt\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/items.txt\n"
                                  "key Enter\n"
                                  "wait-idle\n"
                                  "save-display @/item.txt\n"
                                  "key d\n"
                                  "wait-idle\n"
                                  "save-display @/json.txt\n"
                                  "key Esc\n"
                                  "key Esc\n"
                                  "wait-idle\n"
                                  "save-display @/back_items.txt attrs\n"
                                  "key Esc\n"
                                  "key Esc\n"
                                  "key Esc\n"
                                  "wait-idle\n"
                                  "save-display @/back_records.txt attrs\n";

static void rename_all(const char *suffix)
{
    const char *names[] = {"records", "detail", "groups",     "items",
                           "item",    "json",   "back_items", "back_records"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *from = xasprintf("%s/%s.txt", tmp, names[i]);
        char *to = xasprintf("%s/%s_%s.txt", tmp, names[i], suffix);
        assert_int_equal(rename(from, to), 0);
        free(from);
        free(to);
    }
}

static void walk(int cols, int lines, bool no_color, const char *suffix)
{
    struct scenario s = {.cols = cols, .lines = lines, .no_color = no_color, .script = walk_script};
    assert_int_equal(run(&s), 0);
    rename_all(suffix);
    const char *names[] = {"records", "detail", "groups",     "items",
                           "item",    "json",   "back_items", "back_records"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char name[64];
        snprintf(name, sizeof name, "%s_%s", names[i], suffix);
        check_golden(name);
    }
}

static void test_walk_80x24(void **state)
{
    (void)state;
    walk(80, 24, false, "80x24");
}

static void test_walk_120x40(void **state)
{
    (void)state;
    walk(120, 40, false, "120x40");
}

static void test_walk_80x24_no_color(void **state)
{
    (void)state;
    walk(80, 24, true, "80x24_nocolor");
}

static void test_walk_120x40_no_color(void **state)
{
    (void)state;
    walk(120, 40, true, "120x40_nocolor");
}

/* What the walk must show, whatever the goldens say. */
static void test_walk_content(void **state)
{
    (void)state;
    struct scenario s = {.cols = 100, .lines = 30, .script = walk_script};
    assert_int_equal(run(&s), 0);
    char *t = display("records");
    assert_contains(t, "4 records");
    assert_contains(t, "Hb3Nc6Vd");
    free(t);
    t = display("groups");
    assert_contains(t, "Records \xe2\x80\xba #102");
    assert_contains(t, "run 2 rollback");
    assert_contains(t, "+2h30m"); /* the rollback came 2.5 hours after its deploy */
    free(t);
    t = display("items");
    assert_contains(t, "Records \xe2\x80\xba #102 \xe2\x80\xba run 2 rollback \xe2\x80\xba tke");
    free(t);
    t = display("json");
    assert_contains(t, "\"ResourceType\": \"tke\"");
    free(t);
    /* Back on the records, the cursor is still on record 102 (screen row 5: the third data
     * row), drawn across the whole width in the cursor style. */
    t = display("back_records");
    for (int row = 3; row <= 6; row++) {
        char tag[8];
        snprintf(tag, sizeof tag, "\n%2d:", row);
        const char *line = strstr(t, tag);
        assert_non_null(line);
        size_t len = strcspn(line + 1, "\n");
        char *one = xstrndup(line + 1, len);
        bool cursor = strstr(one, "bg=cyan") && !strstr(one, "bg=default");
        if (cursor != (row == 5)) fprintf(stderr, "row %d: %s\n", row, one);
        assert_true(cursor == (row == 5));
        free(one);
    }
    free(t);
}

/* Opening an overlay (the event log) while the record list is still loading does not abort
 * that load: the view below is still on the stack. Only leaving a view for good does. */
static void test_overlay_keeps_loading(void **state)
{
    (void)state;
    struct scenario s = {.cols = 100,
                         .lines = 30,
                         .latency_ms = 300,
                         .script = "key L\n"
                                   "wait-idle\n"
                                   "key Esc\n"
                                   "wait-idle\n"
                                   "save-display @/records.txt\n"
                                   "key L\n"
                                   "save-display @/log.txt\n"};
    assert_int_equal(run(&s), 0);
    char *t = display("records");
    assert_contains(t, "4 records");
    free(t);
    t = display("log");
    assert_contains(t, "DescribeHostUploadUpdateRecord");
    assert_null(strstr(t, "cancelled"));
    free(t);
}

/* ---- overlays, filter, sort ------------------------------------------------------------- */

static void test_help(void **state)
{
    (void)state;
    struct scenario s = {.script = "wait-idle\n"
                                   "key ?\n"
                                   "save-display @/help_80x24.txt\n"
                                   "key PgDn\n"
                                   "save-display @/help_80x24_page2.txt\n"
                                   "key q\n"
                                   "key Enter\n"
                                   "wait-idle\n"
                                   "key ?\n"
                                   "resize 120 40\n"
                                   "save-display @/help_detail_120x40.txt\n"};
    assert_int_equal(run(&s), 0);
    check_golden("help_80x24");
    check_golden("help_80x24_page2");
    check_golden("help_detail_120x40");
    char *t = display("help_80x24");
    assert_contains(t, "move-down");
    assert_contains(t, "Records");
    free(t);
}

static void test_filter_and_sort(void **state)
{
    (void)state;
    struct scenario s = {.script = "wait-idle\n"
                                   "key /\n"
                                   "keys status:fail\n"
                                   "save-display @/filter_typing_80x24.txt\n"
                                   "key Enter\n"
                                   "save-display @/filter_80x24.txt\n"
                                   "key /\n"
                                   "key C-u\n"
                                   "keys clb\n"
                                   "key Enter\n"
                                   "save-display @/filter_words_80x24.txt\n"
                                   "key /\n"
                                   "key C-u\n"
                                   "key Enter\n"
                                   "key >\n"
                                   "key >\n"
                                   "save-display @/sort_cert_80x24.txt\n"
                                   "key s\n"
                                   "save-display @/sort_cert_rev_80x24.txt\n"
                                   ":sort status\n"
                                   "save-display @/sort_status_80x24.txt\n"
                                   ":sort nosuch\n"
                                   "save-display @/sort_bad_80x24.txt\n"};
    assert_int_equal(run(&s), 0);
    check_golden("filter_typing_80x24");
    check_golden("filter_80x24");
    check_golden("filter_words_80x24");
    check_golden("sort_cert_80x24");
    check_golden("sort_cert_rev_80x24");
    check_golden("sort_status_80x24");
    char *t = display("filter_80x24");
    assert_contains(t, "103");
    assert_null(strstr(t, "Kx7Pq2Lm")); /* 104 is running, not failed */
    free(t);
    t = display("sort_bad_80x24");
    assert_contains(t, "no column 'nosuch'");
    free(t);
}

/* ---- errors, too small, resize ---------------------------------------------------------- */

static void test_error_state(void **state)
{
    (void)state;
    struct scenario s = {.fault = EMU_FAULT_INTERNAL,
                         .fault_count = 1,
                         .script = "wait-idle\n"
                                   "save-display @/error_80x24.txt\n"
                                   "resize 120 40\n"
                                   "save-display @/error_120x40.txt\n"
                                   "key r\n"
                                   "wait-idle\n"
                                   "save-display @/recovered.txt\n"
                                   "key L\n"
                                   "wait-idle\n"
                                   "save-display @/log.txt\n"};
    assert_int_equal(run(&s), 0);
    check_golden("error_80x24");
    check_golden("error_120x40");
    char *t = display("error_120x40");
    assert_contains(t, "InternalError");
    assert_contains(t, "r retries");
    assert_contains(t, "Press r to try again");
    free(t);
    t = display("recovered");
    assert_contains(t, "4 records");
    assert_null(strstr(t, "InternalError"));
    free(t);
    t = display("log");
    assert_contains(t, "DescribeHostUploadUpdateRecord");
    assert_contains(t, "InternalError");
    assert_contains(t, "OK");
    free(t);
}

static void test_too_small_and_resize(void **state)
{
    (void)state;
    struct scenario s = {.script = "wait-idle\n"
                                   "resize 50 10\n"
                                   "save-display @/too_small.txt\n"
                                   "key j\n"
                                   "resize 59 30\n"
                                   "save-display @/too_narrow.txt\n"
                                   "resize 60 12\n"
                                   "save-display @/smallest_60x12.txt\n"
                                   "key Enter\n"
                                   "resize 100 30\n"
                                   "wait-idle\n"
                                   "save-display @/resized_detail_100x30.txt\n"};
    assert_int_equal(run(&s), 0);
    check_golden("too_small");
    check_golden("smallest_60x12");
    check_golden("resized_detail_100x30");
    char *t = display("too_narrow");
    assert_contains(t, "Terminal too small: 59x30");
    free(t);
    /* j was ignored while too small: Enter opened the first record. */
    t = display("resized_detail_100x30");
    assert_contains(t, "#104");
    free(t);
}

/* ---- hostile text, ASCII fallback -------------------------------------------------------- */

static const char hostile_script[] = "wait-idle\n"
                                     "save-display @/h_records.txt\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_detail.txt\n"
                                     "key Tab\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_items.txt\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_item.txt\n"
                                     "key d\n"
                                     "save-display @/h_json.txt\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key G\n"
                                     "key k\n"
                                     "key k\n"
                                     "key Enter\n"
                                     "save-display @/h_item_cjk.txt\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key Esc\n"
                                     "key j\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "key Tab\n"
                                     "key Enter\n"
                                     "wait-idle\n"
                                     "save-display @/h_waf.txt\n";

static void check_inert(const char *name)
{
    char *path = xasprintf("%s/%s.txt", tmp, name);
    char *t = read_text(path);
    assert_non_null(t);
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        /* No C0 control but newline, no DEL, no C1 (U+0080-U+009F as UTF-8 C2 80-9F). */
        assert_true(*p >= 0x20 || *p == '\n');
        assert_true(*p != 0x7f);
        if (p[0] == 0xc2 && p[1]) assert_false(p[1] >= 0x80 && p[1] <= 0x9f);
        /* No bidi controls: U+202A-U+202E (E2 80 AA-AE), U+2066-U+2069 (E2 81 A6-A9). */
        if (p[0] == 0xe2 && p[1] == 0x80 && p[2]) assert_false(p[2] >= 0xaa && p[2] <= 0xae);
        if (p[0] == 0xe2 && p[1] == 0x81 && p[2]) assert_false(p[2] >= 0xa6 && p[2] <= 0xa9);
    }
    free(t);
    free(path);
}

static void test_hostile(void **state)
{
    (void)state;
    const char *names[] = {"h_records", "h_detail",   "h_items", "h_item",
                           "h_json",    "h_item_cjk", "h_waf"};
    struct scenario s = {
        .dataset = "dataset_hostile.json", .cols = 120, .lines = 40, .script = hostile_script};
    assert_int_equal(run(&s), 0);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        check_inert(names[i]);
        char golden[64];
        snprintf(golden, sizeof golden, "%s_120x40", names[i]);
        char *from = xasprintf("%s/%s.txt", tmp, names[i]);
        char *to = xasprintf("%s/%s.txt", tmp, golden);
        assert_int_equal(rename(from, to), 0);
        free(from);
        free(to);
        check_golden(golden);
    }
    char *t = display("h_item_120x40");
    assert_contains(t, "^[[31m"); /* the escape shows as text */
    free(t);
    t = display("h_records_120x40");
    assert_contains(t, "^[[31mcert^[[0m");
    free(t);
}

static void test_hostile_80x24_ascii(void **state)
{
    (void)state;
    const char *names[] = {"h_records", "h_detail",   "h_items", "h_item",
                           "h_json",    "h_item_cjk", "h_waf"};
    struct scenario s = {
        .dataset = "dataset_hostile.json", .ascii = true, .script = hostile_script};
    assert_int_equal(run(&s), 0);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *path = xasprintf("%s/%s.txt", tmp, names[i]);
        char *t = read_text(path);
        assert_non_null(t);
        for (const unsigned char *p = (const unsigned char *)t; *p; p++)
            assert_true((*p >= 0x20 && *p < 0x7f) || *p == '\n'); /* ASCII only */
        free(t);
        char golden[64];
        snprintf(golden, sizeof golden, "%s_80x24_ascii", names[i]);
        char *to = xasprintf("%s/%s.txt", tmp, golden);
        assert_int_equal(rename(path, to), 0);
        free(path);
        free(to);
        check_golden(golden);
    }
}

/* ---- a large group: paging ahead of the cursor, G loads everything ----------------------- */

static void write_big_dataset(const char *path, int n)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[{\"Id\":7,\"OldCertId\":\"BigCert1\",\"ResourceTypes\":[\"clb\","
                 "\"cos\"],\"Status\":2,\"CreateTime\":\"2026-02-01 09:00:00\",\"UpdateTime\":"
                 "\"2026-02-01 09:30:00\"}],\"Details\":{\"7\":[{\"TotalCount\":");
    int failed = 0;
    for (int i = 0; i < n; i++)
        failed += i % 97 == 5;
    buf_printf(&b,
               "%d,\"SuccessTotalCount\":%d,\"FailedTotalCount\":%d,\"RunningTotalCount\":0,"
               "\"Type\":0,\"Status\":2,\"CreateTime\":\"2026-02-01 09:00:00\","
               "\"RecordDetailList\":[{\"ResourceType\":\"clb\",\"TotalCount\":%d,\"List\":[",
               n + 1, n + 1 - failed, failed, n);
    for (int i = 0; i < n; i++) {
        bool fail = i % 97 == 5;
        buf_printf(
            &b,
            "%s{\"Id\":%d,\"OldCertId\":\"BigCert1\",\"InstanceId\":\"lb-%06d\","
            "\"InstanceName\":\"big-%d\",\"ListenerId\":\"lbl-%06d\",\"ListenerName\":"
            "\"https-%d\",\"Domains\":[\"d%d.example.com\"],\"Protocol\":\"HTTPS\","
            "\"Status\":%d,\"ErrorMsg\":\"%s\",\"CreateTime\":\"2026-02-01T01:00:00.000000Z\","
            "\"UpdateTime\":\"2026-02-01T01:05:00.000000Z\",\"SniSwitch\":1,\"Bucket\":\"\","
            "\"Namespace\":\"\",\"SecretName\":\"\",\"Port\":%d,\"Region\":\"ap-guangzhou\","
            "\"Forward\":1,\"SSLMode\":\"UNIDIRECTIONAL\",\"ResourceType\":\"clb\"}",
            i ? "," : "", 100000 + i, i, i, i, 443 + i % 3, i, fail ? 2 : 1,
            fail ? "CertificateNotFound: listener gone" : "", 443 + i % 3);
    }
    buf_puts(&b, "]},{\"ResourceType\":\"cos\",\"TotalCount\":1,\"List\":[{\"Id\":99,\"Status\":1,"
                 "\"Bucket\":\"assets-1250000000\",\"Region\":\"ap-shanghai\",\"Domains\":["
                 "\"static.example.com\"],\"ErrorMsg\":\"\",\"ResourceType\":\"cos\"}]}]}]}}");
    write_text(path, b.data);
    buf_free(&b);
}

static void test_large_group_paging(void **state)
{
    (void)state;
    char *ds = tmp_path("big.json");
    write_big_dataset(ds, 1234);
    struct scenario s = {.dataset = ds,
                         .script = "wait-idle\n"
                                   "key Enter\n"
                                   "wait-idle\n"
                                   "save-display @/big_detail.txt\n"
                                   "key Tab\n"
                                   "key Enter\n"
                                   "resize 100 30\n"
                                   "wait-idle\n"
                                   "save-display @/big_first_page.txt\n"
                                   "key PgDn\n"
                                   "key PgDn\n"
                                   "wait-idle\n"
                                   "key G\n"
                                   "key g\n"
                                   "key j\n"
                                   "wait-idle\n"
                                   "save-display @/big_all.txt\n"
                                   "key n\n"
                                   "key n\n"
                                   "save-display @/big_next_failed.txt\n"
                                   "key G\n"
                                   "save-display @/big_last.txt\n"
                                   "key /\n"
                                   "keys status:failed\n"
                                   "key Enter\n"
                                   "save-display @/big_failed.txt\n"};
    assert_int_equal(run(&s), 0);
    check_golden("big_first_page");
    check_golden("big_all");
    check_golden("big_next_failed");
    check_golden("big_last");
    char *t = display("big_detail");
    assert_contains(t, "BigCert1");
    assert_contains(t, "200/1,234"); /* only the first page so far */
    free(t);
    t = display("big_first_page");
    assert_contains(t, "loaded 200 of 1,234");
    free(t);
    t = display("big_all");
    assert_contains(t, "1,234 instances");
    assert_contains(t, "13 failed");
    free(t);
    t = display("big_last");
    assert_contains(t, "lb-001233");
    free(t);
    t = display("big_failed");
    assert_contains(t, "13 shown by /status:failed");
    free(t);
    free(ds);
}

/* G while the pages stream in ends on the last row once they are all in. */
static void test_large_group_follow_end(void **state)
{
    (void)state;
    char *ds = tmp_path("big.json");
    write_big_dataset(ds, 1234);
    struct scenario s = {.dataset = ds,
                         .script = "wait-idle\n"
                                   "key Enter\n"
                                   "wait-idle\n"
                                   "key Tab\n"
                                   "key Enter\n"
                                   "key G\n"
                                   "wait-idle\n"
                                   "save-display @/big_follow_end.txt\n"
                                   "key Esc\n"
                                   "wait-idle\n"
                                   "save-display @/big_detail_loaded.txt\n"};
    assert_int_equal(run(&s), 0);
    check_golden("big_follow_end");
    char *t = display("big_follow_end");
    assert_contains(t, "lb-001233");
    assert_contains(t, "1,234 instances");
    free(t);
    t = display("big_detail_loaded");
    assert_contains(t, "1,234/1,234");   /* the detail shows what the drill-down loaded */
    assert_contains(t, "1,234      13"); /* the group's failed count, exact now: */
    assert_null(strstr(t, "13+"));       /* no "+" */
    free(t);
    free(ds);
}

/* ---- writes, read-only, bindings, commands ----------------------------------------------- */

static void test_read_only_refuses(void **state)
{
    (void)state;
    struct scenario s = {.read_only = true,
                         .script = "wait-idle\n"
                                   "key R\n"
                                   "save-display @/ro.txt\n"
                                   "key j\n"
                                   "key T\n"
                                   "save-display @/ro_retry.txt\n"
                                   "key L\n"
                                   "save-display @/ro_log.txt\n"
                                   "key Esc\n"
                                   "key G\n"
                                   "key T\n"
                                   "save-display @/ro_retry_ok.txt\n"
                                   "key /\n"
                                   "keys kind:x\n"
                                   "save-display @/ro_bad_field.txt\n"};
    assert_int_equal(run(&s), 0);
    char *t = display("ro");
    assert_contains(t, "read-only mode: rollback refused");
    assert_contains(t, "read-only");
    free(t);
    t = display("ro_retry");
    assert_contains(t, "read-only mode: retry refused");
    free(t);
    t = display("ro_log");
    assert_null(strstr(t, "UploadUpdateCertificateRecord")); /* nothing was sent */
    free(t);
    t = display("ro_retry_ok");
    assert_contains(t, "record #101 has not failed: nothing to retry");
    free(t);
    t = display("ro_bad_field");
    assert_contains(t, "no column 'kind' here");
    free(t);
}

static void test_rollback_and_retry(void **state)
{
    (void)state;
    struct scenario s = {.script = "wait-idle\n"
                                   "key G\n"
                                   "key R\n"
                                   "save-display @/confirm.txt\n"
                                   "key n\n"
                                   "save-display @/cancelled.txt\n"
                                   "key R\n"
                                   "key y\n"
                                   "wait-idle\n"
                                   "save-display @/rolled.txt\n"
                                   "key Enter\n"
                                   "wait-idle\n"
                                   "save-display @/rolled_detail.txt\n"
                                   "key Esc\n"
                                   "key g\n"
                                   "key j\n"
                                   "key Enter\n"
                                   "wait-idle\n"
                                   "key Tab\n"
                                   "key Enter\n"
                                   "wait-idle\n"
                                   "key n\n"
                                   "key T\n"
                                   "key y\n"
                                   "wait-idle\n"
                                   "save-display @/retried.txt\n"
                                   "key L\n"
                                   "save-display @/writes_log.txt\n"};
    assert_int_equal(run(&s), 0);
    char *t = display("confirm");
    assert_contains(t, "Roll back record #101?");
    assert_contains(t, "[y/N]");
    free(t);
    t = display("cancelled");
    assert_contains(t, "cancelled");
    free(t);
    t = display("rolled");
    assert_contains(t, "rollback of record #101 accepted");
    free(t);
    t = display("rolled_detail");
    assert_contains(t, "rollback");
    free(t);
    t = display("retried");
    assert_contains(t, "retry of item 5002 (record #103) accepted");
    free(t);
    t = display("writes_log");
    assert_contains(t, "UploadUpdateCertificateRecordRollback");
    assert_contains(t, "UploadUpdateCertificateRecordRetry");
    free(t);
}

static void test_bindings_and_commands(void **state)
{
    (void)state;
    struct scenario s = {.cols = 140,
                         .lines = 30,
                         .config_text = "bind records x raw-json\n"
                                        "bind global C-e move-down\n"
                                        "bind records y no-such-action\n"
                                        "bind nowhere z quit\n"
                                        "bind json d rollback\n",
                         .script = "wait-idle\n"
                                   "save-display @/start.txt\n"
                                   "key x\n"
                                   "save-display @/bound_json.txt\n"
                                   "key Esc\n"
                                   "key L\n"
                                   "key j\n"
                                   "save-display @/diag1.txt\n"
                                   "key j\n"
                                   "save-display @/diag2.txt\n"
                                   "key j\n"
                                   "save-display @/diag3.txt\n"
                                   "key Esc\n"
                                   "key ?\n"
                                   "save-display @/help_bound.txt\n"
                                   "key Esc\n"
                                   ":record 102\n"
                                   "wait-idle\n"
                                   "save-display @/cmd_record.txt\n"
                                   ":cert Rt5Yw8Zn\n"
                                   "wait-idle\n"
                                   "save-display @/cmd_cert.txt\n"
                                   ":nonsense\n"
                                   "save-display @/cmd_bad.txt\n"
                                   ":cert\n"
                                   "wait-idle\n"
                                   "key :\n"
                                   "keys filter Qa9\n"
                                   "save-display @/cmd_typing.txt\n"
                                   "key Enter\n"
                                   "save-display @/cmd_filter.txt\n"
                                   ":q\n"
                                   "save-display @/never.txt\n"};
    assert_int_equal(run(&s), 0);
    char *t = display("start");
    assert_contains(t, "3 configuration problems");
    free(t);
    t = display("bound_json");
    assert_contains(t, "\"OldCertId\": \"Kx7Pq2Lm\"");
    free(t);
    /* The three notes, one per selected row of the event log, shown in full below it. */
    struct buf all = {0};
    for (int i = 1; i <= 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "diag%d", i);
        t = display(name);
        buf_puts(&all, t);
        free(t);
    }
    assert_contains(all.data, "unknown action 'no-such-action'");
    assert_contains(all.data, "unknown context 'nowhere'");
    assert_contains(all.data, "'rollback' in context 'json'");
    buf_free(&all);
    t = display("help_bound");
    assert_contains(t, "x");
    free(t);
    t = display("cmd_record");
    assert_contains(t, "Records \xe2\x80\xba #102");
    free(t);
    t = display("cmd_cert");
    assert_contains(t, "Records (cert Rt5Yw8Zn)");
    assert_contains(t, "1 record");
    assert_null(strstr(t, "Kx7Pq2Lm"));
    free(t);
    t = display("cmd_bad");
    assert_contains(t, "unknown command :nonsense");
    free(t);
    t = display("cmd_filter");
    assert_contains(t, "101");
    assert_null(strstr(t, "Kx7Pq2Lm"));
    free(t);
    char *never = tmp_path("never.txt");
    assert_int_equal(access(never, F_OK), -1); /* :q ended the script */
    free(never);
}

/* Themes become colour pairs: the mono theme has none, high-contrast paints every cell, an
 * unknown theme falls back to the built-in look and says so. */
static void test_themes(void **state)
{
    (void)state;
    struct scenario mono = {.config_text = "theme mono\n",
                            .script = "wait-idle\nsave-display @/mono.txt attrs\n"};
    assert_int_equal(run(&mono), 0);
    char *t = display("mono");
    const char *attrs = strstr(t, "-- attributes --");
    assert_non_null(attrs);
    assert_null(strstr(attrs, "fg="));
    assert_non_null(strstr(attrs, "bold,underline")); /* the failed row still stands out */
    free(t);

    struct scenario hc = {.config_text = "theme high-contrast\n",
                          .script = "wait-idle\nsave-display @/hc.txt attrs\n"};
    assert_int_equal(run(&hc), 0);
    t = display("hc");
    attrs = strstr(t, "-- attributes --");
    assert_non_null(attrs);
    assert_non_null(strstr(attrs, "\n10: 0-79 fg=bright-white bg=black;")); /* an empty row */
    free(t);

    struct scenario bad = {.config_text = "theme nosuch-theme\n",
                           .script = "wait-idle\n"
                                     "save-display @/bad.txt attrs\n"
                                     "key L\n"
                                     "key j\n"
                                     "save-display @/bad_log.txt\n"};
    assert_int_equal(run(&bad), 0);
    t = display("bad");
    assert_contains(t, "1 configuration problem: L shows it");
    assert_non_null(strstr(t, "fg=red")); /* the built-in colours */
    free(t);
    t = display("bad_log");
    assert_contains(t, "nosuch-theme");
    free(t);
}

static void test_script_errors_fail_loudly(void **state)
{
    (void)state;
    struct scenario s = {.script = "key NoSuchKey\n"};
    assert_int_not_equal(run(&s), 0);
    struct scenario s2 = {.script = "frobnicate\n"};
    assert_int_not_equal(run(&s2), 0);
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8"))
        setlocale(LC_ALL, "en_US.UTF-8");
    unsetenv("NO_COLOR");
    unsetenv("XDG_CONFIG_HOME");
    http_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_walk_80x24, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_120x40, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_80x24_no_color, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_120x40_no_color, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlay_keeps_loading, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_and_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_small_and_resize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_80x24_ascii, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_group_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_group_follow_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_and_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bindings_and_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_themes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_errors_fail_loudly, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
