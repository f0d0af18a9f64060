/* The scripted-TUI harness shared by the tests/tui programs: an in-process emulator, a client
 * pointed at it, and app_run() on a script, with the saved displays read back. */
#ifndef CERTDECK_TUI_HARNESS_H
#define CERTDECK_TUI_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/api.h"
#include "core/emulator/emulator.h"
#include "testutil.h"

/* The emulator's clock is pinned before every time in the datasets, so tasks that are
 * "running" there stay exactly as written while a test runs (the client signs with the same
 * offset). */
#define TH_PINNED_UNIX 1767139200 /* 2025-12-31 00:00:00 UTC */

/* One scripted run. Zero fields mean the defaults noted; every test uses tu_tmp (the cmocka
 * fixtures tu_tmp_setup / tu_tmp_teardown) as its temp dir. */
struct th_scenario {
    /* the emulator */
    const char *dataset; /* a file in CERTDECK_TESTDATA, an absolute path; NULL:
                            dataset_small.json */
    double emu_rate;     /* emu_config.rate: 0 its default; < 0 the server never refuses */
    enum emu_paging paging;
    enum emu_fault fault;
    int fault_count;
    const char *fault_action; /* the fault strikes only this action (NULL: any) */
    double fault_rate;        /* random faults (emu_set_random_faults): rate, seed, kinds */
    uint64_t fault_seed;
    unsigned fault_kinds;
    int latency_ms; /* the emulator answers this much later */
    /* the client (retries after 50 ms, doubling) */
    double rate;     /* requests per second; 0: 100 */
    int max_retries; /* api_config semantics: 0 its default, < 0 none */
    long timeout_ms; /* per request; 0: the client's default */
    /* the app */
    int cols, lines; /* 0: 80x24 */
    bool no_color, read_only, mouse;
    bool ascii;              /* LC_CTYPE=C while it runs */
    const char *config_text; /* a config file to load first, or NULL */
    const char *script;      /* '@' stands for the temp dir */
    /* --offline: the snapshot the client given to th_app_run answers from */
    const struct snapshot *offline;
};

/* A cmocka test of a harness program: tu_tmp made before it and removed after it. */
#define TH_TEST(f) cmocka_unit_test_setup_teardown(f, tu_tmp_setup, tu_tmp_teardown)

/* Calls once at the top of main(): a UTF-8 locale, no NO_COLOR or XDG_CONFIG_HOME from the
 * environment, loopback-only HTTP. Pair with http_global_cleanup(). */
void th_init(void);

/* ---- running ----------------------------------------------------------------------------- */

/* The emulator and a client of s, for tests that drive them without (or beside) a script. */
struct th_env {
    struct emu *emu;
    struct api_client *api;
    char *dataset;
};
void th_env_start(struct th_env *v, const struct th_scenario *s);
void th_env_stop(struct th_env *v);

/* The script with '@' standing for the temp dir, as a heap string. */
char *th_expand(const char *script);
/* app_run() on api with s's app options and config, reading the script at script_path (s->script
 * is not used). Callable from a thread other than the test's when s has no config_text and
 * no ascii (those assert and switch the process locale). Returns app_run's exit code. */
int th_app_run(struct api_client *api, const struct th_scenario *s, const char *script_path);
/* The whole scenario: emulator, client, s->script written to tu_tmp/script, app_run, and
 * everything stopped again. Returns app_run's exit code. */
int th_run(const struct th_scenario *s);

/* ---- saved displays ---------------------------------------------------------------------- */

/* Where the script saved display `name`: tu_tmp/<name>.txt, as a heap path. */
char *th_saved_path(const char *name);
/* The saved display as text; fails the test when the script did not save it. */
char *th_display(const char *name);
/* Renames the saved display `name` to <name>_<suffix>; returns the new name. */
char *th_rename_saved(const char *name, const char *suffix);
/* Row y of a display's text, as a heap string; fails the test when there is no such row. */
char *th_row(const char *text, int y);
/* th_row of the saved display `name`. */
char *th_saved_row(const char *name, int y);
/* The last non-empty line of a display: the status line, as a heap string. */
char *th_status_line(const char *text);
/* The line of row y in the attributes part of a display saved with attrs, as a heap string,
 * or NULL when there is none. */
char *th_attrs_row(const char *text, int y);
/* Whether an attributes line is the cursor style of the built-in theme across the row. */
bool th_is_cursor_row(const char *attrs_line);
/* How many rows of a display saved with attrs are drawn in the cursor style; the first in
 * *first (-1 when none). */
int th_cursor_rows(const char *text, int *first);

/* ---- assertions -------------------------------------------------------------------------- */

/* Both print the text when they fail. */
void th_assert_contains(const char *hay, const char *needle);
void th_assert_lacks(const char *hay, const char *needle);

/* What a saved display must and must not contain (for assertions that are not goldens). With
 * `from`, only the text from that marker on counts, and the marker must be there. */
struct th_expect {
    const char *display;
    const char *has[4];
    const char *lacks[2];
    const char *from;
};
void th_check_displays(const struct th_expect *e, size_t n);

/* Compares the saved display tu_tmp/<name>.txt, masked (the age in the status line and request
 * ids), with tests/tui/golden/<name>.txt; a difference fails with a diff. With
 * CERTDECK_UPDATE_GOLDEN=1 the golden file is written instead. */
void th_check_golden(const char *name);
/* th_check_golden for each name of a NULL-terminated list. */
void th_check_goldens(const char *const *names);

#endif
