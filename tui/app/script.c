/* The scripted test mode (like tig's TIG_SCRIPT): keys, commands, clicks and waits read from
 * a file, the screen saved as text with its attributes. The line language is in app.h. */
#include "tui/app/script.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app/options.h"
#include "tui/app/chrome.h"
#include "tui/app/commands.h"
#include "tui/app/input.h"
#include "tui/app/renew.h"
#include "tui/app/tick.h"
#include "tui/keymap.h"
#include "tui/text.h"

#define WAIT_IDLE_DEFAULT_MS 20000

static void script_fail(struct app *a, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void script_fail(struct app *a, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "certdeck: script %s:%d: %s\n", file, line, msg);
    a->exit_code = 1;
    a->quit = true;
}

/* Waits until the worker (and a renewal's thread) has nothing queued or in flight and the
 * screen shows the latest store generation. No sleeps: it blocks in poll() on the wake fd (the
 * worker touches the store when it goes idle). */
static bool wait_idle(struct app *a, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        tick_pump(a);
        bool working = tick_work(a); /* a filter or sort under way counts as busy */
        if (a->dirty) chrome_draw(a);
        if (!working && worker_idle(a->worker) && !renew_flow_busy(a)) {
            store_lock(a->store);
            uint64_t gen = store_generation(a->store);
            store_unlock(a->store);
            if (gen == a->seen_gen && worker_idle(a->worker)) return true;
            continue;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        if (working) continue;
        struct pollfd pfd = {store_wake_fd(a->store), POLLIN, 0};
        poll(&pfd, 1, left > 200 ? 200 : (int)left);
    }
}

static void row_text(int y, struct buf *line);

static bool screen_shows(const char *text)
{
    struct buf line = {0};
    bool found = false;
    for (int y = 0; y < LINES && !found; y++) {
        row_text(y, &line);
        found = line.data && strstr(line.data, text);
    }
    buf_free(&line);
    return found;
}

/* Waits until some row of the screen shows text (what a person would wait for), with a
 * deadline. No sleeps: between checks it blocks in poll() on the wake fd, and in scripted
 * mode only store changes change the screen. */
static bool wait_text(struct app *a, const char *text, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        tick_pump(a);
        bool working = tick_work(a);
        if (a->dirty) chrome_draw(a);
        if (screen_shows(text)) return true;
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        if (working) continue;
        struct pollfd pfd = {store_wake_fd(a->store), POLLIN, 0};
        poll(&pfd, 1, (int)left);
    }
}

/* Script `refresh-until TEXT`: what the auto-refresh of a running record does interactively
 * (it is off in scripts), a refresh every 250 ms, until some row shows text. */
static bool refresh_until(struct app *a, const char *text, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    while (now_ms() < deadline) {
        if (wait_text(a, text, 250)) return true;
        if (worker_idle(a->worker)) commands_dispatch(a, ACT_REFRESH);
    }
    return false;
}

/* Script `stall-until-calls N`: the render loop stalls (no look at the store, no drawing)
 * until the event log holds N calls, as a UI thread busy elsewhere would, so several calls
 * land between two looks at the store. With a deadline. */
static bool stall_until_calls(struct app *a, size_t n, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        store_lock(a->store);
        size_t have = store_log_len(a->store);
        store_unlock(a->store);
        if (have >= n) return true;
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        struct pollfd pfd = {store_wake_fd(a->store), POLLIN, 0};
        poll(&pfd, 1, (int)left);
        store_drain_wake(a->store); /* pump() goes by the generation: nothing is lost */
    }
}

/* A script's click or wheel line: queued as the terminal queues a mouse event (KEY_MOUSE),
 * then read through the same path as typed input. */
static void script_mouse(struct app *a, int y, int x, mmask_t bstate)
{
    MEVENT ev = {.id = 0, .x = x, .y = y, .z = 0, .bstate = bstate};
    if (ungetmouse(&ev) == OK) input_read(a);
}

/* "ROW COL" of a click or wheel line, inside the screen. */
static bool parse_cell(const char *s, int *row, int *col, char *rest, size_t rest_n)
{
    int used = 0;
    if (sscanf(s, "%d %d%n", row, col, &used) != 2) return false;
    if (*row < 0 || *row >= LINES || *col < 0 || *col >= COLS) return false;
    strlcpy_safe(rest, str_trim((char *)s + used), rest_n);
    return true;
}

static void color_name(short c, char *buf, size_t n)
{
    static const char *const names[8] = {"black", "red",     "green", "yellow",
                                         "blue",  "magenta", "cyan",  "white"};
    if (c < 0)
        snprintf(buf, n, "default");
    else if (c < 8)
        snprintf(buf, n, "%s", names[c]);
    else if (c < 16)
        snprintf(buf, n, "bright-%s", names[c - 8]);
    else
        snprintf(buf, n, "color%d", c);
}

