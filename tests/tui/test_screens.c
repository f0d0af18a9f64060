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

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/api.h"
#include "core/creds.h"
#include "core/emulator/emulator.h"
#include "core/http.h"
#include "core/util.h"
#include "tui/app.h"
#include "tui/config.h"
#include "testutil.h"

/* The emulator's clock is pinned before every time in the datasets, so tasks that are
 * "running" there stay exactly as written while a test runs (the client signs with the same
 * offset). */
#define PINNED_UNIX 1767139200 /* 2025-12-31 00:00:00 UTC */

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

/* Where the script saved display `name`: tmp/<name>.txt. */
static char *saved_path(const char *name)
{
    return xasprintf("%s/%s.txt", tu_tmp, name);
}

/* Renames the saved display `name` to <name>_<suffix>; returns the new name. */
static char *rename_saved(const char *name, const char *suffix)
{
    char *to_name = xasprintf("%s_%s", name, suffix);
    char *from = saved_path(name), *to = saved_path(to_name);
    assert_int_equal(rename(from, to), 0);
    free(from);
    free(to);
    return to_name;
}

/* ---- running a script ------------------------------------------------------------------- */

static int run(const struct scenario *s)
{
    char *ds = s->dataset && s->dataset[0] == '/'
                   ? xstrdup(s->dataset)
                   : tu_testdata(s->dataset ? s->dataset : "dataset_small.json");
    struct emu_config ec = {.dataset_file = ds,
                            .clock_offset_s = PINNED_UNIX - now_unix(),
                            .latency_ms = s->latency_ms};
    struct emu *e = tu_emu_start(&ec);
    if (s->fault) emu_set_fault(e, s->fault, s->fault_count);
    struct api_config ac = {
        .rate = 100,
        .max_retries = s->fault ? -1 : 0, /* an injected fault shows at once */
        .backoff_base_ms = 50,
        .clock_skew_s = PINNED_UNIX - now_unix(),
    };
    struct api_client *api = tu_emu_client(e, &ac, NULL);

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

    /* '@' in the script is the temp dir. */
    struct buf script = {0};
    for (const char *p = s->script; *p; p++) {
        if (*p == '@')
            buf_puts(&script, tu_tmp);
        else
            buf_putc(&script, *p);
    }
    char *sp = tu_path(tu_tmp, "script");
    tu_write_file(sp, script.data);
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

/* The saved display as text. */
static char *display(const char *name)
{
    char *path = saved_path(name);
    char *got = tu_read_file(path, NULL);
    if (!got) fprintf(stderr, "the script did not save %s\n", path);
    assert_non_null(got);
    free(path);
    return got;
}

/* Compares the saved display tmp/<name>.txt with tests/tui/golden/<name>.txt. */
static void check_golden(const char *name)
{
    char *got = display(name);
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

/* check_golden for each name of a NULL-terminated list. */
static void check_goldens(const char *const *names)
{
    for (; *names; names++)
        check_golden(*names);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, hay);
    assert_non_null(strstr(hay, needle));
}

/* What a saved display must and must not contain (for assertions that are not goldens). With
 * `from`, only the text from that marker on counts, and the marker must be there. */
struct expect {
    const char *display;
    const char *has[4];
    const char *lacks[2];
    const char *from;
};

static void check_displays(const struct expect *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *t = display(e[i].display);
        const char *part = e[i].from ? strstr(t, e[i].from) : t;
        assert_non_null(part);
        for (size_t k = 0; k < ARRAY_LEN(e[i].has) && e[i].has[k]; k++)
            assert_contains(part, e[i].has[k]);
        for (size_t k = 0; k < ARRAY_LEN(e[i].lacks) && e[i].lacks[k]; k++)
            assert_null(strstr(part, e[i].lacks[k]));
        free(t);
    }
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

/* Runs the walk at a size and checks every display it saved against <name>_<suffix>. */
static void walk(int cols, int lines, bool no_color, const char *suffix)
{
    static const char *const names[] = {"records", "detail", "groups",     "items",
                                        "item",    "json",   "back_items", "back_records"};
    struct scenario s = {.cols = cols, .lines = lines, .no_color = no_color, .script = walk_script};
    assert_int_equal(run(&s), 0);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *golden = rename_saved(names[i], suffix);
        check_golden(golden);
        free(golden);
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
    static const struct expect want[] = {
        {"records", .has = {"4 records", "Hb3Nc6Vd"}},
        /* the rollback came 2.5 hours after its deploy */
        {"groups", .has = {"Records \xe2\x80\xba #102", "run 2 rollback", "+2h30m"}},
        {"items",
         .has = {"Records \xe2\x80\xba #102 \xe2\x80\xba run 2 rollback \xe2\x80\xba tke"}},
        {"json", .has = {"\"ResourceType\": \"tke\""}},
    };
    check_displays(want, ARRAY_LEN(want));
    /* Back on the records, the cursor is still on record 102 (screen row 5: the third data
     * row), drawn across the whole width in the cursor style. */
    char *t = display("back_records");
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
    static const struct expect want[] = {
        {"records", .has = {"4 records"}},
        {"log", .has = {"DescribeHostUploadUpdateRecord"}, .lacks = {"cancelled"}},
    };
    check_displays(want, ARRAY_LEN(want));
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
    check_goldens(
        (const char *const[]){"help_80x24", "help_80x24_page2", "help_detail_120x40", NULL});
    static const struct expect want[] = {{"help_80x24", .has = {"move-down", "Records"}}};
    check_displays(want, ARRAY_LEN(want));
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
    check_goldens((const char *const[]){"filter_typing_80x24", "filter_80x24", "filter_words_80x24",
                                        "sort_cert_80x24", "sort_cert_rev_80x24",
                                        "sort_status_80x24", NULL});
    static const struct expect want[] = {
        {"filter_80x24", .has = {"103"}, .lacks = {"Kx7Pq2Lm"}}, /* 104 is running, not failed */
        {"sort_bad_80x24", .has = {"no column 'nosuch'"}},
    };
    check_displays(want, ARRAY_LEN(want));
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
    check_goldens((const char *const[]){"error_80x24", "error_120x40", NULL});
    static const struct expect want[] = {
        {"error_120x40", .has = {"InternalError", "r retries", "Press r to try again"}},
        {"recovered", .has = {"4 records"}, .lacks = {"InternalError"}},
        {"log", .has = {"DescribeHostUploadUpdateRecord", "InternalError", "OK"}},
    };
    check_displays(want, ARRAY_LEN(want));
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
    check_goldens(
        (const char *const[]){"too_small", "smallest_60x12", "resized_detail_100x30", NULL});
    static const struct expect want[] = {
        {"too_narrow", .has = {"Terminal too small: 59x30"}},
        /* j was ignored while too small: Enter opened the first record. */
        {"resized_detail_100x30", .has = {"#104"}},
    };
    check_displays(want, ARRAY_LEN(want));
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

static const char *const hostile_names[] = {"h_records", "h_detail",   "h_items", "h_item",
                                            "h_json",    "h_item_cjk", "h_waf"};

static void check_inert(const char *name)
{
    char *t = display(name);
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
}

static void check_ascii(const char *name)
{
    char *t = display(name);
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        assert_true((*p >= 0x20 && *p < 0x7f) || *p == '\n'); /* ASCII only */
    free(t);
}

/* Runs the hostile walk; checks every saved display with check, then as golden
 * <name>_<suffix>. */
static void hostile_walk(struct scenario *s, void (*check)(const char *name), const char *suffix)
{
    s->dataset = "dataset_hostile.json";
    s->script = hostile_script;
    assert_int_equal(run(s), 0);
    for (size_t i = 0; i < ARRAY_LEN(hostile_names); i++) {
        check(hostile_names[i]);
        char *golden = rename_saved(hostile_names[i], suffix);
        check_golden(golden);
        free(golden);
    }
}

static void test_hostile(void **state)
{
    (void)state;
    struct scenario s = {.cols = 120, .lines = 40};
    hostile_walk(&s, check_inert, "120x40");
    static const struct expect want[] = {
        {"h_item_120x40", .has = {"^[[31m"}}, /* the escape shows as text */
        {"h_records_120x40", .has = {"^[[31mcert^[[0m"}},
    };
    check_displays(want, ARRAY_LEN(want));
}

static void test_hostile_80x24_ascii(void **state)
{
    (void)state;
    struct scenario s = {.ascii = true};
    hostile_walk(&s, check_ascii, "80x24_ascii");
}

/* ---- a large group: paging ahead of the cursor, G loads everything ----------------------- */

/* Writes a dataset with one record whose clb group has n instances; returns its path. */
static char *big_dataset(int n)
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
    char *path = tu_path(tu_tmp, "big.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

static void test_large_group_paging(void **state)
{
    (void)state;
    char *ds = big_dataset(1234);
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
    check_goldens(
        (const char *const[]){"big_first_page", "big_all", "big_next_failed", "big_last", NULL});
    static const struct expect want[] = {
        {"big_detail", .has = {"BigCert1", "200/1,234"}}, /* only the first page so far */
        {"big_first_page", .has = {"loaded 200 of 1,234"}},
        {"big_all", .has = {"1,234 instances", "13 failed"}},
        {"big_last", .has = {"lb-001233"}},
        {"big_failed", .has = {"13 shown by /status:failed"}},
    };
    check_displays(want, ARRAY_LEN(want));
    free(ds);
}

/* G while the pages stream in ends on the last row once they are all in. */
static void test_large_group_follow_end(void **state)
{
    (void)state;
    char *ds = big_dataset(1234);
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
    static const struct expect want[] = {
        {"big_follow_end", .has = {"lb-001233", "1,234 instances"}},
        /* the detail shows what the drill-down loaded; the group's failed count, exact now:
         * no "+" */
        {"big_detail_loaded", .has = {"1,234/1,234", "1,234      13"}, .lacks = {"13+"}},
    };
    check_displays(want, ARRAY_LEN(want));
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
    static const struct expect want[] = {
        {"ro", .has = {"read-only mode: rollback refused", "read-only"}},
        {"ro_retry", .has = {"read-only mode: retry refused"}},
        {"ro_log", .lacks = {"UploadUpdateCertificateRecord"}}, /* nothing was sent */
        {"ro_retry_ok", .has = {"record #101 has not failed: nothing to retry"}},
        {"ro_bad_field", .has = {"no column 'kind' here"}},
    };
    check_displays(want, ARRAY_LEN(want));
}

/* Dataset: 101 (cos 1) succeeded, 103 (clb 2, cdn 2) failed with 2 failed items. The
 * questions say what a record-wide write touches once the record's detail is in the store,
 * and say so when it is not, instead of guessing. */
static void test_rollback_and_retry(void **state)
{
    (void)state;
    struct scenario s = {.cols = 120,
                         .lines = 30,
                         .script = "wait-idle\n"
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
                                   "key R\n"
                                   "save-display @/confirm_loaded.txt\n"
                                   "key n\n"
                                   "key g\n"
                                   "key j\n"
                                   "key T\n"
                                   "save-display @/retry_all_unloaded.txt\n"
                                   "key n\n"
                                   "key Enter\n"
                                   "wait-idle\n"
                                   "key T\n"
                                   "save-display @/retry_all.txt\n"
                                   "key n\n"
                                   "key R\n"
                                   "save-display @/confirm_groups.txt\n"
                                   "key n\n"
                                   "key Esc\n"
                                   "key T\n"
                                   "save-display @/retry_all_records.txt\n"
                                   "key n\n"
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
    static const struct expect want[] = {
        {"confirm", .has = {"Roll back record #101 (resource count not loaded yet) back to the old "
                            "certificate? [y/N]"}},
        {"cancelled", .has = {"cancelled"}},
        {"rolled", .has = {"rollback of record #101 accepted"}},
        {"rolled_detail", .has = {"rollback"}},
        /* the latest deploy run, not the rollback run that followed it */
        {"confirm_loaded",
         .has = {"Roll back record #101 \xe2\x80\x94 1 resource (cos 1) back to the old "
                 "certificate? [y/N]"}},
        {"retry_all_unloaded",
         .has = {"Retry every failed item of record #103 (count not loaded yet)? [y/N]"}},
        {"retry_all", .has = {"Retry the 2 failed items of record #103? [y/N]"}},
        {"confirm_groups",
         .has = {"Roll back record #103 \xe2\x80\x94 4 resources (clb 2, cdn 2) back to the old "
                 "certificate? [y/N]"}},
        {"retry_all_records", .has = {"Retry the 2 failed items of record #103? [y/N]"}},
        {"retried", .has = {"retry of item 5002 (record #103) accepted"}},
        {"writes_log",
         .has = {"UploadUpdateCertificateRecordRollback", "UploadUpdateCertificateRecordRetry"}},
    };
    check_displays(want, ARRAY_LEN(want));
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
    static const struct expect want[] = {
        {"start", .has = {"3 configuration problems"}},
        {"bound_json", .has = {"\"OldCertId\": \"Kx7Pq2Lm\""}},
        {"help_bound", .has = {"x"}},
        {"cmd_record", .has = {"Records \xe2\x80\xba #102"}},
        {"cmd_cert", .has = {"Records (cert Rt5Yw8Zn)", "1 record"}, .lacks = {"Kx7Pq2Lm"}},
        {"cmd_bad", .has = {"unknown command :nonsense"}},
        {"cmd_filter", .has = {"101"}, .lacks = {"Kx7Pq2Lm"}},
    };
    check_displays(want, ARRAY_LEN(want));
    /* The three notes, one per selected row of the event log, shown in full below it. */
    struct buf all = {0};
    for (int i = 1; i <= 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "diag%d", i);
        char *t = display(name);
        buf_puts(&all, t);
        free(t);
    }
    assert_contains(all.data, "unknown action 'no-such-action'");
    assert_contains(all.data, "unknown context 'nowhere'");
    assert_contains(all.data, "'rollback' in context 'json'");
    buf_free(&all);
    char *never = saved_path("never");
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
    struct scenario hc = {.config_text = "theme high-contrast\n",
                          .script = "wait-idle\nsave-display @/hc.txt attrs\n"};
    assert_int_equal(run(&hc), 0);
    struct scenario bad = {.config_text = "theme nosuch-theme\n",
                           .script = "wait-idle\n"
                                     "save-display @/bad.txt attrs\n"
                                     "key L\n"
                                     "key j\n"
                                     "save-display @/bad_log.txt\n"};
    assert_int_equal(run(&bad), 0);
    static const struct expect want[] = {
        /* the failed row still stands out */
        {"mono", .has = {"bold,underline"}, .lacks = {"fg="}, .from = "-- attributes --"},
        {"hc", .has = {"\n10: 0-79 fg=bright-white bg=black;"},
         .from = "-- attributes --"}, /* an empty row */
        {"bad",
         .has = {"1 configuration problem: L shows it", "fg=red"}}, /* the built-in colours */
        {"bad_log", .has = {"nosuch-theme"}},
    };
    check_displays(want, ARRAY_LEN(want));
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
    tu_loopback_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_walk_80x24, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_walk_120x40, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_walk_80x24_no_color, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_walk_120x40_no_color, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_walk_content, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_overlay_keeps_loading, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_help, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_filter_and_sort, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_error_state, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_too_small_and_resize, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_hostile, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_80x24_ascii, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_large_group_paging, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_large_group_follow_end, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_read_only_refuses, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_rollback_and_retry, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_bindings_and_commands, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_themes, tu_tmp_setup, tu_tmp_teardown),
        cmocka_unit_test_setup_teardown(test_script_errors_fail_loudly, tu_tmp_setup,
                                        tu_tmp_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
