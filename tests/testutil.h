/* Helpers shared by the test programs: temporary directories, whole-file reads and writes,
 * test data paths, waiting with a deadline, starting the emulator with a client pointed at it,
 * and assertions several programs make on the same values. Linked into every
 * tests/<kind>/test_*.c program. Failures fail the running test through cmocka. */
#ifndef CERTDECK_TESTUTIL_H
#define CERTDECK_TESTUTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/api.h"
#include "core/emulator/emulator.h"
#include "core/model.h"
#include "core/store.h"

/* Generous bound for "this must happen" (sanitizer builds are slow): a broken program fails
 * the test at the deadline instead of hanging ctest. */
#define TU_DEADLINE_MS 15000

/* ---- files ------------------------------------------------------------------------------ */

/* Creates a fresh directory /tmp/certdeck-<tag>-XXXXXX; returns its heap path. */
char *tu_mkdtemp(const char *tag);
/* Removes path recursively (files and directories); missing paths are fine. */
void tu_rm_rf(const char *path);
/* The whole file as a NUL-terminated heap string (len, if not NULL, gets the byte count), or
 * NULL when it cannot be read. */
char *tu_read_file(const char *path, size_t *len);
/* Writes text to path (creating or truncating it, and any missing parent directories),
 * asserting success. */
void tu_write_file(const char *path, const char *text);
/* "<dir>/<name>" as a heap string. */
char *tu_path(const char *dir, const char *name);
/* A file in tests/data ($CERTDECK_TESTDATA), as a heap path. */
char *tu_testdata(const char *name);
/* The contents of tu_testdata(name), as tu_read_file; fails the test when it cannot be read. */
char *tu_read_testdata(const char *name, size_t *len);

/* ---- running the certdeck binary ------------------------------------------------------- */

/* What one run of $CERTDECK_BIN left: its exit code (128 when it did not exit normally) and
 * everything it wrote to stdout and stderr. */
struct tu_run {
    int status;
    char *out;
    char *err;
};
/* Item i of g, packed or not (model_group_item into one of 16 scratch items used in turn: a
 * pointer stays good for the next 15 calls). */
const struct deploy_item *tu_item(const struct resource_group *g, size_t i);

/* Runs `[env] '$CERTDECK_BIN' [lead] ARGS` through the shell with stdin from /dev/null, ARGS
 * formatted from fmt. env (NULL for none) goes before the binary, as in "env TZ=UTC"; lead
 * (NULL for none) is what every call of one test program starts with, such as "--demo" or
 * "--endpoint http://127.0.0.1:PORT". Shell quoting in ARGS is the caller's. */