static void describe_attr(attr_t at, short pair, char *buf, size_t n)
{
    static const struct {
        attr_t bit;
        const char *name;
    } bits[] = {{A_BOLD, "bold"},       {A_DIM, "dim"},           {A_UNDERLINE, "underline"},
                {A_REVERSE, "reverse"}, {A_STANDOUT, "standout"}, {A_ITALIC, "italic"},
                {A_BLINK, "blink"}};
    struct buf b = {0};
    for (size_t i = 0; i < ARRAY_LEN(bits); i++)
        if (at & bits[i].bit) buf_printf(&b, "%s%s", b.len ? "," : "", bits[i].name);
    short fg = -1, bg = -1;
    if (pair > 0) pair_content(pair, &fg, &bg);
    if (fg >= 0 || bg >= 0) {
        char f[24], g[24];
        color_name(fg, f, sizeof f);
        color_name(bg, g, sizeof g);
        buf_printf(&b, "%sfg=%s bg=%s", b.len ? " " : "", f, g);
    }
    strlcpy_safe(buf, b.len ? b.data : "normal", n);
    buf_free(&b);
}

/* Row y of the screen as text into line (emptied first): each wide character once, trailing
 * spaces trimmed. */
static void row_text(int y, struct buf *line)
{
    buf_reset(line);
    size_t keep = 0;
    for (int x = 0; x < COLS;) {
        cchar_t cc;
        wchar_t wch[CCHARW_MAX + 1];
        attr_t at;
        short pair;
        int w = 1;
        if (mvwin_wch(stdscr, y, x, &cc) == OK && getcchar(&cc, wch, &at, &pair, NULL) != ERR &&
            wch[0]) {
            for (int k = 0; k < CCHARW_MAX && wch[k]; k++) {
                char enc[8];
                text_encode((uint32_t)wch[k], enc);
                buf_puts(line, enc);
            }
            int cw = wcwidth(wch[0]);
            w = cw == 2 ? 2 : 1;
        } else {
            buf_putc(line, ' ');
        }
        if (line->len && line->data[line->len - 1] != ' ') keep = line->len;
        x += w;
    }
    if (line->data) {
        line->len = keep;
        line->data[keep] = '\0';
    }
}

/* Writes the screen as text, one line per row (row_text); with attrs, then the styled runs
 * of each row. */
static int save_display(const char *path, bool attrs)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    struct buf line = {0};
    for (int y = 0; y < LINES; y++) {
        row_text(y, &line);
        fprintf(f, "%s\n", line.data ? line.data : "");
    }
    buf_free(&line);
    if (attrs) {
        fprintf(f, "-- attributes --\n");
        for (int y = 0; y < LINES; y++) {
            struct buf row = {0};
            int start = 0;
            char cur[128] = "", d[128];
            for (int x = 0; x <= COLS; x++) {
                d[0] = '\0';
                if (x < COLS) {
                    cchar_t cc;
                    wchar_t wch[CCHARW_MAX + 1];
                    attr_t at = 0;
                    short pair = 0;
                    if (mvwin_wch(stdscr, y, x, &cc) == OK) getcchar(&cc, wch, &at, &pair, NULL);
                    describe_attr(at & ~A_COLOR, pair, d, sizeof d);
                }
                if (x == COLS || strcmp(d, cur)) {
                    if (x > 0 && strcmp(cur, "normal"))
                        buf_printf(&row, " %d-%d %s;", start, x - 1, cur);
                    strlcpy_safe(cur, d, sizeof cur);
                    start = x;
                }
            }
            if (row.len) fprintf(f, "%2d:%s\n", y, row.data);
            buf_free(&row);
        }
    }
    return fclose(f);
}

void script_run(struct app *a)
{
    const char *file = a->opts->script;
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "certdeck: cannot read script %s: %s\n", file, strerror(errno));
        a->exit_code = 2;
        return;
    }
    char raw[4096];
    int lineno = 0;
    tick_pump(a);
    chrome_draw(a);
    while (!a->quit && fgets(raw, sizeof raw, f)) {
        lineno++;
        char *line = str_trim(raw);
        if (!*line || *line == '#') continue;
        if (*line == ':') {
            commands_run(a, line + 1);
        } else if (!strncmp(line, "keys ", 5)) {
            const char *s = line + 5;
            uint32_t cp;
            size_t n;
            while (!a->quit && (n = text_decode(s, &cp)) > 0) {
                input_key(a, (int)cp);
                s += n;
                tick_pump(a);
            }
        } else if (!strncmp(line, "key ", 4)) {
            int key = keymap_key_parse(str_trim(line + 4));
            if (key < 0) {
                script_fail(a, file, lineno, "unknown key '%s'", line + 4);
                break;
            }
            input_key(a, key);
        } else if (!strcmp(line, "wait-idle") || !strncmp(line, "wait-idle ", 10)) {
            long ms = line[9] ? strtol(line + 10, NULL, 10) : WAIT_IDLE_DEFAULT_MS;
            if (ms <= 0) ms = WAIT_IDLE_DEFAULT_MS;
            if (!wait_idle(a, ms)) {
                struct worker_stats st;
                worker_get_stats(a->worker, &st);
                script_fail(a, file, lineno,
                            "wait-idle: still busy after %ld ms (%zu queued, %zu running)", ms,
                            st.queued, st.running);
                break;
            }
        } else if (!strncmp(line, "wait-text ", 10)) {
            const char *text = line + 10;
            if (!wait_text(a, text, WAIT_IDLE_DEFAULT_MS)) {
                script_fail(a, file, lineno, "wait-text: \"%s\" not on the screen after %d ms",
                            text, WAIT_IDLE_DEFAULT_MS);
                break;
            }
        } else if (!strncmp(line, "refresh-until ", 14)) {
            const char *text = line + 14;
            if (!refresh_until(a, text, WAIT_IDLE_DEFAULT_MS)) {
                script_fail(a, file, lineno, "refresh-until: \"%s\" not on the screen after %d ms",
                            text, WAIT_IDLE_DEFAULT_MS);
                break;
            }
        } else if (!strncmp(line, "stall-until-calls ", 18)) {
            char *end;
            long n = strtol(line + 18, &end, 10);
            if (n <= 0 || n > STORE_LOG_CAPACITY || *str_trim(end)) {
                script_fail(a, file, lineno, "stall-until-calls takes a count (1-%d)",
                            STORE_LOG_CAPACITY);
                break;
            }
            if (!stall_until_calls(a, (size_t)n, WAIT_IDLE_DEFAULT_MS)) {
                script_fail(a, file, lineno, "stall-until-calls: fewer than %ld calls after %d ms",
                            n, WAIT_IDLE_DEFAULT_MS);
                break;
            }
            continue; /* no look at the store before the next line either */
        } else if (!strncmp(line, "click ", 6)) {
            int row, col;
            char rest[32];
            if (!parse_cell(line + 6, &row, &col, rest, sizeof rest) ||
                (rest[0] && strcmp(rest, "double"))) {
                script_fail(a, file, lineno, "click takes ROW COL [double], inside the screen");
                break;
            }
            script_mouse(a, row, col, rest[0] ? BUTTON1_DOUBLE_CLICKED : BUTTON1_CLICKED);
        } else if (!strncmp(line, "wheel ", 6)) {
            const char *dir = str_trim(line + 6);
            bool up = !strncmp(dir, "up ", 3), down = !strncmp(dir, "down ", 5);
            int row, col;
            char rest[32];
            if ((!up && !down) || !parse_cell(dir + (up ? 3 : 5), &row, &col, rest, sizeof rest) ||
                rest[0]) {
                script_fail(a, file, lineno, "wheel takes up|down ROW COL, inside the screen");
                break;
            }
            script_mouse(a, row, col, up ? BUTTON4_PRESSED : BUTTON5_PRESSED);
        } else if (!strncmp(line, "resize ", 7)) {
            int c, l;
            if (sscanf(line + 7, "%d %d", &c, &l) != 2 || c < 1 || l < 1 || c > 1000 || l > 1000) {
                script_fail(a, file, lineno, "resize takes COLS LINES");
                break;
            }
            input_resize(a, c, l);
        } else if (!strncmp(line, "save-display ", 13)) {
            char path[1024];
            char *rest = str_trim(line + 13);
            bool attrs = false;
            size_t pl = strcspn(rest, " ");
            if (pl >= sizeof path) pl = sizeof path - 1;
            memcpy(path, rest, pl);
            path[pl] = '\0';
            if (rest[pl]) attrs = !strcmp(str_trim(rest + pl), "attrs");
            tick_pump(a);
            if (a->dirty) chrome_draw(a);
            if (save_display(path, attrs) != 0) {
                script_fail(a, file, lineno, "cannot write %s: %s", path, strerror(errno));
                break;
            }
        } else {
            script_fail(a, file, lineno, "unknown script line '%s'", line);
            break;
        }
        tick_pump(a);
        tick_work(a); /* a filter or sort under way goes one step per line */
        if (a->dirty) chrome_draw(a);
    }
    fclose(f);
}