struct tu_run tu_run_cli(const char *env, const char *lead, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tu_run_free(struct tu_run *r);

/* ---- cmocka fixtures (cmocka_unit_test_setup_teardown) ---------------------------------- */

/* The running test's temp directory: made by tu_tmp_setup or tu_home_setup, removed (and set
 * back to NULL) by tu_tmp_teardown. */
extern char *tu_tmp;
/* tu_tmp = a fresh tu_mkdtemp directory. */
int tu_tmp_setup(void **state);
/* As tu_tmp_setup, and tu_tmp/home becomes $HOME with XDG_CONFIG_HOME unset, so a real user's
 * files never leak in. */
int tu_home_setup(void **state);
int tu_tmp_teardown(void **state);

/* ---- waiting ---------------------------------------------------------------------------- */

/* Calls cond(ctx) with short naps until it returns true or timeout_ms pass; returns its last
 * answer. For conditions nothing signals (a request reaching a server, a thread finishing). */
bool tu_poll_until(bool (*cond)(void *ctx), void *ctx, int64_t timeout_ms);
/* tu_poll_until for "*flag is set". */
bool tu_wait_flag(atomic_int *flag, int64_t timeout_ms);
/* tu_poll_until for "the emulator has seen at least `at_least` requests". */
bool tu_wait_requests(struct emu *e, uint64_t at_least, int64_t timeout_ms);

/* ---- the emulator and a client ---------------------------------------------------------- */

/* Loopback only, whatever proxy the environment names (no_proxy), then http_global_init().
 * Pair with http_global_cleanup(). */
void tu_loopback_init(void);
/* emu_start(cfg) (NULL: every default, 127.0.0.1 on a free port); fails the test with the
 * emulator's reason when it cannot start. */
struct emu *tu_emu_start(const struct emu_config *cfg);
/* A client with cfg (NULL: defaults) whose endpoint, when cfg leaves it NULL, is e's URL, and
 * credentials cr (NULL: the emulator's demo key pair); fails the test when it cannot be made. */
struct api_client *tu_emu_client(struct emu *e, const struct api_config *cfg,
                                 const struct creds *cr);

/* Group setup for programs whose emulators serve a dataset file: tu_loopback_init(), then json
 * written to tu_dataset_path, a file in a fresh tu_mkdtemp(tag) directory. */
extern char *tu_dataset_path;
void tu_dataset_setup(const char *tag, const char *json);
/* The matching group teardown: removes the directory, frees the path, http_global_cleanup(). */
int tu_dataset_teardown(void **state);

/* ---- a scripted loopback HTTP server -------------------------------------------------- */

/* For what the real emulator cannot do: misbehave on purpose (lie about totals, hang, close
 * early, send hostile bytes) or speak TLS with a test certificate. One thread listens on
 * 127.0.0.1 (a free port) and serves every open connection with poll(), so keep-alive and
 * parallel clients work; nothing is answered unless the script says so. */
struct tu_script_server;

/* One complete request (its head and Content-Length body) as it arrived. */
struct tu_script_request {
    const char *head; /* request line and headers through the blank line: head_len bytes */
    size_t head_len;
    const char *body; /* body_len bytes, NUL-terminated */
    size_t body_len;
    int index; /* 0 for the first request since start or tu_script_server_reset, then 1, ... */
};

/* Answers req on fd (with tu_send_all; an answer may be nothing at all) on the server thread;
 * returns true to keep the connection open for more requests, false to close it. */
typedef bool (*tu_script_answer_fn)(void *ctx, int fd, const struct tu_script_request *req);
/* Handles a whole accepted connection itself (e.g. a TLS handshake, then one exchange) on the
 * server thread, which closes fd afterwards and accepts the next. */
typedef void (*tu_script_conn_fn)(void *ctx, int fd);

/* Starts a server calling answer(ctx, ...) for every request; fails the test when it cannot. */
struct tu_script_server *tu_script_server_start(tu_script_answer_fn answer, void *ctx);
/* Starts a server handing every connection, one at a time, to conn(ctx, fd). */
struct tu_script_server *tu_script_server_start_raw(tu_script_conn_fn conn, void *ctx);
/* Stops the thread, closes every connection and frees s (NULL is fine). */
void tu_script_server_stop(struct tu_script_server *s);
int tu_script_server_port(const struct tu_script_server *s);
/* "http://127.0.0.1:<port>" as a heap string. */
char *tu_script_server_url(const struct tu_script_server *s);
/* Connections accepted and complete requests read since start (either pointer may be NULL). */
void tu_script_server_counts(struct tu_script_server *s, int *connections, int *requests);
/* Starts counting requests (and their index) from 0 again. */
void tu_script_server_reset(struct tu_script_server *s);
/* Copies the head of the last request read (truncated to n - 1 bytes, NUL-terminated) into
 * out; returns its body length. */
size_t tu_script_server_last(struct tu_script_server *s, char *out, size_t n);

/* Writes all n bytes to a socket, giving up quietly when the peer has gone (no SIGPIPE). */
void tu_send_all(int fd, const void *p, size_t n);
/* The Content-Length in the HTTP head [head, end) (0 when absent). */
size_t tu_content_length(const char *head, const char *end);
/* A socket listening on 127.0.0.1 at a free port (stored in *port), or -1. */
int tu_listen_loopback(int *port);

/* ---- shared assertions ------------------------------------------------------------------ */

/* The group of `type` in run `run` of a stored detail, or NULL. Call with the store locked. */
const struct resource_group *tu_group_of(const struct store_detail *d, size_t run,
                                         const char *type);
/* The detail page encoded as the API's JSON, without its RequestId (which differs per
 * request), for whole-value comparison; the caller deletes it. */
cJSON *tu_detail_json(struct detail_page *p);
/* Asserts p holds the example of the official API page (tests/data/seed_detail_response.json)
 * field by field: a deploy run (item 57) and its rollback (item 85). RequestId not checked. */
void tu_assert_seed_detail(const struct detail_page *p);
/* Asserts a config or theme diag list (n of them) is exactly want[0..n_want): diags[i] is
 * "<path>:<want[i]>". A NULL want[i] is not compared (the caller checks it). When the count
 * differs (e.g. n_want 0 and some diag), every diag is printed first. */
void tu_assert_diags(const char (*diags)[256], size_t n, const char *path, const char *const *want,
                     size_t n_want);

#endif
